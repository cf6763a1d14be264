"""The bridge between stored runs and the pure profiling engine: options from an asset (which
reads its declared languages), one shard's result as JSON, the merge of stored results."""

from collections.abc import Callable
from typing import IO, Any

from curation import profiling
from curation.profiling import ProfileOptions, ShardProfile
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


def shard_kind(name: str, asset_format: str) -> str:
    """`data`, `evidence` (a LICENSE/README file) or `skip` (a file of another format)."""
    if profiling.is_licence_file(name):
        return "evidence"
    inferred = profiling.infer_format(name)
    return "data" if inferred in (None, asset_format) else "skip"


def sample_sizes(sample_size: int, sizes: list[int | None]) -> list[int]:
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


def merge(
    results: list[dict[str, Any]], options: dict[str, Any], *, failed: list[tuple[str, str]]
) -> dict[str, Any]:
    """Merge stored shard results; failed shards are listed and make the profile partial."""
    shards = [ShardProfile.from_json(r["shard"]) for r in results if "shard" in r]
    licences = [
        profiling.LicenceFile.from_json(r["licence_file"]) for r in results if "licence_file" in r
    ]
    merged = profiling.merge(
        shards, ProfileOptions.from_json(options), licence_files=licences
    ).to_json()
    merged["complete"] = not failed
    merged["failed_shards"] = [{"name": name, "error": error} for name, error in failed]
    if failed:
        merged["flags"] = [
            *merged["flags"],
            f"partial: {len(failed)} of {len(failed) + len(shards)} data shards unreadable",
        ]
    return merged
