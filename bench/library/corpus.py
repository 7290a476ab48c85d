"""A generated library corpus in the six UN languages, for the search benchmarks.

    .venv/bin/python -m bench.library.corpus --docs 10000   # writes bench/out/library/corpus.jsonl

Generated, not real: no public-domain multilingual texts are available offline here
(see ``vocab.py``). Each document has one language, one topic and one main subtopic:
4-6 sentences on the main subtopic, 2 on its topic in general, 0-2 passing mentions of
other subtopics (distractors, so ranking matters), and 3-8 filler sentences. About 3%
are past their ``valid_until`` and must never be found; TLP levels vary.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.library.vocab import FILLER, FRAMES, PHRASES, TITLES

LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")
OUT = Path("bench/out/library")
_TLP = ["TLP:CLEAR"] * 3 + ["TLP:GREEN"] * 5 + ["TLP:AMBER"] * 2


def _join(lang: str, sentences: list[str]) -> str:
    return ("" if lang == "zh" else " ").join(sentences)


def generate(n: int, seed: int = 17) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    topics = list(PHRASES["en"])
    for i in range(n):
        lang = LANGUAGES[i % len(LANGUAGES)]
        topic = rng.choice(topics)
        sub = rng.choice((1, 2))
        general, *subs = PHRASES[lang][topic]
        main = subs[sub - 1]
        frames = FRAMES[lang]
        sentences = [
            rng.choice(frames).format(p=rng.choice(main)) for _ in range(rng.randint(4, 6))
        ]
        sentences += [rng.choice(frames).format(p=rng.choice(general)) for _ in range(2)]
        for _ in range(rng.randint(0, 2)):
            other_topic = rng.choice(topics)
            other_sub = rng.choice((1, 2))
            if (other_topic, other_sub) != (topic, sub):
                sentences.append(
                    rng.choice(frames).format(p=rng.choice(PHRASES[lang][other_topic][other_sub]))
                )
        sentences += rng.sample(FILLER[lang], rng.randint(3, 8))
        rng.shuffle(sentences)
        issued = date(2020, 1, 1) + timedelta(days=rng.randrange(2000))
        expired = rng.random() < 0.03
        yield {
            "id": f"doc-{i:05d}",
            "lang": lang,
            "topic": topic,
            "subtopic": f"{topic}/{'ab'[sub - 1]}",
            "title": rng.choice(TITLES[lang]).format(p=rng.choice(main)),
            "summary": rng.choice(frames).format(p=rng.choice(general)),
            "body": _join(lang, sentences),
            "date": issued.isoformat(),
            "valid_until": (
                date(2025, 12, 31) if expired else issued + timedelta(days=3650)
            ).isoformat(),
            "tlp": rng.choice(_TLP),
            "source": "generated for the ctnode benchmark",
        }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--docs", type=int, default=10_000)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for doc in generate(args.docs):
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
    print(f"{args.docs} documents -> {path}")


if __name__ == "__main__":
    main()
