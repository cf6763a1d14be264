"""The heap setting workers and the benchmark apply."""

import sys

import pytest

from curation.profiling.memory import keep_heap


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux only")
def test_glibc_accepts_the_heap_margin() -> None:
    assert keep_heap(8 * 1024 * 1024) is True


def test_elsewhere_nothing_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")

    assert keep_heap() is False
