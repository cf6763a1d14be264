"""Language tags: every tag that enters the system (a form, an API call, a detector's answer, CLDR)
passes through `normalize`, which gives one canonical BCP 47 tag to store and join on.

Canonical form: the language subtag after IANA/CLDR aliases (`iw` → `he`, `tl` → `fil`) and
macrolanguage folding (`zsm` → `ms`, `cmn` → `zh`), then a script subtag only where it carries
meaning: always for languages written at scale in two scripts (`zh-Hans`/`zh-Hant`,
`sr-Cyrl`/`sr-Latn`, `pa-Guru`/`pa-Arab`), otherwise only when it differs from the language's usual
script (`ms-Arab`, `ha-Arab`). Regions are dropped (`en-GB` → `en`): the nation is a dimension of
its own. The tag as given and its individual-language form are kept beside the canonical one.
"""

from dataclasses import dataclass
from functools import cache

from langcodes import Language, standardize_tag, tag_is_valid
from langcodes.tag_parser import LanguageTagError

# Languages whose written form is split between two scripts with large readerships, so a tag
# without a script is ambiguous and the script is always shown (filled in from likely subtags).
ALWAYS_SCRIPTED = frozenset({"zh", "sr", "pa"})

# `no` (Norwegian) is the macrolanguage of `nb` (Bokmål) and `nn` (Nynorsk). CLDR lists both `no`
# and `nb` for Norway at 100%, and detectors answer `no` for Bokmål text: folding `no` into `nb`
# keeps Norway's written standard counted once.
FOLD_INTO_INDIVIDUAL = {"no": "nb"}


class InvalidLanguageTag(ValueError):
    """A value that is not a known BCP 47, ISO 639-1/3 or detector language code."""


@dataclass(frozen=True)
class LanguageTag:
    original: str  # as given
    individual: str  # the individual language before macrolanguage folding (`zsm`, `cmn`, `nb`)
    tag: str  # the canonical tag: stored, joined with CLDR, shown
    language: str  # the canonical tag's language subtag
    script: str | None  # the canonical tag's script subtag, when it has one

    @property
    def folded(self) -> bool:
        """Whether an individual language was folded into its macrolanguage."""
        return self.individual.split("-")[0] != self.language


@cache
def _likely_script(language: str, territory: str | None = None) -> str | None:
    script: str | None = Language.make(language=language, territory=territory).maximize().script
    return script


@cache
def normalize(value: str) -> LanguageTag:
    """Return the canonical form of `value`, or raise InvalidLanguageTag naming it."""
    text = value.strip().replace("_", "-") if isinstance(value, str) else ""
    if not text:
        raise InvalidLanguageTag(f"empty language tag: {value!r}")
    try:
        valid = tag_is_valid(text)
        parsed = Language.get(standardize_tag(text)) if valid else None
    except (LanguageTagError, ValueError) as exc:
        raise InvalidLanguageTag(f"unknown language tag {value!r}: {exc}") from exc
    if parsed is not None and parsed.language is None and text.lower().split("-")[0] == "und":
        # `und`: undetermined language (what a detector says when it cannot judge), kept with its
        # script (`und-Ethi`) so text no detector knows is still counted, and honestly.
        parsed = Language.make(language="und", script=parsed.script)
    if parsed is None or not parsed.language:
        raise InvalidLanguageTag(
            f"unknown language tag {value!r}: not a BCP 47, ISO 639-1 or ISO 639-3 code"
        )
    individual = FOLD_INTO_INDIVIDUAL.get(parsed.language, parsed.language)
    language = standardize_tag(individual, macro=True)
    language = FOLD_INTO_INDIVIDUAL.get(language, language)
    script = parsed.script or (
        _likely_script(parsed.language, parsed.territory) if parsed.territory else None
    )
    usual = None if language == "und" else _likely_script(language)
    if language in ALWAYS_SCRIPTED:
        script = script or usual
    elif script == usual:
        script = None
    suffix = f"-{script}" if script else ""
    return LanguageTag(
        original=value,
        individual=individual + suffix,
        tag=language + suffix,
        language=language,
        script=script,
    )


def canonical(value: str) -> str:
    """The canonical tag of `value` (see `normalize`)."""
    return normalize(value).tag


def display_name(tag: str) -> str:
    """The English name of a canonical tag, e.g. `Chinese (Simplified)`."""
    name: str = Language.get(tag).display_name("en")
    return name


def default_script(tag: str) -> str | None:
    """The script a tag is written in when nothing else is said (`sr` → `Cyrl`)."""
    parsed = Language.get(tag)
    return parsed.script or _likely_script(parsed.language or "und")
