"""Helpers for the profiling engine's tests (pure: no database)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from curation.profiling import AssetProfile, ProfileOptions, ShardProfile, merge, profile_shard
from curation.profiling.shard import open_bytes

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
CORPORA = FIXTURES / "corpora"


def shared_data(*parts: str) -> Path:
    """`../shared/data/<parts>` beside the clone, else `$SHARED_DATA/<parts>`; skip if absent."""
    candidates = [REPO.parent / "shared" / "data"]
    if os.environ.get("SHARED_DATA"):
        env = Path(os.environ["SHARED_DATA"])
        candidates += [env, env / "data"]
    for base in candidates:
        path = base.joinpath(*parts)
        if path.exists():
            return path
    pytest.skip(f"shared data {'/'.join(parts)} not found beside the repository or in $SHARED_DATA")


def profile_bytes(
    data: bytes, options: ProfileOptions | None = None, name: str = "shard.txt"
) -> ShardProfile:
    return profile_shard(open_bytes(data), options or ProfileOptions(), name=name)


def profile_asset(
    data: bytes, options: ProfileOptions | None = None, name: str = "shard.txt"
) -> AssetProfile:
    options = options or ProfileOptions()
    return merge([profile_bytes(data, options, name)], options)
