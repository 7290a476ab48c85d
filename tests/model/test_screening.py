"""A hit has one wire form; the schema names are one definition."""

from __future__ import annotations

from ctnode.model.screening import (
    SCHEMAS,
    SUBJECT_SCHEMAS,
    FeatureExplanation,
    Hit,
    ScreenQuery,
    Suppression,
    screening_schema,
)


def test_one_wire_form_of_a_hit() -> None:
    hit = Hit("e1", "un_sc", "QDi.1", "Person", "ALI", "ALI HASSAN", 0.912345, "match",
              [FeatureExplanation("name", "Ali Hassan", "ALI HASSAN", 0.8123456, "all tokens")])
    assert hit.as_dict() == {
        "entity_id": "e1", "list": "un_sc", "reference": "QDi.1", "name": "ALI HASSAN",
        "caption": "ALI", "schema": "Person", "score": 0.9123, "band": "match",
        "status": "listed",
        "explanation": [{"feature": "name", "query_value": "Ali Hassan",
                         "candidate_value": "ALI HASSAN", "contribution": 0.8123,
                         "detail": "all tokens"}],
        "suppressed": None,
    }
    assert hit.why() == "+0.81 name: all tokens" and hit.reportable
    hit.suppressed = Suppression("d1", "ana", "2026-01-01T00:00:00.000000Z", None)
    assert hit.as_dict()["suppressed"] == {"decision_id": "d1", "by": "ana",
                                           "at": "2026-01-01T00:00:00.000000Z", "expires": None}


def test_a_subject_is_identified_only_beyond_the_name() -> None:
    assert not ScreenQuery(["Al-Qaida"], schema="Organization").identified
    assert ScreenQuery(["Ali"], birth_dates=["1970"]).identified
    assert ScreenQuery(["Ali"], documents=["X1"]).identified
    assert ScreenQuery(["Ali"], subject_id="case-7/p1").identified


def test_schema_names() -> None:
    assert set(SUBJECT_SCHEMAS) < set(SCHEMAS)
    assert screening_schema("Company") == "Organization"
    assert screening_schema("Vessel") == "Vessel" and screening_schema("Pet") == "Thing"
