"""Exact totals, scripts, tokens, duplicates, and merging (associative, order-independent)."""

from __future__ import annotations

import json
import random

import pytest

from curation.profiling import ProfileOptions, ShardProfile, merge
from tests.profiling.conftest import CORPORA, FIXTURES, profile_asset, profile_bytes


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("two words", 2),
        ("  leading and   trailing  ", 3),
        ("tab\tseparated\u00a0nbsp", 3),
        ("東京です", 4),  # Han and kana: one word per character
        ("ภาษาไทย ดี", 9),  # Thai: characters
        ("Habari 世界 yako", 4),
        ("नमस्ते दुनिया", 2),  # Devanagari vowel signs stay inside the word
        ("می\u200cخواهم بروم", 2),  # ZWNJ stays inside the Persian word
    ],
)
def test_words_are_counted_unicode_aware(text, words):
    assert profile_bytes(text.encode()).totals.words == words


def test_characters_are_code_points_and_empty_documents_are_counted():
    data = "héllo wörld\n\n\u200b\u200d\n🙂🙂\n".encode()

    totals = profile_bytes(data).totals

    assert totals.documents == 4
    assert totals.characters == 11 + 0 + 2 + 2
    assert totals.empty_documents == 2  # blank line and zero-width-only line
    assert totals.too_short_documents == 2


@pytest.mark.parametrize(
    "variant",
    ["same text here", "  same   text here ", "same\ttext\nhere", "same\u3000text here"],
)
def test_duplicates_use_whitespace_normalised_text(variant):
    options = ProfileOptions(format="jsonl")
    data = "".join(
        json.dumps({"text": t}) + "\n" for t in ["same text here", variant, "other text"]
    )

    asset = profile_asset(data.encode(), options, "a.jsonl")

    assert asset.totals.duplicate_documents == 1


def test_duplicates_are_exact_across_shards():
    options = ProfileOptions()
    one = profile_bytes(b"alpha beta gamma\ndelta\n", options, "one.txt")
    two = profile_bytes(b"alpha  beta gamma\nepsilon\ndelta\n", options, "two.txt")

    assert merge([one, two], options).totals.duplicate_documents == 2


def test_scripts_are_shares_of_characters():
    asset = profile_asset("Αθήνα Москва\n".encode())

    assert asset.scripts == {"Grek": 0.454545, "Cyrl": 0.545455}


@pytest.mark.parametrize(
    ("text", "language", "factor"),
    [
        ("The river runs past the old mill and the children swim there in summer.", "en", 0.25),
        ("أعلنت وزارة التعليم عن افتتاح مدارس جديدة في المناطق الريفية هذا العام.", "ar", 0.285714),
        ("गाँव के किसानों ने इस साल गेहूँ की अच्छी फसल की उम्मीद जताई है।", "hi", 0.333333),
        (
            "市图书馆新到了一批关于地方历史的书籍，学生们在图书馆里认真准备期末考试。",
            "zh-Hans",
            0.8,
        ),
        ("ภาษาไทยเป็นภาษาราชการของประเทศไทย และใช้กันอย่างแพร่หลายทั่วประเทศ", "th", 0.4),
    ],
)
def test_token_estimate_uses_the_script_factor(text, language, factor):
    asset = profile_asset(text.encode())
    row = asset.languages[0]

    assert row.language == language
    assert row.token_factor == factor
    assert row.estimated_tokens == round(len(text) * factor)


def _mixed_corpus_lines() -> list[bytes]:
    lines: list[bytes] = []
    for part in sorted((CORPORA / "mixed-east-africa").glob("part-*.jsonl")):
        lines.extend(part.read_bytes().splitlines(keepends=True))
    return lines


def test_one_shard_and_eight_shards_give_identical_totals():
    options = ProfileOptions(format="jsonl")
    lines = _mixed_corpus_lines()
    random.Random(5).shuffle(lines)
    whole = merge([profile_bytes(b"".join(lines), options, "all.jsonl")], options)
    eighth = len(lines) // 8 + 1
    parts = [
        profile_bytes(b"".join(lines[i : i + eighth]), options, f"p{i:04d}.jsonl")
        for i in range(0, len(lines), eighth)
    ]

    split = merge(parts, options)

    exact = whole.totals.to_json() | {"files": 8, "compressed_bytes": split.totals.compressed_bytes}
    assert split.totals.to_json() == exact
    assert split.scripts == whole.scripts
    for row in whole.languages:
        other = split.language(row.language)
        assert other is not None
        assert other.ci95_documents[0] <= row.share_documents <= other.ci95_documents[1]


def test_merge_is_order_independent_and_associative_over_shards():
    options = ProfileOptions(format="jsonl", shard_sample_size=20)
    shards = [
        profile_bytes(p.read_bytes(), options, p.name)
        for p in sorted((CORPORA / "mixed-east-africa").glob("*.jsonl"))
    ]

    forward = merge(shards, options)
    backward = merge(list(reversed(shards)), options)
    via_json = merge(
        [ShardProfile.from_json(json.loads(json.dumps(s.to_json()))) for s in shards], options
    )

    assert forward == backward == via_json


def test_same_seed_gives_identical_output_and_another_seed_another_sample():
    options = ProfileOptions(format="jsonl", shard_sample_size=25, seed=7)
    data = (CORPORA / "mixed-east-africa" / "part-0.jsonl").read_bytes()

    first = profile_bytes(data, options, "p.jsonl").to_json()
    second = profile_bytes(data, options, "p.jsonl").to_json()
    third = profile_bytes(
        data, ProfileOptions(format="jsonl", shard_sample_size=25, seed=8), "p.jsonl"
    ).to_json()

    assert json.dumps(first) == json.dumps(second)
    assert first["sample"] != third["sample"]


@pytest.mark.parametrize("share", ["share_documents", "share_characters"])
def test_mixed_corpus_known_shares_lie_within_the_reported_intervals(share):
    truth = json.loads((FIXTURES / "mixed-east-africa-truth.json").read_text())[share]
    options = ProfileOptions(
        format="jsonl", shard_sample_size=30, declared_languages=("sw", "en", "am", "so")
    )
    shards = [
        profile_bytes(p.read_bytes(), options, p.name)
        for p in sorted((CORPORA / "mixed-east-africa").glob("*.jsonl"))
    ]

    asset = merge(shards, options)

    interval = "ci95_documents" if share == "share_documents" else "ci95_characters"
    assert asset.totals.labelled_documents == 240
    assert "sampled" in asset.flags
    assert sorted(row.language for row in asset.languages) == sorted(truth)
    for row in asset.languages:
        low, high = getattr(row, interval)
        assert low < high
        assert low <= truth[row.language] <= high


def test_mixed_corpus_full_pass_reproduces_the_known_counts():
    truth = json.loads((FIXTURES / "mixed-east-africa-truth.json").read_text())
    options = ProfileOptions(format="jsonl")
    shards = [
        profile_bytes(p.read_bytes(), options, p.name)
        for p in sorted((CORPORA / "mixed-east-africa").glob("*.jsonl"))
    ]

    asset = merge(shards, options)

    assert {r.language: r.documents for r in asset.languages} == truth["documents"]
    assert {r.language: r.characters for r in asset.languages} == truth["characters"]
    assert all(r.ci95_documents == (r.share_documents, r.share_documents) for r in asset.languages)


def test_median_and_mean_document_length():
    data = "\n".join(["x" * 10] * 3 + ["y" * 1000]).encode()

    quality = profile_asset(data).quality

    assert quality.mean_document_chars == 257.5
    assert 9 <= quality.median_document_chars <= 11
