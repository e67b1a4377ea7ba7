"""The restricted unpickler for annotation pickles: numpy data only, in memory bounded by the input.

An honest annotation pickle (numpy 1.x's protocol 3, numpy 2's protocol 4, or protocol 2 with
``_codecs.encode`` for bytes) names four globals and nothing else: numpy's array reconstructor
``_reconstruct``, ``numpy.ndarray`` (only as its argument), ``numpy.dtype`` and numpy's
``scalar``. Those four, plus ``_codecs.encode`` for latin-1 only, are all that is admitted.

**The bound.** Reading a pickle of ``n`` bytes allocates at most ``64 * n + 1 MiB`` through
the constructors it may call (array buffers, scalars, encoded bytes), counted before each
allocation; a pickle that asks for more is refused with :class:`UnsafePickleError` and nothing
is allocated for the refused request. The pickle machinery itself is kept linear in ``n``:
before anything is built, a scan of the opcodes refuses a memo index beyond the number of
opcodes so far (CPython's unpickler sizes its memo by the largest index) and a declared length
beyond the bytes that remain (CPython allocates a ``BINBYTES`` of the declared size before
reading it). Each value the opcodes themselves build costs a small constant per input byte.
"""

from __future__ import annotations

import io
import pickle
import pickletools
import re
from collections.abc import Callable
from typing import Any, cast

import numpy as np

from _imagenet3d.errors import AnnotationError, UnsafePickleError

ALLOCATION_FACTOR = 64
ALLOCATION_SLACK = 1024 * 1024

# numpy's array and scalar reconstructors, as numpy's own pickles name them, taken from the public
# pickle protocol (``__reduce__``) rather than from the private ``numpy._core`` they live in.
_RECONSTRUCT_ARRAY = cast(Callable[..., Any], np.empty(0).__reduce__()[0])
_RECONSTRUCT_SCALAR = cast(Callable[..., Any], np.float64(0).__reduce__()[0])

# The dtypes an annotation holds, as numpy names them in a pickle: np.dtype("f8", False, True).
_DTYPE_CODE = re.compile(r"O8|b1|[iu][1248]|f[248]|c(?:8|16)|[US][0-9]{1,6}")
_MEMO_OPCODES = frozenset({"PUT", "BINPUT", "LONG_BINPUT", "GET", "BINGET", "LONG_BINGET"})


def allocation_budget(pickle_bytes: int) -> int:
    """What a pickle of ``pickle_bytes`` bytes may make the reader allocate through constructors."""
    return ALLOCATION_FACTOR * pickle_bytes + ALLOCATION_SLACK


class _Budget:
    def __init__(self, limit: int) -> None:
        self.limit, self.used = limit, 0

    def charge(self, nbytes: int, what: str) -> None:
        if nbytes > self.limit - self.used:
            raise UnsafePickleError(
                f"refused: the annotation pickle asks for {what} of {nbytes} bytes, over its allocation "
                f"bound ({self.limit - self.used} of {self.limit} bytes left: {ALLOCATION_FACTOR}x the "
                "pickle's size plus 1 MiB)")
        self.used += nbytes


class _NdarrayClass:
    """What ``numpy.ndarray`` unpickles to: a token for ``_reconstruct``, not a callable class
    (``numpy.ndarray(shape)`` would allocate any shape)."""

    def __call__(self, *args: Any) -> None:
        raise UnsafePickleError("refused: the annotation pickle calls numpy.ndarray directly")


_NDARRAY = _NdarrayClass()


class _DtypeSpec:
    """What ``numpy.dtype(code, False, True)`` unpickles to, until an array or scalar uses it.

    Its ``__setstate__`` (the pickle's BUILD) admits only the state numpy itself writes for
    that code in some byte order; the dtype is never handed an arbitrary state.
    """

    def __init__(self, code: Any, align: Any = False, copy: Any = True) -> None:
        if not isinstance(code, str) or not _DTYPE_CODE.fullmatch(code) or align:
            raise UnsafePickleError(f"refused: the annotation pickle asks for dtype {code!r}")
        self.dtype = np.dtype(code)

    def __setstate__(self, state: Any) -> None:
        order = state[1] if isinstance(state, tuple) and len(state) > 1 else None
        if order in ("<", ">"):
            candidate = self.dtype.newbyteorder(order)
        else:
            candidate = self.dtype
        if candidate.__reduce__()[2] != state:
            raise UnsafePickleError(f"refused: unexpected state for dtype {self.dtype.str}: {state!r:.80}")
        self.dtype = candidate


def _dtype_of(spec: Any) -> np.dtype:
    if not isinstance(spec, _DtypeSpec):
        raise UnsafePickleError("refused: an array or scalar without a numpy dtype")
    return spec.dtype


