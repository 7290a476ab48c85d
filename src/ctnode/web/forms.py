"""Form fields the console pages share: a subject to screen or watch, its purpose, an upload."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, Form, Query, UploadFile

from ctnode.errors import InvalidInput, TooLarge
from ctnode.model.access import Purpose
from ctnode.model.screening import ScreenQuery
from ctnode.services.screening.query import build_query

#: A text field of a console form.
Text = Annotated[str, Form(max_length=300)]
#: A day of a GET form's filter: YYYY-MM-DD, or empty (an empty date field is sent as ``x=``).
DayQ = Annotated[str, Query(max_length=10)]


def day_of(value: str) -> date | None:
    """A filter's day (``DayQ``), or None when the field was left empty."""
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"not a day (YYYY-MM-DD): {value!r}") from None


def form_purpose(purpose: str, legal_basis: str, case_ref: str) -> Purpose:
    """The purpose a form states (blank fields are not given)."""
    return Purpose(purpose.strip() or None, legal_basis.strip() or None, case_ref.strip() or None)


@dataclass(frozen=True, slots=True)
class SubjectForm:
    """One subject as the screen, network screen and watch forms take it, as typed."""

    name: str
    birth_date: str
    nationality: str
    document: str
    purpose: str
    legal_basis: str
    case_ref: str

    def as_dict(self) -> dict[str, str]:
        """The fields as typed, to fill the form again."""
        return asdict(self)

    @property
    def birth_dates(self) -> list[str]:
        return [self.birth_date] if self.birth_date.strip() else []

    def query(self) -> ScreenQuery:
        return build_query(
            [self.name], birth_dates=self.birth_dates,
            nationalities=[self.nationality] if self.nationality.strip() else [],
            documents=[self.document] if self.document.strip() else [])

    def stated_purpose(self) -> Purpose:
        return form_purpose(self.purpose, self.legal_basis, self.case_ref)


def subject_form(
    name: Text, birth_date: Text = "", nationality: Text = "", document: Text = "",
    purpose: Text = "", legal_basis: Text = "", case_ref: Text = "",
) -> SubjectForm:
    return SubjectForm(name, birth_date, nationality, document, purpose, legal_basis, case_ref)


#: The subject fields of a posted form, as a route parameter.
Subject = Annotated[SubjectForm, Depends(subject_form)]


async def read_upload(file: UploadFile, default_name: str, limit: int) -> tuple[str, bytes]:
    """An uploaded file's name (``default_name`` when the browser gave none) and bytes,
    refused when larger than ``limit`` or empty."""
    name = (file.filename or default_name)[:200]
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"{name}: larger than {limit} bytes (CTNODE_CONSOLE_MAX_UPLOAD_BYTES)")
    if not data.strip():
        raise InvalidInput(f"{name}: the file is empty")
    return name, data
