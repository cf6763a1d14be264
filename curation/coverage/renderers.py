"""CSV for coverage reports (`?format=csv`)."""

import csv
import io
from typing import Any

from rest_framework.renderers import BaseRenderer

from curation.csvsafe import LINE_END, safe_row

CSV_COLUMNS = [
    "language",
    "name",
    "speakers",
    "writers",
    "official_status",
    "available_tokens",
    "available_low",
    "available_high",
    "registered_tokens",
    "domestic_tokens",
    "domestic_hosted_tokens",
    "commercial_tokens",
    "research_tokens",
    "tier",
    "next_tier",
    "gap_tokens",
    "severity",
    "flags",
]


def coverage_csv(report: dict[str, Any]) -> str:
    """One row per language of the report; a text cell a spreadsheet could run as a formula
    behind an apostrophe (`curation.csvsafe`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=LINE_END)
    writer.writerow(CSV_COLUMNS)
    for row in report["languages"]:
        low, high = row.get("available_ci95") or ("", "")
        row = {**row, "available_low": low, "available_high": high}
        cells = [";".join(row[c]) if c == "flags" else row.get(c, "") for c in CSV_COLUMNS]
        writer.writerow(safe_row(cells))
    return out.getvalue()


class CoverageCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, dict) and "languages" in data:
            return coverage_csv(data).encode()
        # An error body: its message as a one-column CSV.
        return f"detail\n{data.get('detail', data) if isinstance(data, dict) else data}\n".encode()
