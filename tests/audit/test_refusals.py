"""The refusal ledger: strangers' refusals audited without growing the log without bound."""

from __future__ import annotations

from typing import Any

from ctnode.audit.refusals import RefusalLedger
from ctnode.model.access import Actor


class Clock:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


def test_refusal_ledger_bounds_the_log() -> None:
    """Per minute: the first refusal per (source, reason, claim) written, repeats counted and
    written once when the minute ends; past ``max_keys`` triples, one overflow bucket."""
    written: list[tuple[str, dict[str, Any]]] = []
    clock = Clock()
    ledger = RefusalLedger(lambda event, actor, detail: written.append((event, detail)),
                           max_keys=3, now=clock)
    anon = Actor(name="anonymous", role="none")
    for i in range(1000):
        ledger.refused("auth.denied", source=f"10.0.0.{i % 10}", reason="bad_key",
                       claimed="key:?", actor=anon, detail={})
    assert len(written) == 3  # three distinct sources, then the overflow
    clock.t += 60
    assert ledger.flush() == 4
    aggregates = [d for e, d in written if e == "refusals.aggregated"]
    assert sum(d["repeats"] for d in aggregates) == 997
    assert any(d["source"] == "*" for d in aggregates)
    assert ledger.flush() == 0  # nothing new
    ledger.refused("auth.denied", source="10.0.0.1", reason="bad_key", claimed="key:?",
                   actor=anon, detail={})
    assert written[-1][0] == "auth.denied"  # a new minute: written again

