"""Robustness of PDQ matching on real images: transformed copies found vs distractors falsely matched.

For every real image (shared faces + scikit-image samples) and each transformation, the copy is
hashed and matched against a bank of all originals plus ``--distractors`` generated images, at
the default threshold (31 bits). Three matchers in the same run:

- ctnode: ``HashMatcher`` as the node now banks and queries. Every banked picture was added
  from its file, so the bank holds its PDQ *and* the PDQ of its standard crops
  (``signals.pdq.BANK_CROPS``: centre 90%, centre 80%, top or bottom tenth cut off) as
  derived records of the same item; a query carries its 8 dihedral variants and its
  caption-bar crops (``signals.pdq.QUERY_CROPS``);
- ctnode without crops: the same matcher with the original hashes only and dihedral
  variants only (what the node did before derived hashes; what a bank imported from HMA or
  ThreatExchange files, which carry no crops, still gets);
- python-threatexchange: ``PdqSignal.hash_from_bytes`` (which drops hashes of quality < 50) and
  its own PDQ index (``PdqSignal.get_index_cls()``, i.e. ``PDQIndex``, threshold 31), one hash
  per query (it has no dihedral search).

"Found" = the copy matches its own original. "False" = a match with any other banked item
(counted per million comparisons of a query with a banked item; the hash-pair count is given
too), plus every generated distractor queried against the real originals. Edits whose
geometry differs from the banked crops (``images.EXTRA``) are reported apart, outside the
goal's twelve transformations. Run: .venv/bin/python -m bench.hashes.robustness [--distractors 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from threatexchange.signal_type.pdq.signal import PdqSignal

from bench.hashes.images import EXTRA, TRANSFORMS, generated, png_bytes, real_images
from ctnode.hashes.hasher import HashOptions, hash_bytes
from ctnode.hashes.matcher import HashMatcher
from ctnode.hashes.model import DERIVED, Bank, FileHashes, HashRecord, Provenance, SignalType
from ctnode.hashes.signals import pdq

OUT = Path(__file__).resolve().parents[1] / "out" / "hashes"
NOW = datetime.now(UTC)
QUERY = HashOptions(pdq_crops=pdq.QUERY_CROPS)


def bare(fh: FileHashes) -> FileHashes:
    """The file's hashes without the crops (the matcher before derived hashes)."""
    return fh if fh.pdq is None else replace(fh, pdq=replace(fh.pdq, crops=()))


class Banked:
    """One matcher with derived crops, one without; keys are items, derived records get their own."""

    def __init__(self) -> None:
        self.bank = Bank("ROBUSTNESS")
        self.full, self.plain = HashMatcher(), HashMatcher()
        for m in (self.full, self.plain):
            m.put_bank(self.bank)
        self.key = 0
        self.hashes = 0  # PDQ hashes in the full bank

    def add(self, rid: str, fh: FileHashes) -> int:
        assert fh.pdq is not None
        self.key += 1
        item = self.key
        prov = Provenance("local", "bench", NOW)
        rec = HashRecord(rid, self.bank.name, SignalType.PDQ, fh.pdq.value, prov)
        self.full.add([(item, rec)])
        self.plain.add([(item, rec)])
        self.hashes += 1
        for crop, value in fh.pdq.crops:
            self.key += 1
            origin = Provenance("local", "bench", NOW, rid, f"{DERIVED}{crop}")
            self.full.add(
                [
                    (
                        self.key,
                        HashRecord(f"{rid}~{crop}", self.bank.name, SignalType.PDQ, value, origin),
                    )
                ]
            )
            self.hashes += 1
        return item


