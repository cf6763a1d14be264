"""The calibration and evaluation harness: scoring, floors, and the held-out set's text cleaning."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from curation.profiling.langid_eval import Item, _best_floor, measured_rates, outcome, score

REPO = Path(__file__).resolve().parents[2]


def _builder():
    spec = importlib.util.spec_from_file_location(
        "build_langid_eval", REPO / "scripts" / "build_langid_eval.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def item(tag: str, in_set: bool = True, code: str | None = None) -> Item:
    return Item(code or tag, tag, in_set, "text")


def test_outcome_counts_a_group_answer_for_its_members_and_und_as_abstaining():
    assert outcome(item("mk"), "bg") == "right"
    assert outcome(item("mk"), "ru") == "wrong"
    assert outcome(item("mk"), "und-Cyrl") == "abstained"
    assert outcome(item("ast", in_set=False), "es") == "wrong"


def test_score_pools_texts_and_averages_languages():
    items = [item("sw"), item("sw"), item("ast", False), item("ast", False), item("lmo", False)]
    report = score(items, ["sw", "und-Latn", "es", "und-Latn", "it"])

    assert report.pooled(True, "right") == 0.5
    assert report.pooled(False, "wrong") == 2 / 3
    assert report.macro(False, "wrong") == (0.5 + 1.0) / 2
    ast = next(s for s in report.languages if s.code == "ast")
    assert dict(ast.given_to) == {"es": 1}


def test_best_floor_trades_kept_wrong_against_lost_right():
    values = [(0.2, False), (0.3, False), (0.5, True), (0.9, True), (0.95, True)]

    assert _best_floor(values, 1.0) == 0.4  # drops both wrong texts, keeps every right one
    # Losing a right text costs more than keeping a wrong one: keep everything.
    assert _best_floor([(0.2, True), (0.3, False)], 2.0) == 0.0


def test_measured_rates_give_recall_and_precision_per_language():
    items = [item("sw")] * 20 + [item("ast", False)] * 5
    answers = ["sw"] * 15 + ["und-Latn"] * 5 + ["sw"] * 5

    assert measured_rates(items, answers) == {"sw": (0.75, 0.75)}


def test_wikitext_is_reduced_to_its_words():
    builder = _builder()
    message = (
        "Ukurasa huu una {{PLURAL:$1|ukurasa mmoja|kurasa $1}} kwenye [[Special:Log|kumbukumbu]], "
        "tazama <strong>https://example.org/x</strong> na '''maelezo'''."
    )

    assert builder.plain(message) == (
        "Ukurasa huu una ukurasa mmoja kwenye kumbukumbu, tazama na maelezo ."
    )


def test_a_malformed_set_names_its_file_and_line(tmp_path):
    from curation.profiling.langid_eval import load

    path = tmp_path / "set.jsonl"
    path.write_text('{"code": "sw", "tag": "sw", "in_set": true, "text": "x"}\n{"code": "sw"}\n')

    with pytest.raises(SystemExit, match=r"set\.jsonl:2: not an item of a set"):
        load(path)
    with pytest.raises(SystemExit, match="no such set"):
        load(tmp_path / "missing.jsonl")
