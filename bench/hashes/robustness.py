"""Robustness of PDQ matching on real images: transformed copies found vs distractors falsely matched.

For every real image (shared faces + scikit-image samples) and each transformation, the copy is
hashed and matched against a bank of all originals plus ``--distractors`` generated images, at
the default threshold (31 bits). Two matchers in the same run:

- ctnode: ``HashMatcher`` with the query's 8 dihedral variants (what ``ctnode hashes`` does);
- python-threatexchange: ``PdqSignal.hash_from_bytes`` (which drops hashes of quality < 50) and
  its own PDQ index (``PdqSignal.get_index_cls()``, i.e. ``PDQIndex``, threshold 31), one hash
  per query (it has no dihedral search).

"Found" = the copy matches its own original. "False" = a match with any other banked image
(counted per million comparisons), plus every generated distractor queried against the real
originals. Run: .venv/bin/python -m bench.hashes.robustness [--distractors 1000]
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path

from threatexchange.signal_type.pdq.signal import PdqSignal

from bench.hashes.images import TRANSFORMS, generated, png_bytes, real_images
from ctnode.hashes.hasher import hash_bytes
from ctnode.hashes.matcher import HashMatcher
from ctnode.hashes.model import Bank, HashRecord, Provenance, SignalType

OUT = Path(__file__).resolve().parents[1] / "out" / "hashes"


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--distractors", type=int, default=1000)
    args = ap.parse_args()
    started = time.time()
    reals = real_images()
    names = [n for n, _ in reals]
    print(
        f"{len(reals)} real images, {args.distractors} generated distractors, {len(TRANSFORMS)} transformations"
    )

    bank = Bank("ROBUSTNESS")
    matcher = HashMatcher()
    matcher.put_bank(bank)
    prov = Provenance("local", "bench", datetime.now(UTC))
    te_bank: list[tuple[str, int]] = []  # (hash, key) for threatexchange's own index
    key_of_real: dict[int, int] = {}
    key_by_record: dict[str, int] = {}
    key = 0
    for i, (_, img) in enumerate(reals):
        h = hash_bytes(png_bytes(img), f"real-{i}").pdq
        assert h is not None
        key += 1
        key_of_real[key] = i
        rid = f"real-{i}"
        key_by_record[rid] = key
        matcher.add([(key, HashRecord(rid, bank.name, SignalType.PDQ, h.value, prov))])
        te_value = PdqSignal.hash_from_bytes(png_bytes(img))
        te_bank.append((te_value, key))
    distractor_hashes = []
    for s in range(args.distractors):
        img = generated(1_000_000 + s)
        h = hash_bytes(png_bytes(img), f"gen-{s}").pdq
        assert h is not None
        key += 1
        key_by_record[f"gen-{s}"] = key
        matcher.add([(key, HashRecord(f"gen-{s}", bank.name, SignalType.PDQ, h.value, prov))])
        te_bank.append((PdqSignal.hash_from_bytes(png_bytes(img)), key))
        distractor_hashes.append(h)
    bank_size = key
    te_index = PdqSignal.get_index_cls().build([(h, k) for h, k in te_bank if h])
    real_keys = {v: k for k, v in key_of_real.items()}

    rows = []
    false_ours: list[str] = []
    false_te: list[str] = []
    comparisons = 0
    for tname, transform in TRANSFORMS.items():
        found_ours = found_te = 0
        for i, (name, img) in enumerate(reals):
            data = png_bytes(transform(img))
            hits = matcher.match_hashes(hash_bytes(data, name))
            own = real_keys[i]
            hit_keys = {key_by_record[h.record.record_id] for h in hits}
            found_ours += own in hit_keys
            false_ours += [
                f"{tname}: {name} ~ {_label(matcher, k, names, key_of_real)}"
                for k in hit_keys - {own}
            ]
            q = PdqSignal.hash_from_bytes(data)
            te_hits = {m.metadata for m in te_index.query(q)} if q else set()
            found_te += own in te_hits
            false_te += [
                f"{tname}: {name} ~ {_label(matcher, k, names, key_of_real)}"
                for k in te_hits - {own}
            ]
            comparisons += bank_size
        rows.append((tname, found_ours, found_te, len(reals)))
        print(
            f"{tname:16s} ctnode {found_ours}/{len(reals)}   threatexchange {found_te}/{len(reals)}"
        )
    # generated distractors as queries against the real originals only
    reals_only = HashMatcher()
    reals_only.put_bank(bank)
    reals_only.add([(k, matcher.record(k)) for k in key_of_real if matcher.record(k) is not None])  # type: ignore[misc]
    for s, h in enumerate(distractor_hashes):
        for hit in reals_only.match_value(SignalType.PDQ, h.value):
            false_ours.append(f"distractor gen-{s} ~ {hit.record.record_id}")
        comparisons += len(reals)
    total = len(reals) * len(TRANSFORMS)
    ours = sum(r[1] for r in rows)
    theirs = sum(r[2] for r in rows)
    report = {
        "real_images": len(reals),
        "distractors": args.distractors,
        "bank_size": bank_size,
        "comparisons": comparisons,
        "found_ctnode": ours,
        "found_threatexchange": theirs,
        "total": total,
        "false_ctnode": false_ours,
        "false_threatexchange": false_te,
        "rows": rows,
        "seconds": round(time.time() - started, 1),
    }
    print(
        f"overall: ctnode {ours}/{total} ({100 * ours / total:.1f}%),"
        f" threatexchange {theirs}/{total} ({100 * theirs / total:.1f}%)"
    )
    print(
        f"false matches: ctnode {len(false_ours)}, threatexchange {len(false_te)} in {comparisons:,} comparisons "
        f"({1e6 * len(false_ours) / comparisons:.2f} / {1e6 * len(false_te) / comparisons:.2f} per million)"
    )
    for line in false_ours[:20]:
        print("  ctnode false:", line)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "robustness.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))


def _label(matcher: HashMatcher, key: int, names: list[str], key_of_real: dict[int, int]) -> str:
    return names[key_of_real[key]] if key in key_of_real else f"generated key {key}"


if __name__ == "__main__":
    main()
