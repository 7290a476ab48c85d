"""Labelled name pairs from public sources (seeded, deterministic), for the general pair
benchmark (held-out part) and the training set (fit part).

Sources (each pair records its ``source``):

* ``ofac_alias``: the OFAC SDN list (US Government, public domain; shared-data copy of
  about Jan 2022): an entry's name and one of its aliases (alt.csv) are a positive pair,
  kept when the two are recognisably one name (they share a distinctive part of 3+ letters
  — not a word many organisations share, see GENERIC — or their rapidfuzz token-sort
  ratio is 60 or more: an alias that is a wholly other name, or a translation, is no
  name-matching case). People and organisations of many countries. (The first held-out run
  also counted shared generic words; see docs/benchmarks.md.)
* ``ofac_hard``: two *different* OFAC entries of the same schema whose names share a part
  or are close (rapidfuzz WRatio among a sample): adversarial negatives.
* ``org_legal``: an OFAC organisation's name with its legal form changed, abbreviated,
  added or removed, numbers written as words, ``&``/``and``: positives; negatives pair it
  with a different organisation sharing a part.
* ``corpus_script``: two lines of the rigour name-part corpus (Wikidata, CC0) joined as a
  full name, written in another script on one side (Han, Hangul, kana, Cyrillic, Greek,
  Hebrew, Arabic ...) and in Latin on the other: positives; the same with one part
  replaced by a close Latin spelling of another name: negatives.

Queries carry the entry's own date of birth and nationality half the time (for negatives,
the query entry's own, as a screened person's details would be). Every pair is assigned to
the fit or the held-out part by its entity (or corpus line) key, as in variants.py.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from bench.matching.variants import _legal_swap, _script, held_out
from ctnode.model.entities import Entity

Pair = dict[str, Any]
_TOKEN = re.compile(r"[A-Za-z]{3,}")


def _entity_json(e: Entity, names: list[str] | None = None) -> dict[str, Any]:
    props: dict[str, list[str]] = {}
    for prop in ("birthDate", "nationality", "citizenship"):
        if e.get(prop):
            props[prop] = e.get(prop)
    props["name"] = names if names is not None else e.get("name")[:1]
    return {"id": e.id, "schema": e.schema, "dataset": e.dataset, "reference": e.reference,
            "status": "listed", "properties": props}


def _query(rng: random.Random, names: list[str], schema: str, e: Entity | None) -> dict[str, Any]:
    q: dict[str, Any] = {"names": names, "schema": schema, "birth_dates": [],
                         "nationalities": []}
    if e is not None and rng.random() < 0.5:
        q["birth_dates"] = e.get("birthDate")[:1]
    if e is not None and rng.random() < 0.5:
        q["nationalities"] = (e.get("nationality") or e.get("citizenship"))[:1]
    if schema != "Person" and rng.random() < 0.2:
        q["schema"] = "LegalEntity"
    return q


# Words that many unrelated organisations share: a pair sharing only these is not
# recognisably one name (ULTIMATE TRADING LLC / TIMEET TRADING LLC).
GENERIC = frozenset("""the and for abu bin company limited ltd llc corporation corp inc group
    trading trade bank international intl development investment industries industrial general
    holding holdings services service enterprise enterprises import export shipping
    construction engineering commercial products production center centre national islamic
    foundation organization organisation association ministry institute import export
    sociedad anonima ltda cia comercial de del la los las des du sarl gmbh jsc ojsc oao pjsc
    zao ooo fzco fze dmcc sal spa srl doo""".split())


def _tokens(name: str) -> set[str]:
    return {t.lower() for t in _TOKEN.findall(name)} - GENERIC


def ofac_pairs(entities: list[Entity], part: str, seed: int = 21,
               max_pos: int = 2500) -> list[Pair]:
    rng = random.Random(seed)
    want_held = part == "held_out"
    people = [e for e in entities if e.schema in ("Person", "Organization")
              and held_out(e.reference or e.id) == want_held and e.get("name")]
    rng.shuffle(people)
    out: list[Pair] = []
    by_token: dict[tuple[str, str], list[Entity]] = defaultdict(list)
    for e in people:
        for t in _tokens(e.get("name")[0]):
            by_token[(e.schema, t)].append(e)
    names = [e.get("name")[0] for e in people]
    pos = 0
    for e in people:
        if pos >= max_pos:
            break
        primary = e.get("name")[0]
        aliases = [a for a in e.get("alias") + e.get("previousName") if a != primary]
        plausible = [a for a in aliases if _tokens(a) & _tokens(primary)
                     or fuzz.token_sort_ratio(a.lower(), primary.lower()) >= 60]
        if plausible:
            alias = rng.choice(plausible)
            out.append({"query": _query(rng, [alias], e.schema, e),
                        "candidate": _entity_json(e), "label": 1, "source": "ofac_alias",
                        "list": "ofac"})
            pos += 1
        # an adversarial negative: another entry of the same schema sharing a part ...
        shared = [o for t in sorted(_tokens(primary)) for o in by_token.get((e.schema, t), [])
                  if o.id != e.id]
        other: Entity | None = rng.choice(shared) if shared else None
        if other is None or rng.random() < 0.3:
            # ... or the closest name among a sample of others
            sample = rng.sample(range(len(names)), min(400, len(names)))
            found = process.extractOne(primary, [names[i] for i in sample], scorer=fuzz.WRatio)
            if found is not None:
                cand = people[sample[found[2]]]
                other = cand if cand.id != e.id else other
        if other is not None:
            query_name = rng.choice([primary, *e.get("alias")[:2]])
            out.append({"query": _query(rng, [query_name], e.schema, e),
                        "candidate": _entity_json(other), "label": 0, "source": "ofac_hard",
                        "list": "ofac"})
    return out


def org_pairs(entities: list[Entity], part: str, seed: int = 22, n: int = 800) -> list[Pair]:
    rng = random.Random(seed)
    want_held = part == "held_out"
    orgs = [e for e in entities if e.schema == "Organization" and e.get("name")
            and held_out(e.reference or e.id) == want_held]
    rng.shuffle(orgs)
    by_token: dict[str, list[Entity]] = defaultdict(list)
    for e in orgs:
        for t in _tokens(e.get("name")[0]):
            by_token[t].append(e)
    out: list[Pair] = []
    for e in orgs[:n]:
        name = e.get("name")[0]
        variant = _legal_swap(rng, name)
        if rng.random() < 0.3:
            variant = variant.replace(" AND ", " & ") if " AND " in variant else \
                variant.replace("&", "AND")
        out.append({"query": _query(rng, [variant], "Organization", None),
                    "candidate": _entity_json(e), "label": 1, "source": "org_legal",
                    "list": "ofac"})
        shared = [o for t in sorted(_tokens(name)) for o in by_token.get(t, []) if o.id != e.id]
        if shared:
            out.append({"query": _query(rng, [variant], "Organization", None),
                        "candidate": _entity_json(rng.choice(shared)), "label": 0,
                        "source": "org_legal", "list": "ofac"})
    return out


def corpus_pairs(path: Path, part: str, seed: int = 23, n: int = 1500) -> list[Pair]:
    """Full names from two corpus lines, one side in another script, the other in Latin."""
    rng = random.Random(seed)
    want_held = part == "held_out"
    lines: list[tuple[list[str], dict[str, list[str]]]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if held_out(line) != want_held:
                continue
            forms = [f.strip() for f in line.split("=>")[0].split(",") if f.strip()]
            latin = [f for f in forms if re.fullmatch(r"[a-z]{3,}", f)]
            scripts: dict[str, list[str]] = defaultdict(list)
            for f in forms:
                s = _script(f) or ("CYRILLIC" if re.search(r"[\u0400-\u04ff]", f) else None) \
                    or ("ARABIC" if re.search(r"[\u0600-\u06ff]", f) else None)
                if s and " " not in f:
                    scripts[s].append(f)
            if latin and scripts:
                lines.append((latin, dict(scripts)))
    rng.shuffle(lines)
    by_prefix: dict[str, list[str]] = defaultdict(list)
    for latin, _s in lines:
        for lat in latin:
            by_prefix[lat[:3]].append(lat)
    out: list[Pair] = []
    for k in range(0, min(len(lines) - 1, 2 * n), 2):
        (lat_a, scr_a), (lat_b, scr_b) = lines[k], lines[k + 1]
        common = sorted(set(scr_a) & set(scr_b))
        if not common:
            continue
        script = rng.choice(common)
        written = f"{rng.choice(scr_a[script])} {rng.choice(scr_b[script])}"
        a, b = rng.choice(lat_a), rng.choice(lat_b)
        cand = Entity(id=f"corpus-{k}", schema="Person", dataset="corpus", reference=str(k))
        cand.add("name", f"{a.capitalize()} {b.capitalize()}")
        out.append({"query": {"names": [written], "schema": "Person", "birth_dates": [],
                              "nationalities": []},
                    "candidate": _entity_json(cand), "label": 1, "source": "corpus_script",
                    "script": script, "list": "corpus"})
        near = [x for x in by_prefix.get(b[:3], []) if x != b and x not in lat_b]
        if near:
            other = Entity(id=f"corpus-{k}-neg", schema="Person", dataset="corpus",
                           reference=f"{k}n")
            other.add("name", f"{a.capitalize()} {rng.choice(near).capitalize()}")
            out.append({"query": {"names": [written], "schema": "Person", "birth_dates": [],
                                  "nationalities": []},
                        "candidate": _entity_json(other), "label": 0,
                        "source": "corpus_script", "script": script, "list": "corpus"})
    return out


def general_pairs(ofac: list[Entity], corpus: Path, part: str) -> list[Pair]:
    """Every source's pairs of one part (``held_out`` or ``fit``)."""
    return ofac_pairs(ofac, part) + org_pairs(ofac, part) + corpus_pairs(corpus, part)
