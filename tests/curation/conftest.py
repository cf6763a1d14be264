import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from inventory.models import Asset
from tests.factories import AssetFactory, MembershipFactory, OrganizationFactory

SWAHILI = [
    "Habari za asubuhi, leo tunazungumza kuhusu elimu na afya ya jamii yetu.",
    "Wanafunzi wengi walifika shuleni mapema ili kujiandaa kwa mtihani wa mwisho.",
    "Serikali imetangaza mpango mpya wa kuboresha huduma za maji vijijini.",
    "Wakulima wanasubiri mvua za masika ili waanze kupanda mahindi na maharage.",
]
ENGLISH = [
    "The ministry published a report on literacy rates across all counties this year.",
    "Teachers met in the capital to discuss the new curriculum for primary schools.",
]


def write_jsonl(path: Path, texts: list[str], *, compress: bool = False) -> None:
    body = "".join(json.dumps({"text": t}) + "\n" for t in texts).encode()
    path.write_bytes(gzip.compress(body, mtime=0) if compress else body)


@pytest.fixture
def corpus(storage_root: Path) -> Path:
    """Four shards: three JSONL (one gzipped) and a licence file."""
    directory = storage_root / "corpus"
    (directory / "news.jsonl").unlink()
    for n in range(3):
        texts = [f"{t} Toleo {n}-{i}." for i, t in enumerate(SWAHILI * 5)]
        if n == 2:
            texts += [f"{t} Edition {i}." for i, t in enumerate(ENGLISH * 5)]
        write_jsonl(directory / f"part-{n}.jsonl.gz", texts, compress=n == 1)
        if n != 1:
            (directory / f"part-{n}.jsonl.gz").rename(directory / f"part-{n}.jsonl")
    return directory


@pytest.fixture
def steward(storage_root: Path) -> Any:
    return MembershipFactory(organization=OrganizationFactory(slug="knls")).user


@pytest.fixture
def asset(corpus: Path, steward: Any) -> Asset:
    return AssetFactory(
        organization=steward.memberships.get().organization,
        location="test:corpus",
        languages=["sw", "en"],
    )
