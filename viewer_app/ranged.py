"""Parquet reads of exactly the bytes they need: a footer, or some columns of some row groups.

The footer says where every column chunk sits, so reading columns of row
groups is one request per run of nearby chunks (``MERGE_GAP`` apart at
most) rather than whatever a buffered file object would fetch. pyarrow then
decodes the fetched ranges from memory (:class:`_Ranges`).
"""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq

from _imagenet3d.errors import Imagenet3DError
from viewer_app.hub_io import Files

MAGIC = b"PAR1"
FOOTER_GUESS = 64 * 1024   # the first footer read; later ones are sized from the footers already seen
# Chunks closer than this are read in one request (a few hundred KB more beats one more request);
# at least pyarrow's own coalescing gap (8 KB), so its reads always fall inside ours.
MERGE_GAP = 1024 * 1024


class FooterReader:
    """Reads Parquet footers in one request each, sizing the tail read from the footers seen so far."""

    def __init__(self, files: Files):
        self.files = files
        self._ratio = 0.0   # the largest footer/file size ratio seen

    def __call__(self, path: str) -> bytes:
        """The footer of ``path`` (its Thrift metadata, 4-byte length and magic)."""
        size = self.files.size(path)
        if size < 12:
            raise Imagenet3DError(f"{path} is too short ({size} bytes) to be a Parquet file")
        tail = min(size, max(FOOTER_GUESS, int(self._ratio * size * 1.25)))
        data = self.files.read(path, size - tail, size, keep=False)   # the caller keeps the footer
        if data[-4:] != MAGIC:
            raise Imagenet3DError(f"{path} does not end in Parquet's magic bytes: not a Parquet file, or cut short")
        length = int.from_bytes(data[-8:-4], "little") + 8
        if length + 4 > size:
            raise Imagenet3DError(f"{path}: its footer claims {length} bytes, more than the file holds")
        if length > len(data):
            data = self.files.read(path, size - length, size - tail, keep=False) + data
        self._ratio = max(self._ratio, length / size)
        return data[-length:]


def parse_footer(footer: bytes) -> pq.FileMetaData:
    return pq.read_metadata(pa.BufferReader(footer))


def chunk_spans(metadata: pq.FileMetaData, groups: list[int], columns: list[str],
                gap: int = MERGE_GAP) -> list[tuple[int, int]]:
    """Byte ranges [start, stop) holding ``columns`` of ``groups``, nearby chunks merged."""
    wanted = set(columns)
    chunks = []
    for group in groups:
        row_group = metadata.row_group(group)
        for c in range(row_group.num_columns):
            chunk = row_group.column(c)
            if chunk.path_in_schema.split(".", 1)[0] in wanted:
                start = chunk.dictionary_page_offset
                if start is None or start <= 0 or start > chunk.data_page_offset:
                    start = chunk.data_page_offset
                chunks.append((start, start + chunk.total_compressed_size))
    spans: list[list[int]] = []
    for start, stop in sorted(chunks):
        if spans and start - spans[-1][1] <= gap:
            spans[-1][1] = max(spans[-1][1], stop)
        else:
            spans.append([start, stop])
    return [(start, stop) for start, stop in spans]


def read_row_groups(files: Files, path: str, metadata: pq.FileMetaData, groups: list[int],
                    columns: list[str]) -> pa.Table:
    """``columns`` of row groups ``groups`` (in that order): one request per merged span."""
    spans = {start: files.read(path, start, stop) for start, stop in chunk_spans(metadata, groups, columns)}
    source = _Ranges(files, path, files.size(path), spans)
    return pq.ParquetFile(source, metadata=metadata, pre_buffer=False).read_row_groups(groups, columns=columns)


class _Ranges(io.RawIOBase):
    """A read-only file of ``size`` bytes of which only some ranges are held; a read outside
    them goes to ``files`` (one more request: the request counts in the tests would show it)."""

    def __init__(self, files: Files, path: str, size: int, spans: dict[int, bytes]):
        super().__init__()
        self.files, self.path, self.size, self.spans = files, path, size, spans
        self.position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = base + offset
        return self.position

    def read(self, size: int = -1) -> bytes:
        stop = self.size if size is None or size < 0 else min(self.size, self.position + size)
        start, self.position = self.position, max(self.position, stop)
        if stop <= start:
            return b""
        for span_start, data in self.spans.items():
            if span_start <= start and stop <= span_start + len(data):
                return data[start - span_start:stop - span_start]
        return self.files.read(self.path, start, stop)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)
