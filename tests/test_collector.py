"""The collector's pause (ctnode.collector): put back as it was, nested, after an error; and a
large build's final collection skipped only in a process that ends after its work."""

from __future__ import annotations

import gc

import pytest

from ctnode import collector
from ctnode.match import corpus


def test_paused_restores_the_collector_as_it_was() -> None:
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # (the inner pause does not switch it on early)
    assert gc.isenabled()
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()  # (off before: left off)
    finally:
        gc.enable()


def test_paused_restores_after_an_error() -> None:
    with pytest.raises(ValueError), collector.paused(then_ends=True):
        raise ValueError("boom")
    assert gc.isenabled()
    assert not collector.process_ends()


def test_a_large_build_collects_unless_the_process_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(corpus.gc, "collect", lambda *a: calls.append(1) or 0)
    monkeypatch.setattr(corpus.gc, "freeze", lambda: None)
    corpus.freeze_long_lived()
    assert calls == [1]
    with collector.paused(then_ends=True):
        assert collector.process_ends()
        corpus.freeze_long_lived()
    assert calls == [1]  # (no second collection: the process ends after the import)
    assert not collector.process_ends()
    with collector.paused():
        corpus.freeze_long_lived()
    assert calls == [1, 1]  # (a plain pause, as a server's build: the collection is made)
