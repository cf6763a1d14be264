"""Licence evidence: files, SPDX lines, Creative Commons names, record values, conflicts."""

from __future__ import annotations

import pytest

from curation.profiling import ProfileOptions, is_licence_file, licence_file, merge, profile_paths
from curation.profiling.licence import declared_ids_and_class, identify_licences
from tests.profiling.conftest import CORPORA, profile_bytes


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("SPDX-License-Identifier: CC-BY-SA-4.0", ["CC-BY-SA-4.0"]),
        ("see https://creativecommons.org/licenses/by-nc-nd/4.0/ for details", ["CC-BY-NC-ND-4.0"]),
        ("Released under CC BY 4.0.", ["CC-BY-4.0"]),
        ("https://creativecommons.org/publicdomain/zero/1.0/", ["CC0-1.0"]),
        ("nothing to see here", []),
    ],
)
def test_licence_patterns(text, ids):
    assert identify_licences(text) == ids


def test_full_licence_text_is_fingerprinted():
    mit = (
        "Permission is hereby granted, free of charge, to any person obtaining a copy of this "
        'software and associated documentation files (the "Software"), to deal in the Software '
        "without restriction, including without limitation the rights to use, copy, modify, merge, "
        "publish, distribute, sublicense, and/or sell copies of the Software, and to permit "
        "persons "
        "to whom the Software is furnished to do so, subject to the following conditions:\n\n"
        "The above copyright notice and this permission notice shall be included in all copies or "
        "substantial portions of the Software.\n\n"
        'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, '
        "INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR "
        "PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE "
        "FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR "
        "OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER "
        "DEALINGS IN THE SOFTWARE.\n"
    )
    assert licence_file("LICENSE", mit.encode()).licences == ("MIT",)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("LICENSE", True),
        ("LICENCE.txt", True),
        ("COPYING", True),
        ("README.md", True),
        ("LICENSE-MIT", True),
        ("corpus/README.en.md", True),
        ("data.txt", False),
        ("licenses_2024.jsonl", False),
        ("license_records.csv", False),
        ("readme.jsonl.gz", False),
    ],
)
def test_licence_file_names(name, expected):
    assert is_licence_file(name) is expected


def test_a_data_file_named_like_a_licence_is_profiled_as_data(tmp_path):
    (tmp_path / "licenses_2024.jsonl").write_text(
        '{"text": "Habari za asubuhi, rafiki yangu mpendwa wa zamani"}\n'
        '{"text": "Leseni hii inaruhusu matumizi ya bure ya data hii"}\n',
        encoding="utf-8",
    )

    asset, shards = profile_paths([tmp_path], ProfileOptions(format="jsonl"))

    assert [s.name for s in shards] == ["licenses_2024.jsonl"]
    assert asset.totals.documents == 2
    assert asset.licence.files == ()


@pytest.mark.parametrize(
    ("expression", "use_class"),
    [
        ("CC-BY-4.0", "open-attribution"),
        ("CC0-1.0", "open-unrestricted"),
        ("CC-BY-SA-4.0 AND CC-BY-NC-4.0", "non-commercial"),
        ("MIT OR CC-BY-NC-4.0", "open-attribution"),
        ("", "unknown"),
    ],
)
def test_declared_expression_use_class(expression, use_class):
    assert declared_ids_and_class(expression)[1] == use_class


def test_records_more_restrictive_than_the_declaration_are_a_conflict():
    options = ProfileOptions(format="csv", text_field="transcript", declared_license="CC-BY-4.0")

    asset, _ = profile_paths([CORPORA / "zulu-oral-history"], options)

    assert asset.licence.files[0].licences == ("CC-BY-4.0",)
    assert dict(asset.licence.record_values) == {"CC-BY-4.0": 32, "CC-BY-NC-4.0": 8}
    assert asset.licence.conflicts == ("CC-BY-NC-4.0",)
    assert "licence_conflict" in asset.flags


def test_matching_evidence_is_no_conflict():
    options = ProfileOptions(format="text", declared_license="CC-BY-4.0")

    asset, _ = profile_paths([CORPORA / "swahili-news"], options)

    assert (asset.licence.identified, asset.licence.conflict) == (("CC-BY-4.0",), False)


def test_licence_evidence_from_readme_spdx_line():
    options = ProfileOptions(format="text", document_unit="file", declared_license="CC-BY-4.0")

    asset, _ = profile_paths([CORPORA / "russian-library"], options)

    assert asset.licence.identified == ("CC-BY-SA-4.0",)
    assert asset.licence.conflict


def test_record_licence_values_are_counted_without_files():
    shard = profile_bytes(
        b'{"text": "Habari ya asubuhi kwa wote hapa", "license": "cc-by-nc-4.0"}\n',
        ProfileOptions(format="jsonl"),
        "a.jsonl",
    )

    asset = merge([shard], ProfileOptions(format="jsonl", declared_license="CC0-1.0"))

    assert asset.licence.conflicts == ("CC-BY-NC-4.0",)
