"""A manifest version as streamed JSON, JSONL and CSV text, consuming its entries lazily."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import fields
from typing import Final

from curation.csvsafe import LINE_END, safe_row
from curation.manifests.entries import BATCH, Entry, VersionMeta, dumps

# One column per entry field, in field order (the cells of `Entry.to_csv_row`).
CSV_COLUMNS: Final = tuple(f.name for f in fields(Entry))


def render_json(meta: VersionMeta, entries: Iterable[Entry]) -> Iterator[str]:
    """`{"manifest": {...}, "entries": [...]}` in chunks, consuming the entries lazily."""
    yield '{"manifest": ' + dumps(meta.to_json()) + ', "entries": ['
    batch: list[str] = []
    separator = "\n"
    for entry in entries:
        batch.append(separator + dumps(entry.to_json()))
        separator = ",\n"
        if len(batch) >= BATCH:
            yield "".join(batch)
            batch.clear()
    batch.append("\n]}\n")
    yield "".join(batch)


def render_jsonl(meta: VersionMeta, entries: Iterable[Entry]) -> Iterator[str]:
    """A `{"manifest": {...}}` header line, then one entry per line."""
    yield dumps({"manifest": meta.to_json()}) + "\n"
    batch: list[str] = []
    for entry in entries:
        batch.append(dumps(entry.to_json()) + "\n")
        if len(batch) >= BATCH:
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)


def render_csv(meta: VersionMeta, entries: Iterable[Entry]) -> Iterator[str]:
    """A header row, then one row per entry; languages as `en:30;sw:1200`, nations as `KE;TZ`;
    a text cell a spreadsheet could run as a formula behind an apostrophe (`curation.csvsafe`;
    `Entry.from_csv_row` reads it back as it was)."""
    del meta  # the CSV carries entries only
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=LINE_END)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for count, entry in enumerate(entries, 1):
        writer.writerow(safe_row(entry.to_csv_row()))
        if count % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()
