"""Travel and payment screening benchmark: speed, recall of planted listed people, false hits.

    .venv/bin/python -m bench.travel.run [--travellers 500] [--transactions 10000] [--seed 7]

A node on a temporary SQLite store holds the real UN Security Council list
(``$CTNODE_SHARED_DATA/un-sc-consolidated.xml``) plus five synthetic listed
crypto wallets. Innocent people are drawn from yente's negative name set
(``name-variants/yente-negatives_global.csv``: real-looking names in many scripts,
none listed). Listed people are planted the way their documents would show them:

- manifest: each planted listed person's name as a passport MRZ prints it
  (ICAO 9303: Cyrillic names via iuliia, so ``Ахмед Ражапович Чатаев`` travels as
  ``CHATAEV AKHMED RAZHAPOVICH``; Latin names upper-cased, diacritics by the ICAO
  table, cut to the 39-character MRZ name field), birth date and nationality as
  listed, and a passport number the list does not know (a new passport);
- payments: the listed name as a bank would write it (Latin, upper case for MT
  habits, "Surname, Given" for one in three), organisations as creditors; listed
  wallets in the remittance text, half of them cut across two ``Ustrd`` lines.

Reported: seconds end to end (parse, screen, report, retention record), recall
of the planted subjects (the planted entity among the reportable hits), and
reportable hits on innocent subjects per 1,000.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from rigour.territories.lookup import lookup_territory

from ctnode.ingest.un_sc import parse_un_sc
from ctnode.model.entities import Entity
from ctnode.model.lists import ParsedList
from ctnode.node import Node
from ctnode.services.access import local_actor
from ctnode.services.batches import reports
from ctnode.settings import Settings
from ctnode.travel.names import icao_transliterate, mrz_name
from ctnode.travel.parse import parse_manifest

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("CTNODE_SHARED_DATA", REPO.parent / "shared" / "data"))
WALLETS = [
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
]


def make_node(tmp: Path) -> Node:
    node = Node(Settings(data_dir=tmp, mode="development"))
    actor = local_actor()
    node.lists.import_list(parse_un_sc(SHARED / "un-sc-consolidated.xml"), actor)
    wallets = []
    for i, addr in enumerate(WALLETS, 1):
        e = Entity(id=f"bench-wallet-{i}", schema="CryptoWallet", dataset="bench_wallets",
                   reference=f"BW.{i}")
        e.add("publicKey", addr)
        wallets.append(e)
    node.lists.import_list(ParsedList(dataset="bench_wallets", title="bench wallets", version="1",
                                source="bench", entities=wallets), actor)
    node.index.refresh(force=True)
    return node


def innocents(rng: random.Random, n: int) -> list[dict[str, str]]:
    with (SHARED / "name-variants" / "yente-negatives_global.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return rng.sample(rows, n)


def alpha3(country: str) -> str:
    t = lookup_territory(country) if country else None
    return (t.alpha3 or "") if t else ""


def listed_people(node: Node) -> tuple[list[Entity], list[Entity]]:
    persons, orgs = [], []
    for e in node.store.entities.iter_entities(dataset="un_sc", status="listed"):
        (persons if e.schema == "Person" else orgs).append(e)
    return persons, orgs


def passport_name(e: Entity) -> tuple[str, str]:
    """(surname, given) as the person's passport MRZ would print them."""
    names = [s.value for s in e.statements if s.prop == "name"]
    cyrillic = [n for n in names if any("\u0400" <= c <= "\u04ff" for c in n)]
    source = cyrillic[0] if cyrillic else names[0]
    parts = icao_transliterate(source).split()
    surname, given = (parts[-1], " ".join(parts[:-1])) if len(parts) > 1 else (parts[0], "")
    field = mrz_name(surname, given)  # cut to the 39-character MRZ name field
    sur, _, giv = field.partition("<<")
    return sur.replace("<", " "), giv.replace("<", " ")


def edi(value: str) -> str:
    return "".join("?" + c if c in "+:'?" else c for c in value)


def build_paxlst(travellers: list[dict[str, str]]) -> bytes:
    segs = ["UNA:+.? '", "UNB+UNOA:4+BENCHAIR+NCTC+261127:1000+B1++APIS'",
            "UNH+1+PAXLST:D:05B:UN:IATA'", "BGM+745'", "TDT+20+BA123+++BA'", "LOC+125+IST'",
            "DTM+189:2611271200:201'", "LOC+87+LHR'", "DTM+232:2611271500:201'"]
    for t in travellers:
        segs += [f"NAD+FL+++{edi(t['surname'])}:{edi(t['given'])}'", f"ATT+2++{t['sex']}'"]
        if t["dob"]:
            segs.append(f"DTM+329:{t['dob'][2:4]}{t['dob'][5:7]}{t['dob'][8:10]}'")
        if t["nat"]:
            segs.append(f"NAT+2+{t['nat']}'")
        segs += [f"DOC+P:110:111+{t['doc']}'", "DTM+36:310101'"]
    segs += [f"CNT+42:{len(travellers)}'", f"UNT+{len(segs) - 1}+1'", "UNZ+1+B1'"]
    return "\n".join(segs).encode()


