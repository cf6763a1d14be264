"""Language identification of sampled documents: a Unicode-script pass, then detectors behind
one small interface (pycld2 and langdetect; their label sets are data in `detectors.json`).

Rules, in order (see `Identifier.identify`):
1. No letters at all → `und-Zyyy`. The dominant script of the letters decides what follows.
2. Scripts used by one language answer directly (Greek → el, Georgian → ka, Armenian → hy,
   Hangul → ko, kana → ja, Thai → th, …). Ethiopic is am/ti: left to the detectors.
3. pycld2. A reliable answer whose language is written in the dominant script is taken when
   langdetect cannot name that language; in "fast" mode it is also taken when langdetect could
   (langdetect costs about 50× more CPU), in "full" mode langdetect gets the last word.
4. Otherwise langdetect (seeded) and pycld2's best-effort guess are compared: agreement wins; a
   best-effort guess that langdetect cannot name wins over langdetect (langdetect would name
   another language with near-certain confidence); else langdetect when it is confident.
5. Whatever no detector can judge is `und-<Script>`, never another language.
Any detector answer whose language is not written in the dominant script is rejected.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from curation.profiling.scripts import letter_scripts

_DATA = Path(__file__).with_name("detectors.json")

# Scripts written (at scale) by one language: the script alone names it.
SCRIPT_LANGUAGE: dict[str, str] = {
    "Grek": "el",
    "Geor": "ka",
    "Armn": "hy",
    "Thai": "th",
    "Hang": "ko",
    "Jpan": "ja",
    "Taml": "ta",
    "Telu": "te",
    "Knda": "kn",
    "Mlym": "ml",
    "Gujr": "gu",
    "Guru": "pa-Guru",
    "Orya": "or",
    "Sinh": "si",
    "Khmr": "km",
    "Laoo": "lo",
    "Thaa": "dv",
    "Hebr": "he",  # Yiddish is taken when pycld2 reliably says so
}
# Languages written in several scripts, tagged with the script of the text (sr → sr-Latn).
SCRIPT_TAGGED = frozenset({"sr", "pa"})

# Confusable groups: reported together with a caveat, never split by a detector's guess.
GROUPS: tuple[tuple[str, ...], ...] = (
    ("bs", "hr", "sr-Latn"),
    ("id", "ms"),
    ("da", "nb", "nn"),
    ("cs", "sk"),
)
GROUP_CAVEAT = (
    "the detectors cannot reliably tell these languages apart; the counts are for the group"
)

MIN_LANGDETECT_PROB = 0.9
LANGDETECT_CHARS = 600  # langdetect reads at most this much of a text (its cost grows with it)
MIXED_SEGMENT_CHARS = 100
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SEGMENT_BREAK = re.compile(r"\n+|(?<=[.!?;։።።።؟।。！？])\s+")


@cache
def detector_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_DATA.read_text(encoding="utf-8"))
    return data


def language_scripts() -> Mapping[str, list[str]]:
    scripts: dict[str, list[str]] = detector_data()["language_scripts"]
    return scripts


def group_of(tag: str) -> tuple[str, ...] | None:
    for group in GROUPS:
        if tag in group:
            return group
    return None


@dataclass(frozen=True)
class Guess:
    """One detector's raw answer: its own code, a confidence in [0, 1], its reliability flag."""

    code: str
    confidence: float
    reliable: bool
    shares: tuple[tuple[str, float], ...] = ()  # (code, share of the text) when it says


class Detector(Protocol):
    name: str
    version: str

    @property
    def labels(self) -> Mapping[str, str]:
        """Detector code → canonical BCP 47 tag."""
        ...

    def detect(self, text: str, *, best_effort: bool = False) -> Guess | None: ...


