"""Benchmark: stream a 100,000-entry manifest version in each format (JSON, JSONL, CSV, Croissant)
to /dev/null, each in a fresh process; print entries per second, the ratio to serialising the same
entries with the same JSON library, and peak RSS. Asserts nothing.

    .venv/bin/python benchmarks/manifest_stream.py [--entries 100000]
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from curation.manifests import croissant, tabular  # noqa: E402
from curation.manifests.entries import Entry, VersionMeta  # noqa: E402

META = VersionMeta(
    slug="bench",
    title="Benchmark manifest",
    description="Generated entries.",
    version=1,
    created_at="2026-11-28T00:00:00+00:00",
    created_by="bench",
    publisher="Bench Library",
    criteria={"languages": ["sw"]},
    content_hash="0" * 64,
    base_url="https://registry.example.org",
)


def entries(count: int) -> Iterator[Entry]:
    """Entries made on the fly, as the database iterator yields them (constant memory)."""
    for n in range(count):
        asset = n // 100
        yield Entry(
            asset_id=asset,
            asset_slug=f"asset-{asset}",
            asset_title=f"Corpus {asset}",
            organization="bench",
            organization_name="Bench Library",
            location=f"bench:corpus-{asset}/part-{n:06d}.jsonl.gz",
            name=f"corpus-{asset}/part-{n:06d}.jsonl.gz",
            size=1_000_000 + n,
            sha256=f"{n:064x}",
            format="jsonl",
            compression="gz",
            text_field="text",
            document_unit="",
            languages=(("en", 1200 + n % 7), ("sw", 30_000 + n)),
            license_expression="CC-BY-4.0",
            license_class="open-attribution",
            attribution=f'"Corpus {asset}" by Bench Library, CC-BY-4.0',
            origin_nations=("KE",),
            hosting_nation="KE",
            custodian="Bench Library",
        )


def run_one(fmt: str, count: int) -> None:
    started = time.perf_counter()
    with open("/dev/null", "w") as sink:
        if fmt == "baseline":
            for entry in entries(count):
                sink.write(json.dumps(entry.to_json()) + "\n")
        elif fmt == "croissant":
            sink.writelines(croissant.render_croissant_stream(META, lambda: entries(count)))
        else:
            renderer = {
                "json": tabular.render_json,
                "jsonl": tabular.render_jsonl,
                "csv": tabular.render_csv,
            }[fmt]
            sink.writelines(renderer(META, entries(count)))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"format": fmt, "seconds": seconds, "peak_mb": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one, args.entries)
        return
    results = {}
    for fmt in ("baseline", "json", "jsonl", "csv", "croissant"):
        out = subprocess.run(
            [sys.executable, __file__, "--one", fmt, "--entries", str(args.entries)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        results[fmt] = json.loads(out.strip().splitlines()[-1])
    base = args.entries / results["baseline"]["seconds"]
    print(f"{args.entries:,} entries; baseline json.dumps per entry to /dev/null: {base:,.0f}/s")
    for fmt in ("json", "jsonl", "csv", "croissant"):
        rate = args.entries / results[fmt]["seconds"]
        print(
            f"{fmt:>9}: {rate:>9,.0f} entries/s = {rate / base:.2f} of baseline, "
            f"peak RSS {results[fmt]['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
