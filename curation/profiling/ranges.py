"""Line ranges of one big uncompressed file, so that several workers share it.

A range [start, end) owns the lines that begin inside it: it skips the end of a line begun before
`start` and reads through the end of the last line begun before `end`. The ranges of a file
therefore hand out each line exactly once, and the bytes they hand out add up to the file's size.
A file that starts with a UTF-16 or UTF-32 byte order mark (whose newlines are not single bytes)
is read whole by its first range; its other ranges are empty.
"""

from __future__ import annotations

import codecs
import io
import itertools
from collections.abc import Callable
from typing import IO

CHUNK = 1 << 20
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

Opener = Callable[[], IO[bytes]]


def plan_ranges(size: int, piece: int) -> list[tuple[int, int]]:
    """[start, end) byte ranges of about `piece` bytes covering a file of `size` bytes."""
    if piece < 1:
        raise ValueError("piece must be at least 1 byte")
    count = max(1, round(size / piece))
    bounds = [size * n // count for n in range(count + 1)]
    return list(itertools.pairwise(bounds))


def line_range(opener: Opener, start: int, end: int) -> Opener:
    """An opener of the lines of `opener()`'s file that begin in [start, end); the file object
    must be seekable."""
    if not 0 <= start <= end:
        raise ValueError(f"not a range: [{start}, {end})")

    def open_range() -> IO[bytes]:
        return io.BufferedReader(_LineRange(opener(), start, end), CHUNK)

    return open_range


class _LineRange(io.RawIOBase):
    def __init__(self, handle: IO[bytes], start: int, end: int) -> None:
        self.handle = handle
        self.end = end
        self.position = start
        self.done = False
        self.pending = b""
        head = handle.read(4)
        if any(head.startswith(bom) for bom in _WIDE_BOMS):
            # Newlines of more than one byte: the first range reads the whole file.
            self.done = start > 0
            self.end = 1 << 62
            self.pending, self.position = head, 0
        elif start == 0:
            self.pending, self.position = head, 0
        else:
            handle.seek(start - 1)
            self.position = start - 1
            self._skip_partial_line()
        if self.position >= self.end:
            self.done = True

    def _skip_partial_line(self) -> None:
        """Move past the newline ending the line that holds byte start - 1."""
        while True:
            chunk = self.handle.read(CHUNK)
            if not chunk:
                self.done = True
                return
            newline = chunk.find(b"\n")
            if newline >= 0:
                self.position += newline + 1
                self.pending = chunk[newline + 1 :]
                return
            self.position += len(chunk)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._next(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def _next(self, size: int) -> bytes:
        if self.done:
            return b""
        chunk, self.pending = self.pending, b""
        if not chunk:
            chunk = self.handle.read(max(size, CHUNK))
            if not chunk:
                self.done = True
                return b""
        if len(chunk) > size:
            chunk, self.pending = chunk[:size], chunk[size:]
        last = self.end - 1 - self.position  # index of byte end - 1 in the chunk
        if last < len(chunk):
            newline = chunk.find(b"\n", max(0, last))
            if newline >= 0:
                self.done = True
                chunk = chunk[: newline + 1]
        self.position += len(chunk)
        return chunk

    def close(self) -> None:
        try:
            self.handle.close()
        finally:
            super().close()
