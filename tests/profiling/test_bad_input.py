"""Hostile and broken input: each shard ends with counters and a reason, or fails with a named
error; memory stays bounded (caps, streaming)."""

from __future__ import annotations

import gzip
import io
import json
import zlib
from typing import IO

import pytest
import zstandard

from curation.profiling import (
    Limits,
    ProfileOptions,
    ShardDataError,
    ShardIOError,
    merge,
    profile_shard,
)
from tests.profiling.conftest import profile_asset, profile_bytes

MiB = 1024 * 1024


def _gzip_of_zeros(megabytes: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * MiB
    return b"".join(compressor.compress(block) for _ in range(megabytes)) + compressor.flush()


def test_gzip_bomb_stops_at_the_ratio_cap():
    bomb = _gzip_of_zeros(256)

    profile = profile_bytes(bomb, name="bomb.txt.gz")

    assert "compression ratio above 200:1" in profile.stop_reason
    assert profile.totals.uncompressed_bytes <= Limits().ratio_floor_bytes + MiB
    assert "incomplete_shards" in merge([profile]).flags


def test_zstd_bomb_stops_at_the_decompressed_size_cap():
    compressor = zstandard.ZstdCompressor(level=19)
    bomb = compressor.compress(b"word word word\n" * (4 * MiB))
    limits = Limits(max_uncompressed_bytes=8 * MiB, max_compression_ratio=1e9)

    profile = profile_bytes(bomb, ProfileOptions(limits=limits), "bomb.txt.zst")

    assert profile.stop_reason == f"decompressed size cap reached ({8 * MiB} bytes)"
    assert profile.totals.uncompressed_bytes == 8 * MiB
    assert profile.totals.documents > 0


def test_truncated_gzip_keeps_what_was_read():
    data = gzip.compress("".join(f"line number {i} of the text\n" for i in range(5000)).encode())

    profile = profile_bytes(data[: len(data) // 2], name="cut.txt.gz")

    assert profile.stop_reason == "truncated gzip stream (ended inside a member)"
    assert 0 < profile.totals.documents < 5000


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("e.txt", "text"), ("e.jsonl", "jsonl"), ("e.csv", "csv"), ("e.txt.gz", "text")],
)
def test_empty_files_give_empty_profiles(name, fmt):
    data = gzip.compress(b"") if name.endswith(".gz") else b""

    profile = profile_bytes(data, ProfileOptions(format=fmt), name)

    assert (profile.totals.documents, profile.totals.parse_errors, profile.stop_reason) == (
        0,
        0,
        "",
    )


class _LongLine(io.RawIOBase):
    """2 GiB of one line, then a normal line, without ever holding more than 1 MiB."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.block = b"a" * MiB
        self.tail = b"\nthe line after the long one is still read\n"

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.left > 0:
            n = min(self.left, len(self.block), size if size > 0 else len(self.block))
            self.left -= n
            return self.block[:n]
        out, self.tail = self.tail, b""
        return out


def test_a_single_2gb_line_is_skipped_and_counted():
    profile = profile_shard(lambda: _LongLine(2 * 1024 * MiB), ProfileOptions(), name="long.txt")

    assert profile.totals.overlong_lines == 1
    assert profile.totals.documents == 1
    assert profile.totals.uncompressed_bytes == 2 * 1024 * MiB + 43
    assert profile.parse_error_reasons == (f"1 line(s) longer than {64 * MiB} bytes skipped",)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"text": ' + "[" * 100_000 + "]" * 100_000 + "}", "line 1: JSON nested too deeply"),
        ('{"text": "ok", "n": ' + "7" * 5000 + "}", "line 1: not JSON: Exceeds the limit"),
        ('{"text": "first", "text": "second"}', "line 1: not JSON: duplicate key 'text'"),
        ('{"text": 12}', "line 1: 'text' is int, not text"),
        ("<!DOCTYPE html>", "line 1: not JSON (looks like HTML, not JSONL)"),
    ],
)
def test_hostile_json_records_are_counted_with_a_reason(line, reason):
    profile = profile_bytes((line + "\n").encode(), ProfileOptions(format="jsonl"), "x.jsonl")

    assert profile.totals.documents == 0
    assert profile.totals.parse_errors == 1
    assert profile.parse_error_reasons[0].startswith(reason)


def test_nan_in_another_field_does_not_reject_the_record():
    line = '{"text": "Habari ya asubuhi kwa wote", "score": NaN}\n'

    assert (
        profile_bytes(line.encode(), ProfileOptions(format="jsonl"), "x.jsonl").totals.documents
        == 1
    )


def test_html_error_page_instead_of_jsonl_is_flagged():
    page = (
        b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
        b"<body>nginx</body></html>\n"
    )

    asset = profile_asset(page, ProfileOptions(format="jsonl"), "x.jsonl")

    assert asset.totals.parse_errors == 3
    assert "mostly_unparseable" in asset.flags
    assert "looks like HTML" in asset.totals.parse_error_reasons[0]


def test_invalid_utf8_is_counted_and_replaced():
    profile = profile_bytes(b"caf\xe9 au lait avec du pain\nbonne \xff\xfe journ\xc3e\n")

    assert profile.totals.invalid_utf8_sequences == 4
    assert profile.totals.replacement_char_documents == 2
    assert profile.totals.documents == 2


def test_nul_bytes_are_counted_and_flagged():
    asset = profile_asset(b"abc\x00def ghi jkl\n\x00\x00\n")

    assert asset.totals.documents == 2
    assert "nul_characters" in asset.flags


def test_csv_field_over_the_cap_and_broken_quotes_are_parse_errors():
    limits = Limits(max_line_bytes=2000)
    data = (
        b"id,text\n"
        + b"1," + b"x" * 5000 + b"\n"
        + b'2,"a quoted field that never ends\n3,lost\n'
    )  # fmt: skip

    profile = profile_bytes(data, ProfileOptions(format="csv", limits=limits), "x.csv")

    assert profile.totals.documents == 0
    assert profile.totals.parse_errors == 2  # the overlong line and the unterminated quote
    assert profile.totals.overlong_lines == 1
    assert "unexpected end of data" in profile.parse_error_reasons[0]


def test_csv_without_the_text_column_is_a_data_error():
    with pytest.raises(ShardDataError, match="no column 'text'"):
        profile_bytes(b"id,body\n1,hello\n", ProfileOptions(format="csv"), "x.csv")


def _parquet() -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"text": ["eins zwei drei vier"] * 10}), buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda b: b[: len(b) // 2], "not a Parquet file"),
        (lambda b: b[:-8] + (2**31).to_bytes(4, "little") + b"PAR1", "hostile Parquet footer"),
        (lambda b: b[:-8] + (len(b) // 3).to_bytes(4, "little") + b"PAR1", "unreadable Parquet"),
        (lambda b: b"", "not a Parquet file"),
    ],
)
def test_truncated_or_hostile_parquet_is_a_data_error(mangle, message):
    with pytest.raises(ShardDataError, match=message):
        profile_bytes(mangle(_parquet()), ProfileOptions(format="parquet"), "x.parquet")


def test_emoji_only_and_zero_width_only_documents():
    data = ("🙂" * 40 + "\n" + "\u200b\u200c\u200d\ufeff" * 20 + "\n").encode()

    asset = profile_asset(data)

    assert asset.totals.empty_documents == 1
    assert [(r.language, r.status) for r in asset.languages] == [("und-Zyyy", "undetermined")]


class _Failing(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        raise OSError("connection reset by peer")


def _refuse() -> IO[bytes]:
    raise OSError("no such bucket")


@pytest.mark.parametrize("opener", [_Failing, _refuse])
def test_io_errors_are_retryable(opener):
    with pytest.raises(ShardIOError) as raised:
        profile_shard(opener, ProfileOptions(), name="x.txt")

    assert raised.value.retryable is True


def test_data_errors_are_not_retryable():
    with pytest.raises(ShardDataError) as raised:
        profile_bytes(b"junk", ProfileOptions(format="parquet"), "x.parquet")

    assert raised.value.retryable is False


def test_shard_profile_of_broken_input_round_trips_through_json():
    profile = profile_bytes(b"caf\xe9\n" + json.dumps({"a": 1}).encode(), name="x.txt")

    assert type(profile).from_json(json.loads(json.dumps(profile.to_json()))) == profile


def test_utf16_with_a_byte_order_mark_is_decoded():
    text = "Habari ya asubuhi kwa wote\nJambo rafiki yangu mpendwa\n"

    profile = profile_bytes(text.encode("utf-16"))

    assert profile.encoding == "utf-16"
    assert profile.totals.documents == 2
    assert profile.totals.invalid_utf8_sequences == 0
    assert profile.totals.characters == len(text.replace("\n", ""))