class _BoundedArray(np.ndarray):
    """An array under construction: its ``__setstate__`` checks the state against the budget and
    numpy's own invariants (numpy crashes on an object array whose list is too short)."""

    _budget: _Budget

    def __setstate__(self, state: Any) -> None:
        if not (isinstance(state, tuple) and len(state) == 5 and state[0] == 1):
            raise UnsafePickleError("refused: an array state that numpy does not write")
        _, shape, spec, fortran, raw = state
        if not (isinstance(shape, tuple) and all(type(n) is int and n >= 0 for n in shape)) or len(shape) > 32:
            raise UnsafePickleError(f"refused: array shape {shape!r:.80}")
        dtype = _dtype_of(spec)
        count = 1
        for n in shape:
            count *= n
        self._budget.charge(count * dtype.itemsize, f"an array of shape {shape}")
        if dtype.hasobject:
            if not isinstance(raw, list) or len(raw) != count:
                raise UnsafePickleError(f"refused: an object array of shape {shape} without {count} items")
        elif not isinstance(raw, bytes) or len(raw) != count * dtype.itemsize:
            raise UnsafePickleError(f"refused: an array of shape {shape} without its {count * dtype.itemsize} bytes")
        super().__setstate__(cast(Any, (1, shape, dtype, bool(fortran), raw)))


def _plain(value: Any, seen: set[int]) -> Any:
    """``value`` with every array under construction turned into a plain ``np.ndarray``."""
    if isinstance(value, _DtypeSpec):
        return value.dtype
    if id(value) in seen:
        return value.view(np.ndarray) if isinstance(value, _BoundedArray) else value
    if isinstance(value, (dict, list, tuple, np.ndarray)):
        seen.add(id(value))
    if isinstance(value, _BoundedArray):
        value = value.view(np.ndarray)
        if value.dtype.hasobject:
            flat = value.reshape(-1)
            for index in range(flat.size):
                flat[index] = _plain(flat[index], seen)
    elif isinstance(value, dict):
        for key in value:
            value[key] = _plain(value[key], seen)
    elif isinstance(value, list):
        value[:] = [_plain(item, seen) for item in value]
    elif isinstance(value, tuple):
        value = tuple(_plain(item, seen) for item in value)
    return value


class _RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that builds numpy data and builtins, within its budget, and refuses everything else."""

    def __init__(self, stream: io.BytesIO, budget: _Budget) -> None:
        super().__init__(stream, encoding="latin1")
        self.budget = budget

    def find_class(self, module: str, name: str) -> Any:
        if module in ("numpy.core.multiarray", "numpy._core.multiarray"):
            if name == "_reconstruct":
                return self._reconstruct
            if name == "scalar":
                return self._scalar
        elif module == "numpy" and name == "ndarray":
            return _NDARRAY
        elif module == "numpy" and name == "dtype":
            return _DtypeSpec
        elif (module, name) == ("_codecs", "encode"):
            return self._encode
        raise UnsafePickleError(
            f"refused: the annotation pickle asks for {module}.{name}, "
            "which is not numpy data (possible code execution)")

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafePickleError("refused: persistent ids in an annotation pickle")

    def _reconstruct(self, cls: Any, shape: Any, typecode: Any) -> _BoundedArray:
        # numpy's ndarray.__reduce__ always writes _reconstruct(ndarray, (0,), b"b"): an empty
        # array that BUILD then fills, which is where the size is checked.
        if cls is not _NDARRAY or shape != (0,) or typecode not in (b"b", "b"):
            raise UnsafePickleError("refused: an array reconstruction that numpy does not write")
        array = _RECONSTRUCT_ARRAY(_BoundedArray, (0,), b"b")
        array._budget = self.budget
        return array

    def _scalar(self, spec: Any, raw: Any = None) -> Any:
        dtype = _dtype_of(spec)
        if dtype.hasobject:
            return raw
        if not isinstance(raw, bytes) or len(raw) != dtype.itemsize:
            raise UnsafePickleError(f"refused: a {dtype} scalar without its {dtype.itemsize} bytes")
        self.budget.charge(dtype.itemsize, "a scalar")
        return _RECONSTRUCT_SCALAR(dtype, raw)

    def _encode(self, text: Any, encoding: str = "utf-8") -> bytes:
        # Protocol-2 pickles store bytes as _codecs.encode(str, "latin1"); admit that use only,
        # so a pickle cannot trigger codec lookups by name.
        if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
            raise UnsafePickleError(f"refused: _codecs.encode with encoding {encoding!r}")
        self.budget.charge(len(text), "encoded bytes")
        return text.encode("latin1")


def _check_opcodes(payload: bytes) -> None:
    """Refuse memo indexes and declared lengths that would make CPython's unpickler allocate more
    than the pickle's size (pickletools reads without allocating a declared length)."""
    try:
        for count, (opcode, arg, _) in enumerate(pickletools.genops(payload)):
            if opcode.name in _MEMO_OPCODES and not (isinstance(arg, int) and 0 <= arg <= count):
                raise UnsafePickleError(f"refused: memo index {arg} in an annotation pickle of {count} opcodes")
    except (ValueError, EOFError) as error:
        raise AnnotationError(f"malformed annotation pickle: {error}") from None


def load_pickle(payload: bytes) -> Any:
    """Unpickle an annotation pickle of numpy data; see the module docstring for what is admitted
    and the bound (:func:`allocation_budget`) on what it may allocate."""
    _check_opcodes(payload)
    unpickler = _RestrictedUnpickler(io.BytesIO(payload), _Budget(allocation_budget(len(payload))))
    return _plain(unpickler.load(), set())
