"""Issue 10's biometric check, through the node's own services (enrolment, search, peer answer).

    .venv/bin/python -m bench.biometrics.gallery_check [--galleries 20] [--gallery-size 1000]
        [--out bench/biometrics/gallery_check.json]

Reads ``$CTNODE_SHARED_DATA/biometrics`` (default ``../shared/data/biometrics``, see its
README). ``bench/biometrics/calibrate.py`` checks the calibration arithmetic with numpy;
this one runs the same question the way a node meets it:

1. **Seeded corruptions.** 3 real photos, 40 seeded corruptions each (1, 10 or 100
   bytes changed after the start of scan, cut short, 512 bytes zeroed; the same
   generator and seeds as ``tests/biometrics/test_images.py``) are *enrolled through
   ``Enrolment.enrol_face``*, each on its own entity. Counted: refused (by reason) and
   enrolled; every enrolled template is read back from the store (opened with the node
   key) and scored against the person's other, clean photos. The check: none is enrolled
   with a template below the model's per-comparison ``match`` threshold (0.40) against
   her other photos.
2. **Synthetic identities** (``calibrate.SyntheticFaces``): ``a·m + √(1−a²)·w``, ``m``
   the unit mean of the real identities' mean templates, ``w`` a random unit direction
   orthogonal to ``m`` mixing the real identities' spread with isotropic noise; ``a`` and
   ``c`` fitted on a grid to the real impostor scores (smallest Kolmogorov-Smirnov gap).
   Shown: their scores against the real probes beside the measured real impostor scores
   (quantiles, KS statistic, share above 0.30 / 0.40 / the 1,000-gallery ``possible``).
3. **Galleries of 1,000 identities**, each a fresh SQLite node: 1,000 watchlist persons
   (a list imported into the store); about half the real identities enrolled through
   the enrolment service (alternating per gallery, a different photo of each in turn),
   the rest of the 1,000 synthetic templates sealed and stored as enrolments store
   them. Every labelled photo is then a probe: ``Search.face_templates`` (the service's
   search after the face model: index, calibration for the gallery size, candidates,
   audit) and ``Exchange.answer`` (what a peer's probe gets: ``hit`` only at ``match``).
   Counted per search: an impostor candidate (any entity but the probe's own) at
   ``possible`` or above, at ``match``; a peer ``hit`` on an entity that is not the
   probe's person; for enrolled identities, the mate's rank and band.

Targets (issue 10): corruptions enrolled that no longer match: 0; impostor searches
answering ``possible`` ≤ 1%; peer probes answering ``hit`` on an impostor: 0.
Results: ``bench/biometrics/gallery_check.json`` and docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from bench.biometrics.calibrate import DATA, SyntheticFaces, face_identities, ks, quantiles

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "bench" / "biometrics" / "gallery_check.json"

# photo → other photos of the same person (deepface master.csv "Yes" pairs), as in the test
CORRUPTED = {
    "img1.jpg": ["img2.jpg", "img4.jpg", "img5.jpg"],
    "img22.jpg": ["img23.jpg"],
    "img20.jpg": ["img21.jpg"],
}


def _change_bytes(data: bytes, n: int, seed: int) -> bytes:
    """``n`` bytes after the start of scan set to other values (seeded)."""
    rng = np.random.default_rng(seed)
    b = bytearray(data)
    start = data.index(b"\xff\xda") + 20
    for at in rng.choice(np.arange(start, len(data) - 2), size=n, replace=False):
        b[int(at)] = (b[int(at)] + int(rng.integers(1, 256))) % 256
    return bytes(b)


def corruptions(data: bytes, seed: int) -> list[tuple[str, bytes]]:
    """40 damaged copies: bytes changed (1, 10, 100), cut short, runs overwritten."""
    rng = np.random.default_rng(seed)
    out: list[tuple[str, bytes]] = []
    sos = data.index(b"\xff\xda") + 20
    for i in range(40):
        kind = i % 5
        if kind < 3:
            n = (1, 10, 100)[kind]
            out.append((f"{n} bytes changed", _change_bytes(data, n, seed * 1000 + i)))
        elif kind == 3:
            cut = int(rng.integers(sos, len(data) - 2))
            out.append(("cut short", data[:cut]))
        else:
            b = bytearray(data)
            at = int(rng.integers(sos, len(data) - 600))
            b[at : at + 512] = bytes(512)
            out.append(("512 bytes zeroed", bytes(b)))
    return out


def _admin() -> Any:
    from ctnode.model.access import Actor

    return Actor(name="bench-admin", role="admin")


def _purpose() -> Any:
    from ctnode.model.access import Purpose

    return Purpose(purpose="counter-terrorism screening", legal_basis="benchmark",
                   case_ref="BENCH-10")


def make_node(folder: Path, persons: int) -> Any:
    """A fresh SQLite node holding ``persons`` watchlist persons (``faces-P0000`` …)."""
    from ctnode.model.entities import Entity
    from ctnode.model.lists import ParsedList
    from ctnode.node import Node
    from ctnode.settings import Settings

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    node = Node(Settings(data_dir=folder / "data", database_url=f"sqlite:///{folder / 'store.db'}",
                         mode="development"))
    people = []
    for i in range(persons):
        e = Entity(id=f"faces-P{i:04d}", schema="Person", dataset="faces", reference=f"P{i:04d}")
        e.add("name", f"Gallery Person {i:04d}")
        people.append(e)
    node.store.entities.apply_list(
        ParsedList(dataset="faces", title="Gallery persons", source="bench", version="2026-12-05",
                   entities=people),
        actor="bench",
    )
    return node


def store_synthetic(node: Any, vectors: np.ndarray, entities: list[str]) -> None:
    """Sealed templates with their sample rows, as an enrolment stores them (no image)."""
    from ctnode.clock import utcnow

    emb = node.biometrics.engines.face
    key = node.biometrics.enrolment.key
    keep = date.today() + timedelta(days=365)
    now = utcnow()
    samples, tpls = [], []
    for vec, entity in zip(vectors, entities, strict=True):
        sid, tid = str(uuid.uuid4()), str(uuid.uuid4())
        samples.append({
            "id": sid, "entity_id": entity, "kind": "face", "position": None,
            "capture_date": None, "source": "synthetic", "quality": 80.0,
            "legal_basis": "benchmark", "provenance": {"origin": "synthetic"}, "note": "",
            "image_format": None, "width": None, "height": None, "image_ct": None,
            "transaction_id": None, "created_at": now, "created_by": "bench",
            "retain_until": keep,
        })
        tpls.append({
            "id": tid, "sample_id": sid, "entity_id": entity, "modality": "face",
            "model_id": emb.model_id, "engine": emb.engine, "dim": int(vec.size),
            "template_ct": key.seal(vec.astype("<f4").tobytes(), f"template:{tid}"),
            "retain_until": keep, "created_at": now,
        })
    rows = node.store.biometrics
    with node.store.begin() as conn:
        rows.insert_many(conn, "sample", samples)
        rows.insert_many(conn, "template", tpls)


def stored_vectors(node: Any) -> dict[str, np.ndarray]:
    """entity id → its stored face template, opened with the node key (one per entity here)."""
    emb = node.biometrics.engines.face
    key = node.biometrics.enrolment.key
    out = {}
    for row in node.store.biometrics.iter_templates("face", emb.model_id, emb.engine, None):
        raw = key.open(row.template_ct, f"template:{row.id}")
        out[row.entity_id] = np.frombuffer(raw, dtype="<f4").astype(np.float32)
    return out


def check_corruptions(tmp: Path) -> dict[str, Any]:
    """Step 1: 120 seeded corruptions enrolled through the service."""
    from ctnode.errors import CTNodeError
    from ctnode.services.biometrics.types import EnrolRequest

    node = make_node(tmp / "corrupt", 200)
    try:
        emb = node.biometrics.engines.face
        folder = DATA / "faces" / "deepface"

        def clean(name: str) -> np.ndarray:
            img = node.biometrics.engines.decode((folder / name).read_bytes(), "RGB", "face")
            vec: np.ndarray = node.biometrics.engines.face_template(img, "largest").vector
            return vec

        refused: Counter[str] = Counter()
        refused_by_kind: Counter[str] = Counter()
        enrolled: list[tuple[str, str, str]] = []  # entity, photo, what
        mates = {photo: [clean(m) for m in others] for photo, others in CORRUPTED.items()}
        i = 0
        for n, photo in enumerate(CORRUPTED):
            data = (folder / photo).read_bytes()
            for what, damaged in corruptions(data, seed=n + 1):
                entity = f"faces-P{i:04d}"
                i += 1
                try:
                    node.biometrics.enrolment.enrol_face(
                        _admin(), EnrolRequest(entity, damaged, "benchmark"))
                except CTNodeError as exc:
                    refused[exc.code] += 1
                    refused_by_kind[what] += 1
                    continue
                enrolled.append((entity, photo, what))
        vectors = stored_vectors(node)
        scores = []
        missing = []
        for entity, photo, what in enrolled:
            best = max(float(vectors[entity] @ m) for m in mates[photo])
            scores.append(best)
            if best < emb.default_threshold:
                missing.append({"photo": photo, "damage": what, "best_score": round(best, 3)})
        clean_scores = [
            max(float(clean(photo) @ m) for m in mates[photo]) for photo in CORRUPTED
        ]
        return {
            "corruptions": i,
            "refused": dict(refused),
            "refused_by_damage": dict(refused_by_kind),
            "enrolled": len(enrolled),
            "enrolled_by_damage": dict(Counter(w for _, _, w in enrolled)),
            "enrolled_lowest_score_vs_own_photos": round(min(scores), 3) if scores else None,
            "clean_photos_score_vs_own_photos": [round(s, 3) for s in clean_scores],
            "match_threshold": emb.default_threshold,
            "enrolled_no_longer_matching": len(missing),
            "details": missing,
        }
    finally:
        node.close()


def _embed_probes(node: Any) -> tuple[list[Path], list[str], np.ndarray]:
    labels = face_identities()
    paths = sorted(labels)
    vecs = []
    for p in paths:
        img = node.biometrics.engines.decode(p.read_bytes(), "RGB", "face probe")
        vecs.append(node.biometrics.engines.face_template(img, "largest").vector)
    return paths, [labels[p] for p in paths], np.vstack(vecs).astype(np.float32)


def synthetic_against_real(
    synth: SyntheticFaces, v: np.ndarray, ident: np.ndarray, impostor: np.ndarray,
    thresholds: dict[str, float], rng: np.random.Generator,
) -> dict[str, Any]:
    """Step 2: synthetic templates' scores against the real probes vs the real impostor scores."""
    sv = synth.sample(20_000, rng)
    scores = (v @ sv.T).ravel()
    shares = {}
    for name, t in {"0.30": 0.30, "0.40": 0.40, **thresholds}.items():
        shares[name] = {
            "threshold": round(t, 4),
            "real_impostor": round(float((impostor >= t).mean()), 6),
            "synthetic_vs_real": round(float((scores >= t).mean()), 6),
        }
    return {
        "made_with": {"a": round(synth.a, 3), "c": round(synth.c, 3),
                      "fit_ks": round(synth.fit_ks, 4)},
        "real_impostor_pairs": len(impostor),
        "real_impostor": quantiles(impostor),
        "synthetic_vs_real_probes": quantiles(scores),
        "synthetic_scores": len(scores),
        "ks": round(ks(impostor, scores), 4),
        "share_at_or_above": shares,
        "identities_real": len(set(ident.tolist())),
    }


