"""Packs: several small files profiled as one shard, and how files are grouped into packs."""

from __future__ import annotations

import gzip
import hashlib
import io
from typing import Any

import numpy as np
import pytest

from curation.profiling import PackFile, ProfileOptions, merge, plan_packs, profile_pack
from curation.profiling.shard import Totals, open_bytes
from tests.profiling.conftest import profile_bytes

SWAHILI = "Habari ya asubuhi rafiki yangu, leo tunasoma kitabu kipya shuleni {}."
ENGLISH = "Good morning my friend, today we read a new book at school number {}."


def small_files(count: int) -> list[tuple[str, bytes]]:
    files = []
    for n in range(count):
        lines = [
            SWAHILI.format(n * 10 + i) if n % 3 else ENGLISH.format(n * 10 + i) for i in range(7)
        ]
        lines.append(SWAHILI.format(0))  # the same document in every file: a duplicate
        body = ("\n".join(lines) + "\n").encode()
        name = f"part-{n:03d}.txt"
        if n % 4 == 1:
            body, name = gzip.compress(body, mtime=0), name + ".gz"
        files.append((name, body))
    return files


def pack_of(files: list[tuple[str, bytes]]) -> list[PackFile]:
    return [PackFile(name, open_bytes(body), len(body)) for name, body in files]


def test_a_pack_counts_exactly_what_its_files_count_one_by_one() -> None:
    files = small_files(12)
    options = ProfileOptions(sample_size=10_000)

    pack = profile_pack(pack_of(files), options)
    singles = [profile_bytes(body, options, name) for name, body in files]

    assert pack.profile is not None
    summed = sum((s.totals for s in singles), Totals())
    assert pack.profile.totals == summed
    assert pack.profile.totals.files == 12
    union = np.unique(np.concatenate([np.frombuffer(s.hashes, "<u8") for s in singles]))
    assert pack.profile.hashes == union.astype("<u8").tobytes()
    assert [f.name for f in pack.files] == [name for name, _ in files]
    assert [f.sha256 for f in pack.files] == [hashlib.sha256(b).hexdigest() for _, b in files]
    assert [f.documents for f in pack.files] == [8] * 12
    assert [f.compression for f in pack.files][:3] == [None, "gz", None]
    # A census in both: the asset's languages come out the same from the pack and the singles.
    together, apart = merge([pack.profile], options), merge(singles, options)
    assert together.totals == apart.totals
    assert [(r.language, r.documents) for r in together.languages] == [
        (r.language, r.documents) for r in apart.languages
    ]
    assert len(pack.profile.sample) == 12 * 8  # one sample for the pack, not one per file


def test_a_pack_labels_its_share_of_the_sample_once() -> None:
    options = ProfileOptions(sample_size=5000, shard_sample_size=20)

    pack = profile_pack(pack_of(small_files(30)), options)

    assert pack.profile is not None
    assert len(pack.profile.sample) == 20
    assert pack.profile.sketch is not None
    assert len(pack.profile.sketch.entries) <= options.per_shard_sketch


def test_an_unreadable_file_is_left_out_of_the_pack_with_its_reason() -> None:
    files = small_files(5)
    broken = ("part-bad.txt.gz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\xff" * 64)
    options = ProfileOptions(sample_size=1000)

    pack = profile_pack(pack_of([*files[:2], broken, *files[2:]]), options)
    clean = profile_pack(pack_of(files), options, name=pack.profile.name if pack.profile else "")

    assert [f.error != "" for f in pack.files] == [False, False, True, False, False, False]
    assert pack.files[2].error.startswith("corrupt gzip stream")
    assert pack.profile is not None
    assert clean.profile is not None
    assert pack.profile.totals == clean.profile.totals
    assert pack.profile.totals.files == 5


def test_a_pack_whose_every_file_is_unreadable_has_no_profile() -> None:
    options = ProfileOptions(format="jsonl")

    pack = profile_pack(
        pack_of([("a.jsonl.gz", b"\x1f\x8b\x08\x00"), ("b.jsonl.gz", b"\x1f\x8b\x08")]), options
    )

    assert pack.profile is None
    assert all(f.error for f in pack.files)


def test_a_pack_of_one_file_is_that_file_profiled_alone() -> None:
    name, body = small_files(1)[0]
    options = ProfileOptions(sample_size=100)

    pack = profile_pack(pack_of([(name, body)]), options)

    assert pack.profile == profile_bytes(body, options, name)


