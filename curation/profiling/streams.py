"""Bytes in: open a shard through the caller's opener, decompress it with caps, and cut it into
lines or parts, counting what goes wrong instead of failing.

Error split: an `OSError` raised while reading the raw bytes becomes `ShardIOError` (retryable);
an error raised by a decompressor (corrupt or truncated stream) ends the shard early with a
`stop_reason` and the counts so far.
"""

from __future__ import annotations

import bz2
import codecs
import hashlib
import lzma
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, cast

from curation.profiling.errors import ShardIOError, UnsupportedInputError
from curation.profiling.options import Limits

Opener = Callable[[], IO[bytes]]

READ_SIZE = 1024 * 1024
OUT_SIZE = 1024 * 1024


@dataclass
class StreamStats:
    compressed_bytes: int = 0  # raw bytes read from the opener
    uncompressed_bytes: int = 0  # bytes after decompression (and BOM handling)
    stop_reason: str = ""  # why reading stopped before the end, "" when it reached the end
    encoding: str = "utf-8"  # "utf-16"/"utf-32" when a byte order mark said so
    overlong_lines: int = 0
    invalid_utf8: int = 0
    notes: list[str] = field(default_factory=list)
    # sha256 of the raw bytes while they are read in order from the start; None once a read
    # went elsewhere (Parquet seeks) or reading stopped early.
    raw_digest: Any = field(default_factory=hashlib.sha256)

    def sha256_hex(self) -> str:
        """The stored bytes' sha256 when all of them were read once, in order; else ""."""
        if self.raw_digest is None or self.stop_reason:
            return ""
        return str(self.raw_digest.hexdigest())

    def stop(self, reason: str) -> None:
        if not self.stop_reason:
            self.stop_reason = reason


class _Raw:
    """The opener's file object, counting bytes and turning OSError into ShardIOError."""

    def __init__(self, handle: IO[bytes], stats: StreamStats) -> None:
        self.handle = handle
        self.stats = stats

    def read(self, size: int = -1) -> bytes:
        try:
            data = self.handle.read(size)
        except OSError as exc:
            raise ShardIOError(f"reading the shard failed: {exc}") from exc
        self.stats.compressed_bytes += len(data)
        if self.stats.raw_digest is not None:
            self.stats.raw_digest.update(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True


def open_raw(opener: Opener) -> IO[bytes]:
    try:
        return opener()
    except OSError as exc:
        raise ShardIOError(f"opening the shard failed: {exc}") from exc


def _gzip(raw: _Raw, stats: StreamStats) -> Iterator[bytes]:
    decomp = zlib.decompressobj(wbits=31)
    started = False
    pending = b""
    while True:
        if not pending:
            pending = raw.read(READ_SIZE)
            if not pending:
                if started and not decomp.eof:
                    stats.stop("truncated gzip stream (ended inside a member)")
                return
        try:
            out = decomp.decompress(pending, OUT_SIZE)
        except zlib.error as exc:
            if started or stats.uncompressed_bytes == 0:
                stats.stop(f"corrupt gzip stream: {exc}")
            else:  # bytes after the last member that are not another member
                stats.notes.append(f"ignored trailing bytes after the last gzip member: {exc}")
            return
        started = True
        pending = decomp.unconsumed_tail
        if out:
            yield out
        if decomp.eof:
            pending = decomp.unused_data + pending
            if pending and not pending.strip(b"\x00"):
                pending = b""  # zero padding after the last member
            decomp = zlib.decompressobj(wbits=31)
            started = False


def _bz2_or_xz(raw: _Raw, stats: StreamStats, kind: str) -> Iterator[bytes]:
    def make() -> Any:
        return bz2.BZ2Decompressor() if kind == "bz2" else lzma.LZMADecompressor()

    errors: tuple[type[BaseException], ...] = (OSError, EOFError, ValueError, lzma.LZMAError)
    decomp = make()
    started = False
    while True:
        if decomp.needs_input:
            data = raw.read(READ_SIZE)
            if not data:
                if started and not decomp.eof:
                    stats.stop(f"truncated {kind} stream")
                return
        else:
            data = b""
        try:
            out = decomp.decompress(data, OUT_SIZE)
        except ShardIOError:
            raise
        except errors as exc:
            stats.stop(f"corrupt {kind} stream: {exc}")
            return
        started = True
        if out:
            yield out
        if decomp.eof:
            rest = decomp.unused_data
            if not rest.strip(b"\x00"):
                rest = raw.read(READ_SIZE)
                if not rest.strip(b"\x00"):
                    return
            decomp = make()
            started = True
            try:
                out = decomp.decompress(rest, OUT_SIZE)
            except errors as exc:
                stats.notes.append(f"ignored trailing bytes after the {kind} stream: {exc}")
                return
            if out:
                yield out


def _zstd(raw: _Raw, stats: StreamStats) -> Iterator[bytes]:
    import zstandard

    reader = zstandard.ZstdDecompressor().stream_reader(
        cast(IO[bytes], raw), read_size=READ_SIZE, read_across_frames=True
    )
    while True:
        try:
            out = reader.read(OUT_SIZE)
        except zstandard.ZstdError as exc:
            message = str(exc)
            reason = "truncated zstd stream" if "incomplete" in message else "corrupt zstd stream"
            stats.stop(f"{reason}: {message}")
            return
        if not out:
            return
        yield out


def _plain(raw: _Raw) -> Iterator[bytes]:
    while True:
        data = raw.read(READ_SIZE)
        if not data:
            return
        yield data


def decompressed_chunks(
    raw_handle: IO[bytes], compression: str | None, limits: Limits, stats: StreamStats
) -> Iterator[bytes]:
    """Decompressed bytes of one shard, in chunks of at most about 1 MiB, within the caps."""
    raw = _Raw(raw_handle, stats)
    source: Iterator[bytes]
    if compression is None:
        source = _plain(raw)
    elif compression == "gz":
        source = _gzip(raw, stats)
    elif compression in ("bz2", "xz"):
        source = _bz2_or_xz(raw, stats, compression)
    elif compression == "zst":
        source = _zstd(raw, stats)
    else:
        raise UnsupportedInputError(f"unknown compression {compression!r}")
    cap = limits.max_uncompressed_bytes
    for chunk in source:
        total = stats.uncompressed_bytes + len(chunk)
        if total > cap:
            keep = cap - stats.uncompressed_bytes
            if keep > 0:
                stats.uncompressed_bytes += keep
                yield chunk[:keep]
            stats.stop(f"decompressed size cap reached ({cap} bytes)")
            return
        stats.uncompressed_bytes = total
        if (
            compression is not None
            and total > limits.ratio_floor_bytes
            and total > limits.max_compression_ratio * max(stats.compressed_bytes, 1)
        ):
            stats.stop(
                f"compression ratio above {limits.max_compression_ratio:g}:1 after {total} "
                "bytes (possible decompression bomb)"
            )
            return
        yield chunk


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)


