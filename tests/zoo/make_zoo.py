"""The bad-input zoo: hostile and broken shards, generated on demand (nothing large is committed).

    python -m tests.zoo.make_zoo DIR            # write every file case into DIR
    python -m tests.zoo.make_zoo DIR gzip_bomb  # or only the named ones
    python -m tests.zoo.make_zoo --measure docs_10m_one_byte   # a lazy case: totals, RSS

Every case is deterministic (fixed seeds, gzip/zip/tar timestamps at zero): the same bytes on
every run. `CASES` names each file and the asset it is registered as (format, compression, text
field); the expected outcomes are asserted in `test_zoo.py`. The very large cases (a 2 GiB line,
ten million documents) are not files at all: `LazyStream` yields their bytes on demand.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import sys
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MiB = 1024 * 1024
PARQUET_ROWS = 1234  # a row count whose encoding is easy to find in the footer (see _parquet)


@dataclass(frozen=True)
class Case:
    filename: str
    build: Callable[[], bytes]
    asset: dict[str, Any] = field(default_factory=dict)  # Asset fields: format, compression…


def _zeros_gzip(megabytes: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * MiB
    body = b"".join(compressor.compress(block) for _ in range(megabytes))
    data = body + compressor.flush()
    return data[:4] + b"\0\0\0\0" + data[8:]  # mtime field zeroed


def gzip_bomb() -> bytes:
    """256 MiB of zeros (no line break) in about 250 KiB."""
    return _zeros_gzip(256)


def zstd_bomb() -> bytes:
    """256 MiB of one long line of text repeated, in a few KiB of zstd."""
    import zstandard

    line = ("mchele na maharage ni chakula kizuri " * 30 + "\n").encode()
    out = io.BytesIO()
    compressor = zstandard.ZstdCompressor(level=3, write_content_size=False)
    with compressor.stream_writer(out, closefd=False) as writer:
        block = line * (MiB // len(line))
        for _ in range(256):
            writer.write(block)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A zip archive (not a supported compression) of 64 MiB of zeros, twice."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("a.txt", "b.txt"):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, b"\0" * (64 * MiB))
    return out.getvalue()


def nested_archive() -> bytes:
    """gzip(gzip(JSONL)) registered as one level of gzip: the inner archive is not opened."""
    inner = gzip.compress(b'{"text": "ndani ya sanduku"}\n' * 1000, mtime=0)
    return gzip.compress(gzip.compress(inner, mtime=0), mtime=0)


def _tar(members: list[tuple[tarfile.TarInfo, bytes]]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for info, data in members:
            info.mtime = 0
            archive.addfile(info, io.BytesIO(data) if data else None)
    return out.getvalue()


def hostile_tar() -> bytes:
    """A tar (not a supported format) whose members would escape any extraction directory."""

    def member(name: str, kind: bytes, **extra: Any) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.type = kind
        for key, value in extra.items():
            setattr(info, key, value)
        return info

    payload = b"zoo: this member must never be written to disk\n"
    members = [
        (member("../../zoo-escape.txt", tarfile.REGTYPE, size=len(payload)), payload),
        (member("/tmp/zoo-absolute.txt", tarfile.REGTYPE, size=len(payload)), payload),
        (member("link-to-passwd", tarfile.SYMTYPE, linkname="/etc/passwd"), b""),
        (member("hardlink-to-shadow", tarfile.LNKTYPE, linkname="/etc/shadow"), b""),
        (member("dev-null", tarfile.CHRTYPE, devmajor=1, devminor=3), b""),
        (member("dev-sda", tarfile.BLKTYPE, devmajor=8, devminor=0), b""),
        (member("fifo", tarfile.FIFOTYPE), b""),
    ]
    return _tar(members)


def deep_json() -> bytes:
    deep = '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}"
    return (deep + "\n" + json.dumps({"text": "mstari mzuri baada ya kina"}) + "\n").encode()


def huge_integers() -> bytes:
    lines = [
        '{"text": "namba kubwa sana", "n": ' + "7" * 5000 + "}",  # above int_max_str_digits
        '{"text": "namba kubwa inayokubalika", "n": ' + "9" * 4000 + "}",
        '{"text": ' + "1" * 100 + "}",  # a number where text belongs
        '{"text": "sayansi", "x": 1e999999}',  # overflows to inf: still a record
    ]
    return ("\n".join(lines) + "\n").encode()


def nan_values() -> bytes:
    lines = [
        '{"text": "thamani si namba", "score": NaN}',
        '{"text": "hasi isiyo na mwisho", "score": -Infinity}',
        '{"text": NaN}',
    ]
    return ("\n".join(lines) + "\n").encode()


def duplicate_keys() -> bytes:
    lines = [
        '{"text": "ya kwanza", "text": "ya pili"}',
        '{"text": "funguo moja", "id": 1, "id": 2}',  # a duplicate of another key: kept
        '{"text": "sawa kabisa"}',
    ]
    return ("\n".join(lines) + "\n").encode()


def lone_surrogates() -> bytes:
    escaped = '{"text": "nusu \\ud800 ya jozi"}\n{"text": "\\udfff"}\n'
    raw = b"\xed\xa0\x80 surrogate encoded as UTF-8 bytes\n"  # CESU-style, invalid UTF-8
    return escaped.encode() + b'{"text": "' + raw[:-1] + b'"}\n'


def latin1() -> bytes:
    return "café crème brûlée à la française\nsœur déjà vu\n".encode("latin-1", "replace")


def invalid_utf8() -> bytes:
    return (
        b"overlong slash \xc0\xaf here\n"
        b"beyond unicode \xf5\x80\x80\x80 there\n"
        b"truncated \xe2\x82 sequence\n"
        b"lone continuation \x80\x80 bytes\n"
        b"valid \xe2\x82\xac euro\n"
    )


def utf16_bom() -> bytes:
    text = "".join(json.dumps({"text": t}) + "\n" for t in ["Habari ya asubuhi", "Ἀθῆναι 東京"])
    return text.encode("utf-16")  # BOM + little-endian on every platform CPython supports


def line_endings() -> bytes:
    return "one\r\ntwo\rstill two\nthree\u2028still three\nfour\x00five\n\r\n".encode()


def csv_200kb_fields() -> bytes:
    rows = ["id,text"] + [f'{i},"{chr(97 + i) * (200 * 1024)}"' for i in range(3)]
    return ("\n".join(rows) + "\n").encode()


def csv_unbalanced_quotes() -> bytes:
    return b'id,text\n1,"fine, quoted"\n2,"never closed\n3,lost inside the quote\n'


def csv_wrong_delimiter() -> bytes:
    return b"id;text\n1;semicolons where commas were promised\n2;again\n"


def _parquet(rows: int = PARQUET_ROWS) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = io.BytesIO()
    table = pa.table({"text": [f"safu namba {i}" for i in range(rows)]})
    pq.write_table(table, out, compression="none", store_schema=False)
    return out.getvalue()


def parquet_truncated() -> bytes:
    data = _parquet()
    return data[: len(data) * 2 // 3]


def parquet_wrong_magic() -> bytes:
    data = _parquet()
    return b"PAR2" + data[4:-4] + b"PAR2"


def _zigzag_varint(value: int) -> bytes:
    value = (value << 1) ^ (value >> 63)
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def parquet_billion_rows() -> bytes:
    """A valid Parquet file whose footer claims 10^9 rows (file, row group and column counts)."""
    data = _parquet()
    length = int.from_bytes(data[-8:-4], "little")
    start = len(data) - 8 - length
    footer = data[start:-8]
    # thrift compact: an i64 field following its predecessor (header 0x16), value 1234
    old = b"\x16" + _zigzag_varint(PARQUET_ROWS)
    new = b"\x16" + _zigzag_varint(10**9)
    assert footer.count(old) >= 2, footer.count(old)
    footer = footer.replace(old, new)
    return data[:start] + footer + len(footer).to_bytes(4, "little") + b"PAR1"


def mixed_scripts() -> bytes:
    lines = [
        "Habari Привет مرحبا 你好 नमस्ते שלום Γειά σου",  # seven scripts in one line
        "pay\u200bpal\u200d\u200c\ufeff",  # zero-width characters inside a word
        "\u200b\u200c\u200d\u2060\ufeff",  # nothing visible at all
        "invoice_\u202egpj.exe\u202c and \u2067isolated\u2069",  # right-to-left override
        "A\u0301\u0301\u0301\u0301\u0301\u0301\u0301 Z\u0335\u0336\u0337",  # combining marks
    ]
    return ("\n".join(lines) + "\n").encode()


def empty() -> bytes:
    return b""


def gzip_of_nothing() -> bytes:
    return gzip.compress(b"", mtime=0)


def zstd_of_nothing() -> bytes:
    import zstandard

    return zstandard.ZstdCompressor().compress(b"")


def bz2_truncated() -> bytes:
    lines = b"".join(b"kipande %d kilichokatwa\n" % i for i in range(20_000))
    data = bz2.compress(lines, compresslevel=1)  # 100 kB blocks: the first ones survive
    return data[: len(data) // 2]


def html_error_page() -> bytes:
    return (
        b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
        b"<body><h1>502 Bad Gateway</h1><hr>nginx</body></html>\n"
    )


CASES: dict[str, Case] = {
    "gzip_bomb": Case("gzip_bomb.txt.gz", gzip_bomb, {"format": "text", "compression": "gz"}),
    "zstd_bomb": Case("zstd_bomb.txt.zst", zstd_bomb, {"format": "text", "compression": "zst"}),
    "zip_bomb": Case("zip_bomb.zip", zip_bomb, {"format": "text"}),
    "nested_archive": Case("nested.jsonl.gz", nested_archive, {"compression": "gz"}),
    "hostile_tar": Case("hostile.tar", hostile_tar, {"format": "text"}),
    "deep_json": Case("deep.jsonl", deep_json),
    "huge_integers": Case("huge_integers.jsonl", huge_integers),
    "nan": Case("nan.jsonl", nan_values),
    "duplicate_keys": Case("duplicate_keys.jsonl", duplicate_keys),
    "lone_surrogates": Case("lone_surrogates.jsonl", lone_surrogates),
    "latin1": Case("latin1.txt", latin1, {"format": "text"}),
    "invalid_utf8": Case("invalid_utf8.txt", invalid_utf8, {"format": "text"}),
    "utf16_bom": Case("utf16_bom.jsonl", utf16_bom),
    "line_endings": Case("line_endings.txt", line_endings, {"format": "text"}),
    "csv_200kb_fields": Case("fields.csv", csv_200kb_fields, {"format": "csv"}),
    "csv_unbalanced_quotes": Case("quotes.csv", csv_unbalanced_quotes, {"format": "csv"}),
    "csv_wrong_delimiter": Case("semicolons.csv", csv_wrong_delimiter, {"format": "csv"}),
    "parquet_truncated": Case("truncated.parquet", parquet_truncated, {"format": "parquet"}),
    "parquet_wrong_magic": Case("magic.parquet", parquet_wrong_magic, {"format": "parquet"}),
    "parquet_billion_rows": Case("billion.parquet", parquet_billion_rows, {"format": "parquet"}),
    "mixed_scripts": Case("mixed_scripts.txt", mixed_scripts, {"format": "text"}),
    "empty_text": Case("empty.txt", empty, {"format": "text"}),
    "empty_gz_zero_bytes": Case("zero.jsonl.gz", empty, {"compression": "gz"}),
    "empty_gz_member": Case("nothing.jsonl.gz", gzip_of_nothing, {"compression": "gz"}),
    "empty_zst_zero_bytes": Case("zero.txt.zst", empty, {"format": "text", "compression": "zst"}),
    "empty_zst_frame": Case(
        "nothing.txt.zst", zstd_of_nothing, {"format": "text", "compression": "zst"}
    ),
    "bz2_truncated": Case("cut.txt.bz2", bz2_truncated, {"format": "text", "compression": "bz2"}),
    "html_as_jsonl": Case("error_page.jsonl", html_error_page),
}


def write_case(directory: Path, name: str) -> Path:
    case = CASES[name]
    path = directory / case.filename
    path.write_bytes(case.build())
    return path


def write_zoo(directory: Path, names: list[str] | None = None) -> dict[str, Path]:
    """Write the named cases (all by default) into `directory`; returns name → path."""
    directory.mkdir(parents=True, exist_ok=True)
    return {name: write_case(directory, name) for name in names or list(CASES)}


class LazyStream(io.RawIOBase):
    """`size` bytes made of `block` repeated, then `tail`, produced on demand: a 2 GiB line or
    ten million documents without a file on disk or the bytes in memory."""

    def __init__(self, block: bytes, size: int, tail: bytes = b"") -> None:
        self.block = block * max(1, MiB // len(block))
        self.left = size
        self.tail = tail

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.left > 0:
            n = min(self.left, len(buffer), len(self.block))
            buffer[:n] = self.block[:n]
            self.left -= n
            return n
        n = min(len(buffer), len(self.tail))
        buffer[:n] = self.tail[:n]
        self.tail = self.tail[n:]
        return n


LAZY = {
    # name → (block, size in bytes, tail, engine limits); the document count is exact
    "line_2gib": (b"a", 2 * 1024 * MiB, b"\nthe line after the long one\n"),
    "line_256mib": (b"a", 256 * MiB, b"\nthe line after the long one\n"),
    "docs_10m_one_byte": (b"a\nb\nc\nd\n", 20_000_000, b""),
    "docs_1m_one_byte": (b"a\nb\nc\nd\n", 2_000_000, b""),
    "docs_5m_empty": (b"\n", 5_000_000, b""),
}


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)


def _reset_peak() -> None:
    """Reset VmHWM to the current RSS (ru_maxrss cannot be reset and is inherited on fork)."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")


