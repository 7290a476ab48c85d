"""The shipped, fitted scoring model: it loads, keeps its provenance, stays within the
rules' limits, keeps the product's safeguards, and the fast index still returns exactly
what the naive reference returns with it (on the UN list and on the issue-12 kinds)."""

from __future__ import annotations

import json
import random
from dataclasses import fields
from pathlib import Path

import pytest

from ctnode.match import Matcher, NaiveMatcher, Thresholds, weights
from ctnode.model.entities import Entity
from ctnode.model.screening import ScreenQuery

ROOT = Path(__file__).resolve().parents[2]


def test_model_loads_with_provenance() -> None:
    model = weights.load()
    prov = model.provenance
    assert "logistic regression" in prov["method"]
    manifest = json.loads((ROOT / "bench" / "data" / "training" / "manifest.json").read_text())
    # fitted on the frozen training set, whose hash the manifest keeps
    assert prov["training_set"]["manifest_sha256"] == manifest["sha256_uncompressed"]
    assert prov["training_set"]["pairs"] == manifest["pairs"]
    for name in ("skeleton_base", "unvowelled", "typo_base", "symbol", "nickname", "initial",
                 "syllable", "acronym"):
        assert 0.0 < getattr(model, name) <= 1.0, name
    assert model.skeleton_base + model.skeleton_span <= 1.0
    assert model.typo_base + model.typo_span <= 1.0
    assert model.report_threshold == 0.70  # the node's setting keeps its meaning


def test_policy_limits_on_details() -> None:
    """A date of birth neither carries a weak name into an alert nor hides an exact one."""
    model = weights.load()
    assert 0.0 <= model.dob_exact <= 0.15 and 0.0 <= model.dob_year <= 0.10
    assert -0.25 <= model.dob_contradict <= 0.0
    assert -0.10 <= model.nat_contradict <= 0.0


def test_unknown_fields_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"skeleton_base": 0.7, "made_up": 1}))
    with pytest.raises(ValueError, match="made_up"):
        weights.load(path)
    weights.dump(weights.ScoringModel(), path)
    assert {f.name for f in fields(weights.ScoringModel)} == set(json.loads(path.read_text()))


def _e(eid: str, name: str, schema: str = "Person", dob: str = "") -> Entity:
    e = Entity(id=eid, schema=schema, dataset="t", reference=eid)
    e.add("name", name)
    if dob:
        e.add("birthDate", dob)
    return e


LIST = [_e("rahimi", "Mohammed Ali Rahimi", dob="1970-05-12"),
        _e("haqqani", "Sirajuddin Jallaloudine Haqqani"),
        _e("front", "Jabhat al-Nusrah Front for the People", "Organization")]


@pytest.mark.parametrize("cls", [Matcher, NaiveMatcher])
def test_shipped_model_safeguards(cls: type[Matcher] | type[NaiveMatcher]) -> None:
    m = cls(Thresholds())
    m.build(LIST)
    hit = m.screen(ScreenQuery(names=["Mohammed Ali Rahimi"]))
    assert hit and hit[0].band == "match"
    assert any(f.feature == "calibration" for f in hit[0].explanation) == (
        weights.MODEL.score_offset != 0.0)
    # an exact name with a contradicting date of birth is still reported
    hit = m.screen(ScreenQuery(names=["Mohammed Ali Rahimi"], birth_dates=["1990"]))
    assert hit and hit[0].entity_id == "rahimi"
    for names in (["Mohammed"], ["Mohammed Ali"], ["Ali Khan"]):  # common parts alone
        assert m.screen(ScreenQuery(names=names)) == []


@pytest.fixture(scope="module")
def un_entities(shared_data: Path) -> list[Entity]:
    from ctnode.ingest.un_sc import parse_un_sc

    return parse_un_sc(shared_data / "un-sc-consolidated.xml").entities


def test_fast_equals_naive_with_shipped_model(un_entities: list[Entity]) -> None:
    """Queries of every issue-12 kind on a UN sample: same hits, scores, bands, names."""
    rng = random.Random(1204)
    sample = rng.sample(un_entities, 300)
    fast, naive = Matcher(Thresholds()), NaiveMatcher(Thresholds())
    fast.build(sample)
    naive.build(sample)
    queries: list[ScreenQuery] = []
    for e in rng.sample(sample, 60):
        name = rng.choice(e.get("name") + e.get("alias"))
        toks = name.split()
        kind = rng.randrange(6)
        if kind == 0 and len(toks) > 1:
            name = " ".join([f"{toks[0][0]}.", *toks[1:]])  # initial
        elif kind == 1:
            name = f"President {name}"
        elif kind == 2 and len(name) > 20:
            queries.append(ScreenQuery(names=[name.upper()[:20]], truncated_at=20))
            continue
        elif kind == 3 and e.schema != "Person":
            name = f"{name} LLC"
        elif kind == 4 and len(toks) >= 3:
            name = "".join(t[0] for t in toks)  # an acronym
        queries.append(ScreenQuery(names=[name], schema=rng.choice([e.schema, "LegalEntity"]),
                                   birth_dates=e.get("birthDate")[:1]))
    queries += [ScreenQuery(names=["김정은"]), ScreenQuery(names=["金正恩"]),
                ScreenQuery(names=["Kim Yong Chol"]), ScreenQuery(names=["ISIL"], schema="Person")]
    hits = 0
    for q in queries:
        for kwargs in ({}, {"limit": 3, "include_below": True}):
            got = [(h.entity_id, h.score, h.band, h.matched_name)
                   for h in fast.screen(q, **kwargs)]  # type: ignore[arg-type]
            want = [(h.entity_id, h.score, h.band, h.matched_name)
                    for h in naive.screen(q, **kwargs)]  # type: ignore[arg-type]
            assert got == want, (q.names, q.schema, q.truncated_at, kwargs)
            hits += bool(got)
    assert hits > 40
