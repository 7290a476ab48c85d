"""The matcher's explanations and the parsers' issues in the console's language.

An explanation (``FeatureExplanation.phrases``) and a parser's issue (``Issue.phrase``) are
phrases: stable codes with values (``model/phrases.py``). ``MSGIDS`` maps each code to its
msgid, the English template of the area that wrote it (``match.phrases.EXPLANATIONS``,
``model.messages.ISSUES``): the page fills the phrase's values into the translated
template. A code not here (``match.text``, ``issue.text``: a text no template reads) is shown
as written.

Adding a code at the source: its line here, and its translation in every catalogue
(``tests/web/test_phrases.py`` fails on a code missing here or a template that differs;
``tests/web/test_console.py`` on a missing translation).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ctnode.model.phrases import Phrase
from ctnode.web.i18n import N_, Lang

MSGIDS: dict[str, str] = {
    # a matcher's explanation (match/phrases.EXPLANATIONS)
    "match.name.aligned": N_("%(n)s name part(s) aligned"),
    "match.name.unmatched_query": N_("unmatched in query: %(parts)s"),
    "match.name.unmatched_listed": N_("unmatched in listed name: %(parts)s"),
    "match.none": N_("none"),
    "match.name.truncated": N_("query cut at its field limit: listed parts after the cut "
              "cost nothing, its last part may be the start of a listed "
              "part"),
    "match.name.kept_apart": N_("person and organisation kept apart: counted only because the "
              "names are near-exact (at least %(min)s)"),
    "match.name.weak_alias": N_("weak alias counted at %(factor)s"),
    "match.name.found_whole": N_("the %(side)s is found whole in the other name: the other's "
              "leftover parts cost %(cost)s of their weight"),
    "match.name.syllable_in_place": N_("East Asian names with another syllable in the place of "
              "%(parts)s: the listed syllable costs its full weight"),
    "match.name.word_in_place": N_("organisation names with another word in the place of "
              "%(parts)s: the listed word costs its full weight"),
    "match.name.rarity": N_("only common name parts matched (rarity %(info)s < %(min)s): "
              "score scaled down"),
    "match.side.query": N_("query"),
    "match.side.listed": N_("listed name"),
    "match.note": N_("%(side)s: %(note)s"),
    "match.note.org": N_("%(side)s read as an organisation's name (legal forms, "
              "numbers, joining words normalised)"),
    "match.note.read_as": N_("read as %(rule)s: %(text)s"),
    "match.note.title": N_("title '%(title)s' left out"),
    "match.note.digits": N_("numbers as digits: %(pairs)s"),
    "match.note.classes": N_("class words: %(pairs)s"),
    "match.note.joining_arabic": N_("joining words written in Arabic script left out: "
                                    "%(words)s"),
    "match.note.repeated": N_("repeated part '%(part)s' counted once"),
    "match.note.respelt": N_("part '%(part)s' counted once: '%(twin)s' written again with "
              "a typo"),
    "match.part.pair": N_("'%(query)s' ~ '%(listed)s': %(rule)s"),
    "match.part.transliterated": N_("transliterated (%(schemes)s)"),
    "match.part.weights": N_("similarity %(sim)s, rarity weight %(weight)s"),
    "match.part.weak": N_("too unlike for one name spelt two ways: costs what its parts "
              "cost unmatched"),
    "match.rule.exact": N_("exact"),
    "match.rule.initial": N_("initial"),
    "match.rule.nickname": N_("nickname and full form (nicknames dataset)"),
    "match.rule.syllable": N_("one East Asian syllable romanised two ways"),
    "match.rule.typo": N_("one edit apart (typo)"),
    "match.rule.skeleton": N_("phonetic skeleton '%(key)s'"),
    "match.rule.skeleton_unvowelled": N_("phonetic skeleton '%(key)s', vowels not written"),
    "match.rule.skeleton_vowels": N_("phonetic skeleton '%(key)s', %(n)s vowel(s) of "
                                     "another class"),
    "match.rule.skeleton_typo": N_("skeletons one edit apart ('%(a)s'/'%(b)s')"),
    "match.rule.merged": N_("merged parts"),
    "match.rule.merged_skeleton": N_("merged parts, skeleton '%(key)s'"),
    "match.rule.merged_unvowelled": N_("merged parts, skeleton '%(key)s', vowels not written"),
    "match.rule.merged_vowels": N_("merged parts, skeleton '%(key)s', %(n)s vowel(s) of another "
              "class"),
    "match.rule.symbol": N_("one name in two languages (rigour name symbol %(symbol)s)"),
    "match.rule.symbol_and": N_("one name in two languages (rigour name symbol %(symbol)s), "
              "%(rule)s"),
    "match.rule.symbol_script": N_("one name in two languages, written in its own script (rigour "
              "name symbol %(symbol)s)"),
    "match.rule.read_as": N_("%(rule)s (read as '%(query)s'/'%(listed)s')"),
    "match.rule.prefix": N_("cut at the field limit: the listed part begins with it"),
    "match.rule.han": N_("both written in Han or Hangul, with different characters"),
    "match.rule.acronym_query": N_("acronym '%(acronym)s' of the query name"),
    "match.rule.acronym_listed": N_("acronym '%(acronym)s' of the listed name"),
    "match.rule.org_as_listed": N_("the organisation's name as listed"),
    "match.rule.org_as_listed_arabic": N_("the organisation's name as listed, written in "
                                          "Arabic script"),
    "match.dob.years_differ": N_("date of birth: years differ"),
    "match.dob.years_one_apart": N_("date of birth: years one apart"),
    "match.dob.same_date": N_("date of birth: same date"),
    "match.dob.swapped": N_("date of birth: day and month swapped"),
    "match.dob.same_year_other_day": N_("date of birth: same year, other day"),
    "match.dob.precision": N_("date of birth: agrees to the precision given"),
    "match.dob.same_year_other_month": N_("date of birth: same year, other month"),
    "match.nationality.agrees": N_("nationality agrees"),
    "match.nationality.differs": N_("no nationality in common"),
    "match.document.agrees": N_("identity-document number agrees"),
    "match.document.differs": N_("identity-document numbers differ"),
    "match.schema.mismatch": N_("a %(query)s screened against a %(listed)s"),
    "match.calibration": N_("fitted calibration: scores shifted by %(shift)s so that the "
              "fitted decision point is the report threshold"),
    # a parser's issues (model/messages.ISSUES)
    "issue.mrz.check_digit": N_("%(field)s check digit wrong: mis-read MRZ or forgery"),
    "issue.mrz.truncated": N_("truncated MRZ: %(why)s; skipped"),
    "issue.mrz.incomplete": N_("incomplete MRZ skipped"),
    "issue.paxlst.no_name": N_("traveller without a name skipped (NAD element 4 empty)"),
    "issue.paxlst.long_part": N_("name part %(part)s... is %(n)s characters: probably cut by "
              "the sender; screened as it is"),
    "issue.paxlst.count_unreadable": N_("control count unreadable"),
    "issue.paxlst.malformed_cnt": N_("malformed CNT (count in element 2, expected %(expected)s); "
              "read anyway"),
    "issue.paxlst.no_unh": N_("no UNH message header"),
    "issue.paxlst.count": N_("CNT %(qualifier)s declares %(declared)s %(what)s, the "
              "message holds %(actual)s; all %(actual)s screened"),
    "issue.birth_date.screened_without": N_("birth date %(value)s unreadable; screened "
                                            "without it"),
    "issue.birth_date.unreadable": N_("birth date %(value)s unreadable"),
    "issue.document.no_number": N_("document without a number ignored"),
    "issue.pnrgov.count": N_("EQN declares %(declared)s PNRs, the message holds "
              "%(actual)s; all screened"),
    "issue.pnrgov.tif_no_name": N_("TIF without a name skipped"),
    "issue.pnrgov.docs_no_traveller": N_("SSR DOCS without a traveller skipped"),
    "issue.edifact.after_unz": N_("text after the interchange trailer UNZ ignored: %(text)s"),
    "issue.edifact.no_tag": N_("malformed segment %(text)s skipped: no tag"),
    "issue.edifact.no_unz": N_("interchange trailer UNZ missing: file truncated?"),
    "issue.edifact.unt": N_("UNT says %(declared)s segments, the message has %(actual)s"),
    "issue.mt103.other_type": N_("MT%(type)s is not read (MT103 is); skipped"),
    "issue.mt103.block4_open": N_("block 4 not closed by '-}': truncated?"),
    "issue.mt103.before_first": N_("text before the first message not read: %(text)s"),
    "issue.mt103.between": N_("text between messages not read: %(text)s (%(n)s characters)"),
    "issue.mt103.before_field": N_("text before the first field ignored: %(text)s"),
    "issue.mt103.no_20": N_("mandatory field :20: missing"),
    "issue.mt103.32a": N_(":32A: %(value)s unreadable"),
    "issue.mt103.value_date": N_("value date %(value)s invalid"),
    "issue.mt103.no_code": N_("line %(line)s has no number code (expected 1/ to 8/)"),
    "issue.mt103.block_malformed": N_("block %(n)s malformed: %(text)s (FIN writes "
                                      "%(expected)s)"),
    "issue.mt103.block2_malformed": N_("block %(n)s malformed: %(text)s (FIN writes "
                                       "%(expected)s); read as MT103"),
    "issue.mt103.no_block2": N_("block 2 missing (the message type is not stated); read as "
                                "MT103"),
    "issue.mt103.block3_open": N_("block 3 not closed: expected {tag:value} sub-blocks and "
                                  "'}'"),
    "issue.mt103.no_block4": N_("block 4 missing where expected: %(text)s"),
    "issue.mt103.trailer_open": N_("block %(block)s not closed"),
    "issue.iso.version": N_("message version unknown (namespace %(namespace)s); read as "
              "%(family)s"),
    "issue.iso.other_document": N_("a further document that is not pacs.008 or pain.001 was "
              "skipped"),
    "issue.iso.several": N_("the file holds several documents; all are read"),
    "issue.iso.count": N_("NbOfTxs declares %(declared)s transactions, the message "
              "holds %(actual)s; all screened"),
    "issue.iso.no_grphdr": N_("group header GrpHdr missing"),
    "issue.iso.party_skipped": N_("party skipped: %(reason)s"),
    "issue.iso.no_xsd": N_("no XSD for %(version)s in %(folder)s; not validated"),
    "issue.iso.more_xsd": N_("%(n)s more XSD errors"),
    "issue.iso.xsd": N_("XSD %(version)s: %(reason)s"),
    "issue.party_not_screened": N_("party not screened: %(reason)s"),
    "issue.traveller_not_screened": N_("traveller not screened: %(reason)s"),
    "issue.no_name": N_("%(role)s without a name"),
    # a list parser's warnings (ingest/list_warnings.LIST_WARNINGS)
    "list.csv.schema_skipped": N_("%(source)s: %(count)s rows with %(column)s %(value)s skipped "
            "(not in schema_values)"),
    "list.csv.no_name": N_("%(source)s: %(ref)s: row has no name"),
    "list.csv.property_not_applicable": N_("%(source)s: property %(prop)s does not apply to "
            "%(schema)s; column %(column)s ignored for those rows"),
    "list.csv.date_format": N_("%(source)s: line %(line)s: %(prop)s %(value)s matches none of "
            "the date formats %(formats)s; ignored"),
    "list.ftm.wallet_holders": N_("%(source)s: CryptoWallet holders not among the imported "
            "entities were kept as ids"),
    "list.ftm.schema_skipped": N_("%(source)s: %(count)s %(schema)s entities skipped (not a "
            "screenable schema)"),
    "list.ftm.no_name": N_("%(source)s: entity %(ref)s has no name"),
    "list.ftm.not_in_schema": N_("%(source)s: line %(line)s: property %(name)s is not part of "
            "%(schema)s; ignored"),
    "list.ftm.sanction_orphan": N_("%(source)s: Sanction entities pointing to no imported "
            "entity were ignored"),
    "list.ftm.document_orphan": N_("%(source)s: Passport/Identification entities pointing to no "
            "imported entity were ignored"),
    "list.line.country": N_("%(source)s: line %(line)s: %(prop)s %(value)s is not a known "
            "country; kept as written"),
    "list.line.invalid": N_("%(source)s: line %(line)s: %(prop)s %(value)s is not a valid "
            "%(type)s; ignored"),
    "list.ofac.duplicate": N_("%(source)s: sdn.csv line %(line)s: ent_num %(num)s appears "
            "twice; the second entry (%(name)s) is kept as reference %(ref)s"),
    "list.ofac.unknown_entry": N_("%(source)s: %(file)s line %(line)s: %(what)s of unknown "
            "entry %(num)s; ignored"),
    "list.ofac.unknown_type": N_("%(source)s: entry %(num)s: type %(type)s unknown; read as an "
            "organisation"),
    "list.ofac.remarks_cut": N_("%(source)s: entry %(num)s: remarks cut at %(limit)s characters "
            "(the legacy CSV's limit; sdn_comments.csv holds the rest): last item %(item)s not "
            "read"),
    "list.ofac.birth_date": N_("%(source)s: entry %(num)s: date of birth %(value)s not read"),
    "list.ofac.country": N_("%(source)s: entry %(num)s: %(prop)s %(value)s is not a known "
            "country; kept as written"),
    "list.ofac.address_country": N_("%(source)s: add.csv line %(line)s: country %(value)s is "
            "not a known country; kept as written"),
    "list.un.unknown_element": N_("%(source)s: unknown element <%(tag)s> in records was ignored"),
    "list.un.no_name": N_("%(where)s: record has no name"),
    "list.un.alias_quality": N_("%(where)s: alias %(alias)s has unknown QUALITY %(quality)s; "
            "kept as alias"),
    "list.un.gender": N_("%(where)s: GENDER %(value)s not understood; ignored"),
    "list.un.not_available": N_("%(where)s: %(prop)s %(value)s means 'not available'; ignored"),
    "list.un.not_a_date": N_("%(where)s: %(prop)s %(value)s is not a date; ignored"),
    "list.un.year_range": N_("%(where)s: date of birth %(years)s is not a usable year range; "
            "ignored"),
    "list.un.not_a_year": N_("%(where)s: date of birth YEAR %(value)s is not a year; ignored"),
    "list.un.note_not_date": N_("%(where)s: date of birth note %(note)s could not be read as a "
            "date; ignored"),
    "list.un.note_not_hijri": N_("%(where)s: date of birth note %(note)s could not be read as a "
            "Hijri date; ignored"),
    "list.un.note_error": N_("%(where)s: date of birth note %(note)s: %(reason)s; ignored"),
    "list.un.country": N_("%(where)s: %(prop)s %(value)s is not a known country; kept as written"),
}
SEVERITIES = {"error": N_("skipped"), "warning": N_("warning")}


def _template(lang: Lang, code: str) -> str:
    msgid = MSGIDS.get(code)
    return lang.gettext(msgid) if msgid else "%(text)s"


# How a language separates the clauses of one explanation (else ``; ``).
SEPARATORS = {"ar": "؛ ", "zh": "；"}


def say_phrases(lang: Lang, phrases: Iterable[Phrase]) -> str:
    """Phrases in ``lang``, joined as its clauses are (``; ``: an explanation's ``detail``)."""
    return SEPARATORS.get(lang.code, "; ").join(
        p.render(lambda code: _template(lang, code)) for p in phrases)


def explanation(lang: Lang, e: Any) -> str:
    """One feature's explanation in ``lang``: a ``FeatureExplanation``, or its form kept in a
    file report (``{"detail", "phrases": [phrase dicts]}``); its English ``detail`` when it
    carries no phrases (a report kept before they were)."""
    if isinstance(e, Mapping):
        phrases = [Phrase.from_dict(p) for p in e.get("phrases") or ()]
        detail = str(e.get("detail", ""))
    else:
        phrases, detail = list(e.phrases), e.detail
    return say_phrases(lang, phrases) if phrases else detail


def issue(lang: Lang, i: Mapping[str, Any]) -> str:
    """A parser's issue (as a report keeps it: ``Issue.as_dict`` and ``phrase``) in ``lang``."""
    found = i.get("phrase")
    return say_phrases(lang, [Phrase.from_dict(found)]) if found else str(i.get("message", ""))
