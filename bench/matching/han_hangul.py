"""Write ``src/ctnode/match/data/han-hangul.tsv``: the Korean reading of each Han character,
from the Unicode Han database's ``kHangul`` field (Unihan, Unicode Consortium; Debian's
``unicode-data`` package ships it as /usr/share/unicode/Unihan_Readings.txt.bz2).

    .venv/bin/python -m bench.matching.han_hangul [/usr/share/unicode/Unihan_Readings.txt.bz2]

``kHangul`` gives each reading with its sources (UAX #38): a digit for the Korean standard
that holds it and ``N`` when the reading is one of those for personal names (인명용 한자).
One reading per character is kept: the first marked ``N`` (金 김, not 금; 盧 로), else the
first listed (the reading before the initial-sound rule: 李 리, 林 림, as DPRK names write
them: Ri, Rim).
"""

from __future__ import annotations

import bz2
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "src" / "ctnode" / "match" / "data" / "han-hangul.tsv"
DEFAULT = Path("/usr/share/unicode/Unihan_Readings.txt.bz2")


def pick(readings: str) -> str:
    """The reading kept from a kHangul value (``금:0E 김:0N`` → ``김``)."""
    pairs = [r.split(":", 1) for r in readings.split()]
    named = [h for h, src in pairs if "N" in src]
    return named[0] if named else pairs[0][0]


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    opener = bz2.open if source.suffix == ".bz2" else open
    version = ""
    rows: list[str] = []
    with opener(source, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("# Unicode version:"):
                version = line.split(":", 1)[1].strip()
            if line.startswith("#") or "\tkHangul\t" not in line:
                continue
            code, _field, value = line.rstrip("\n").split("\t")
            rows.append(f"{chr(int(code[2:], 16))}\t{pick(value)}")
    head = (f"# Unihan {version} kHangul (Unicode Consortium, Unicode-DFS-2016 licence): one Korean "
            f"reading per Han character, written by bench/matching/han_hangul.py\n")
    OUT.write_text(head + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} characters written to {OUT}")


if __name__ == "__main__":
    main()
