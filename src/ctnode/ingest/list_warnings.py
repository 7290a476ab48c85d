"""The warnings of the list parsers, as stable codes and English templates.

A list parser (UN XML, FtM, CSV, OFAC SDN) writes a warning as ``list_warning(code,
**values)``: the English text (``ParsedList.warnings``, what the API, the CLI and the import
report show, unchanged) is the code's template filled with the values. The console reads a
warning back to its code (``list_warning_phrase``) and fills the same values into the
translated template (``web/phrases.py``). ``tests/ingest/test_list_warnings.py`` fails on a
parser warning written as free text, ``tests/web/test_phrases.py`` on a code without its msgid.

Most specific first: a warning is read back by the first template that reads it whole.
"""

from __future__ import annotations

import re
from functools import cache

from ctnode.model.phrases import Phrase

LIST_WARNINGS: dict[str, str] = {
    # CSV lists (``csv_list``): ``source`` is the file's name
    "list.csv.schema_skipped": "%(source)s: %(count)s rows with %(column)s %(value)s skipped "
                               "(not in schema_values)",
    "list.csv.no_name": "%(source)s: %(ref)s: row has no name",
    "list.csv.property_not_applicable": "%(source)s: property %(prop)s does not apply to "
                                        "%(schema)s; column %(column)s ignored for those rows",
    "list.csv.date_format": "%(source)s: line %(line)s: %(prop)s %(value)s matches none of "
                            "the date formats %(formats)s; ignored",
    # FollowTheMoney lists (``ftm``)
    "list.ftm.wallet_holders": "%(source)s: CryptoWallet holders not among the imported "
                               "entities were kept as ids",
    "list.ftm.schema_skipped": "%(source)s: %(count)s %(schema)s entities skipped (not a "
                               "screenable schema)",
    "list.ftm.no_name": "%(source)s: entity %(ref)s has no name",
    "list.ftm.not_in_schema": "%(source)s: line %(line)s: property %(name)s is not part of "
                              "%(schema)s; ignored",
    "list.ftm.sanction_orphan": "%(source)s: Sanction entities pointing to no imported entity "
                                "were ignored",
    "list.ftm.document_orphan": "%(source)s: Passport/Identification entities pointing to no "
                                "imported entity were ignored",
    # CSV and FtM lists: one value of a row
    "list.line.country": "%(source)s: line %(line)s: %(prop)s %(value)s is not a known "
                         "country; kept as written",
    "list.line.invalid": "%(source)s: line %(line)s: %(prop)s %(value)s is not a valid "
                         "%(type)s; ignored",
    # OFAC SDN (``ofac_sdn``)
    "list.ofac.duplicate": "%(source)s: sdn.csv line %(line)s: ent_num %(num)s appears twice; "
                           "the second entry (%(name)s) is kept as reference %(ref)s",
    "list.ofac.unknown_entry": "%(source)s: %(file)s line %(line)s: %(what)s of unknown entry "
                               "%(num)s; ignored",
    "list.ofac.unknown_type": "%(source)s: entry %(num)s: type %(type)s unknown; read as an "
                              "organisation",
    "list.ofac.remarks_cut": "%(source)s: entry %(num)s: remarks cut at %(limit)s characters "
                             "(the legacy CSV's limit; sdn_comments.csv holds the rest): last "
                             "item %(item)s not read",
    "list.ofac.birth_date": "%(source)s: entry %(num)s: date of birth %(value)s not read",
    "list.ofac.country": "%(source)s: entry %(num)s: %(prop)s %(value)s is not a known "
                         "country; kept as written",
    "list.ofac.address_country": "%(source)s: add.csv line %(line)s: country %(value)s is not "
                                 "a known country; kept as written",
    # UN Security Council XML (``un_sc``, ``un_sc_records``): ``where`` names the file and the
    # record
    "list.un.unknown_element": "%(source)s: unknown element <%(tag)s> in records was ignored",
    "list.un.no_name": "%(where)s: record has no name",
    "list.un.alias_quality": "%(where)s: alias %(alias)s has unknown QUALITY %(quality)s; kept "
                             "as alias",
    "list.un.gender": "%(where)s: GENDER %(value)s not understood; ignored",
    "list.un.not_available": "%(where)s: %(prop)s %(value)s means 'not available'; ignored",
    "list.un.not_a_date": "%(where)s: %(prop)s %(value)s is not a date; ignored",
    "list.un.year_range": "%(where)s: date of birth %(years)s is not a usable year range; "
                          "ignored",
    "list.un.not_a_year": "%(where)s: date of birth YEAR %(value)s is not a year; ignored",
    "list.un.note_not_date": "%(where)s: date of birth note %(note)s could not be read as a "
                             "date; ignored",
    "list.un.note_not_hijri": "%(where)s: date of birth note %(note)s could not be read as a "
                              "Hijri date; ignored",
    "list.un.note_error": "%(where)s: date of birth note %(note)s: %(reason)s; ignored",
    "list.un.country": "%(where)s: %(prop)s %(value)s is not a known country; kept as written",
}


def list_warning(code: str, **values: object) -> str:
    """The English warning of ``code`` with its values (each shown as ``str``)."""
    return LIST_WARNINGS[code] % {k: str(v) for k, v in values.items()}


# Values written as one word (a property, a schema, a number): read back as such, so that two
# values side by side (``%(prop)s %(value)s``) split where the parser joined them.
ONE_WORD = frozenset({"prop", "schema", "line", "count", "num", "type", "tag", "limit",
                      "file"})
# Values written as Python writes a text (``repr``: quoted), read back up to their quote.
QUOTED = frozenset({"value", "name", "alias", "quality", "note", "item"})


def _pattern(template: str) -> re.Pattern[str]:
    out: list[str] = []
    pos = 0
    for m in re.finditer(r"%\((\w+)\)s", template):
        name = m.group(1)
        out += [re.escape(template[pos:m.start()]),
                f"(?P<{name}>\\S+?)" if name in ONE_WORD
                else f"(?P<{name}>'.*?'|\".*?\")" if name in QUOTED else f"(?P<{name}>.+?)"]
        pos = m.end()
    out.append(re.escape(template[pos:]))
    return re.compile("".join(out), re.S)


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((code, _pattern(t)) for code, t in LIST_WARNINGS.items())


def list_warning_phrase(message: str) -> Phrase | None:
    """A list warning as the phrase of the first template that reads it whole; ``None`` for
    a text no template reads (a warning kept before codes, or another service's words)."""
    for code, pattern in _patterns():
        found = pattern.fullmatch(message)
        if found:
            return Phrase(code, tuple(found.groupdict().items()))
    return None