class Cld2Detector:
    name = "pycld2"

    def __init__(self) -> None:
        import pycld2

        self._cld2 = pycld2
        self.version = str(pycld2.__version__)
        self._labels: dict[str, str] = detector_data()["pycld2"]["labels"]

    @property
    def labels(self) -> Mapping[str, str]:
        return self._labels

    def detect(self, text: str, *, best_effort: bool = False) -> Guess | None:
        clean = _CONTROL.sub(" ", text)
        try:
            reliable, _, details = self._cld2.detect(clean, bestEffort=best_effort)
        except self._cld2.error:
            return None
        code, percent = details[0][1], details[0][2]
        if code == "un":
            return None
        shares = tuple((d[1], d[2] / 100) for d in details if d[1] != "un")
        return Guess(code, percent / 100, bool(reliable), shares)


class LangdetectDetector:
    """langdetect with its own factory and an explicit seed per detector (no global state)."""

    name = "langdetect"

    def __init__(self, seed: int) -> None:
        from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

        self.seed = seed
        self.version = detector_data()["langdetect"]["version"]
        self._labels: dict[str, str] = detector_data()["langdetect"]["labels"]
        self._factory = _langdetect_factory(PROFILES_DIRECTORY, DetectorFactory)

    @property
    def labels(self) -> Mapping[str, str]:
        return self._labels

    def detect(self, text: str, *, best_effort: bool = False) -> Guess | None:
        from langdetect.lang_detect_exception import LangDetectException

        detector = self._factory.create()
        detector.seed = self.seed
        detector.set_max_text_length(LANGDETECT_CHARS)
        detector.append(text)
        try:
            ranked = detector.get_probabilities()
        except LangDetectException:
            return None
        if not ranked:
            return None
        return Guess(
            ranked[0].lang, float(ranked[0].prob), float(ranked[0].prob) >= MIN_LANGDETECT_PROB
        )


@cache
def _langdetect_factory(directory: str, factory_class: Any) -> Any:
    factory = factory_class()
    factory.load_profile(directory)
    return factory


@dataclass(frozen=True)
class Answer:
    tag: str  # canonical BCP 47 tag or und-<Script>
    detector: str  # "script", "pycld2", "langdetect", "none"


def dominant_script(text: str) -> str | None:
    counts = letter_scripts(text)
    if not counts:
        return None
    han = counts.get("Hani", 0)
    kana = counts.get("Hira", 0) + counts.get("Kana", 0)
    if kana and kana >= 0.1 * (han + kana) and (han + kana) >= 0.5 * sum(counts.values()):
        return "Jpan"
    best = max(counts.items(), key=lambda item: (item[1], item[0]))[0]
    if best in ("Hira", "Kana"):
        return "Jpan"
    return best


