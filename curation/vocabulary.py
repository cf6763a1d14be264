"""The curation app's vocabularies, each in one place: licence use-classes and the purposes they
serve, gap severities and their order, and the "mixed" threshold. Pure standard-library code
(use-classes themselves are `inventory.licensing`'s, where licences are classified).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from inventory.licensing import OPEN_CLASSES as OPEN_CLASSES  # commercial training allowed
from inventory.licensing import UseClass as UseClass

# Ordered from most permissive to most restrictive; the order is significant.
USE_CLASSES: Final = tuple(UseClass)
# Usable for research; "unknown" is in no set, so an unclear licence never counts as clean.
RESEARCH_CLASSES: Final = OPEN_CLASSES | {
    UseClass.NO_DERIVATIVES,
    UseClass.NON_COMMERCIAL,
    UseClass.RESEARCH_ONLY,
}
# Use-classes whose files must be attributed wherever they are shipped.
ATTRIBUTION_CLASSES: Final = frozenset({UseClass.OPEN_ATTRIBUTION, UseClass.OPEN_SHARE_ALIKE})


class Purpose(StrEnum):
    """What the data is for, which decides the licences that count."""

    ALL = "all"
    COMMERCIAL = "commercial"
    RESEARCH = "research"


PURPOSES: Final = tuple(Purpose)
# Purposes a manifest selection may name (no purpose means every licence).
SELECTION_PURPOSES: Final = (Purpose.COMMERCIAL, Purpose.RESEARCH)


def classes_for(purpose: Purpose) -> frozenset[UseClass] | None:
    """The use-classes counted for `purpose`; None means every class, unknown included."""
    return {
        Purpose.ALL: None,
        Purpose.COMMERCIAL: OPEN_CLASSES,
        Purpose.RESEARCH: RESEARCH_CLASSES,
    }[purpose]


class Severity(StrEnum):
    """How bad a language's gap is, worst first; the order is significant."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    OK = "ok"

    @property
    def rank(self) -> int:
        """0 for the worst severity."""
        return SEVERITIES.index(self)


SEVERITIES: Final = tuple(Severity)


class LanguageStatus(StrEnum):
    """What a profile says of one language row."""

    DETECTED = "detected"  # a detector named it in the sample
    GROUP = "group"  # a group of languages no detector here tells apart
    UNDETERMINED = "undetermined"  # text no detector could place
    UNVERIFIABLE = "unverifiable"  # declared, and no detector here can identify it
    ABSENT = "absent"  # declared, identifiable, and not found in the sample


LANGUAGE_STATUSES: Final = tuple(LanguageStatus)

# An asset whose main language has less than this share of its characters is "mixed".
MIXED_TOP_SHARE: Final = 0.8
