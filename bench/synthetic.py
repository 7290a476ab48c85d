"""A synthetic list of N persons built from real cross-script name parts (rigour, Wikidata).

Deterministic for a given seed. Each person gets a two- or three-part Latin name,
an alias that re-spells each part with another variant of the same name (so
aliases look like real transliteration variants), a date of birth and a
nationality. Used by the store and matching benchmarks at 1,000,000 persons.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

from ctnode.model.entities import Entity

LATIN = re.compile(r"^[a-z][a-z' -]{1,24}$")
COUNTRIES = [
    "af",
    "dz",
    "eg",
    "iq",
    "ir",
    "jo",
    "kz",
    "kg",
    "lb",
    "ly",
    "ma",
    "ml",
    "ng",
    "pk",
    "ru",
    "sa",
    "so",
    "sd",
    "sy",
    "tj",
    "tn",
    "tr",
    "uz",
    "ye",
    "fr",
    "de",
    "gb",
    "be",
]


def load_parts(path: Path) -> list[list[str]]:
    """Each line's Latin spellings (at least one), as a list of variants."""
    out: list[list[str]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            forms, _, _ = line.partition("=>")
            latin = [f.strip() for f in forms.split(",") if LATIN.match(f.strip())]
            if latin:
                out.append(latin)
    return out


def persons(
    parts: list[list[str]], n: int, seed: int = 7, dataset: str = "synthetic"
) -> Iterator[Entity]:
    rng = random.Random(seed)
    for i in range(n):
        k = 3 if rng.random() < 0.3 else 2
        chosen = [parts[rng.randrange(len(parts))] for _ in range(k)]
        name = " ".join(c[0].title() for c in chosen)
        alias = " ".join(rng.choice(c).title() for c in chosen)
        ref = f"SYN-{i:07d}"
        e = Entity(id=f"{dataset}-{ref}", schema="Person", dataset=dataset, reference=ref)
        e.add("name", name)
        if alias != name:
            e.add("alias", alias)
        year = rng.randint(1940, 2005)
        e.add(
            "birthDate",
            f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            if rng.random() < 0.7
            else str(year),
        )
        e.add("nationality", rng.choice(COUNTRIES))
        yield e
