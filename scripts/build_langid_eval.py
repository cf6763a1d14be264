"""Build the held-out language-identification sets from a Debian package (nothing committed).

Source: the interface messages of MediaWiki as Debian ships them (package `mediawiki`,
`languages/i18n/*.json` and `extensions-core/*/i18n/*.json`): text translated by volunteers
into ~500 languages on translatewiki.net (GPL-2.0-or-later; see the package's copyright file).
A different source and genre (software interface and help text) from the development data
(`../shared/data/langid` sentences and the UDHR), which the engine was tuned on.

What it does:
1. `apt-get download mediawiki` into the cache directory (or takes `--deb`), `dpkg-deb -x`.
2. Every translated message → plain text: wiki links, templates, HTML, placeholders (`$1`) and
   URLs removed. A message identical to its English original or to another language's
   translation of the same message is dropped (it is evidence of neither language).
3. Languages: the MediaWiki code canonicalised with `inventory.langtags` (the registry's own
   rules: `sr-ec` is `sr-Cyrl`, `pt-br` is `pt`; `arz` stays Egyptian Arabic, so calling it
   `ar` is wrong). Dropped: formality and regional variants of another language's file
   (`de-formal`, `en-gb`), sign languages, Serbo-Croatian and Interslavic (no one tag), and a
   language the engine knows written in a script it does not expect (`kk-Arab`): neither right
   nor wrong is well defined there.
4. Split by message key (a hash), never by language: a message's translations all fall in the
   calibration set or all in the test set, so no text of the test set was seen while tuning.
   At most `--per-language` texts per language and set (≥ 80 visible characters each).

Output: `<out>/calibration.jsonl` and `<out>/test.jsonl`, one `{"code", "tag", "in_set",
"key", "text"}` per line, and `<out>/SOURCE.md`.

Usage: .venv/bin/python scripts/build_langid_eval.py [--out build/langid-eval] [--deb FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from curation.profiling.langid import all_labels  # noqa: E402
from inventory.langtags import InvalidLanguageTag, normalize  # noqa: E402

MIN_CHARS = 80
CALIBRATION_SHARE = 0.4  # of message keys
SKIP_CODES = frozenset({"qqq", "ase", "isv-cyrl", "isv-latn", "sh", "sh-latn", "sh-cyrl"})
SKIP_SUFFIXES = ("-formal", "-informal", "-ch", "-at", "-gb", "-ca")
CODE_FIXES = {"sr-el": "sr-Latn", "nan-latn-pehoeji": "nan-Latn", "hak-latn": "hak-Latn"}

_LINK = re.compile(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]")
_EXTERNAL = re.compile(r"\[(?:https?:)?//\S+(?:\s([^\]]*))?\]")
_TEMPLATE_CHOICE = re.compile(r"\{\{\s*(?:PLURAL|GENDER|GRAMMAR):[^|}]*\|([^|}]*)[^}]*\}\}", re.I)
_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")
_TAG = re.compile(r"<[^>]*>")
_PLACEHOLDER = re.compile(r"\$\d+|%\d*\$?[sd]|&[a-z]+;|\{[a-z_]+\}")
_URL = re.compile(r"(?:https?:)?//\S+|\S+@\S+\.\w+")
_MARKUP = re.compile(r"'{2,}|={2,}|^[*#:;]+", re.M)
_SPACE = re.compile(r"\s+")


def plain(message: str) -> str:
    text = _TEMPLATE_CHOICE.sub(r"\1", message)
    for _ in range(3):
        text = _TEMPLATE.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _EXTERNAL.sub(lambda m: m.group(1) or " ", text)
    text = _TAG.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _PLACEHOLDER.sub(" ", text)
    text = _MARKUP.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def visible(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


def expected_tag(code: str, labels: frozenset[str]) -> tuple[str, bool] | None:
    """(tag, in_set) of a MediaWiki language code, or None when it is left out."""
    if code in SKIP_CODES or code.endswith(SKIP_SUFFIXES):
        return None
    try:
        parsed = normalize(CODE_FIXES.get(code, code))
    except InvalidLanguageTag:
        return None
    tag = parsed.tag
    if tag in labels:
        return tag, True
    known_bases = {t.split("-")[0] for t in labels}
    if parsed.language in known_bases:
        return None  # a known language in a script the engine does not expect
    return tag, False


def fetch_deb(cache: Path) -> Path:
    found = sorted(cache.glob("mediawiki_*.deb"))
    if found:
        return found[-1]
    cache.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["apt-get", "download", "mediawiki"], cwd=cache, check=False)
    found = sorted(cache.glob("mediawiki_*.deb"))
    if done.returncode or not found:
        raise SystemExit(
            "apt-get download mediawiki failed: run `apt-get update` first, or pass --deb FILE"
        )
    return found[-1]


def message_files(root: Path) -> dict[str, list[Path]]:
    """i18n directory (relative) → its JSON files."""
    base = root / "usr" / "share" / "mediawiki"
    out: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(base.glob("languages/i18n/*.json")) + sorted(
        base.glob("extensions-core/*/i18n/*.json")
    ):
        out[str(path.parent.relative_to(base))].append(path)
    return out


def key_in_calibration(key: str) -> bool:
    digest = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < CALIBRATION_SHARE


def collect(root: Path, labels: frozenset[str]) -> dict[str, list[tuple[str, str, str]]]:
    """Code → [(key, tag, text)], duplicates across languages and English copies removed."""
    texts: dict[str, dict[str, str]] = defaultdict(dict)  # key → code → text
    for directory, files in message_files(root).items():
        english: dict[str, str] = {}
        by_code: dict[str, dict[str, str]] = {}
        for path in files:
            data = json.loads(path.read_text(encoding="utf-8"))
            messages = {
                k: v for k, v in data.items() if not k.startswith("@") and isinstance(v, str)
            }
            if path.stem == "en":
                english = messages
            by_code[path.stem] = messages
        for code, messages in by_code.items():
            for name, message in messages.items():
                if code != "en" and message == english.get(name):
                    continue
                text = plain(message)
                if visible(text) >= MIN_CHARS:
                    texts[f"{directory}/{name}"][code] = text
    out: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for key, per_code in texts.items():
        counts: dict[str, int] = defaultdict(int)
        for text in per_code.values():
            counts[text] += 1
        for code, text in per_code.items():
            if counts[text] > 1:
                continue
            expected = expected_tag(code, labels)
            if expected is not None:
                out[code].append((key, expected[0], text))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "langid-eval")
    parser.add_argument("--deb", type=Path, help="a mediawiki .deb already downloaded")
    parser.add_argument("--per-language", type=int, default=300)
    parser.add_argument("--min-texts", type=int, default=40, help="per language, both sets")
    args = parser.parse_args()
    labels = all_labels()
    deb = args.deb or fetch_deb(args.out / "cache")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["dpkg-deb", "-x", str(deb), tmp], check=True)
        per_code = collect(Path(tmp), labels)
    sets: dict[str, list[dict[str, object]]] = {"calibration": [], "test": []}
    summary: list[tuple[str, str, bool, int, int]] = []
    for code in sorted(per_code):
        rows = sorted(per_code[code])
        if len(rows) < args.min_texts:
            continue
        split: dict[str, list[dict[str, object]]] = {"calibration": [], "test": []}
        for key, tag, text in rows:
            name = "calibration" if key_in_calibration(key) else "test"
            if len(split[name]) < args.per_language:
                split[name].append(
                    {"code": code, "tag": tag, "in_set": tag in labels, "key": key, "text": text}
                )
        for name, items in split.items():
            sets[name].extend(items)
        summary.append((code, rows[0][1], rows[0][1] in labels, *map(len, split.values())))
    args.out.mkdir(parents=True, exist_ok=True)
    for name, items in sets.items():
        with (args.out / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for item in items:
                handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    outside = [s for s in summary if not s[2]]
    (args.out / "SOURCE.md").write_text(
        f"Built by scripts/build_langid_eval.py from {deb.name} (Debian `mediawiki`; messages "
        "translated on translatewiki.net, GPL-2.0-or-later). Not for redistribution here.\n",
        encoding="utf-8",
    )
    print(f"{len(summary)} languages ({len(outside)} outside every label set)")
    print(f"calibration: {len(sets['calibration'])} texts, test: {len(sets['test'])} texts")
    print("outside:", " ".join(s[0] for s in outside))


if __name__ == "__main__":
    main()
