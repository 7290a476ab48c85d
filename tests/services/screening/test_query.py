"""The one query builder: every entry point's fields are judged alike."""

from __future__ import annotations

import pytest

from ctnode.errors import InvalidInput
from ctnode.model.screening import SUBJECT_SCHEMAS
from ctnode.services.screening.query import build_query, clean_names, query_from_example


def test_names_dates_and_lists_are_cleaned() -> None:
    q = build_query(["  ", "Ali Hassan", None], birth_dates=["12.05.1970", "", " "],
                    nationalities=[" eg ", ""], documents=["A 123", " "])
    assert q.names == ["Ali Hassan"] and q.birth_dates == ["1970-05-12"]
    assert q.nationalities == ["eg"] and q.documents == ["A 123"] and q.schema == "Person"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"names": [" "]}, "at least one non-empty name"),
    ({"names": ["x" * 501]}, "longer than 500"),
    ({"names": ["Ali"], "schema": "Vessel"}, "schema must be Person, Organization"),
])
def test_what_is_refused_says_why(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        build_query(**kwargs)  # type: ignore[arg-type]


def test_a_subject_schema_set_is_one_definition() -> None:
    for schema in SUBJECT_SCHEMAS:
        assert build_query(["A"], schema=schema).schema == schema
    assert clean_names(["", "B"]) == ["B"]


def test_a_yente_example_becomes_a_query() -> None:
    q = query_from_example("Company", {"name": "ACME", "jurisdiction": ["ru"]}, ["un_sc"])
    assert q.schema == "Organization" and q.names == ["ACME"] and q.nationalities == ["ru"]
    assert q.datasets == ["un_sc"]
    q = query_from_example("Person", {"firstName": ["Ayman"], "lastName": "al-Zawahiri",
                                      "passportNumber": ["1084010"]}, None)
    assert q.names == ["Ayman al-Zawahiri"] and q.documents == ["1084010"]
    assert query_from_example("Airplane", {"name": ["X"]}, None).schema == "Airplane"
    assert query_from_example("Address", {"name": ["X"]}, None).schema == "Thing"
    with pytest.raises(InvalidInput, match=r"queries\.a: needs a name"):
        query_from_example("Person", {"birthDate": ["1970"]}, None, where="queries.a")


@pytest.mark.parametrize("bad", ["1974-01-32", "1968-13-30", "1981-3-05", "soon"])
def test_a_malformed_birth_date_is_left_out_with_a_warning(bad: str) -> None:
    q = build_query(["Ali Hassan"], birth_dates=[bad, "1970"], dates_field="birthDate")
    assert q.names == ["Ali Hassan"] and q.birth_dates == ["1970"]
    assert len(q.warnings) == 1 and q.warnings[0].startswith("birthDate: birth date")
    assert repr(bad) in q.warnings[0] and "ignored for matching" in q.warnings[0]
