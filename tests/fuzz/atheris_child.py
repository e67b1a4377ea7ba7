"""One fuzz target under atheris (libFuzzer), as benchmarks/fuzz_readers.py starts it.

    python tests/fuzz/atheris_child.py TARGET CRASH_DIR MEMORY_MB -- LIBFUZZER_ARGS...

The target's modules are imported under atheris' instrumentation (its coverage guides the mutations).
An input whose reader raises its documented error is a normal result. Any other exception is a crash:
the run goes on, and the smallest input for each distinct crash (exception type and the innermost
line of this repository it came from) is kept in CRASH_DIR as ``<id>.bin`` with ``<id>.json`` (type,
message, where). Memory is capped (RLIMIT_AS, MEMORY_MB above what the process has mapped at start),
so an over-allocation is a MemoryError, a crash like any other; libFuzzer's own -timeout and
-rss_limit_mb catch hangs and what escapes the cap, writing its timeout-/oom- files and stopping.
"""

from __future__ import annotations

import hashlib
import json
import resource
import sys
import traceback
from pathlib import Path

import atheris

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path[:0] = [str(HERE), str(REPO)]

from targets import TARGETS  # noqa: E402  (after the path: tests/fuzz is not a package)


def _mapped_mb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) // 1024
    return 0


def _where(error: BaseException) -> str:
    """The innermost frame in this repository's code (not the harness): where the crash surfaced."""
    outside = (str(HERE), str(REPO / ".venv"))
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if frame.filename.startswith(str(REPO)) and not frame.filename.startswith(outside)]
    if not frames:
        return "?"
    frame = frames[-1]
    return f"{Path(frame.filename).relative_to(REPO)}:{frame.lineno} ({frame.name})"


def main() -> None:
    name, crash_dir, memory_mb = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    libfuzzer_args = sys.argv[sys.argv.index("--") + 1:]
    target = TARGETS[name]
    with atheris.instrument_imports(include=list(target.instrument)):
        for module in target.modules:
            __import__(module.removesuffix(".py").replace("/", "."))
        import zipfile  # noqa: F401  (instrumented when a target lists it)
    expected = target.expected()
    crash_dir.mkdir(parents=True, exist_ok=True)
    smallest: dict[str, int] = {}
    for record in crash_dir.glob("*.json"):
        smallest[record.stem] = json.loads(record.read_text())["size"]
    limit = (_mapped_mb() + memory_mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    def one_input(data: bytes) -> None:
        try:
            target.run(data)
        except expected:
            return
        except Exception as error:  # the crash being looked for: anything else
            signature = f"{type(error).__name__} at {_where(error)}"
            key = hashlib.sha256(signature.encode()).hexdigest()[:12]
            if key in smallest and smallest[key] <= len(data):
                return
            smallest[key] = len(data)
            (crash_dir / f"{key}.bin").write_bytes(data)
            (crash_dir / f"{key}.json").write_text(json.dumps(
                {"signature": signature, "type": type(error).__name__, "message": str(error)[:300],
                 "where": _where(error), "size": len(data)}, indent=1) + "\n")
            print(f"CRASH {key} {signature} ({len(data)} bytes): {str(error)[:120]}", file=sys.stderr, flush=True)

    atheris.Setup([sys.argv[0], *libfuzzer_args], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