def measure_lazy(name: str) -> dict[str, Any]:
    """Profile one lazy case in this process; totals, seconds and peak RSS growth in MiB: the
    peak resident size while profiling (VmHWM, reset after a warm-up) less the resident size
    before. Linux only (/proc)."""
    import time

    from curation.profiling import ProfileOptions, profile_shard

    block, size, tail = LAZY[name]
    profile_shard(lambda: LazyStream(b"warm up the engine\n", 1000), ProfileOptions(), name="w")
    _reset_peak()
    before = _status_kib("VmRSS")
    start = time.monotonic()
    shard = profile_shard(
        lambda: io.BufferedReader(LazyStream(block, size, tail)), ProfileOptions(), name=name
    )
    seconds = time.monotonic() - start
    after = _status_kib("VmHWM")
    return {
        "totals": shard.totals.to_json(),
        "distinct_documents": shard.distinct_documents,
        "stop_reason": shard.stop_reason,
        "parse_error_reasons": list(shard.parse_error_reasons),
        "seconds": round(seconds, 2),
        "rss_growth_mib": round((after - before) / 1024, 1),
    }


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    if argv[0] == "--measure":  # python -m tests.zoo.make_zoo --measure docs_1m_one_byte
        print(json.dumps(measure_lazy(argv[1])))
        return 0
    written = write_zoo(Path(argv[0]), argv[1:] or None)
    for name, path in written.items():
        print(f"{name:24} {path.stat().st_size:>10}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
