"""Calibrate and evaluate language identification on held-out sets of labelled texts.

The sets are built by `scripts/build_langid_eval.py` from a Debian package (MediaWiki's
translated interface messages: a different source and genre from the development data), split
by message key into a calibration set and a test set. Thresholds are chosen on the calibration
set only; the test set is read once, to report.

    python -m curation.profiling.langid_eval calibrate build/langid-eval/calibration.jsonl
    python -m curation.profiling.langid_eval evaluate build/langid-eval/test.jsonl [--markdown]

Scoring, per text: right (the expected tag, or a confusable group holding it), wrong (another
specific language), or abstained (`und-*`). In-set languages are those some detector here can
name; outside-set languages are every other language, where anything but `und-*` is wrong.
Totals are pooled over texts (at most 300 per language and set) and, beside them, averaged over
languages.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from curation.profiling.langid import (
    Evidence,
    Identifier,
    Thresholds,
    group_of,
)

THRESHOLDS_FILE = Path(__file__).with_name("langid_thresholds.json")

# Targets of the selection on the calibration set (a margin over the targets: 93% right, 3% wrong).
MIN_IN_SET_RIGHT = 0.94
MAX_IN_SET_WRONG = 0.02
MAX_FLOOR_LOSS = 0.25  # a floor keeps at least 75% of its language's rightly labelled texts
MIN_FLOOR_TEXTS = 15  # a language with fewer texts labelled right gets no floor of its own
GRID: dict[str, Sequence[float]] = {
    "veto": (0.2, 0.3),  # veto_top; veto_mass is half of it
    "veto_confidence": (0.0, 0.3),
    "fasttext_vote": (0.05, 0.1),
    "cld2_alone": (0.5,),
    "floor_weight": (0.5, 0.75, 1.0, 1.5),
}
DEFAULTS = Thresholds(0.3, 0.15, 0.0, 0.1, 0.9, 0.5, 0.0, {})


@dataclass(frozen=True)
class Item:
    code: str  # the source's language code (MediaWiki)
    tag: str  # the expected canonical tag
    in_set: bool
    text: str


def load(path: Path) -> list[Item]:
    """The items of a set; a line that is not one names its file and line number."""
    if not path.is_file():
        raise SystemExit(f"{path}: no such set (build it with scripts/build_langid_eval.py)")
    items: list[Item] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            try:
                row = json.loads(line)
                items.append(Item(row["code"], row["tag"], bool(row["in_set"]), row["text"]))
            except (ValueError, KeyError, TypeError) as exc:
                raise SystemExit(
                    f"{path}:{number}: not an item of a set "
                    f'({{"code", "tag", "in_set", "text"}}): {exc!r}'
                ) from exc
    return items


def outcome(item: Item, tag: str) -> str:
    if tag.startswith("und"):
        return "abstained"
    if tag == item.tag or item.tag in (group_of(tag) or ()):
        return "right"
    return "wrong"


@dataclass
class LanguageScore:
    code: str
    tag: str
    in_set: bool
    counts: Counter[str] = field(default_factory=Counter)
    given_to: Counter[str] = field(default_factory=Counter)

    @property
    def texts(self) -> int:
        return sum(self.counts[k] for k in ("right", "wrong", "abstained"))

    def share(self, key: str) -> float:
        return self.counts[key] / self.texts if self.texts else 0.0


@dataclass(frozen=True)
class Report:
    languages: tuple[LanguageScore, ...]

    def part(self, in_set: bool) -> list[LanguageScore]:
        return [s for s in self.languages if s.in_set == in_set]

    def pooled(self, in_set: bool, key: str) -> float:
        part = self.part(in_set)
        texts = sum(s.texts for s in part)
        return sum(s.counts[key] for s in part) / texts if texts else 0.0

    def macro(self, in_set: bool, key: str) -> float:
        part = self.part(in_set)
        return sum(s.share(key) for s in part) / len(part) if part else 0.0

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for in_set, name in ((True, "in_set"), (False, "outside")):
            part = self.part(in_set)
            out[name] = {
                "languages": len(part),
                "texts": sum(s.texts for s in part),
                **{k: round(self.pooled(in_set, k), 4) for k in ("right", "wrong", "abstained")},
                **{
                    f"{k}_per_language": round(self.macro(in_set, k), 4) for k in ("right", "wrong")
                },
            }
        return out


def score(items: Sequence[Item], answers: Iterable[str]) -> Report:
    by_code: dict[str, LanguageScore] = {}
    for item, tag in zip(items, answers, strict=True):
        entry = by_code.setdefault(item.code, LanguageScore(item.code, item.tag, item.in_set))
        result = outcome(item, tag)
        entry.counts[result] += 1
        if result == "wrong":
            entry.given_to[tag] += 1
    return Report(tuple(by_code[c] for c in sorted(by_code)))


def evidence_for(ident: Identifier, items: Sequence[Item]) -> list[Evidence]:
    return [Evidence(ident, item.text).precompute() for item in items]


def decide_all(ident: Identifier, evidence: Sequence[Evidence], limits: Thresholds) -> list[str]:
    ident.thresholds = limits
    return [ident.decide(ev).tag for ev in evidence]


def language_floors(
    ident: Identifier,
    items: Sequence[Item],
    evidence: Sequence[Evidence],
    limits: Thresholds,
    weight: float,
) -> tuple[dict[str, float], dict[str, float]]:
    """Per language, the floor of its own evidence score that an answer needs: the lexical
    coverage where a word list exists, else fastText's probability for it. Each floor minimises
    (texts wrongly given to the language that it keeps) + `weight` × (texts rightly given to
    it that it loses), over the answers of the cascade without floors."""
    open_limits = replace(limits, lexical_default=0.0, lexical_floor={}, fasttext_floor={})
    ident.thresholds = open_limits
    scored: dict[tuple[str, str], list[tuple[float, bool]]] = {}
    for item, ev in zip(items, evidence, strict=True):
        answer = ident.decide(ev)
        if answer.tag.startswith("und") or ev.script is None:
            continue
        good = outcome(item, answer.tag) == "right"
        coverage = ev.lexical(answer.tag)
        if coverage is not None:
            scored.setdefault(("lexical", answer.tag), []).append((coverage, good))
        elif ident.knows(ident.fasttext, answer.tag):
            share = ident.fasttext_share(ev.fasttext, answer.tag, ev.script)
            scored.setdefault(("fasttext", answer.tag), []).append((share, good))
    floors: dict[str, dict[str, float]] = {"lexical": {}, "fasttext": {}}
    for (kind, tag), values in sorted(scored.items()):
        if sum(good for _, good in values) < MIN_FLOOR_TEXTS:
            continue
        # Never cut more than MAX_FLOOR_LOSS of the language's own text: the set's mix of
        # relatives (six Arabic varieties beside Standard Arabic) is not the world's.
        own = sorted(value for value, good in values if good)
        guard = own[int(MAX_FLOOR_LOSS * len(own))]
        floors[kind][tag] = min(_best_floor(values, weight), guard)
    return floors["lexical"], floors["fasttext"]


def _best_floor(values: Sequence[tuple[float, bool]], weight: float) -> float:
    """The floor minimising kept-wrong + weight × lost-right (the lowest such floor)."""
    ordered = sorted(values)
    wrong_total = sum(not good for _, good in ordered)
    best_cost, best_floor = float(wrong_total), 0.0
    lost_right = 0
    kept_wrong = wrong_total
    for index, (value, good) in enumerate(ordered):
        # A floor just above `value` drops this text and every one before it.
        if good:
            lost_right += 1
        else:
            kept_wrong -= 1
        nxt = ordered[index + 1][0] if index + 1 < len(ordered) else 1.0
        if nxt == value:
            continue
        cost = kept_wrong + weight * lost_right
        if cost < best_cost:
            best_cost, best_floor = cost, round((value + nxt) / 2, 4)
    return best_floor


def calibrate(ident: Identifier, items: Sequence[Item], log: Any = sys.stderr) -> dict[str, Any]:
    """The grid point with the fewest outside-set texts given to a wrong language among those
    that keep in-set texts at least MIN_IN_SET_RIGHT right and at most MAX_IN_SET_WRONG wrong
    (pooled over texts), with its
    per-language floors."""
    started = time.perf_counter()
    evidence = evidence_for(ident, items)
    print(f"evidence for {len(items)} texts in {time.perf_counter() - started:.0f} s", file=log)
    best: tuple[tuple[float, float], dict[str, Any]] | None = None
    for veto, confidence, ft_vote, alone, weight in itertools.product(*GRID.values()):
        base = replace(
            DEFAULTS,
            veto_top=veto,
            veto_mass=veto / 2,
            veto_confidence=confidence,
            fasttext_vote=ft_vote,
            cld2_alone=alone,
        )
        lexical, fasttext = language_floors(ident, items, evidence, base, weight)
        default = sorted(lexical.values())[len(lexical) // 2] if lexical else 0.0
        limits = replace(
            base, lexical_default=default, lexical_floor=lexical, fasttext_floor=fasttext
        )
        report = score(items, decide_all(ident, evidence, limits))
        right, wrong = report.pooled(True, "right"), report.pooled(True, "wrong")
        outside = report.pooled(False, "wrong")
        point = (veto, confidence, ft_vote, alone, weight)
        print(
            f"{point}: in-set right {right:.3f} wrong {wrong:.3f}, outside wrong {outside:.3f}",
            file=log,
        )
        if right < MIN_IN_SET_RIGHT or wrong > MAX_IN_SET_WRONG:
            continue
        rank = (outside, -right)
        if best is None or rank < best[0]:
            best = (rank, {"limits": limits, "weight": weight, "report": report})
    if best is None:
        raise SystemExit("no grid point meets the in-set targets on the calibration set")
    chosen = best[1]
    limits = chosen["limits"]
    rates = measured_rates(items, decide_all(ident, evidence, limits))
    return {
        "veto_top": limits.veto_top,
        "veto_mass": limits.veto_mass,
        "veto_confidence": limits.veto_confidence,
        "fasttext_vote": limits.fasttext_vote,
        "langdetect_vote": limits.langdetect_vote,
        "cld2_alone": limits.cld2_alone,
        "floor_weight": chosen["weight"],
        "lexical_default": limits.lexical_default,
        "lexical_floor": dict(limits.lexical_floor),
        "fasttext_floor": dict(limits.fasttext_floor),
        "rates": {tag: list(pair) for tag, pair in sorted(rates.items())},
        "calibration": {
            "set": "scripts/build_langid_eval.py calibration.jsonl (MediaWiki messages)",
            "texts": len(items),
            "selection": (
                f"fewest outside-set texts given to a wrong language with in-set texts "
                f">= {MIN_IN_SET_RIGHT:.0%} right and <= {MAX_IN_SET_WRONG:.0%} wrong"
            ),
            "grid": {k: list(v) for k, v in GRID.items()},
            **chosen["report"].summary(),
        },
    }


def measured_rates(items: Sequence[Item], answers: Sequence[str]) -> dict[str, tuple[float, float]]:
    """Per in-set tag with at least 30 texts: (recall, precision) of its documents."""
    texts: Counter[str] = Counter()
    right: Counter[str] = Counter()
    labelled: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    for item, tag in zip(items, answers, strict=True):
        good = outcome(item, tag) == "right"
        if item.in_set:
            texts[item.tag] += 1
            right[item.tag] += good
        if not tag.startswith("und"):
            labelled[tag] += 1
            correct[tag] += good
    return {
        tag: (round(right[tag] / n, 3), round(correct[tag] / max(1, labelled[tag]), 3))
        for tag, n in texts.items()
        if n >= MIN_FLOOR_TEXTS
    }


def evaluate(ident: Identifier, items: Sequence[Item]) -> Report:
    return score(items, (ident.identify(item.text).tag for item in items))


def markdown(report: Report) -> Iterator[str]:
    summary = report.summary()
    yield (
        "| set | languages | texts | right | wrong language | abstained "
        "| per-language right / wrong |"
    )
    yield "| --- | --- | --- | --- | --- | --- | --- |"
    for name, label in (
        ("in_set", "inside the label sets"),
        ("outside", "outside every label set"),
    ):
        s = summary[name]
        yield (
            f"| {label} | {s['languages']} | {s['texts']:,} | {s['right']:.1%} "
            f"| {s['wrong']:.1%} | {s['abstained']:.1%} "
            f"| {s['right_per_language']:.1%} / {s['wrong_per_language']:.1%} |"
        )
    yield ""
    yield "| language | expected | in set | texts | right | wrong | abstained | given to |"
    yield "| --- | --- | --- | --- | --- | --- | --- | --- |"
    for s in sorted(report.languages, key=lambda s: (not s.in_set, s.code)):
        given = ", ".join(f"{tag} {n}" for tag, n in s.given_to.most_common(3))
        yield (
            f"| {s.code} | {s.tag} | {'yes' if s.in_set else 'no'} | {s.texts} "
            f"| {s.share('right'):.0%} | {s.share('wrong'):.0%} | {s.share('abstained'):.0%} "
            f"| {given} |"
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("calibrate", "evaluate"))
    parser.add_argument("set", type=Path, help="a JSONL set from scripts/build_langid_eval.py")
    parser.add_argument("--out", type=Path, default=THRESHOLDS_FILE)
    parser.add_argument("--markdown", action="store_true", help="per-language table")
    args = parser.parse_args(argv)
    items = load(args.set)
    ident = Identifier(0, "fast")
    if args.command == "calibrate":
        data = calibrate(ident, items)
        args.out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(json.dumps(data["calibration"], indent=1))
        print(f"wrote {args.out}")
        return
    started = time.perf_counter()
    report = evaluate(ident, items)
    elapsed = time.perf_counter() - started
    print(json.dumps(report.summary(), indent=1))
    print(f"{len(items)} texts in {elapsed:.0f} s ({1000 * elapsed / len(items):.2f} ms per text)")
    if args.markdown:
        print("\n".join(markdown(report)))


if __name__ == "__main__":
    main()
