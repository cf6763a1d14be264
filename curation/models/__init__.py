"""The curation app's models, defined in their domains and gathered here so that the app label,
tables and migrations stay those of one app."""

from curation.coverage.models import CoveragePolicy, CoverageReport, Gap
from curation.manifests.models import (
    FileChecksum,
    Manifest,
    ManifestDownload,
    ManifestEntry,
    ManifestVersion,
)
from curation.runs.models import (
    AssetProfile,
    ProfileLanguage,
    ProfileRun,
    ProfileShard,
    ShardResult,
    WorkerHeartbeat,
)

__all__ = [
    "AssetProfile",
    "CoveragePolicy",
    "CoverageReport",
    "FileChecksum",
    "Gap",
    "Manifest",
    "ManifestDownload",
    "ManifestEntry",
    "ManifestVersion",
    "ProfileLanguage",
    "ProfileRun",
    "ProfileShard",
    "ShardResult",
    "WorkerHeartbeat",
]
