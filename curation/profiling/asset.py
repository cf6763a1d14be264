"""Shard profiles → one `AssetProfile`. `merge` depends only on the set of shard profiles (they
are sorted by name first), so one worker or a hundred, in any order, give the same answer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from curation.profiling import batch as batch_mod
from curation.profiling.langid import GROUP_CAVEAT, GROUPS, all_labels, language_scripts
from curation.profiling.licence import LicenceEvidence, LicenceFile, evidence
from curation.profiling.options import ProfileOptions
from curation.profiling.sampling import (
    Stratum,
    absent_upper_bound,
    character_share,
    document_share,
)
from curation.profiling.scripts import NON_LETTER, tokens_per_char
from curation.profiling.shard import SampleRecord, ShardProfile, Totals

STATUSES = ("detected", "group", "undetermined", "unverifiable", "absent")
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

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "status": self.status,
            "documents": self.documents,
            "characters": self.characters,
            "share_documents": self.share_documents,
            "share_characters": self.share_characters,
            "ci95_documents": list(self.ci95_documents) if self.ci95_documents else None,
            "ci95_characters": list(self.ci95_characters) if self.ci95_characters else None,
            "estimated_tokens": self.estimated_tokens,
            "token_factor": self.token_factor,
            "members": list(self.members),
            "caveat": self.caveat,
        }

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
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["parse_error_reasons"] = list(self.parse_error_reasons)
        return data

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
        return {f.name: getattr(self, f.name) for f in fields(self)}

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

    def language(self, tag: str) -> LanguageRow | None:
        """The row of `tag`, or of the group that has `tag` as a member."""
        for row in self.languages:
            if row.language == tag or tag in row.members:
                return row
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "totals": self.totals.to_json(),
            "languages": [row.to_json() for row in self.languages],
            "scripts": dict(self.scripts),
            "licence": self.licence.to_json(),
            "quality": self.quality.to_json(),
            "flags": list(self.flags),
            "detectors": [dict(d) for d in self.detectors],
            "sampling": dict(self.sampling),
            "declared_languages": list(self.declared_languages),
            "stop_reasons": [list(item) for item in self.stop_reasons],
        }

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
        )


def _group_key(tag: str) -> str:
    for group in GROUPS:
        if tag in group:
            return "+".join(group)
    return tag


def _script_of_tag(tag: str) -> str:
    parts = tag.split("-")
    if len(parts) > 1 and len(parts[1]) == 4:
        return {"Hans": "Hani", "Hant": "Hani"}.get(parts[1], parts[1])
    scripts = language_scripts().get(tag)
    return scripts[0] if scripts else "Latn"


def token_factor(tag: str) -> float:
    return round(tokens_per_char(_script_of_tag(tag)), 6)


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


def merge(
    shards: Iterable[ShardProfile],
    options: ProfileOptions | None = None,
    *,
    licence_files: Iterable[LicenceFile] = (),
) -> AssetProfile:
    """Merge shard profiles into the asset's profile (order-independent, deterministic)."""
    options = options or ProfileOptions()
    profiles = sorted(shards, key=lambda p: (p.name, p.totals.documents, p.totals.characters))
    totals = Totals()
    for profile in profiles:
        totals = totals + profile.totals

    hashed = totals.documents - totals.empty_documents
    if profiles:
        arrays = [np.frombuffer(p.hashes, dtype="<u8") for p in profiles if p.hashes]
        distinct = distinct_count(np.concatenate(arrays)) if arrays else 0
    else:
        distinct = 0
    duplicates = hashed - distinct

    script_chars: dict[str, int] = {}
    for profile in profiles:
        for code, n in profile.scripts.items():
            script_chars[code] = script_chars.get(code, 0) + n
    counted = sum(script_chars.values())
    scripts = {
        code: _ratio(n, counted)
        for code, n in sorted(script_chars.items(), key=lambda kv: (-kv[1], kv[0]))
    }
    letters = {c: n for c, n in script_chars.items() if c not in NON_LETTER}
    letter_total = sum(letters.values())
    mean_factor = (
        sum(n * tokens_per_char(c) for c, n in letters.items()) / letter_total
        if letter_total
        else tokens_per_char("Latn")
    )

    # Strata: one per shard with labellable documents; records regrouped into groups.
    strata_records: list[tuple[int, int, list[tuple[dict[str, int], int, str, bool]]]] = []
    members_seen: dict[str, dict[str, int]] = {}
    keys: set[str] = set()
    labelled = 0
    for profile in profiles:
        if profile.totals.labellable_documents == 0 or not profile.sample:
            continue
        records = []
        for record in profile.sample:
            grouped: dict[str, int] = {}
            for tag, chars in record.labels:
                key = _group_key(tag)
                grouped[key] = grouped.get(key, 0) + chars
                if key != tag:
                    members_seen.setdefault(key, {})
                    members_seen[key][tag] = members_seen[key].get(tag, 0) + chars
            main = max(grouped.items(), key=lambda kv: (kv[1], kv[0]))[0]
            keys.update(grouped)
            records.append((grouped, record.characters, main, _is_mixed(record)))
        labelled += len(records)
        strata_records.append(
            (profile.totals.labellable_documents, profile.totals.labellable_characters, records)
        )
    full_pass = all(len(r) >= n for n, _, r in strata_records)

    def strata_for(key: str) -> list[Stratum]:
        return [
            Stratum(
                population,
                characters,
                [
                    (float(g.get(key, 0)), float(chars), 1.0 if main == key else 0.0)
                    for g, chars, main, _ in records
                ],
            )
            for population, characters, records in strata_records
        ]

    mixed_estimate = 0.0
    for population, _, records in strata_records:
        if records:
            mixed_estimate += population * sum(1 for r in records if r[3]) / len(records)

    declared = tuple(dict.fromkeys(options.declared_languages))
    rows: list[LanguageRow] = []
    population_total = totals.labellable_documents
    char_total = totals.labellable_characters
    for key in sorted(keys):
        strata = strata_for(key)
        doc = document_share(strata)
        char = character_share(strata)
        if "+" in key:
            members = tuple(key.split("+"))
            declared_members = [m for m in members if m in declared]
            seen = members_seen.get(key, {})
            language = (
                declared_members[0]
                if len(declared_members) == 1
                else max(seen.items(), key=lambda kv: (kv[1], kv[0]))[0]
            )
            status, caveat = "group", GROUP_CAVEAT
        else:
            members, caveat = (), ""
            language = key
            status = "undetermined" if key.startswith("und") else "detected"
        characters = round(char.share * char_total)
        factor = token_factor(language)
        rows.append(
            LanguageRow(
                language=language,
                status=status,
                documents=round(doc.share * population_total),
                characters=characters,
                share_documents=_r(doc.share),
                share_characters=_r(char.share),
                ci95_documents=(_r(doc.low), _r(doc.high)),
                ci95_characters=(_r(char.low), _r(char.high)),
                estimated_tokens=round(characters * factor),
                token_factor=factor,
                members=members,
                caveat=caveat,
            )
        )
    rows.sort(key=lambda r: (-r.share_documents, -r.share_characters, r.language))

    labels = all_labels()
    covered = {r.language for r in rows} | {m for r in rows for m in r.members}
    all_strata = strata_for("\x00none")
    upper = _r(absent_upper_bound(all_strata)) if strata_records else 1.0
    for tag in declared:
        if tag in covered:
            continue
        if tag in labels:
            rows.append(
                LanguageRow(
                    tag, "absent", 0, 0, 0.0, 0.0, (0.0, upper), (0.0, upper), 0, token_factor(tag)
                )
            )
        else:
            rows.append(
                LanguageRow(
                    tag, "unverifiable", 0, 0, 0.0, 0.0, None, None, 0, token_factor(tag),
                    caveat="no detector used here can identify this language",
                )
            )  # fmt: skip

    licence = evidence(
        options.declared_license,
        licence_files,
        _sum_counts(p.licence_values for p in profiles),
    )

    flags: list[str] = []
    main_rows = [r for r in rows if r.status in ("detected", "group") and r.documents]
    verifiable_declared = [d for d in declared if d in labels]
    if main_rows and verifiable_declared:
        top = main_rows[0]
        names = {top.language, *top.members}
        if not names & set(declared):
            flags.append("language_mismatch")
    if declared and not verifiable_declared:
        flags.append("declared_languages_unverifiable")
    if any(r.status == "group" for r in rows):
        flags.append("confusable_group")
    if any(r.status == "undetermined" and r.share_documents >= 0.05 for r in rows):
        flags.append("undetermined_text")
    if licence.conflict:
        flags.append("licence_conflict")
    if any(not p.complete for p in profiles):
        flags.append("incomplete_shards")
    records_total = totals.documents + totals.parse_errors
    if totals.parse_errors and totals.parse_errors * 2 > records_total:
        flags.append("mostly_unparseable")
    elif totals.parse_errors:
        flags.append("parse_errors")
    if totals.invalid_utf8_sequences:
        flags.append("invalid_utf8")
    if totals.nul_characters:
        flags.append("nul_characters")
    if hashed and duplicates * 10 > hashed:
        flags.append("high_duplicate_rate")
    if totals.documents == 0:
        flags.append("no_documents")
    if not full_pass:
        flags.append("sampled")

    nonempty = max(1, hashed)
    mixed = round(mixed_estimate)
    quality = Quality(
        mean_document_chars=round(totals.characters / totals.documents, 1)
        if totals.documents
        else 0.0,
        median_document_chars=_median(_sum_counts(p.length_histogram for p in profiles)),
        empty_share=_ratio(totals.empty_documents, totals.documents),
        too_short_share=_ratio(totals.too_short_documents, nonempty),
        replacement_char_share=_ratio(totals.replacement_char_documents, totals.documents),
        duplicate_rate=_ratio(duplicates, nonempty),
        mixed_share=_ratio(mixed_estimate, population_total),
        parse_error_rate=_ratio(totals.parse_errors, records_total),
    )
    reasons: list[str] = []
    for profile in profiles:
        for reason in profile.parse_error_reasons:
            if len(reasons) < MAX_REASONS:
                reasons.append(f"{profile.name}: {reason}")
    asset_totals = AssetTotals(
        files=totals.files,
        compressed_bytes=totals.compressed_bytes,
        uncompressed_bytes=totals.uncompressed_bytes,
        documents=totals.documents,
        empty_documents=totals.empty_documents,
        characters=totals.characters,
        words=totals.words,
        estimated_tokens=round(totals.characters * mean_factor),
        duplicate_documents=duplicates,
        invalid_utf8_sequences=totals.invalid_utf8_sequences,
        parse_errors=totals.parse_errors,
        parse_error_reasons=tuple(reasons),
        too_short_documents=totals.too_short_documents,
        mixed_documents=mixed,
        labellable_documents=totals.labellable_documents,
        labelled_documents=labelled,
        incomplete_shards=sum(1 for p in profiles if not p.complete),
    )
    detectors = profiles[0].detectors if profiles else ()
    sampling = {
        "method": "bottom-k per shard, stratified by shard",
        "sample_size": options.sample_size,
        "labelled_documents": labelled,
        "strata": len(strata_records),
        "seeds": sorted({p.seed for p in profiles}),
        "full_pass": full_pass,
        "langid_modes": sorted({p.langid_mode for p in profiles}),
        "min_label_chars": options.min_label_chars,
    }
    return AssetProfile(
        totals=asset_totals,
        languages=tuple(rows),
        scripts=scripts,
        licence=licence,
        quality=quality,
        flags=tuple(flags),
        detectors=tuple(detectors),
        sampling=sampling,
        declared_languages=declared,
        stop_reasons=tuple((p.name, p.stop_reason) for p in profiles if p.stop_reason),
    )


def distinct_count(values: np.ndarray[Any, Any]) -> int:
    """Number of distinct values (sort-based: much faster than hashing for uint64)."""
    if not len(values):
        return 0
    ordered = np.sort(values)
    return int(np.count_nonzero(ordered[1:] != ordered[:-1])) + 1


def _is_mixed(record: SampleRecord) -> bool:
    return record.mixed


def _sum_counts(mappings: Iterable[Mapping[Any, int]]) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for mapping in mappings:
        for key, value in mapping.items():
            out[key] = out.get(key, 0) + value
    return out


def shard_names(profiles: Sequence[ShardProfile]) -> list[str]:
    return sorted(p.name for p in profiles)
