"""Formats → documents. Every reader streams: memory stays within the caps of `Limits`.

A document is yielded as a `str`. A document longer than `Limits.max_document_chars` (possible
with the `paragraph` and `file` units) is yielded as a run of `Part`s, so it is counted exactly
without ever being held whole.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from curation.profiling.errors import ShardDataError, UnsupportedInputError
from curation.profiling.options import ProfileOptions
from curation.profiling.streams import (
    StreamStats,
    decode,
    decompressed_chunks,
    lines,
    utf8_chunks,
)

# Values of a per-record licence field that are kept by name; the rest are counted as "(other)".
MAX_LICENCE_VALUES = 50
LICENCE_FIELDS = ("license", "licence", "license_id", "spdx", "meta.license", "metadata.license")


class Part(str):
    """One piece of a long document; the first piece has `first`, the last `last`."""

    first: bool
    last: bool

    def __new__(cls, text: str, *, first: bool, last: bool) -> Part:
        part = super().__new__(cls, text)
        part.first = first
        part.last = last
        return part


@dataclass
class Problems:
    """What went wrong inside a readable shard, and per-record licence values."""

    max_reasons: int
    parse_errors: int = 0
    reasons: list[str] = field(default_factory=list)
    licence_values: Counter[str] = field(default_factory=Counter)
    missing_field: int = 0

    def error(self, reason: str) -> None:
        self.parse_errors += 1
        if len(self.reasons) < self.max_reasons:
            self.reasons.append(reason[:200])

    def licences(self, values: list[Any]) -> None:
        for value, count in Counter(values).items():
            self.licence(value, count)

    def licence(self, value: Any, count: int = 1) -> None:
        if value is None or value == "":
            return
        text = str(value).strip()[:100]
        if text in self.licence_values or len(self.licence_values) < MAX_LICENCE_VALUES:
            self.licence_values[text] += count
        else:
            self.licence_values["(other)"] += count


def _split_long(text: str, size: int, *, first: bool, last: bool) -> Iterator[Part]:
    """Cut `text` into parts of about `size` characters at whitespace."""
    start = 0
    while len(text) - start > size:
        cut = text.rfind(" ", start + size // 2, start + size)
        if cut < 0:
            cut = start + size
        yield Part(text[start:cut], first=first and start == 0, last=False)
        start = cut
    yield Part(text[start:], first=first and start == 0, last=last)


def _file_documents(
    chunks: Iterator[bytes], options: ProfileOptions, stats: StreamStats
) -> Iterator[str]:
    cap = options.limits.max_document_chars
    held: list[str] = []
    held_len = 0
    streaming = False
    pending = b""
    for chunk in chunks:
        data = pending + chunk
        # never split a UTF-8 sequence: keep up to 3 trailing bytes of an unfinished character
        cut = len(data)
        for back in range(1, min(4, len(data)) + 1):
            byte = data[-back]
            if byte < 0x80:
                break
            if byte >= 0xC0:
                need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
                if need > back:
                    cut = len(data) - back
                break
        pending = data[cut:]
        text = decode(data[:cut], stats)
        if streaming:
            yield from _split_long(text, cap, first=False, last=False)
            continue
        held.append(text)
        held_len += len(text)
        if held_len > cap:
            streaming = True
            yield from _split_long("".join(held), cap, first=True, last=False)
            held = []
    tail = decode(pending, stats) if pending else ""
    if streaming:
        yield Part(tail, first=False, last=True)
    elif held or tail:
        yield "".join(held) + tail


def _paragraphs(source: Iterator[str], cap: int) -> Iterator[str]:
    held: list[str] = []
    held_len = 0
    streaming = False
    for line in source:
        if not line or line.isspace():
            if streaming:
                yield Part("", first=False, last=True)
                streaming = False
            elif held:
                yield "\n".join(held)
            held, held_len = [], 0
            continue
        if streaming:
            yield from _split_long("\n" + line, cap, first=False, last=False)
            continue
        held.append(line)
        held_len += len(line) + 1
        if held_len > cap:
            streaming = True
            yield from _split_long("\n".join(held), cap, first=True, last=False)
            held, held_len = [], 0
    if streaming:
        yield Part("", first=False, last=True)
    elif held:
        yield "\n".join(held)


def _path(dotted: str) -> list[str]:
    return [key for key in dotted.split(".") if key]


def _lookup(record: Any, path: list[str]) -> tuple[bool, Any]:
    value = record
    for key in path:
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return False, None
    return True, value


def _duplicate_key_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        duplicated = next(key for key in keys if keys.count(key) > 1)
        raise ValueError(f"duplicate key {duplicated!r}")
    return dict(pairs)


_HTML = re.compile(r"\s*<(!doctype|html|head|body|\?xml)", re.IGNORECASE)
# The scanner `json.loads` ends in: a line that starts with a value and has nothing after it is
# parsed without the checks around it; any other line goes through `json.loads` itself.
_DECODER: Any = json.JSONDecoder()
_SCAN: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once
_SCALARS = (str, int, float)
_MISSING = object()


def _parse_line(line: str) -> Any:
    """`json.loads(line)`: the same value, or the same exception."""
    try:
        record, end = _SCAN(line, 0)
    except StopIteration:  # leading whitespace, a byte order mark, or not JSON
        return json.loads(line)
    if end != len(line):  # trailing whitespace or extra data
        return json.loads(line)
    return record


def _jsonl_documents(
    source: Iterator[str], options: ProfileOptions, problems: Problems
) -> Iterator[str]:
    path = _path(options.text_field)
    key_token = json.dumps(path[0]) if path else '""'
    licence_paths = [_path(options.licence_field)] if options.licence_field else None
    licence_keys: list[str] | None = None  # the licence paths when each is one key, else []
    parse = _parse_line
    single = path[0] if len(path) == 1 else ""
    pending: list[Any] = []
    for number, line in enumerate(source, 1):
        if not line or line.isspace():
            continue
        try:
            record = parse(line)
            if line.count(key_token) > 1:
                json.loads(line, object_pairs_hook=_duplicate_key_hook)
        except RecursionError:
            problems.error(f"line {number}: JSON nested too deeply")
            continue
        except ValueError as exc:
            hint = " (looks like HTML, not JSONL)" if _HTML.match(line) else ""
            problems.error(f"line {number}: not JSON{hint}: {exc}")
            continue
        if single and type(record) is dict:
            value = record.get(single)
            found = value is not None or single in record
        else:
            found, value = _lookup(record, path)
        if type(value) is str:
            yield value
        elif not found or value is None:
            problems.missing_field += 1
            problems.error(f"line {number}: no {options.text_field!r} field")
        else:
            problems.error(
                f"line {number}: {options.text_field!r} is {type(value).__name__}, not text"
            )
        if isinstance(record, dict):
            if licence_paths is None:
                licence_paths = [_path(p) for p in LICENCE_FIELDS if _lookup(record, _path(p))[0]]
            if licence_keys is None:
                one_key = all(len(p) == 1 for p in licence_paths)
                licence_keys = [p[0] for p in licence_paths] if one_key else []
            if licence_keys:
                for key in licence_keys:
                    lvalue = record.get(key, _MISSING)
                    if isinstance(lvalue, _SCALARS):
                        pending.append(lvalue)
            else:
                for lpath in licence_paths:
                    ok, lvalue = _lookup(record, lpath)
                    if ok and isinstance(lvalue, _SCALARS):
                        pending.append(lvalue)
            if len(pending) >= 4096:
                problems.licences(pending)
                pending = []
    problems.licences(pending)


def _csv_documents(
    source: Iterator[str], options: ProfileOptions, problems: Problems
) -> Iterator[str]:
    limit = options.limits.max_line_bytes
    if csv.field_size_limit() < limit:
        # Process-wide setting of the csv module; raised (never lowered) to the line cap.
        csv.field_size_limit(limit)
    delimiter = "\t" if options.format == "tsv" else ","
    reader = csv.reader((line + "\n" for line in source), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise ShardDataError(f"unreadable {options.format} header: {exc}") from exc
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    if options.text_field not in header:
        raise ShardDataError(
            f"no column {options.text_field!r} in the {options.format} header "
            f"(columns: {', '.join(header[:20])})"
        )
    column = header.index(options.text_field)
    licence_name = options.licence_field or next(
        (name for name in header if name.lower() in ("license", "licence", "license_id")), ""
    )
    licence_column = header.index(licence_name) if licence_name in header else -1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.error(f"record {reader.line_num}: {exc}")
            continue
        if not row:
            continue
        if column >= len(row):
            problems.error(
                f"record {reader.line_num}: {len(row)} fields, no {options.text_field!r}"
            )
            continue
        yield row[column]
        if 0 <= licence_column < len(row):
            problems.licence(row[licence_column])


def _parquet_documents(
    handle: IO[bytes], options: ProfileOptions, stats: StreamStats, problems: Problems
) -> Iterator[str]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    limits = options.limits
    stats.raw_digest = None  # pyarrow reads by offset: no whole-file digest on the way
    try:
        size = handle.seek(0, io.SEEK_END)
        if size < 12:
            raise ShardDataError(f"not a Parquet file ({size} bytes)")
        handle.seek(size - 8)
        tail = handle.read(8)
        handle.seek(0)
        head = handle.read(4)
    except (OSError, ValueError) as exc:
        raise ShardDataError(f"unreadable Parquet file: {exc}") from exc
    if head != b"PAR1" or tail[4:] != b"PAR1":
        raise ShardDataError("not a Parquet file (no PAR1 magic)")
    footer = int.from_bytes(tail[:4], "little")
    if footer > limits.max_parquet_metadata_bytes or footer > size - 12:
        raise ShardDataError(
            f"hostile Parquet footer: {footer} bytes of metadata in a {size}-byte file"
        )
    stats.compressed_bytes = size
    path = _path(options.text_field)
    try:
        handle.seek(0)
        parquet = pq.ParquetFile(handle)
        schema = parquet.schema_arrow
        if path[0] not in schema.names:
            raise ShardDataError(
                f"no column {path[0]!r} in the Parquet schema "
                f"(columns: {', '.join(schema.names[:20])})"
            )
        columns = [path[0]]
        licence = options.licence_field or next(
            (n for n in schema.names if n.lower() in ("license", "licence", "license_id")), ""
        )
        if licence and licence in schema.names and licence != path[0]:
            columns.append(licence)
        metadata = parquet.metadata
        indices = [i for i, name in enumerate(schema.names) if name in columns]
    except ShardDataError:
        raise
    except (pa.ArrowException, OSError, ValueError, IndexError, TypeError) as exc:
        raise ShardDataError(f"unreadable Parquet file: {exc}") from exc
    for group in range(metadata.num_row_groups):
        try:
            meta = metadata.row_group(group)
            declared = sum(
                meta.column(i).total_uncompressed_size
                for i in range(meta.num_columns)
                if i in indices
            )
            stats.uncompressed_bytes += max(declared, 0)
            if declared > limits.max_parquet_batch_bytes or declared < 0:
                problems.error(
                    f"row group {group}: {declared} bytes declared, above the cap; skipped"
                )
                continue
            for batch in parquet.iter_batches(batch_size=4096, row_groups=[group], columns=columns):
                values = batch.column(path[0])
                for key in path[1:]:
                    values = pc.struct_field(values, key)
                if pa.types.is_binary(values.type) or pa.types.is_large_binary(values.type):
                    texts = [None if v is None else decode(v, stats) for v in values.to_pylist()]
                elif pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
                    texts = values.to_pylist()
                else:
                    raise ShardDataError(
                        f"column {options.text_field!r} is {values.type}, not text"
                    )
                for text in texts:
                    if text is None:
                        problems.missing_field += 1
                        problems.error(f"row group {group}: null {options.text_field!r}")
                    else:
                        yield text
                if len(columns) > 1:
                    for value in batch.column(columns[1]).to_pylist():
                        problems.licence(value)
        except ShardDataError:
            raise
        except (pa.ArrowException, OSError, ValueError, KeyError, TypeError) as exc:
            stats.stop(f"unreadable Parquet row group {group}: {exc}")
            return


def _seekable(handle: IO[bytes]) -> bool:
    try:
        return bool(handle.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def documents(
    handle: IO[bytes],
    options: ProfileOptions,
    compression: str | None,
    stats: StreamStats,
    problems: Problems,
) -> Iterator[str]:
    """The documents of one open shard."""
    limits = options.limits
    if options.format == "parquet":
        if compression is None and _seekable(handle):
            yield from _parquet_documents(handle, options, stats, problems)
            return
        with tempfile.TemporaryFile() as spool:
            for chunk in decompressed_chunks(handle, compression, limits, stats):
                spool.write(chunk)
            compressed = stats.compressed_bytes
            uncompressed = stats.uncompressed_bytes
            if stats.stop_reason:
                raise ShardDataError(f"Parquet shard not fully readable: {stats.stop_reason}")
            yield from _parquet_documents(spool, options, stats, problems)
            stats.compressed_bytes = compressed
            stats.uncompressed_bytes = uncompressed
        return
    chunks = utf8_chunks(decompressed_chunks(handle, compression, limits, stats), stats)
    if options.format == "text" and options.document_unit == "file":
        yield from _file_documents(chunks, options, stats)
        return
    source = lines(chunks, limits, stats)
    if options.format == "text":
        if options.document_unit == "line":
            yield from source
        else:
            yield from _paragraphs(source, limits.max_document_chars)
    elif options.format == "jsonl":
        yield from _jsonl_documents(source, options, problems)
    elif options.format in ("csv", "tsv"):
        yield from _csv_documents(source, options, problems)
    else:
        raise UnsupportedInputError(f"unknown format {options.format!r}")
