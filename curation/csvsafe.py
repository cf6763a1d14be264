"""CSV cells a spreadsheet will not run: text that would be read as a formula (OWASP, "CSV
Injection") is written behind a leading apostrophe, and read back without it; rows end as RFC 4180
says, so that no cell can start a row of its own."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

# RFC 4180's line end. With it `csv.writer` quotes a cell holding a carriage return; with "\n"
# alone it does not, and a reader (a spreadsheet too) starts a new row at the carriage return,
# whose first cell would escape the apostrophe.
LINE_END: Final = "\r\n"
QUOTE: Final = "'"
# OWASP's list of cell openings a spreadsheet may evaluate: = + - @, tab, carriage return.
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
# Apostrophes already in front of a formula opening get one more, so that reading back is exact
# (`'=x` is written `''=x`), while other text opening with an apostrophe (`'Tis`) is left as is.
_NEUTRALISED: Final = re.compile(QUOTE + "*[" + re.escape("".join(FORMULA_STARTS)) + "]")


def neutralise(cell: str) -> str:
    """`cell` with a leading apostrophe when a spreadsheet could take it for a formula."""
    return QUOTE + cell if _NEUTRALISED.match(cell) else cell


def restore(cell: str) -> str:
    """The value `neutralise` was given: one leading apostrophe before a formula opening
    removed."""
    return cell[1:] if cell.startswith(QUOTE) and _NEUTRALISED.match(cell, 1) else cell


def safe_row(cells: Iterable[object]) -> list[object]:
    """A row for `csv.writer`: text cells neutralised, numbers written as they are."""
    return [neutralise(cell) if isinstance(cell, str) else cell for cell in cells]