def test_parse_errors_and_stop_reasons_name_the_file_of_the_pack() -> None:
    good = b'{"text": "Habari ya asubuhi rafiki yangu"}\n'
    files = [("a.jsonl", good), ("b.jsonl", good + b"{not json\n"), ("c.jsonl", good)]
    cut = gzip.compress(good * 5000)
    files.append(("d.jsonl.gz", cut[: len(cut) // 2]))
    options = ProfileOptions(format="jsonl")

    pack = profile_pack(pack_of(files), options)
    asset = merge([pack.profile], options)

    assert pack.profile is not None
    assert asset.totals.parse_error_reasons[0].startswith("b.jsonl: ")
    assert [name for name, _ in asset.stop_reasons] == ["d.jsonl.gz"]
    assert pack.files[3].sha256 == ""  # read only in part


@pytest.mark.parametrize(
    ("sizes", "target", "spread", "max_files", "packs"),
    [
        ([10, 10, 10, 10], 25, 1, 100, [[0, 1], [2, 3]]),
        ([10, 10, 10, 10], 1000, 2, 100, [[0, 1], [2, 3]]),  # a small asset: about 2 packs
        ([10, 10, 10, 10], 1000, 1, 3, [[0, 1, 2], [3]]),
        ([5, 100, 5, 5], 20, 1, 100, [[0], [1], [2, 3]]),  # a big file: a pack of its own
        ([None, 5, 5], 20, 1, 100, [[0], [1, 2]]),  # unknown size: taken as the target
        ([], 20, 4, 10, []),
    ],
)
def test_plan_packs(sizes, target, spread, max_files, packs) -> None:
    assert plan_packs(sizes, target_bytes=target, spread=spread, max_files=max_files) == packs


def test_plan_packs_refuses_a_zero_target() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        plan_packs([1], target_bytes=0, spread=1, max_files=1)


class Refused(Exception):
    """A location's refusal in the middle of a read (a byte or time cap)."""


class _RefusingStream(io.RawIOBase):
    def __init__(self, head: bytes) -> None:
        self.head = head

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self.head:
            raise Refused("larger than the cap")
        n = min(len(buffer), len(self.head))
        buffer[:n] = self.head[:n]
        self.head = self.head[n:]
        return n


def counting(files: list[tuple[str, bytes]], opened: list[str]) -> list[PackFile]:
    def opener(name: str, body: bytes) -> Any:
        def open_file() -> Any:
            opened.append(name)
            return io.BytesIO(body)

        return open_file

    return [PackFile(name, opener(name, body), len(body)) for name, body in files]


def test_files_that_fail_before_their_first_document_cost_no_second_pass() -> None:
    good = small_files(12)
    broken = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\xff" * 64
    mixed = [
        f
        for pair in zip(good, [(f"bad-{n}.txt.gz", broken) for n in range(12)], strict=False)
        for f in pair
    ]
    opened: list[str] = []
    options = ProfileOptions(sample_size=1000)

    pack = profile_pack(counting(mixed, opened), options, name="pack")
    clean = profile_pack(pack_of(good), options, name="pack")

    assert sorted(opened) == sorted(name for name, _ in mixed)  # each file opened once
    assert [f.error != "" for f in pack.files] == [False, True] * 12
    assert pack.profile is not None
    assert clean.profile is not None
    assert pack.profile.totals == clean.profile.totals
    assert pack.profile.hashes == clean.profile.hashes
    assert pack.profile.sample == clean.profile.sample


def test_a_file_refused_part_way_is_left_out_and_the_pack_profiled_again() -> None:
    good = small_files(4)
    head = b"".join(b"Habari ya leo rafiki %d\n" % i for i in range(50))
    files = [
        *pack_of(good[:2]),
        PackFile("cut.txt", lambda: io.BufferedReader(_RefusingStream(head)), None),
        *pack_of(good[2:]),
    ]
    options = ProfileOptions(sample_size=1000)

    pack = profile_pack(files, options, name="pack", location_errors=(Refused,))
    clean = profile_pack(pack_of(good), options, name="pack")

    assert pack.files[2].error == "location: larger than the cap"
    assert pack.profile is not None
    assert clean.profile is not None
    assert pack.profile.totals == clean.profile.totals
    assert pack.profile.totals.files == 4
