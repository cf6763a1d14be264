"""Shard profiles → one `AssetProfile`. `merge` depends only on the set of shard profiles (they
are sorted by name first), so one worker or a hundred, in any order, give the same answer."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from curation.plain import fields_json
from curation.profiling import batch as batch_mod
from curation.profiling.langid import (
    GROUP_CAVEAT,
    GROUPS,
    all_labels,
    language_scripts,
    thresholds,
    thresholds_digest,
)
from curation.profiling.licence import LicenceEvidence, LicenceFile, evidence
from curation.profiling.neardup import NearDuplicates, near_pairs, pack
from curation.profiling.neardup import estimate as estimate_near_duplicates
from curation.profiling.options import ProfileOptions
from curation.profiling.sampling import (
    Stratum,
    absent_upper_bound,
    character_share,
    document_share,
)
from curation.profiling.scripts import NON_LETTER, tokens_per_char
from curation.profiling.shard import SampleRecord, ShardProfile, Totals
from curation.profiling.sketch import LanguageSketch, ShardSketch, asset_entries
from curation.vocabulary import LANGUAGE_STATUSES, LanguageStatus

STATUSES = LANGUAGE_STATUSES
UNVERIFIABLE_CAVEAT = (
    "no detector used here can identify this language: its text is counted as und-<Script>, "
    "or may have gone to a close relative that a detector does know"
)
WEAK_CAVEAT = (
    "the detectors here recognised only {recall:.0%} of this language's text on the "
    "calibration set: its absence from the sample is weak evidence"
)
UNMEASURED_CAVEAT = (
    "how often the detectors here recognise this language was not measured: its absence from "
    "the sample is weak evidence"
)
# A declared language the detectors recognise less often than this is not evidence of a mismatch.
MIN_EVIDENT_RECALL = 0.5
# A confusable group is flagged when it holds this share of the documents or a declared language.
GROUP_FLAG_SHARE = 0.05
MAX_REASONS = 10


@dataclass(frozen=True)
class LanguageRow:
    """One language (or confusable group, or undetermined script) of an asset.

    Documents and shares count labellable documents (at least `min_label_chars` visible
    characters); `characters` and `estimated_tokens` are estimates when the asset was sampled.
    `token_factor` is tokens per character for the language's script."""

    language: str
    status: str
    documents: int
    characters: int
    share_documents: float
    share_characters: float
    ci95_documents: tuple[float, float] | None
    ci95_characters: tuple[float, float] | None
    estimated_tokens: int
    token_factor: float
    members: tuple[str, ...] = ()
    caveat: str = ""
    # "census" when every labellable document was labelled (the interval is then a point: no
    # sampling error), "sample" otherwise; "" for declared rows not seen.
    estimate: str = ""
    # The document share allowing for the detectors' own error as measured on the calibration
    # set (precision and recall of this language there); None when it was not measured.
    detector_range_documents: tuple[float, float] | None = None

    def to_json(self) -> dict[str, Any]:
        return fields_json(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LanguageRow:
        def pair(value: Any) -> tuple[float, float] | None:
            return (float(value[0]), float(value[1])) if value else None

        return cls(
            language=str(data["language"]),
            status=str(data["status"]),
            documents=int(data["documents"]),
            characters=int(data["characters"]),
            share_documents=float(data["share_documents"]),
            share_characters=float(data["share_characters"]),
            ci95_documents=pair(data["ci95_documents"]),
            ci95_characters=pair(data["ci95_characters"]),
            estimated_tokens=int(data["estimated_tokens"]),
            token_factor=float(data["token_factor"]),
            members=tuple(data.get("members", ())),
            caveat=str(data.get("caveat", "")),
            estimate=str(data.get("estimate", "")),
            detector_range_documents=pair(data.get("detector_range_documents")),
        )


@dataclass(frozen=True)
class AssetTotals:
    files: int
    compressed_bytes: int
    uncompressed_bytes: int
    documents: int
    empty_documents: int
    characters: int
    words: int
    estimated_tokens: int
    duplicate_documents: int
    invalid_utf8_sequences: int
    parse_errors: int
    parse_error_reasons: tuple[str, ...]
    too_short_documents: int
    mixed_documents: int  # estimated from the sample unless every document was labelled
    labellable_documents: int
    labelled_documents: int
    incomplete_shards: int

    def to_json(self) -> dict[str, Any]:
        return fields_json(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AssetTotals:
        values = {f.name: data[f.name] for f in fields(cls)}
        values["parse_error_reasons"] = tuple(values["parse_error_reasons"])
        return cls(**values)


@dataclass(frozen=True)
class Quality:
    mean_document_chars: float
    median_document_chars: float  # from a log-spaced histogram (about ±9%)
    empty_share: float
    too_short_share: float
    replacement_char_share: float
    duplicate_rate: float
    mixed_share: float
    parse_error_rate: float

    def to_json(self) -> dict[str, float]:
        return fields_json(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Quality:
        return cls(**{f.name: float(data[f.name]) for f in fields(cls)})


@dataclass(frozen=True)
class AssetProfile:
    totals: AssetTotals
    languages: tuple[LanguageRow, ...]
    scripts: Mapping[str, float]  # share of non-space characters per ISO 15924 code
    licence: LicenceEvidence
    quality: Quality
    flags: tuple[str, ...]
    detectors: tuple[Mapping[str, Any], ...]
    sampling: Mapping[str, Any]
    declared_languages: tuple[str, ...]
    stop_reasons: tuple[tuple[str, str], ...]  # (shard, reason) for shards read only in part
    # Per row language: the overlap sketch of its distinct documents (`sketch` module).
    sketches: Mapping[str, LanguageSketch] = field(default_factory=dict, repr=False)
    # Near-duplicates inside the asset, from the sample (None in profiles stored before).
    near_duplicates: NearDuplicates | None = None
    # The sampled documents' hashes and signatures (`neardup.pack`), for near-duplicates
    # between assets; stored beside the profile, not in it.
    signatures: bytes = field(default=b"", repr=False)

    def language(self, tag: str) -> LanguageRow | None:
        """The row of `tag`, or of the group that has `tag` as a member."""
        for row in self.languages:
            if row.language == tag or tag in row.members:
                return row
        return None

    def to_json(self) -> dict[str, Any]:
        data = fields_json(self)
        data["signatures"] = base64.b64encode(self.signatures).decode("ascii")
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AssetProfile:
        return cls(
            totals=AssetTotals.from_json(data["totals"]),
            languages=tuple(LanguageRow.from_json(r) for r in data["languages"]),
            scripts={str(k): float(v) for k, v in data["scripts"].items()},
            licence=LicenceEvidence.from_json(data["licence"]),
            quality=Quality.from_json(data["quality"]),
            flags=tuple(data["flags"]),
            detectors=tuple(dict(d) for d in data["detectors"]),
            sampling=dict(data["sampling"]),
            declared_languages=tuple(data["declared_languages"]),
            stop_reasons=tuple((str(a), str(b)) for a, b in data["stop_reasons"]),
            sketches={
                str(k): LanguageSketch.from_json(v) for k, v in data.get("sketches", {}).items()
            },
            near_duplicates=(
                NearDuplicates.from_json(data["near_duplicates"])
                if data.get("near_duplicates")
                else None
            ),
            signatures=base64.b64decode(data.get("signatures", "")),
        )


def merge(
    shards: Iterable[ShardProfile],
    options: ProfileOptions | None = None,
    *,
    licence_files: Iterable[LicenceFile] = (),
) -> AssetProfile:
    """Merge shard profiles into the asset's profile (order-independent, deterministic)."""
    options = options or ProfileOptions()
    profiles = sorted(shards, key=lambda p: (p.name, p.totals.documents, p.totals.characters))
    totals = _sum_totals(profiles)
    duplicates = _duplicate_documents(profiles, totals)
    script_chars = _script_characters(profiles)
    labelled = [p for p in profiles if p.totals.labellable_documents and p.sample]
    samples = [_shard_sample(p) for p in labelled]
    declared = tuple(dict.fromkeys(options.declared_languages))
    labels = all_labels()
    rows = _sampled_rows(samples, _group_members(labelled), declared, totals)
    rows += _declared_rows(rows, declared, samples, labels)
    licence = evidence(
        options.declared_license, licence_files, _sum_counts(p.licence_values for p in profiles)
    )
    mixed = _mixed_estimate(samples)
    return AssetProfile(
        totals=_asset_totals(totals, profiles, samples, duplicates, script_chars, mixed),
        languages=tuple(rows),
        scripts=_script_shares(script_chars),
        licence=licence,
        quality=_quality(totals, profiles, duplicates, mixed),
        flags=_flags(rows, declared, labels, licence, totals, profiles, duplicates, samples),
        detectors=tuple(profiles[0].detectors if profiles else ()),
        sampling=_sampling(options, profiles, samples),
        declared_languages=declared,
        stop_reasons=tuple(
            (f.name, f.stop_reason) for p in profiles for f in p.file_reads() if f.stop_reason
        ),
        sketches=_sketches(profiles, rows),
        near_duplicates=_near_duplicates(labelled, totals),
        signatures=pack(
            [r.digest for p in labelled for r in p.sample],
            [r.signature for p in labelled for r in p.sample],
        ),
    )


# --- counts ------------------------------------------------------------------------------------


def _sum_totals(profiles: Sequence[ShardProfile]) -> Totals:
    """The shards' exact counts added up."""
    totals = Totals()
    for profile in profiles:
        totals = totals + profile.totals
    return totals


def _hashed(totals: Totals) -> int:
    """Documents that were hashed for duplicate detection (the non-empty ones)."""
    return totals.documents - totals.empty_documents


def _duplicate_documents(profiles: Sequence[ShardProfile], totals: Totals) -> int:
    """Hashed documents that repeat an earlier one, across every shard."""
    arrays = [np.frombuffer(p.hashes, dtype="<u8") for p in profiles if p.hashes]
    distinct = distinct_count(np.concatenate(arrays)) if arrays else 0
    return _hashed(totals) - distinct


def _script_characters(profiles: Sequence[ShardProfile]) -> dict[str, int]:
    """Characters per ISO 15924 code, added up in shard order."""
    return _sum_counts(p.scripts for p in profiles)


def _script_shares(script_chars: Mapping[str, int]) -> dict[str, float]:
    """Each script's share of the counted characters, largest first."""
    counted = sum(script_chars.values())
    return {
        code: _ratio(n, counted)
        for code, n in sorted(script_chars.items(), key=lambda kv: (-kv[1], kv[0]))
    }


def _mean_token_factor(script_chars: Mapping[str, int]) -> float:
    """Tokens per character of the asset's letters, weighted by script (Latin when none)."""
    letters = {c: n for c, n in script_chars.items() if c not in NON_LETTER}
    letter_total = sum(letters.values())
    if not letter_total:
        return tokens_per_char("Latn")
    return sum(n * tokens_per_char(c) for c, n in letters.items()) / letter_total


def _parse_error_reasons(profiles: Sequence[ShardProfile]) -> tuple[str, ...]:
    """The first `MAX_REASONS` parse-error reasons, each named by its shard."""
    reasons = [  # a pack's reasons already name their file
        reason if p.files else f"{p.name}: {reason}"
        for p in profiles
        for reason in p.parse_error_reasons
    ]
    return tuple(reasons[:MAX_REASONS])


def _asset_totals(
    totals: Totals,
    profiles: Sequence[ShardProfile],
    samples: Sequence[_ShardSample],
    duplicates: int,
    script_chars: Mapping[str, int],
    mixed: float,
) -> AssetTotals:
    """The asset's totals: the exact counts with the estimates beside them."""
    return AssetTotals(
        files=totals.files,
        compressed_bytes=totals.compressed_bytes,
        uncompressed_bytes=totals.uncompressed_bytes,
        documents=totals.documents,
        empty_documents=totals.empty_documents,
        characters=totals.characters,
        words=totals.words,
        estimated_tokens=round(totals.characters * _mean_token_factor(script_chars)),
        duplicate_documents=duplicates,
        invalid_utf8_sequences=totals.invalid_utf8_sequences,
        parse_errors=totals.parse_errors,
        parse_error_reasons=_parse_error_reasons(profiles),
        too_short_documents=totals.too_short_documents,
        mixed_documents=round(mixed),
        labellable_documents=totals.labellable_documents,
        labelled_documents=_labelled_documents(samples),
        incomplete_shards=sum(1 for p in profiles for f in p.file_reads() if f.stop_reason),
    )


# --- the labelled sample -----------------------------------------------------------------------

# One labelled document: characters per language key (a tag, or a group's `a+b` key), its
# characters, its main key, whether it is mixed.
_Record = tuple[dict[str, int], int, str, bool]


@dataclass(frozen=True)
class _ShardSample:
    """One stratum: a shard's labellable documents and characters (exact) and its sample."""

    population: int
    characters: int
    records: tuple[_Record, ...]


def _group_key(tag: str) -> str:
    for group in GROUPS:
        if tag in group:
            return "+".join(group)
    return tag


def _grouped_labels(labels: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Characters per language key: the members of a confusable group counted as the group."""
    grouped: dict[str, int] = {}
    for tag, chars in labels:
        key = _group_key(tag)
        grouped[key] = grouped.get(key, 0) + chars
    return grouped


def _record(record: SampleRecord) -> _Record:
    grouped = _grouped_labels(record.labels)
    main = max(grouped.items(), key=lambda kv: (kv[1], kv[0]))[0]
    return grouped, record.characters, main, record.mixed


def _shard_sample(profile: ShardProfile) -> _ShardSample:
    return _ShardSample(
        profile.totals.labellable_documents,
        profile.totals.labellable_characters,
        tuple(_record(r) for r in profile.sample),
    )


def _group_members(profiles: Iterable[ShardProfile]) -> dict[str, dict[str, int]]:
    """Group key → characters per member tag, over the sampled documents."""
    members: dict[str, dict[str, int]] = {}
    for profile in profiles:
        for record in profile.sample:
            for tag, chars in record.labels:
                key = _group_key(tag)
                if key != tag:
                    seen = members.setdefault(key, {})
                    seen[tag] = seen.get(tag, 0) + chars
    return members


def _labelled_documents(samples: Sequence[_ShardSample]) -> int:
    return sum(len(s.records) for s in samples)


def _full_pass(samples: Sequence[_ShardSample]) -> bool:
    """Whether every labellable document was labelled (no sampling)."""
    return all(len(s.records) >= s.population for s in samples)


def _strata_for(samples: Sequence[_ShardSample], key: str) -> list[Stratum]:
    """The strata of the estimate for language key `key`."""
    return [
        Stratum(
            s.population,
            s.characters,
            [
                (float(g.get(key, 0)), float(chars), 1.0 if main == key else 0.0)
                for g, chars, main, _ in s.records
            ],
        )
        for s in samples
    ]


def _mixed_estimate(samples: Sequence[_ShardSample]) -> float:
    """Estimated mixed-language documents (exact when every document was labelled)."""
    estimate = 0.0
    for s in samples:
        if s.records:
            estimate += s.population * sum(1 for r in s.records if r[3]) / len(s.records)
    return estimate


def _sampling(
    options: ProfileOptions, profiles: Sequence[ShardProfile], samples: Sequence[_ShardSample]
) -> dict[str, Any]:
    """How the languages were estimated."""
    return {
        "method": "bottom-k per shard, stratified by shard",
        "sample_size": options.sample_size,
        "labelled_documents": _labelled_documents(samples),
        "strata": len(samples),
        "seeds": sorted({p.seed for p in profiles}),
        "full_pass": _full_pass(samples),
        "langid_modes": sorted({p.langid_mode for p in profiles}),
        "min_label_chars": options.min_label_chars,
        # The calibrated thresholds of language identification (their file's digest), so that
        # profiles labelled under different calibrations can be told apart.
        "langid_thresholds": thresholds_digest(),
        "sketch": {
            "size": options.sketch_size,
            "kept": len(asset_entries([p.sketch for p in profiles if p.sketch is not None])),
            "census": all(p.sketch is not None and p.sketch.tau is None for p in profiles),
        },
    }


# --- languages ---------------------------------------------------------------------------------


def _script_of_tag(tag: str) -> str:
    parts = tag.split("-")
    if len(parts) > 1 and len(parts[1]) == 4:
        return {"Hans": "Hani", "Hant": "Hani"}.get(parts[1], parts[1])
    scripts = language_scripts().get(tag)
    return scripts[0] if scripts else "Latn"


def token_factor(tag: str) -> float:
    return round(tokens_per_char(_script_of_tag(tag)), 6)


def _identity(
    key: str, declared: Sequence[str], members_seen: Mapping[str, Mapping[str, int]]
) -> tuple[str, str, tuple[str, ...], str]:
    """(language, status, members, caveat) of a language key. A group is named by its one
    declared member, else by its member with the most sampled characters."""
    if "+" not in key:
        status = LanguageStatus.UNDETERMINED if key.startswith("und") else LanguageStatus.DETECTED
        return key, status, (), ""
    members = tuple(key.split("+"))
    declared_members = [m for m in members if m in declared]
    if len(declared_members) == 1:
        language = declared_members[0]
    else:
        seen = members_seen.get(key, {})
        language = max(seen.items(), key=lambda kv: (kv[1], kv[0]))[0]
    return language, LanguageStatus.GROUP, members, GROUP_CAVEAT


def _language_row(
    key: str,
    samples: Sequence[_ShardSample],
    members_seen: Mapping[str, Mapping[str, int]],
    declared: Sequence[str],
    totals: Totals,
) -> LanguageRow:
    """The estimated row of one language key seen in the sample."""
    strata = _strata_for(samples, key)
    doc = document_share(strata)
    char = character_share(strata)
    language, status, members, caveat = _identity(key, declared, members_seen)
    characters = round(char.share * totals.labellable_characters)
    factor = token_factor(language)
    rates = thresholds().rates.get(language)
    return LanguageRow(
        language=language,
        status=status,
        documents=round(doc.share * totals.labellable_documents),
        characters=characters,
        share_documents=_r(doc.share),
        share_characters=_r(char.share),
        ci95_documents=(_r(doc.low), _r(doc.high)),
        ci95_characters=(_r(char.low), _r(char.high)),
        estimated_tokens=round(characters * factor),
        token_factor=factor,
        members=members,
        caveat=caveat,
        estimate="census" if _full_pass(samples) else "sample",
        detector_range_documents=(
            (_r(doc.low * rates[1]), _r(min(1.0, doc.high / max(rates[0], 1e-9))))
            if rates and status == LanguageStatus.DETECTED
            else None
        ),
    )


def _sampled_rows(
    samples: Sequence[_ShardSample],
    members_seen: Mapping[str, Mapping[str, int]],
    declared: Sequence[str],
    totals: Totals,
) -> list[LanguageRow]:
    """A row per language key in the sample, largest share first."""
    keys = sorted({key for s in samples for grouped, _, _, _ in s.records for key in grouped})
    rows = [_language_row(key, samples, members_seen, declared, totals) for key in keys]
    rows.sort(key=lambda r: (-r.share_documents, -r.share_characters, r.language))
    return rows


def _declared_rows(
    rows: Sequence[LanguageRow],
    declared: Sequence[str],
    samples: Sequence[_ShardSample],
    labels: frozenset[str],
) -> list[LanguageRow]:
    """A row per declared language no row covers: absent (with an upper bound on its share)
    when a detector can identify it, else unverifiable."""
    covered = {r.language for r in rows} | {m for r in rows for m in r.members}
    upper = _r(absent_upper_bound(_strata_for(samples, "\x00none"))) if samples else 1.0
    out: list[LanguageRow] = []
    for tag in declared:
        if tag in covered:
            continue
        if tag in labels:
            recall = _recall(tag)
            caveat = (
                UNMEASURED_CAVEAT
                if recall is None
                else WEAK_CAVEAT.format(recall=recall)
                if recall < MIN_EVIDENT_RECALL
                else ""
            )
            out.append(
                LanguageRow(
                    tag,
                    LanguageStatus.ABSENT,
                    0,
                    0,
                    0.0,
                    0.0,
                    (0.0, upper),
                    (0.0, upper),
                    0,
                    token_factor(tag),
                    caveat=caveat,
                )
            )
        else:
            out.append(
                LanguageRow(
                    tag, LanguageStatus.UNVERIFIABLE, 0, 0, 0.0, 0.0, None, None, 0,
                    token_factor(tag),
                    caveat=UNVERIFIABLE_CAVEAT,
                )
            )  # fmt: skip
    return out


# --- near-duplicates ---------------------------------------------------------------------------


def _near_duplicates(profiles: Sequence[ShardProfile], totals: Totals) -> NearDuplicates:
    """Near-duplicate pairs among the sampled documents of every shard, scaled to the asset."""
    records = [r for p in profiles for r in p.sample if r.signature]
    pairs = near_pairs([r.signature for r in records], [r.digest for r in records])
    involved = len({i for pair in pairs for i in pair})
    return estimate_near_duplicates(len(pairs), involved, len(records), totals.labellable_documents)


# --- the overlap sketch ------------------------------------------------------------------------


def _sketches(
    profiles: Sequence[ShardProfile], rows: Sequence[LanguageRow]
) -> dict[str, LanguageSketch]:
    """Each sampled row's sketch: the kept documents holding some of its language key, with
    their tokens in it. A row none of whose documents was kept gets no sketch (coverage then
    counts its tokens as they are)."""
    shards: list[ShardSketch] = [p.sketch for p in profiles if p.sketch is not None]
    per_key: dict[str, list[tuple[int, float, float]]] = {}
    for entry, p in asset_entries(shards):
        for key, chars in _grouped_labels(entry.labels).items():
            if chars > 0:
                per_key.setdefault(key, []).append((entry.hash, p, float(chars)))
    out: dict[str, LanguageSketch] = {}
    for row in rows:
        key = "+".join(row.members) if row.members else row.language
        kept = per_key.get(key)
        if kept:
            factor = row.token_factor
            out[row.language] = LanguageSketch.build((h, p, c * factor) for h, p, c in kept)
    return out


# --- quality and flags -------------------------------------------------------------------------


def _recall(tag: str) -> float | None:
    """How much of a language's text the detectors named right on the calibration set (None
    when that set had too little of it to say)."""
    rates = thresholds().rates.get(tag)
    return rates[0] if rates else None


def _evident(tag: str) -> bool:
    """Whether the detectors' silence about `tag` is evidence that it is absent."""
    recall = _recall(tag)
    return recall is not None and recall >= MIN_EVIDENT_RECALL


def _median(histogram: Mapping[int, int]) -> float:
    total = sum(histogram.values())
    if not total:
        return 0.0
    seen = 0
    for index in sorted(histogram):
        seen += histogram[index]
        if seen * 2 >= total:
            return round(batch_mod.bin_value(index), 1)
    return 0.0  # pragma: no cover


def _ratio(a: float, b: float) -> float:
    return round(a / b, 6) if b else 0.0


def _r(x: float) -> float:
    return round(x, 6)


def _quality(
    totals: Totals, profiles: Sequence[ShardProfile], duplicates: int, mixed: float
) -> Quality:
    nonempty = max(1, _hashed(totals))
    documents = totals.documents
    return Quality(
        mean_document_chars=round(totals.characters / documents, 1) if documents else 0.0,
        median_document_chars=_median(_sum_counts(p.length_histogram for p in profiles)),
        empty_share=_ratio(totals.empty_documents, documents),
        too_short_share=_ratio(totals.too_short_documents, nonempty),
        replacement_char_share=_ratio(totals.replacement_char_documents, documents),
        duplicate_rate=_ratio(duplicates, nonempty),
        mixed_share=_ratio(mixed, totals.labellable_documents),
        parse_error_rate=_ratio(totals.parse_errors, documents + totals.parse_errors),
    )


def _language_flags(
    rows: Sequence[LanguageRow], declared: Sequence[str], labels: frozenset[str]
) -> list[str]:
    """Flags about the languages found against the declared ones."""
    flags: list[str] = []
    main = (LanguageStatus.DETECTED, LanguageStatus.GROUP)
    main_rows = [r for r in rows if r.status in main and r.documents]
    verifiable = [d for d in declared if d in labels]
    # Mismatch only on evidence: every declared language is one the detectors were measured to
    # recognise (recall >= 50% on the calibration set), and none of them is the main language.
    evident = bool(verifiable) and len(verifiable) == len(declared)
    evident = evident and all(_evident(d) for d in verifiable)
    if main_rows and evident:
        top = main_rows[0]
        if not {top.language, *top.members} & set(declared):
            flags.append("language_mismatch")
    if len(verifiable) < len(declared):
        flags.append("declared_languages_unverifiable")
    if any(
        r.status == LanguageStatus.GROUP
        and (r.share_documents >= GROUP_FLAG_SHARE or set(r.members) & set(declared))
        for r in rows
    ):
        flags.append("confusable_group")
    if any(r.status == "undetermined" and r.share_documents >= 0.05 for r in rows):
        flags.append("undetermined_text")
    return flags


def _content_flags(totals: Totals, profiles: Sequence[ShardProfile], duplicates: int) -> list[str]:
    """Flags about how the shards read: incomplete, unparseable, badly encoded, duplicated."""
    flags: list[str] = []
    if any(not p.complete for p in profiles):
        flags.append("incomplete_shards")
    if totals.parse_errors and totals.parse_errors * 2 > totals.documents + totals.parse_errors:
        flags.append("mostly_unparseable")
    elif totals.parse_errors:
        flags.append("parse_errors")
    if totals.invalid_utf8_sequences:
        flags.append("invalid_utf8")
    if totals.nul_characters:
        flags.append("nul_characters")
    hashed = _hashed(totals)
    if hashed and duplicates * 10 > hashed:
        flags.append("high_duplicate_rate")
    if totals.documents == 0:
        flags.append("no_documents")
    return flags


def _flags(
    rows: Sequence[LanguageRow],
    declared: Sequence[str],
    labels: frozenset[str],
    licence: LicenceEvidence,
    totals: Totals,
    profiles: Sequence[ShardProfile],
    duplicates: int,
    samples: Sequence[_ShardSample],
) -> tuple[str, ...]:
    """Every flag of the asset, in their fixed order."""
    return (
        *_language_flags(rows, declared, labels),
        *(["licence_conflict"] if licence.conflict else []),
        *_content_flags(totals, profiles, duplicates),
        *([] if _full_pass(samples) else ["sampled"]),
    )


# --- helpers -----------------------------------------------------------------------------------


def distinct_count(values: np.ndarray[Any, Any]) -> int:
    """Number of distinct values (sort-based: much faster than hashing for uint64)."""
    if not len(values):
        return 0
    ordered = np.sort(values)
    return int(np.count_nonzero(ordered[1:] != ordered[:-1])) + 1


def _sum_counts(mappings: Iterable[Mapping[Any, int]]) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for mapping in mappings:
        for key, value in mapping.items():
            out[key] = out.get(key, 0) + value
    return out


def shard_names(profiles: Sequence[ShardProfile]) -> list[str]:
    return sorted(p.name for p in profiles)
