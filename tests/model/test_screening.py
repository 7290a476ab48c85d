"""A hit has one wire form; the schema names are one definition."""

from __future__ import annotations

import pickle

from ctnode.model.phrases import Phrase
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


def test_an_explanation_is_made_plain_once_and_each_caller_gets_its_own_dicts() -> None:
    # a batch writes each hit's explanation in its review row (with the phrases) and in its
    # output line, and one explanation (one phrase) object serves many hits
    inner = Phrase.of("match.rule.typo", query="Hasan", listed="Hassan")
    phrase = Phrase.of("match.name.aligned", rule=inner, part="Hasan")
    e = FeatureExplanation("name", "Ali Hasan", "ALI HASSAN", 0.8123456, "aligned", (phrase,))
    record = e.as_record()
    plain_phrase = {"code": "match.name.aligned",
                    "values": {"rule": {"code": "match.rule.typo",
                                        "values": {"query": "Hasan", "listed": "Hassan"}},
                               "part": "Hasan"}}
    assert record == {"feature": "name", "query_value": "Ali Hasan",
                      "candidate_value": "ALI HASSAN", "contribution": 0.8123,
                      "detail": "aligned", "phrases": [plain_phrase]}
    assert list(record) == ["feature", "query_value", "candidate_value", "contribution",
                            "detail", "phrases"]
    assert e.as_dict() == {k: v for k, v in record.items() if k != "phrases"}
    again = e.as_record()
    assert again == record and again is not record and again["phrases"] is not record["phrases"]
    # made once: the second call hands out the same phrase data, not a new copy of it
    assert again["phrases"][0]["values"] is record["phrases"][0]["values"]
    assert phrase.as_dict()["values"] is phrase.as_dict()["values"]
    # each caller's outer dicts are its own
    record["phrases"].clear()
    record["detail"] = "changed"
    assert e.as_record()["phrases"] == [plain_phrase] and e.as_dict()["detail"] == "aligned"
    # what is kept is not part of the explanation's identity, nor of what a worker sends
    fresh = FeatureExplanation("name", "Ali Hasan", "ALI HASSAN", 0.8123456, "aligned",
                               (phrase,))
    assert fresh == e and hash(Phrase.of("match.rule.typo", query="Hasan", listed="Hassan")
                                ) == hash(inner)
    assert len(pickle.dumps(e)) == len(pickle.dumps(fresh))
    assert pickle.loads(pickle.dumps(e)).as_record() == e.as_record()


def test_a_subject_is_identified_only_beyond_the_name() -> None:
    assert not ScreenQuery(["Al-Qaida"], schema="Organization").identified
    assert ScreenQuery(["Ali"], birth_dates=["1970"]).identified
    assert ScreenQuery(["Ali"], documents=["X1"]).identified
    assert ScreenQuery(["Ali"], subject_id="case-7/p1").identified


def test_schema_names() -> None:
    assert set(SUBJECT_SCHEMAS) < set(SCHEMAS)
    assert screening_schema("Company") == "Organization"
    assert screening_schema("Vessel") == "Vessel" and screening_schema("Pet") == "Thing"
