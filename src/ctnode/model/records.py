"""Records made of an object's fields: what the API, the CLI and the reports write out.

A record (a dict for JSON, a row, a response model's arguments) often takes a run of an
object's fields under their own names; ``attrs_of`` names that run once instead of
spelling ``"name": obj.name`` line by line.
"""

from __future__ import annotations

from typing import Any


def attrs_of(obj: object, *names: str) -> dict[str, Any]:
    """``{name: obj.name}`` for each of ``names``, in the order given."""
    return {name: getattr(obj, name) for name in names}
