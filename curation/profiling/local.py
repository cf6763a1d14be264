"""Profile local files or directories in this process (tests, the demo, the benchmark). The
inventory's location layer does the same through its own openers, one task per shard."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from curation.profiling.asset import AssetProfile, merge
from curation.profiling.licence import LicenceFile, is_licence_file, licence_file
from curation.profiling.options import ProfileOptions, infer_format
from curation.profiling.shard import ShardProfile, profile_shard


def data_files(root: Path, options: ProfileOptions) -> tuple[list[Path], list[Path]]:
    """(data shards, licence/README files) under `root` (a file or a directory), sorted."""
    if root.is_file():
        return [root], []
    data: list[Path] = []
    licences: list[Path] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if is_licence_file(path.name):
            licences.append(path)
        elif infer_format(path.name) == options.format or (
            options.format in ("text",) and infer_format(path.name) is None
        ):
            data.append(path)
    return data, licences


def _opener(path: Path) -> IO[bytes]:
    return path.open("rb")


def profile_paths(
    paths: Iterable[str | Path], options: ProfileOptions
) -> tuple[AssetProfile, list[ShardProfile]]:
    """Profile every data file under `paths` and merge the results."""
    shards: list[ShardProfile] = []
    licences: list[LicenceFile] = []
    for item in paths:
        root = Path(item)
        data, licence_paths = data_files(root, options)
        base = root if root.is_dir() else root.parent
        for path in data:
            shards.append(
                profile_shard(
                    functools.partial(_opener, path),
                    options,
                    name=str(path.relative_to(base)),
                    compressed_size=path.stat().st_size,
                )
            )
        for path in licence_paths:
            licences.append(licence_file(str(path.relative_to(base)), path.read_bytes()[: 1 << 20]))
    return merge(shards, options, licence_files=licences), shards
