"""The profiling engine: pure Python (no Django), streaming, mergeable.

    shard = profile_shard(opener, options, name="part-0001.jsonl.gz")   # one worker per shard
    data = shard.to_json()                                              # store it anywhere
    asset = merge([ShardProfile.from_json(d) for d in stored], options) # anywhere, any order

See `ProfileOptions` for formats, compression, document units, sampling and caps, and
`errors` for what is raised (data errors are not retryable, I/O errors are).
"""

from curation.profiling.asset import AssetProfile, AssetTotals, LanguageRow, Quality, merge
from curation.profiling.errors import (
    ProfilingError,
    ShardDataError,
    ShardIOError,
    UnsupportedInputError,
)
from curation.profiling.licence import LicenceEvidence, LicenceFile, is_licence_file, licence_file
from curation.profiling.local import profile_paths
from curation.profiling.options import Limits, ProfileOptions, infer_compression, infer_format
from curation.profiling.ranges import plan_ranges
from curation.profiling.sampling import plan_packs, shard_sample_sizes
from curation.profiling.shard import (
    FileRead,
    Pack,
    PackFile,
    SampleRecord,
    ShardProfile,
    Totals,
    open_bytes,
    profile_pack,
    profile_shard,
)

__all__ = [
    "AssetProfile",
    "AssetTotals",
    "FileRead",
    "LanguageRow",
    "LicenceEvidence",
    "LicenceFile",
    "Limits",
    "Pack",
    "PackFile",
    "ProfileOptions",
    "ProfilingError",
    "Quality",
    "SampleRecord",
    "ShardDataError",
    "ShardIOError",
    "ShardProfile",
    "Totals",
    "UnsupportedInputError",
    "infer_compression",
    "infer_format",
    "is_licence_file",
    "licence_file",
    "merge",
    "open_bytes",
    "plan_packs",
    "plan_ranges",
    "profile_pack",
    "profile_paths",
    "profile_shard",
    "shard_sample_sizes",
]
