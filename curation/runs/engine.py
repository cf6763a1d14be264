"""The bridge between stored runs and the pure profiling engine: options from an asset (which
reads its declared languages), one shard's result as JSON, the merge of stored results."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from curation import profiling
from curation.profiling import ProfileOptions, ShardProfile
from curation.profiling.langid import identifier
from curation.profiling.memory import keep_heap
from curation.profiling.ranges import line_range
from inventory.locations import LocationError
from inventory.models import Asset

DataError = profiling.ShardDataError
TransientError = profiling.ShardIOError
EVIDENCE_READ_BYTES = 1 << 20


def options_for(asset: Asset, sample_size: int, seed: int) -> dict[str, Any]:
    """The engine options of `asset`, stored on its run (so a retry reads them unchanged)."""
    options = ProfileOptions(
        format=asset.format,  # type: ignore[arg-type]
        compression=asset.compression or None,  # type: ignore[arg-type]
        document_unit=asset.document_unit or "line",  # type: ignore[arg-type]
        text_field=asset.text_field or "text",
        sample_size=sample_size,
        seed=seed,
        declared_languages=tuple(asset.languages.values_list("tag", flat=True)),
        declared_license=asset.license_expression,
    )
    return options.to_json()


def warm() -> None:
    """Keep the C heap from shrinking between batches (`profiling.memory`) and load the
    detectors of the default options (cached per process)."""
    keep_heap()
    options = ProfileOptions()
    identifier(options.seed, options.langid_mode).label_document("Habari ya asubuhi, rafiki.")


def shard_kind(name: str, asset_format: str) -> str:
    """`data`, `evidence` (a LICENSE/README file) or `skip` (a file of another format)."""
    if profiling.is_licence_file(name):
        return "evidence"
    inferred = profiling.infer_format(name)
    return "data" if inferred in (None, asset_format) else "skip"


def sample_sizes(sample_size: int, sizes: Sequence[int | None]) -> list[int]:
    """Each data shard's share of the asset's sample, by size."""
    return profiling.shard_sample_sizes(sample_size, [s or 0 for s in sizes])


def profile_shard(
    opener: Callable[[], IO[bytes]],
    *,
    name: str,
    kind: str,
    options: dict[str, Any],
    sample_size: int | None,
    size: int | None,
) -> dict[str, Any]:
    """Profile one stored shard; the JSON stored as its result."""
    if kind == "evidence":
        with opener() as handle:
            data = handle.read(EVIDENCE_READ_BYTES)
        return {"licence_file": profiling.licence_file(name, data).to_json()}
    engine_options = ProfileOptions.from_json({**options, "shard_sample_size": sample_size})
    shard = profiling.profile_shard(opener, engine_options, name=name, compressed_size=size)
    if shard.stop_reason and shard.totals.documents == 0:
        # Damaged before its first document (a corrupt or truncated stream): nothing to keep.
        raise DataError(shard.stop_reason)
    return {"shard": shard.to_json()}


@dataclass(frozen=True)
class Member:
    """One stored file of a pack, as the worker opens it."""

    name: str
    kind: str  # "data" or "evidence"
    opener: Callable[[], IO[bytes]]
    size: int | None
    lines: tuple[int, int] | None = None  # a line range [start, end) of a big file


def splittable(name: str, options: dict[str, Any]) -> bool:
    """Whether the engine can read `name` in line ranges: uncompressed text or JSON lines, one
    document per line (other units and compressed streams are read from start to end)."""
    engine_options = ProfileOptions.from_json(options)
    return (
        engine_options.format in ("text", "jsonl")
        and engine_options.document_unit == "line"
        and engine_options.compression_for(name) is None
    )


@dataclass(frozen=True)
class Outcome:
    """How one file of a pack ended: `error` when it could not be profiled."""

    error: str = ""
    sha256: str = ""


def profile_pack(
    members: Sequence[Member],
    *,
    options: dict[str, Any],
    sample_size: int | None,
    name: str,
) -> tuple[dict[str, Any], list[Outcome]]:
    """Profile a pack of stored files: its data files as one shard profile, each licence file
    read for evidence. Returns the JSON stored as the pack's result and each file's outcome,
    in order. A file whose location refuses it (LocationError, opening or reading) fails alone.
    Raises TransientError (or OSError) when reading may succeed later."""
    data = [m for m in members if m.kind == "data"]
    outcomes: dict[int, Outcome] = {}
    result: dict[str, Any] = {}
    if data:
        engine_options = ProfileOptions.from_json({**options, "shard_sample_size": sample_size})
        files = [
            profiling.PackFile(m.name, m.opener, m.size)
            if m.lines is None
            else profiling.PackFile(
                m.name, line_range(m.opener, *m.lines), None, range_start=m.lines[0]
            )
            for m in data
        ]
        pack = profiling.profile_pack(
            files, engine_options, name=name, location_errors=(LocationError,)
        )
        if pack.profile is not None:
            result["shard"] = pack.profile.to_json()
        for member, read in zip(data, pack.files, strict=True):
            outcomes[id(member)] = Outcome(read.error, read.sha256)
    licences = []
    for member in members:
        if member.kind == "evidence":
            try:
                with member.opener() as handle:
                    content = handle.read(EVIDENCE_READ_BYTES)
            except LocationError as exc:
                outcomes[id(member)] = Outcome(error=f"location: {exc}")
                continue
            licences.append(profiling.licence_file(member.name, content).to_json())
            outcomes[id(member)] = Outcome()
    if licences:
        result["licence_files"] = licences
    return result, [outcomes[id(m)] for m in members]


def merge(
    results: list[dict[str, Any]], options: dict[str, Any], *, failed: list[tuple[str, str]]
) -> dict[str, Any]:
    """Merge stored shard results; failed shards are listed and make the profile partial."""
    shards = [ShardProfile.from_json(r["shard"]) for r in results if "shard" in r]
    licences = [
        profiling.LicenceFile.from_json(data)
        for r in results
        for data in ([r["licence_file"]] if "licence_file" in r else r.get("licence_files", []))
    ]
    merged = profiling.merge(
        shards, ProfileOptions.from_json(options), licence_files=licences
    ).to_json()
    merged["complete"] = not failed
    merged["failed_shards"] = [{"name": name, "error": error} for name, error in failed]
    if failed:
        merged["flags"] = [
            *merged["flags"],
            f"partial: {len(failed)} of {len(failed) + sum(p.totals.files for p in shards)} "
            "data shards unreadable",
        ]
    return merged
