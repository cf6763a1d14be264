"""Benchmark of the profiling engine (prints figures; never run as a test).

    python -m curation.profiling.bench                 # 1 GiB corpus (plus a 100 MiB one)
    python -m curation.profiling.bench --size-mb 100   # quicker

Generates a multilingual JSONL.gz corpus in a temporary directory from labelled sentences
(`../shared/data/langid/sentences` beside the repository, or $SHARED_DATA/langid/sentences; the
fixture corpora otherwise) and prints, on one core:
- throughput of the full profile, of a bare read + decompress + parse baseline, and of a naive
  full pass (langdetect on every whole document, extrapolated from a slice);
- peak RSS of the full profile at a tenth of the size and at the full size (fresh processes);
- the profile's language shares next to the naive pass's;
- the time to merge 1,000 shard profiles.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from curation.profiling.sketch import DEFAULT_SKETCH_SIZE

MiB = 1024 * 1024
REPO = Path(__file__).resolve().parents[2]
# Language → share of documents in the generated corpus (langdetect knows the first eight).
MIX = {
    "en": 0.25, "sw": 0.12, "fr": 0.10, "ru": 0.10, "hi": 0.08, "ar": 0.07, "es": 0.06,
    "de": 0.06, "yo": 0.06, "zu": 0.05, "eu": 0.05,
}  # fmt: skip


def shared_sentences() -> Path | None:
    for base in (
        REPO.parent / "shared" / "data",
        Path(os.environ.get("SHARED_DATA", "/nonexistent")),
    ):
        for candidate in (base / "langid" / "sentences", base / "data" / "langid" / "sentences"):
            if candidate.is_dir():
                return candidate
    return None


def load_sentences() -> dict[str, list[str]]:
    folder = shared_sentences()
    out: dict[str, list[str]] = {}
    if folder is not None:
        for code in MIX:
            path = folder / f"{code}.txt"
            if path.exists():
                out[code] = [s for s in path.read_text(encoding="utf-8").splitlines() if s.strip()]
        return out
    fixtures = REPO / "fixtures" / "corpora"
    for path in sorted(fixtures.glob("*/*.txt")):
        code = path.parent.name.split("-")[0]
        out.setdefault(code, []).extend(
            s for s in path.read_text(encoding="utf-8").splitlines() if len(s) > 20
        )
    return out


def generate(path: Path, size_mb: int, seed: int = 1) -> dict[str, int]:
    """A JSONL.gz corpus of `size_mb` MiB of JSON lines; returns documents per language."""
    sentences = load_sentences()
    languages = [code for code in MIX if code in sentences]
    weights = [MIX[code] for code in languages]
    rng = random.Random(seed)
    counts: dict[str, int] = dict.fromkeys(languages, 0)
    written = 0
    target = size_mb * MiB
    number = 0
    with gzip.open(path, "wb", compresslevel=3) as out:
        lines: list[bytes] = []
        while written < target:
            code = rng.choices(languages, weights)[0]
            pool = sentences[code]
            text = " ".join(rng.choice(pool) for _ in range(rng.randint(4, 16)))
            record = {"id": number, "lang_hint": "", "text": text, "license": "CC-BY-4.0"}
            line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
            lines.append(line)
            written += len(line)
            counts[code] += 1
            number += 1
            if len(lines) >= 2000:
                out.write(b"".join(lines))
                lines = []
        out.write(b"".join(lines))
    return counts


def bare_baseline(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    total = 0
    loads = json.loads
    with gzip.open(path, "rb") as handle:
        for line in handle:
            total += len(line)
            loads(line)["text"]
    return time.perf_counter() - start, total


def full_profile_child(path: str, sample_size: int, sketch_size: int) -> None:
    """Run in a fresh process: profile one shard and print timings and peak RSS as JSON."""
    from curation.profiling import ProfileOptions, merge, profile_shard
    from curation.profiling.memory import keep_heap
    from curation.profiling.sketch import union

    keep_heap()  # as workers do at start

    options = ProfileOptions(
        format="jsonl",
        sample_size=sample_size,
        sketch_size=sketch_size,
        declared_license="CC-BY-4.0",
    )
    start = time.perf_counter()

    def opener() -> IO[bytes]:
        return Path(path).open("rb")

    shard = profile_shard(opener, options, name=Path(path).name)
    asset = merge([shard], options)
    elapsed = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    shares = {
        row.language: [row.share_documents, *(row.ci95_documents or (0, 0))]
        for row in asset.languages
    }
    distinct = union(list(asset.sketches.values()))
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "uncompressed_bytes": asset.totals.uncompressed_bytes,
                "documents": asset.totals.documents,
                "peak_rss_mb": rss_mb,
                "shares": shares,
                "groups": {r.language: r.members for r in asset.languages if r.members},
                "distinct_documents": asset.totals.documents
                - asset.totals.empty_documents
                - asset.totals.too_short_documents
                - asset.totals.duplicate_documents,
                "sketch_documents": distinct.documents,
                "sketch_kept": distinct.kept,
            }
        )
    )


def run_child(path: Path, sample_size: int, sketch_size: int) -> dict[str, Any]:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    command = [
        sys.executable,
        "-m",
        "curation.profiling.bench",
        "--child",
        str(path),
        "--sample-size",
        str(sample_size),
        "--sketch-size",
        str(sketch_size),
    ]
    if sys.platform.startswith("linux") and Path("/usr/bin/taskset").exists():
        command = ["taskset", "-c", "0", *command]
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=env, cwd=REPO)
    result: dict[str, Any] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


def naive_pass(path: Path, documents: int, seed: int = 0) -> tuple[float, int, dict[str, float]]:
    """langdetect on every whole document of the first `documents` records."""
    from curation.profiling.langid import LangdetectDetector

    detector = LangdetectDetector(seed)
    labels = detector.labels
    counts: dict[str, int] = {}
    size = 0
    start = time.perf_counter()
    with gzip.open(path, "rb") as handle:
        for number, line in enumerate(handle):
            if number >= documents:
                break
            size += len(line)
            guess = detector.detect(json.loads(line)["text"])
            tag = labels.get(guess.code, guess.code) if guess else "und"
            counts[tag] = counts.get(tag, 0) + 1
    elapsed = time.perf_counter() - start
    total = sum(counts.values())
    return (
        elapsed,
        size,
        {tag: n / total for tag, n in sorted(counts.items(), key=lambda kv: -kv[1])},
    )


def merge_benchmark(shards: int = 1000, docs_per_shard: int = 1000) -> tuple[float, float]:
    """Seconds to merge `shards` synthetic shard profiles (in memory, and from JSON)."""
    import numpy as np

    from curation.profiling import ProfileOptions, ShardProfile, merge
    from curation.profiling.shard import SampleRecord, Totals

    rng = np.random.default_rng(0)
    languages = list(MIX)
    profiles = []
    for index in range(shards):
        hashes = np.unique(rng.integers(0, 2**63, size=docs_per_shard, dtype=np.uint64)).astype(
            "<u8"
        )
        sample = tuple(
            SampleRecord(float(k), 1000, ((languages[int(k * 1000) % len(languages)], 1000),))
            for k in sorted(rng.random(7).tolist())
        )
        totals = Totals(
            files=1,
            compressed_bytes=400_000,
            uncompressed_bytes=1_000_000,
            documents=docs_per_shard,
            characters=1_000_000,
            words=170_000,
            labellable_documents=docs_per_shard,
            labellable_characters=1_000_000,
        )
        profiles.append(
            ShardProfile(
                name=f"part-{index:05d}.jsonl.gz",
                format="jsonl",
                compression="gz",
                document_unit="line",
                text_field="text",
                seed=0,
                sample_capacity=7,
                langid_mode="fast",
                totals=totals,
                stop_reason="",
                encoding="utf-8",
                parse_error_reasons=(),
                notes=(),
                scripts={"Latn": 800_000, "Zyyy": 30_000},
                length_histogram={40: docs_per_shard},
                licence_values={"CC-BY-4.0": docs_per_shard},
                hashes=hashes.tobytes(),
                sample=sample,
            )
        )
    options = ProfileOptions(format="jsonl")
    start = time.perf_counter()
    merge(profiles, options)
    in_memory = time.perf_counter() - start
    stored = [json.dumps(p.to_json()) for p in profiles]
    start = time.perf_counter()
    merge([ShardProfile.from_json(json.loads(s)) for s in stored], options)
    from_json = time.perf_counter() - start
    return in_memory, from_json


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=int, default=1024, help="uncompressed corpus size (MiB)")
    parser.add_argument("--sample-size", type=int, default=5000)
    parser.add_argument("--sketch-size", type=int, default=DEFAULT_SKETCH_SIZE)
    parser.add_argument("--naive-docs", type=int, default=2000, help="slice for the naive pass")
    parser.add_argument("--keep", type=Path, default=None, help="keep the corpora in this folder")
    parser.add_argument("--child", type=str, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        full_profile_child(args.child, args.sample_size, args.sketch_size)
        return
    from curation.profiling.memory import keep_heap

    keep_heap()  # the baseline reads under the same heap setting as the profile's child
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        small_mb = max(1, args.size_mb // 10)
        print(
            f"generating corpora: {small_mb} MiB and {args.size_mb} MiB of JSONL (gzip)…",
            flush=True,
        )
        small = folder / f"corpus-{small_mb}mb.jsonl.gz"
        big = folder / f"corpus-{args.size_mb}mb.jsonl.gz"
        generate(small, small_mb)
        truth = generate(big, args.size_mb)
        print(
            f"  {big.name}: {big.stat().st_size / MiB:.0f} MiB compressed, "
            f"{sum(truth.values())} documents"
        )

        seconds, size = bare_baseline(big)
        bare = size / MiB / seconds
        print(f"bare read+gunzip+json baseline: {bare:.1f} MiB/s ({seconds:.1f} s)")

        small_run = run_child(small, args.sample_size, args.sketch_size)
        big_run = run_child(big, args.sample_size, args.sketch_size)
        full = float(big_run["uncompressed_bytes"]) / MiB / float(big_run["seconds"])
        print(
            f"full profile: {full:.1f} MiB/s ({float(big_run['seconds']):.1f} s) = "
            f"{100 * full / bare:.0f}% of the bare baseline"
        )
        bare_sketch = run_child(big, args.sample_size, 1)
        cost = float(big_run["seconds"]) - float(bare_sketch["seconds"])
        print(
            f"overlap sketch (k={args.sketch_size}): {cost:+.1f} s against a 1-document sketch "
            f"({100 * cost / float(bare_sketch['seconds']):+.0f}%); distinct labellable documents "
            f"{big_run['distinct_documents']:,} exact, {big_run['sketch_documents']:,.0f} "
            f"estimated from {big_run['sketch_kept']:,} kept"
        )

        naive_seconds, naive_size, naive_shares = naive_pass(big, args.naive_docs)
        naive = naive_size / MiB / naive_seconds
        print(
            f"naive pass (langdetect on every whole document, {args.naive_docs} documents): "
            f"{naive:.3f} MiB/s"
        )
        print(f"full profile / naive pass: {full / naive:.0f}x")
        print(
            f"peak RSS: {float(small_run['peak_rss_mb']):.0f} MB at {small_mb} MiB, "
            f"{float(big_run['peak_rss_mb']):.0f} MB at {args.size_mb} MiB"
        )

        shares: dict[str, list[float]] = big_run["shares"]
        total = sum(truth.values())
        print(
            f"{'language':<10} {'generated':>9} {'profile':>8} {'95% CI':>17} "
            f"{'naive':>7} {'diff pp':>8}"
        )
        for code in sorted(truth, key=lambda c: -truth[c]):
            tag = {"nb": "nb"}.get(code, code)
            row = shares.get(tag) or next(
                (v for k, v in shares.items() if k == tag), [0.0, 0.0, 0.0]
            )
            naive_share = naive_shares.get(tag, 0.0)
            print(
                f"{code:<10} {truth[code] / total:9.3f} {row[0]:8.3f} [{row[1]:.3f}, {row[2]:.3f}] "
                f"{naive_share:7.3f} {100 * (row[0] - naive_share):+8.2f}"
            )
        others = {k: v for k, v in naive_shares.items() if k not in truth}
        print(
            f"naive pass, other labels: {json.dumps({k: round(v, 3) for k, v in others.items()})}"
        )
        in_memory, from_json = merge_benchmark()
        print(
            f"merge 1,000 shard profiles: {in_memory:.2f} s in memory, {from_json:.2f} s from JSON"
        )


if __name__ == "__main__":
    main()