def manifest_message(node: Node, rng: random.Random, n: int, planted_n: int
                     ) -> tuple[bytes, list[dict[str, str]], list[Entity], list[Entity]]:
    """A PAXLST of n travellers with planted_n listed people as their passports show them:
    (message, travellers in order, planted entities, the Cyrillic-script ones among all)."""
    persons, _ = listed_people(node)
    cyr = [p for p in persons if any("\u0400" <= c <= "\u04ff" for s in p.statements
                                     for c in s.value)]
    others = [p for p in persons if p not in cyr]
    planted = cyr[: min(len(cyr), planted_n // 3)]
    planted += rng.sample(others, planted_n - len(planted))
    travellers: list[dict[str, str]] = []
    for row in innocents(rng, n - planted_n):
        parts = icao_transliterate(row["full_name"]).split() or ["UNKNOWN"]
        travellers.append({"surname": parts[-1], "given": " ".join(parts[:-1]),
                           "sex": "M" if row["gender"] == "male" else "F",
                           "dob": row["date_of_birth"], "nat": alpha3(row["nationality"]),
                           "doc": f"X{rng.randrange(10**8):08d}", "planted": ""})
    for e in planted:
        sur, giv = passport_name(e)
        dob = next((d for d in e.get("birthDate") if len(d) == 10), "")
        nat = e.first("nationality") or ""
        t = lookup_territory(nat) if nat else None
        travellers.insert(rng.randrange(len(travellers) + 1), {
            "surname": sur, "given": giv, "sex": "M", "dob": dob,
            "nat": (t.alpha3 or "") if t else "", "doc": f"P{rng.randrange(10**8):08d}",
            "planted": e.id})
    return build_paxlst(travellers), travellers, planted, cyr


def bench_manifest(node: Node, rng: random.Random, n: int, planted_n: int) -> dict[str, Any]:
    data, travellers, planted, cyr = manifest_message(node, rng, n, planted_n)
    actor = local_actor()
    times = []
    report = None
    for _ in range(5):
        started = time.perf_counter()
        report = node.manifests.screen(data, actor)
        reports.to_jsonl(report)
        times.append(time.perf_counter() - started)
    assert report is not None
    # where the time goes: parsing alone, and the node's matcher alone (no store, no audit)
    parse_times = []
    for _ in range(3):
        started = time.perf_counter()
        parse_manifest(data)
        parse_times.append(time.perf_counter() - started)
    started = time.perf_counter()
    for r in report.results:
        node.index.matcher.screen(r.query, limit=15)
    matcher_seconds = time.perf_counter() - started
    found = false_hits = innocent = 0
    missed: list[str] = []
    for t, r in zip(travellers, report.results, strict=True):
        ids = {h.entity_id for h in r.reportable}
        if t["planted"]:
            if t["planted"] in ids:
                found += 1
            else:
                missed.append(f"{t['given']} {t['surname']} ({t['planted']})")
        else:
            innocent += 1
            false_hits += bool(ids)
    return {"travellers": len(travellers), "bytes": len(data), "planted": len(planted),
            "planted_cyrillic_icao": len([p for p in planted if p in cyr]),
            "seconds_median": round(statistics.median(times), 3),
            "seconds_best": round(min(times), 3),
            "seconds_all": [round(x, 3) for x in times],
            "parse_seconds": round(min(parse_times), 3),
            "matcher_seconds": round(matcher_seconds, 3),
            "load_average": round(os.getloadavg()[0], 1),
            "recall": round(found / len(planted), 3), "missed": missed,
            "innocent": innocent,
            "false_hits_per_1000": round(1000 * false_hits / max(innocent, 1), 1)}


def party_xml(tag: str, name: str, person: bool) -> str:
    ident = ("<Id><PrvtId><Othr><Id>X1</Id><SchmeNm><Cd>CUST</Cd></SchmeNm></Othr></PrvtId></Id>"
             if person else "")
    return f"<{tag}><Nm>{escape(name[:140])}</Nm>{ident}</{tag}>"


def payments_message(node: Node, rng: random.Random, n: int, planted_n: int,
                     wallets_n: int) -> tuple[bytes, dict[int, str], set[int]]:
    """A pacs.008 of n transfers with planted_n listed parties and wallets_n listed wallets
    in the remittance text: (document, planted entity id by party slot, wallet transfers)."""
    persons, orgs = listed_people(node)
    people = innocents(rng, 2 * n)
    planted_slots = set(rng.sample(range(2 * n), planted_n))
    wallet_tx = set(rng.sample(range(n), wallets_n))
    truth: dict[int, str] = {}
    txs = []
    for i in range(n):
        parties = []
        for side in (0, 1):
            slot = 2 * i + side
            if slot in planted_slots:
                e = rng.choice(persons) if rng.random() < 0.7 else rng.choice(orgs)
                name = e.caption
                if e.schema == "Person" and rng.random() < 1 / 3 and " " in name:
                    first, _, last = name.rpartition(" ")
                    name = f"{last}, {first}"
                truth[slot] = e.id
                parties.append((name, e.schema == "Person"))
            else:
                parties.append((people[slot]["full_name"], True))
        rmt = f"<Ustrd>INVOICE {i}</Ustrd>"
        if i in wallet_tx:
            addr = WALLETS[i % len(WALLETS)]
            if i % 2:
                rmt = f"<Ustrd>TOP UP {addr[:20]}</Ustrd><Ustrd>{addr[20:]}</Ustrd>"
            else:
                rmt = f"<Ustrd>TOP UP {addr} THANKS</Ustrd>"
        txs.append(
            f"<CdtTrfTxInf><PmtId><EndToEndId>E2E-{i}</EndToEndId></PmtId>"
            f"<IntrBkSttlmAmt Ccy=\"EUR\">{rng.randrange(10, 99999)}.00</IntrBkSttlmAmt>"
            "<ChrgBr>SHAR</ChrgBr>"
            + party_xml("Dbtr", *parties[0])
            + "<DbtrAgt><FinInstnId><BICFI>DEUTDEFFXXX</BICFI></FinInstnId></DbtrAgt>"
            + "<CdtrAgt><FinInstnId><BICFI>BNPAFRPPXXX</BICFI></FinInstnId></CdtrAgt>"
            + party_xml("Cdtr", *parties[1])
            + f"<RmtInf>{rmt}</RmtInf></CdtTrfTxInf>")
    xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
           "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08\">"
           "<FIToFICstmrCdtTrf><GrpHdr><MsgId>BENCH</MsgId>"
           "<CreDtTm>2026-11-27T10:00:00</CreDtTm>"
           f"<NbOfTxs>{n}</NbOfTxs><SttlmInf><SttlmMtd>INDA</SttlmMtd></SttlmInf></GrpHdr>"
           + "".join(txs) + "</FIToFICstmrCdtTrf></Document>").encode()
    return xml, truth, wallet_tx


def bench_payments(node: Node, rng: random.Random, n: int, planted_n: int,
                   wallets_n: int) -> dict[str, Any]:
    xml, truth, wallet_tx = payments_message(node, rng, n, planted_n, wallets_n)
    started = time.perf_counter()
    report = node.payments.screen(xml, local_actor(), validate=False)
    reports.to_jsonl(report)
    seconds = time.perf_counter() - started
    found = false_hits = innocent = 0
    missed: list[str] = []
    for i, tr in enumerate(report.transactions):
        named = [p for p in tr.parties if p.party.role in {"debtor", "creditor"}]
        for side, pr in enumerate(named):
            slot = 2 * i + side
            ids = {h.entity_id for h in pr.result.reportable} if pr.result else set()
            if slot in truth:
                if truth[slot] in ids:
                    found += 1
                else:
                    missed.append(f"{pr.party.name} ({truth[slot]})")
            else:
                innocent += 1
                false_hits += bool(ids)
    wallets_found = sum(1 for i, tr in enumerate(report.transactions)
                        if i in wallet_tx and any(w.listed for w in tr.wallets))
    wallet_false = sum(1 for i, tr in enumerate(report.transactions)
                       if i not in wallet_tx and any(w.listed for w in tr.wallets))
    return {"transactions": n, "bytes": len(xml), "parties": 2 * n,
            "load_average": round(os.getloadavg()[0], 1),
            "planted_parties": len(truth), "seconds": round(seconds, 2),
            "recall_parties": round(found / max(len(truth), 1), 3), "missed": missed[:20],
            "innocent_parties": innocent,
            "false_hits_per_1000": round(1000 * false_hits / max(innocent, 1), 1),
            "planted_wallets": len(wallet_tx), "wallets_found": wallets_found,
            "wallet_false_hits": wallet_false}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--travellers", type=int, default=500)
    ap.add_argument("--planted", type=int, default=25)
    ap.add_argument("--transactions", type=int, default=10_000)
    ap.add_argument("--planted-parties", type=int, default=100)
    ap.add_argument("--wallets", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--skip-payments", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        node = make_node(Path(tmp))
        setup = time.perf_counter() - t0
        results: dict[str, Any] = {"setup_seconds": round(setup, 1)}
        results["manifest"] = bench_manifest(node, random.Random(args.seed), args.travellers,
                                             args.planted)
        print(json.dumps(results, indent=2, ensure_ascii=False), flush=True)
        if not args.skip_payments:
            results["payments"] = bench_payments(node, random.Random(args.seed),
                                                 args.transactions, args.planted_parties,
                                                 args.wallets)
            print(json.dumps(results["payments"], indent=2, ensure_ascii=False), flush=True)
        node.close()
    out = REPO / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "travel.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