def query_hashes(fh: FileHashes, crops: bool) -> int:
    assert fh.pdq is not None
    n = len(fh.pdq.variants) or 1
    return n + (sum(1 for c, _ in fh.pdq.crops if c in pdq.QUERY_CROPS) if crops else 0)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--distractors", type=int, default=1000)
    ap.add_argument(
        "--images", type=int, default=0, help="only the first N real images (a smoke run)"
    )
    args = ap.parse_args()
    started = time.time()
    reals = real_images()
    if args.images:
        reals = reals[: args.images]
    names = [n for n, _ in reals]
    print(
        f"{len(reals)} real images, {args.distractors} generated distractors,"
        f" {len(TRANSFORMS)} transformations (+{len(EXTRA)} outside the goal)"
    )
    banked = Banked()
    te_bank: list[tuple[str, int]] = []  # (hash, item) for threatexchange's own index
    item_of_real: dict[int, int] = {}
    for i, (_, img) in enumerate(reals):
        data = png_bytes(img)
        item_of_real[i] = banked.add(f"real-{i}", hash_bytes(data, f"real-{i}"))
        te_bank.append((PdqSignal.hash_from_bytes(data), item_of_real[i]))
    real_ids = {f"real-{i}": i for i in range(len(reals))}
    distractors: list[FileHashes] = []
    for s in range(args.distractors):
        data = png_bytes(generated(1_000_000 + s))
        fh = hash_bytes(data, f"gen-{s}")
        item = banked.add(f"gen-{s}", fh)
        te_bank.append((PdqSignal.hash_from_bytes(data), item))
        distractors.append(fh)
    items = len(reals) + args.distractors
    te_index = PdqSignal.get_index_cls().build([(h, k) for h, k in te_bank if h])
    te_rid = {item: f"real-{i}" for i, item in item_of_real.items()}

    rows: list[dict[str, Any]] = []
    false: dict[str, list[str]] = {"ctnode": [], "ctnode_no_crops": [], "threatexchange": []}
    comparisons = 0
    hash_pairs = {"ctnode": 0, "ctnode_no_crops": 0}
    for tname, transform in [*TRANSFORMS.items(), *EXTRA.items()]:
        found = {"ctnode": 0, "ctnode_no_crops": 0, "threatexchange": 0}
        how: dict[str, int] = {}
        for i, (name, img) in enumerate(reals):
            data = png_bytes(transform(img))
            fh = hash_bytes(data, name, QUERY)  # as the node hashes a query
            own = f"real-{i}"
            for which, matcher, query in (
                ("ctnode", banked.full, fh),
                ("ctnode_no_crops", banked.plain, bare(fh)),
            ):
                hits = matcher.match_hashes(query)
                got = {h.record.item: h for h in hits}
                if own in got:
                    found[which] += 1
                    if which == "ctnode":
                        how[got[own].variant] = how.get(got[own].variant, 0) + 1
                false[which] += [
                    f"{tname}: {name} ~ {_label(k, names, real_ids)}" for k in set(got) - {own}
                ]
                bank_hashes = banked.hashes if which == "ctnode" else items
                hash_pairs[which] += query_hashes(fh, which == "ctnode") * bank_hashes
            q = PdqSignal.hash_from_bytes(data)
            te_hits = (
                {te_rid.get(m.metadata, f"gen item {m.metadata}") for m in te_index.query(q)}
                if q
                else set()
            )
            found["threatexchange"] += own in te_hits
            false["threatexchange"] += [
                f"{tname}: {name} ~ {_label(k, names, real_ids)}" for k in te_hits - {own}
            ]
            comparisons += items
        rows.append(
            {
                "transformation": tname,
                "in_goal": tname in TRANSFORMS,
                "images": len(reals),
                **found,
                "ctnode_matched_by": how,
            }
        )
        print(
            f"{tname:20s} ctnode {found['ctnode']}/{len(reals)}  without crops {found['ctnode_no_crops']}/{len(reals)}"
            f"  threatexchange {found['threatexchange']}/{len(reals)}  {how}"
        )
    # generated distractors as queries against the real originals (and their crops) only
    reals_only = Banked()
    for i, (_, img) in enumerate(reals):
        reals_only.add(f"real-{i}", hash_bytes(png_bytes(img), f"real-{i}"))
    for s, banked_fh in enumerate(distractors):
        fh = (
            replace(
                banked_fh,
                pdq=replace(
                    banked_fh.pdq,
                    crops=tuple((c, v) for c, v in banked_fh.pdq.crops if c in pdq.QUERY_CROPS),
                ),
            )
            if banked_fh.pdq
            else banked_fh
        )
        for which, matcher, query in (
            ("ctnode", reals_only.full, fh),
            ("ctnode_no_crops", reals_only.plain, bare(fh)),
        ):
            for hit in matcher.match_hashes(query):
                false[which].append(f"distractor gen-{s} ~ {hit.record.item}")
            hash_pairs[which] += query_hashes(fh, which == "ctnode") * (
                reals_only.hashes if which == "ctnode" else len(reals)
            )
        comparisons += len(reals)
    total = len(reals) * len(TRANSFORMS)
    goal_rows = [r for r in rows if r["in_goal"]]
    sums = {
        k: sum(int(r[k]) for r in goal_rows)
        for k in ("ctnode", "ctnode_no_crops", "threatexchange")
    }
    # two pairs in the data are one picture twice: a mirror image, and a re-encoded copy
    same = [{"img11.jpg", "img11_reflection.jpg"}, {"32bit.png", "obama2.jpg"}]

    def different(line: str) -> bool:
        a, b = (Path(side.split(": ")[-1].split(" ")[0]).name for side in line.split(" ~ "))
        return not any({a, b} <= pair for pair in same)

    between_different = {k: [f for f in v if different(f)] for k, v in false.items()}
    report = {
        "real_images": len(reals),
        "distractors": args.distractors,
        "bank_items": items,
        "bank_pdq_hashes_with_crops": banked.hashes,
        "item_comparisons": comparisons,
        "load_average": os.getloadavg(),
        "hash_pair_comparisons": hash_pairs,
        "found": sums,
        "total": total,
        "false": false,
        "false_between_different_pictures": {k: len(v) for k, v in between_different.items()},
        "rows": rows,
        "seconds": round(time.time() - started, 1),
    }
    for k, count in sums.items():
        print(f"overall {k}: {count}/{total} ({100 * count / total:.1f}%)")
    for k, v in false.items():
        print(
            f"false matches {k}: {len(v)} ({len(between_different[k])} between different pictures) in"
            f" {comparisons:,} item comparisons ({1e6 * len(between_different[k]) / comparisons:.2f} per million)"
        )
        for line in between_different[k][:20]:
            print("   ", line)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "robustness.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))


def _label(rid: str, names: list[str], real_ids: dict[str, int]) -> str:
    return names[real_ids[rid]] if rid in real_ids else rid


if __name__ == "__main__":
    main()