class Identifier:
    """The cascade. One instance per process and seed; not thread-safe (langdetect isn't)."""

    def __init__(self, seed: int = 0, mode: str = "fast") -> None:
        self.seed = seed
        self.mode = mode
        self.cld2 = Cld2Detector()
        self.langdetect = LangdetectDetector(seed)
        self.langdetect_tags = frozenset(self.langdetect.labels.values())
        self.scripts = language_scripts()
        self.last_cld2: Guess | None = None

    @property
    def detectors(self) -> list[Detector]:
        return [self.cld2, self.langdetect]

    def describe(self) -> list[dict[str, Any]]:
        """Name, version, seed and label set of every detector, for the profile."""
        out: list[dict[str, Any]] = [
            {
                "name": "unicode-script",
                "version": "1",
                "seed": None,
                "labels": sorted(set(SCRIPT_LANGUAGE.values())),
            }
        ]
        for detector in self.detectors:
            out.append(
                {
                    "name": detector.name,
                    "version": detector.version,
                    "seed": self.seed if detector.name == "langdetect" else None,
                    "labels": sorted(set(detector.labels.values())),
                }
            )
        return out

    def _resolve(self, detector: Detector, guess: Guess | None, script: str) -> str | None:
        """The canonical tag of a guess when its language is written in `script`."""
        if guess is None:
            return None
        tag = detector.labels.get(guess.code)
        if tag is None:
            return None
        base = tag.split("-")[0]
        if base in SCRIPT_TAGGED:
            tag = f"{base}-{script}"
        allowed = self.scripts.get(tag)
        if allowed is None or script not in allowed:
            return None
        return tag

    def identify(self, text: str) -> Answer:
        self.last_cld2 = None
        script = dominant_script(text)
        if script is None:
            return Answer("und-Zyyy", "none")
        direct = SCRIPT_LANGUAGE.get(script)
        if direct is not None and script != "Hebr":
            return Answer(direct, "script")
        cld2 = self.cld2.detect(text)
        self.last_cld2 = cld2
        ctag = self._resolve(self.cld2, cld2, script)
        if direct is not None:  # Hebrew script: Hebrew unless pycld2 reliably says Yiddish
            return Answer("yi" if ctag == "yi" and cld2 and cld2.reliable else direct, "script")
        if ctag and cld2 and cld2.reliable:
            if ctag not in self.langdetect_tags or self.mode == "fast":
                return Answer(ctag, "pycld2")
            lguess = self.langdetect.detect(text)
            ltag = self._resolve(self.langdetect, lguess, script)
            if ltag and lguess and lguess.confidence >= 0.5:
                return Answer(ltag, "langdetect")
            return Answer(ctag, "pycld2")
        best = self.cld2.detect(text, best_effort=True)
        btag = self._resolve(self.cld2, best, script)
        lguess = self.langdetect.detect(text)
        ltag = self._resolve(self.langdetect, lguess, script)
        if btag and btag == ltag:
            return Answer(btag, "pycld2+langdetect")
        if btag and btag not in self.langdetect_tags:
            return Answer(btag, "pycld2")
        if ltag and lguess and lguess.confidence >= MIN_LANGDETECT_PROB:
            return Answer(ltag, "langdetect")
        return Answer(f"und-{script}", "none")

    def label_document(self, text: str) -> list[tuple[str, int]]:
        """Characters of `text` per language, largest first. A text that pycld2 does not find
        to be at least 80% one language is cut into segments of at least 100 characters that
        are labelled separately."""
        whole = self.identify(text)
        if len(text) < 2 * MIXED_SEGMENT_CHARS:
            return [(whole.tag, len(text))]
        guess = self.last_cld2 or self.cld2.detect(text, best_effort=True)
        if (
            guess is not None
            and guess.shares
            and guess.shares[0][1] >= 0.8
            and whole.tag != "und-Zyyy"
        ):
            return [(whole.tag, len(text))]
        counts: dict[str, int] = {}
        for segment in segments(text):
            tag = self.identify(segment).tag
            counts[tag] = counts.get(tag, 0) + len(segment)
        if len(counts) == 1:
            return [(whole.tag, len(text))]
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def segments(text: str, minimum: int = MIXED_SEGMENT_CHARS) -> list[str]:
    """`text` cut at line and sentence ends into pieces of at least `minimum` characters."""
    pieces = [p for p in _SEGMENT_BREAK.split(text) if p and not p.isspace()]
    out: list[str] = []
    current = ""
    for piece in pieces:
        current = f"{current} {piece}" if current else piece
        if len(current) >= minimum:
            out.append(current)
            current = ""
    if current:
        if out and len(current) < minimum:
            out[-1] = f"{out[-1]} {current}"
        else:
            out.append(current)
    return out


@cache
def identifier(seed: int, mode: str) -> Identifier:
    return Identifier(seed, mode)


def all_labels() -> frozenset[str]:
    """Every tag some detector (or the script pass) can answer."""
    data = detector_data()
    tags = set(SCRIPT_LANGUAGE.values())
    for name in ("langdetect", "pycld2"):
        tags.update(data[name]["labels"].values())
    for base in SCRIPT_TAGGED:
        tags.update(t for t in language_scripts() if t.startswith(base + "-"))
    return frozenset(tags)