def run_gallery(
    tmp: Path, g: int, size: int, paths: list[Path], ident: np.ndarray, v: np.ndarray,
    synth: SyntheticFaces, rng: np.random.Generator,
) -> dict[str, Any]:
    """Step 3, one gallery: a fresh node, ``size`` identities, every labelled photo probed."""
    from ctnode.services.biometrics.types import EnrolRequest, ProbeTemplate

    uniq = sorted(set(ident.tolist()))
    node = make_node(tmp / f"gallery-{g}", size)
    try:
        bio = node.biometrics
        emb = bio.engines.face
        # real identities: alternate halves per gallery; a different photo of each in turn
        enrolled: dict[str, str] = {}  # identity → entity
        photo_of: dict[str, int] = {}
        for i, u in enumerate(uniq):
            if (i + g) % 2:
                continue
            photos = np.flatnonzero(ident == u)
            pick = int(photos[(g // 2) % len(photos)])
            entity = f"faces-P{len(enrolled):04d}"
            bio.enrolment.enrol_face(_admin(), EnrolRequest(entity, paths[pick].read_bytes(),
                                                            "benchmark"))
            enrolled[u], photo_of[u] = entity, pick
        n_synth = size - len(enrolled)
        store_synthetic(node, synth.sample(n_synth, rng),
                        [f"faces-P{len(enrolled) + j:04d}" for j in range(n_synth)])
        counts: Counter[str] = Counter()
        best_impostor: list[float] = []
        cal: dict[str, Any] = {}
        for p in range(len(v)):
            u = str(ident[p])
            own = enrolled.get(u)
            tpl_bytes = v[p].astype("<f4").tobytes()
            result = bio.search.face_vector(_admin(), v[p], _purpose(), k=50,
                                            model_id=emb.model_id, engine=emb.engine)
            cal = result.calibration
            counts["searches"] += 1
            others = [c for c in result.candidates if c.entity_id != own]
            if others:
                best_impostor.append(others[0].score)
                counts["impostor_possible_or_match"] += 1
                real = others[0].entity_id in enrolled.values()
                counts["impostor_possible_real_person" if real else
                       "impostor_possible_synthetic"] += 1
                counts["impostor_match"] += any(c.decision == "match" for c in others)
            if own is None:
                counts["searches_person_not_enrolled"] += 1
                counts["not_enrolled_answering_possible"] += bool(result.candidates)
            elif photo_of[u] != p:
                counts["mate_searches"] += 1
                mine = [c for c in result.candidates if c.entity_id == own]
                if mine:
                    counts["mate_found"] += 1
                    counts["mate_rank1"] += result.candidates[0].entity_id == own
                    counts["mate_at_match"] += mine[0].decision == "match"
            answer = bio.exchange.answer(
                ProbeTemplate("face", emb.model_id, emb.engine, tpl_bytes), _purpose(),
                requester="bench-peer",
            )
            counts["peer_probes"] += 1
            if answer.hit:
                counts["peer_hits"] += 1
                assert answer.reference is not None
                row = bio.exchange.hit(answer.reference)
                if row is None or row["entity_id"] != own:
                    counts["peer_hits_on_impostor"] += 1
                elif photo_of[u] != p:
                    counts["peer_hits_on_mate_other_photo"] += 1
        counts["gallery_size"] = cal.get("gallery_size", 0)
        return {"counts": dict(counts), "calibration": cal,
                "best_impostor_when_any": [round(s, 4) for s in best_impostor]}
    finally:
        node.close()


@dataclass(slots=True)
class Probes:
    """The labelled real photos as the node embeds them, and synthetic identities fitted to them."""

    paths: list[Path]
    ident: np.ndarray  # identity label per photo
    vectors: np.ndarray  # one template per photo (its largest face)
    impostor: np.ndarray  # scores of every pair of photos of different identities
    synth: SyntheticFaces
    base: Any  # the model's per-comparison Calibration


def prepare(tmp: Path) -> Probes:
    """Embed every labelled photo through a node's engines (strict decoding, SFace) and fit the
    synthetic identities to the real impostor scores."""
    node = make_node(tmp / "probes", 1)
    try:
        paths, labels, v = _embed_probes(node)
        base = node.biometrics.engines.calibration("face")
    finally:
        node.close()
    ident = np.array(labels)
    sims = v @ v.T
    iu = np.triu_indices(len(v), 1)
    impostor = sims[iu][ident[iu[0]] != ident[iu[1]]]
    means = []
    for u in sorted(set(labels)):
        m = v[ident == u].mean(axis=0)
        means.append(m / np.linalg.norm(m))
    return Probes(paths, ident, v, impostor, SyntheticFaces(np.vstack(means), v, impostor), base)


def main() -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--galleries", type=int, default=20)
    ap.add_argument("--gallery-size", type=int, default=1000)
    ap.add_argument("--skip-corruptions", action="store_true")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()
    if not (DATA / "faces" / "deepface" / "master.csv").exists():
        raise SystemExit(f"no shared faces at {DATA}: set CTNODE_SHARED_DATA (see its README)")
    t_start = time.perf_counter()
    out: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M %Z"),
        "machine": {"python": platform.python_version(), "cores": os.cpu_count(),
                    "load_1m": round(os.getloadavg()[0], 2)},
        "galleries": args.galleries,
        "gallery_size": args.gallery_size,
    }
    tmp = Path(tempfile.mkdtemp(prefix="ctnode-gallery-check-"))
    try:
        if not args.skip_corruptions:
            out["corruptions"] = check_corruptions(tmp)
            print(json.dumps({"corruptions": out["corruptions"]}, indent=1), file=sys.stderr)
        from ctnode.biometrics.calibration import for_gallery

        probes = prepare(tmp)
        paths, ident, v, synth, base, impostor = (
            probes.paths, probes.ident, probes.vectors, probes.synth, probes.base,
            probes.impostor,
        )
        cal = for_gallery(base, args.gallery_size)
        rng = np.random.default_rng(2026)
        out["synthetic"] = synthetic_against_real(
            synth, v, ident, impostor,
            {"possible@gallery": cal.possible, "match@gallery": cal.match}, rng)
        print(json.dumps({"synthetic": out["synthetic"]}, indent=1), file=sys.stderr)
        totals: Counter[str] = Counter()
        best_all: list[float] = []
        per_gallery = []
        for g in range(args.galleries):
            res = run_gallery(tmp, g, args.gallery_size, paths, ident, v, synth, rng)
            totals.update({k: v_ for k, v_ in res["counts"].items() if k != "gallery_size"})
            best_all += res["best_impostor_when_any"]
            per_gallery.append(res["counts"])
            out["calibration_at_gallery"] = res["calibration"]
            print(f"gallery {g + 1}/{args.galleries}: {res['counts']}", file=sys.stderr,
                  flush=True)
        searches = totals["searches"]
        out["galleries_result"] = {
            "totals": dict(totals),
            "impostor_share_possible": round(totals["impostor_possible_or_match"] / searches, 4),
            "impostor_share_match": round(totals["impostor_match"] / searches, 5),
            "peer_hits_on_impostor": totals["peer_hits_on_impostor"],
            "modelled_share_possible": round(
                cal.impostor.search_false_alarm(cal.possible, args.gallery_size), 4)
            if cal.impostor else None,
            "best_impostor_scores_above_possible": sorted(best_all, reverse=True)[:20],
            "per_gallery": per_gallery,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out["seconds"] = round(time.perf_counter() - t_start, 1)
    out["machine"]["load_1m_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps({k: v_ for k, v_ in out.items() if k != "galleries_result"}, indent=1))
    print(json.dumps({k: v_ for k, v_ in out.get("galleries_result", {}).items()
                      if k != "per_gallery"}, indent=1))
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
