"""A build pauses Python's cyclic collector and puts it back as it was (issue 11: a
million persons imported and indexed in 5 minutes): the build makes no reference cycles,
and the collector's full passes over the growing index freed nothing (11 passes, 12 s of a
100 s import at 200,000 persons). The import's side: tests/services/screening/
test_import_collector.py."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from ctnode.match import Matcher, Thresholds
from ctnode.model.entities import Entity
from ctnode.model.screening import ScreenQuery

pytestmark = pytest.mark.usefixtures("hand_model")



def _watched(entities: list[Entity], seen: list[bool]) -> Iterator[Entity]:
    for entity in entities:
        seen.append(gc.isenabled())
        yield entity


@pytest.mark.usefixtures("collecting")
def test_a_build_pauses_the_collector_and_puts_it_back(entities: list[Entity]) -> None:
    seen: list[bool] = []
    built = Matcher(Thresholds())
    built.build(_watched(entities, seen))
    assert seen and not any(seen)  # off while every entity was taken
    assert gc.isenabled()
    # a caller that had it off (a parse, a load) finds it off still
    gc.disable()
    again = Matcher(Thresholds())
    again.build(_watched(entities, seen))
    assert not gc.isenabled()
    gc.enable()
    # the same index either way
    query = ScreenQuery(names=[entities[0].caption], schema=entities[0].schema)
    assert ([(h.entity_id, h.score) for h in built.screen(query)]
            == [(h.entity_id, h.score) for h in again.screen(query)])


