"""Generated multi-shard corpora for run tests and benchmarks (deterministic, any size)."""

import json
import random
from pathlib import Path

WORDS = {
    "sw": "habari elimu afya jamii serikali wakulima mvua shule watoto maji kazi nchi",
    "en": "the ministry report schools teachers water health people country work rain",
    "fr": "le ministère rapport écoles enseignants eau santé pays travail pluie gens",
}


def write_corpus(directory: Path, shards: int, docs: int, *, seed: int = 7) -> int:
    """`shards` JSONL files of generated sentences in Swahili, English and French; returns the
    bytes written."""
    rng = random.Random(seed)
    vocabulary = {language: words.split() for language, words in WORDS.items()}
    directory.mkdir(parents=True, exist_ok=True)
    size = 0
    for n in range(shards):
        lines = []
        for i in range(docs):
            language = rng.choices(["sw", "en", "fr"], weights=[6, 3, 1])[0]
            words = [rng.choice(vocabulary[language]) for _ in range(rng.randint(8, 30))]
            lines.append(json.dumps({"text": " ".join(words) + f" {n}.{i}."}))
        path = directory / f"part-{n:02d}.jsonl"
        path.write_text("\n".join(lines) + "\n")
        size += path.stat().st_size
    return size
