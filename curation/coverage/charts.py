"""Charts of coverage reports, drawn by matplotlib to SVG (no JavaScript, cached per snapshot)."""

import io
import math
from typing import Any
from xml.sax.saxutils import escape

import matplotlib

matplotlib.use("Agg")  # headless: no display on servers and workers

from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from curation.vocabulary import Severity

TIER_COLOURS = {"T0": "#9e9e9e", "T1": "#f57c00", "T2": "#1976d2", "T3": "#388e3c", "T4": "#6a1b9a"}
SEVERITY_COLOURS = {
    Severity.CRITICAL: "#c62828",
    Severity.MAJOR: "#ef6c00",
    Severity.MINOR: "#f9a825",
    Severity.OK: "#2e7d32",
}
MAX_LANGUAGES = 30


def coverage_chart(report: dict[str, Any]) -> str:
    """Available tokens per language against the tier targets, log scale, as an SVG string with
    a title and a text description for screen readers."""
    rows = [row for row in report["languages"]][:MAX_LANGUAGES]
    targets = report["policy"]["targets"]
    height = max(2.5, 0.38 * len(rows) + 1.4)
    figure: Figure = plt.figure(figsize=(8.5, height))
    axes = figure.add_subplot()
    labels = [f"{row['name']} ({row['language']})" for row in rows]
    values = [max(row["available_tokens"], 1) for row in rows]
    colours = [SEVERITY_COLOURS.get(row["severity"], "#757575") for row in rows]
    axes.barh(range(len(rows)), values, color=colours)
    axes.set_yticks(range(len(rows)), labels, fontsize=8)
    axes.invert_yaxis()
    axes.set_xscale("log")
    top = max([*values, *targets.values()])
    axes.set_xlim(1, 10 ** math.ceil(math.log10(top) + 0.3))
    for tier, target in targets.items():
        axes.axvline(target, color=TIER_COLOURS.get(tier, "#000"), linestyle="--", linewidth=1)
        axes.text(target, -0.7, tier, color=TIER_COLOURS.get(tier, "#000"), fontsize=8, ha="center")
    axes.set_xlabel("available tokens (deduplicated, log scale); dashed lines: tier targets")
    axes.set_title(f"{report['nation']['name']}: tokens per language against tier targets")
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(figure)
    svg = buffer.getvalue()
    description = "; ".join(
        f"{row['name']}: {row['available_tokens']:,} tokens, tier {row['tier']}, {row['severity']}"
        for row in rows
    )
    title = f"Tokens per language in {report['nation']['name']} against tier targets"
    start = svg.index("<svg")
    end = svg.index(">", start) + 1
    accessible = (
        f'{svg[: end - 1]} role="img" aria-labelledby="chart-title chart-desc">'
        f'<title id="chart-title">{escape(title)}</title>'
        f'<desc id="chart-desc">{escape(description)}</desc>'
    )
    return accessible + svg[end:]