def utf8_chunks(chunks: Iterator[bytes], stats: StreamStats) -> Iterator[bytes]:
    """Strip a UTF-8 byte order mark; transcode UTF-16/UTF-32 with a BOM to UTF-8."""
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= 4:
            break
    if not head:
        return
    for bom, codec, name in _BOMS:
        if head.startswith(bom):
            stats.encoding = name
            head = head[len(bom) :]
            if not codec:
                break
            decoder = codecs.getincrementaldecoder(codec)(errors="replace")
            stats.notes.append(f"transcoded from {name} (byte order mark)")
            yield decoder.decode(head).encode("utf-8", "surrogatepass")
            for chunk in chunks:
                yield decoder.decode(chunk).encode("utf-8", "surrogatepass")
            tail = decoder.decode(b"", final=True)
            if tail:
                yield tail.encode("utf-8", "surrogatepass")
            return
    yield head
    yield from chunks


def decode(data: bytes | memoryview, stats: StreamStats) -> str:
    """UTF-8 → str; each invalid sequence becomes U+FFFD and is counted."""
    try:
        return str(data, "utf-8")
    except UnicodeDecodeError:
        text = str(data, "utf-8", "replace")
        stats.invalid_utf8 += text.count("\ufffd") - bytes(data).count(b"\xef\xbf\xbd")
        return text


def lines(chunks: Iterator[bytes], limits: Limits, stats: StreamStats) -> Iterator[str]:
    """Decoded lines (without their line ending). A line longer than `max_line_bytes` is skipped
    and counted in `stats.overlong_lines`; memory stays within about that many bytes."""
    max_line = limits.max_line_bytes
    tail: list[bytes] = []
    tail_len = 0
    skipping = False
    for chunk in chunks:
        if skipping:
            newline = chunk.find(b"\n")
            if newline < 0:
                continue
            chunk = chunk[newline + 1 :]
            skipping = False
        cut = chunk.rfind(b"\n")
        if cut < 0:
            tail.append(chunk)
            tail_len += len(chunk)
            if tail_len > max_line:
                stats.overlong_lines += 1
                tail, tail_len, skipping = [], 0, True
            continue
        # the complete lines, as a view: a chunk is sliced without being copied
        view = memoryview(chunk)
        body: memoryview
        if tail:
            head = b"".join(tail)
            first = chunk.find(b"\n")
            if len(head) + first > max_line:
                stats.overlong_lines += 1
                body = view[first + 1 : cut + 1]
            else:
                body = memoryview(b"".join((head, view[: cut + 1])))
        else:
            body = view[: cut + 1]
        rest = chunk[cut + 1 :]
        tail, tail_len = ([rest], len(rest)) if rest else ([], 0)
        # the chunk's last line ending, CRLF included (else its CR stays in the document)
        text = decode(body[:-2] if len(body) > 1 and body[-2] == 0x0D else body[:-1], stats)
        if "\r" in text:
            text = text.replace("\r\n", "\n")
        parts = text.split("\n")
        if max_line < READ_SIZE:
            kept = [part for part in parts if len(part) <= max_line]
            stats.overlong_lines += len(parts) - len(kept)
            parts = kept
        yield from parts
    if tail and not skipping:
        text = decode(b"".join(tail), stats)
        if text.endswith("\r"):
            text = text[:-1]
        yield text
