"""Sentences as stable codes with values, so an edge can say them in a person's language.

A matcher's explanation and a parser's issue are written once, where they are found, as a
:class:`Phrase`: a code (``match.dob.same_date``, ``issue.paxlst.no_unh``) and its values.
Their English text (what the API, the CLI and the exports show, unchanged) is the code's
template in the table of the area that wrote it (``match.phrases.EXPLANATIONS``,
``model.messages.ISSUES``) filled with the values; the console fills the same values into the
translated template (``web/phrases.py``). A value may itself be a phrase (a similarity rule
inside an aligned part), rendered first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Phrase:
    """One sentence: a stable ``code`` and its named ``values`` (text, or phrases)."""

    code: str
    values: tuple[tuple[str, str | Phrase], ...] = ()

    def __reduce__(self) -> tuple[type[Phrase], tuple[str, tuple[tuple[str, str | Phrase], ...]]]:
        """Pickled as a call of the class (a batch worker sends the phrases of every hit to
        its parent): about half the time of a frozen dataclass's own state, both ways."""
        return (Phrase, (self.code, self.values))

    @classmethod
    def of(cls, code: str, **values: str | Phrase) -> Phrase:
        return cls(code, tuple(values.items()))

    def render(self, template_of: Callable[[str], str]) -> str:
        """The sentence with ``template_of(code)`` for this phrase and every nested one."""
        if not self.values:
            return template_of(self.code)
        values = {k: v.render(template_of) if isinstance(v, Phrase) else v
                  for k, v in self.values}
        return template_of(self.code) % values

    def as_dict(self) -> dict[str, Any]:
        """Plain data (JSON): ``{"code": ..., "values": {name: text or a phrase's dict}}``."""
        return {"code": self.code,
                "values": {k: v.as_dict() if isinstance(v, Phrase) else v
                           for k, v in self.values}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Phrase:
        values = data.get("values") or {}
        return cls(str(data["code"]), tuple(
            (str(k), cls.from_dict(v) if isinstance(v, Mapping) else str(v))
            for k, v in values.items()))


def codes_of(phrase: Phrase) -> set[str]:
    """The phrase's code and the codes of every phrase inside it."""
    out = {phrase.code}
    for _k, v in phrase.values:
        if isinstance(v, Phrase):
            out |= codes_of(v)
    return out
