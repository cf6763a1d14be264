"""Unicode scripts (ISO 15924) of characters, at C speed over whole batches of documents.

The Unicode Script property comes from `unicode_scripts.json` (generated from the Unicode
Character Database by `scripts/make_profiling_tables.py`). One lookup table of 0x110000 bytes maps
every code point to a small class id: the script, or one of a few special classes (space, other
whitespace, zero-width space, invisible format/control characters). A batch of documents is
encoded once as UTF-32 and classified with numpy, so no Python loop runs per character.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

_DATA = Path(__file__).with_name("unicode_scripts.json")

# Special classes (ids 0..4); script ids follow.
SPACE, WHITESPACE, ZWSP, SEPARATOR, INVISIBLE = 0, 1, 2, 3, 4
SPECIAL = ("Zsp", "Zws", "Zwsp", "Zsep", "Zinv")

# Scripts written without spaces between words: each character counts as a word.
SPACELESS = frozenset({"Hani", "Hira", "Kana", "Thai", "Laoo", "Khmr", "Mymr"})
# Script codes that are not a writing system (ISO 15924: Common, Inherited, Unknown).
NON_LETTER = frozenset({"Zyyy", "Zinh", "Zzzz"})

# Tokens per character, by script: a tokenizer-neutral estimate (see the table).
TOKENS_PER_CHAR: dict[str, float] = {}
for _codes, _factor in (
    (("Latn", "Cyrl", "Grek", "Zyyy", "Zinh", "Zzzz"), 1 / 4),
    (("Arab", "Hebr", "Syrc", "Thaa"), 1 / 3.5),
    (
        (
            "Deva", "Beng", "Guru", "Gujr", "Orya", "Taml", "Telu", "Knda", "Mlym", "Sinh",
            "Ethi", "Geor", "Armn", "Tibt",
        ),
        1 / 3,
    ),
    (("Hani", "Hira", "Kana", "Jpan"), 0.8),
    (("Thai", "Laoo", "Khmr", "Mymr"), 1 / 2.5),
    (("Hang",), 1 / 2),  # not in the table: Hangul syllables, between Han and Indic
):  # fmt: skip
    for _code in _codes:
        TOKENS_PER_CHAR.setdefault(_code, _factor)
DEFAULT_TOKENS_PER_CHAR = 1 / 4

# Invisible characters: format controls that carry no visible text (ZWNJ/ZWJ are word-internal).
_INVISIBLE = (
    [0x00AD, 0x034F, 0x061C, 0x180E, 0xFEFF, 0xFFFE, 0xFFFF]
    + list(range(0x200C, 0x2010))
    + list(range(0x202A, 0x202F))
    + list(range(0x2060, 0x2070))
    + [c for c in range(0x00, 0x20) if not chr(c).isspace()]
    + [c for c in range(0x7F, 0xA0) if not chr(c).isspace()]
)


@cache
def _loaded() -> tuple[list[str], npt.NDArray[np.uint8], dict[str, Any]]:
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    names = list(SPECIAL) + sorted(set(data["scripts"]))
    index = {name: i for i, name in enumerate(names)}
    table = np.zeros(0x110000, dtype=np.uint8)
    starts: list[int] = data["starts"]
    ends = [*starts[1:], 0x110000]
    for start, end, code in zip(starts, ends, data["scripts"], strict=True):
        table[start:end] = index[code]
    for cp in range(0x3001):
        if chr(cp).isspace():
            table[cp] = WHITESPACE
    table[0x20] = SPACE
    table[0x200B] = ZWSP
    table[_INVISIBLE] = INVISIBLE
    meta = {"unicode_version": data["unicode_version"], "source": data["source"]}
    return names, table, meta


def script_names() -> list[str]:
    """Class id → name (special classes first, then ISO 15924 codes)."""
    return _loaded()[0]


def class_table() -> npt.NDArray[np.uint8]:
    return _loaded()[1]


def unicode_version() -> str:
    return str(_loaded()[2]["unicode_version"])


@cache
def spaceless_ids() -> tuple[int, ...]:
    return tuple(i for i, name in enumerate(script_names()) if name in SPACELESS)


@cache
def _spaceless_mask() -> npt.NDArray[np.bool_]:
    names = script_names()
    mask = np.zeros(256, dtype=bool)
    for i, name in enumerate(names):
        if name in SPACELESS:
            mask[i] = True
    return mask


@cache
def _letter_ids() -> frozenset[int]:
    return frozenset(
        i for i, n in enumerate(script_names()) if i >= len(SPECIAL) and n not in NON_LETTER
    )


@cache
def script_of(char: str) -> str:
    """The ISO 15924 code of one character (special classes for whitespace and invisibles)."""
    return script_names()[int(class_table()[ord(char)])]


@cache
def _letter_mask() -> npt.NDArray[np.bool_]:
    mask = np.zeros(256, dtype=bool)
    mask[list(_letter_ids())] = True
    return mask


def letter_scripts(text: str) -> Counter[str]:
    """Characters per writing system in `text` (Common, Inherited, Unknown, spaces excluded),
    in the order each script first occurs.

    Classifies the text's code points with numpy, without a Python step per character."""
    out: Counter[str] = Counter()
    if not text:
        return out
    if sys.byteorder == "little":
        codes = np.array([text]).view(np.uint32)  # numpy's UCS-4: the code units, as they are
    else:
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    ids = class_table().take(codes, mode="clip")
    counts = np.bincount(ids, minlength=256)
    present = np.flatnonzero((counts > 0) & _letter_mask())
    if not len(present):
        return out
    first = [int(np.argmax(ids == i)) for i in present.tolist()] if len(present) > 1 else [0]
    names = script_names()
    for _, i in sorted(zip(first, present.tolist(), strict=True)):
        out[names[i]] = int(counts[i])
    return out


def tokens_per_char(script: str) -> float:
    return TOKENS_PER_CHAR.get(script, DEFAULT_TOKENS_PER_CHAR)


def classify(codepoints: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint8]:
    """Class ids of an array of code points."""
    return class_table()[codepoints]


def spaceless(ids: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    return _spaceless_mask()[ids]


def is_letter_script(code: str) -> bool:
    return code not in NON_LETTER and code not in SPECIAL
