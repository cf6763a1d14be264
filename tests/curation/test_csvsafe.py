"""The pure CSV-injection guard: which cells get an apostrophe, and that reading back is exact."""

import csv
import io

import pytest

from curation.csvsafe import LINE_END, neutralise, restore, safe_row


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("'=1", "''=1"),  # an apostrophe already there gets one more: reading back is exact
        ("''+1", "'''+1"),
        ("'Tis the season", "'Tis the season"),  # no formula behind it: left alone
        ("'", "'"),
        ("", ""),
        ("Swahili news", "Swahili news"),
        ("a=b", "a=b"),
        (" =1", " =1"),  # OWASP's openings only; a leading space is not one
        ("\n=1", "\n=1"),  # a line feed is quoted by the writer, not an opening
    ],
)
def test_neutralise_and_restore(value: str, written: str) -> None:
    assert neutralise(value) == written
    assert restore(written) == value


@pytest.mark.parametrize("value", ["=", "+", "-", "@", "\t", "\r", "'", "''=", "x", "'x", "'''"])
def test_restore_undoes_neutralise(value: str) -> None:
    assert restore(neutralise(value)) == value


def test_safe_row_leaves_numbers_as_they_are() -> None:
    assert safe_row(["=x", -5, 1.5, None, "ok"]) == ["'=x", -5, 1.5, None, "ok"]


def test_a_carriage_return_inside_a_cell_cannot_start_a_row() -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=LINE_END)
    writer.writerow(safe_row(["title\r=HYPERLINK(1)", "x"]))
    writer.writerow(safe_row(["next", "\r@cmd"]))

    rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))

    assert rows == [["title\r=HYPERLINK(1)", "x"], ["next", "'\r@cmd"]]
