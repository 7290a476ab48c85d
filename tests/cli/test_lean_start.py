"""Lean start (issue 11): a name screen from the command line loads the name index from its
files, and neither the image libraries, the list parsers, the federation, rigour's name
tagger, nor the command modules and stores of other areas (STIX, hashes, biometrics)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from ctnode.node import Node


def test_a_name_screen_loads_only_what_it_needs(node: Node) -> None:
    node.index.refresh()  # the files, as the import or an earlier command leaves them
    env = {**os.environ, "CTNODE_DATA_DIR": str(node.settings.data_dir),
           "CTNODE_DATABASE_URL": node.settings.store_url, "CTNODE_MODE": "development"}
    code = textwrap.dedent("""
        import json, sys
        from typer.testing import CliRunner
        from ctnode.cli.main import app
        r = CliRunner().invoke(app, ["screen", "Faris Nadir", "--json", "--purpose", "t",
                                     "--legal-basis", "t"])
        import ctnode.match.normalise as n
        print(json.dumps({"code": r.exit_code, "out": r.stdout,
                          "tagger": n.rigour_symbols.cache_info().currsize,
                          "modules": sorted(m for m in sys.modules if m.split(".")[0] in (
                              "PIL", "cv2", "numpy_face", "dlib", "alembic", "stix2")
                              or m.startswith(("ctnode.federation.parts", "ctnode.ingest",
                                               "ctnode.biometrics", "ctnode.cli.intel",
                                               "ctnode.cli.hashes", "ctnode.cli.biometrics",
                                               "ctnode.cli.batches", "ctnode.store.biometrics",
                                               "ctnode.store.hashes", "ctnode.store.intel",
                                               "ctnode.store.library"))
                              # the data key seals the subject of a screening with hits
                              and m not in ("ctnode.biometrics", "ctnode.biometrics.crypto"))}))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=Path(node.settings.data_dir).parent, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["code"] == 0, report["out"]
    hits = json.loads(report["out"])["hits"]
    assert hits[0]["entity_id"] == "un_sc-DMi.001"
    assert report["modules"] == []
    assert report["tagger"] == 0  # rigour's person-name tagger never asked
    assert "name index" not in done.stderr  # loaded, not rebuilt


def test_a_manifest_screen_leaves_rigours_tagger_alone(node: Node, tmp_path: Path) -> None:
    """``ctnode screen manifest``: travellers written in Latin with accents, in Cyrillic and
    in Arabic script (forms of listed names in other scripts among them) get their name
    symbols from the index's table, never from rigour's tagger (5.5 s of a manifest
    screen's 6.4 s when three query tokens started it)."""
    node.index.refresh()
    travellers = ["VEDENOV:ARSLAN:TIMUROVICH", "ХАМИД:ИБРАГИМ", "حامد:فارس", "كيانا:يسار عواض",
                  "FARÈS:HAMÍD", "SMITH:JOHN"]
    body = "".join(f"NAD+FL+++{t}'ATT+2++M'" for t in travellers)
    manifest = tmp_path / "manifest.edi"
    manifest.write_text(
        "UNA:+.? 'UNB+UNOY:4+AIR+NCTC+261127:1000+R1++APIS'UNH+1+PAXLST:D:05B:UN:IATA'"
        f"BGM+745'TDT+20+TA1+++TA'LOC+125+IST'DTM+189:2611271200:201'LOC+87+FRA'{body}"
        f"CNT+42:{len(travellers)}'UNT+9+1'UNZ+1+R1'", encoding="utf-8")
    env = {**os.environ, "CTNODE_DATA_DIR": str(node.settings.data_dir),
           "CTNODE_DATABASE_URL": node.settings.store_url, "CTNODE_MODE": "development"}
    code = textwrap.dedent(f"""
        import json
        from typer.testing import CliRunner
        from ctnode.cli.main import app
        r = CliRunner().invoke(app, ["screen", "manifest", {str(manifest)!r}, "-f", "jsonl",
                                     "--purpose", "t", "--legal-basis", "t"])
        import ctnode.match.normalise as n
        print(json.dumps({{"code": r.exit_code, "out": r.stdout,
                          "tagger": n.rigour_symbols.cache_info().currsize}}))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=Path(node.settings.data_dir).parent, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["code"] in (0, 1), report["out"]  # 1: hits to review
    lines = [json.loads(x) for x in report["out"].splitlines()]
    names = {r.get("name") for r in lines}
    assert {"ИБРАГИМ ХАМИД", "فارس حامد", "HAMÍD FARÈS"} <= names, names
    assert any("DMi.002" in json.dumps(r) for r in lines)
    assert report["tagger"] == 0  # rigour's person-name tagger never asked
    assert "name index" not in done.stderr  # loaded, not rebuilt


def test_a_server_warming_up_leaves_rigours_tagger_alone(node: Node) -> None:
    """A server's warm-up (``MatchIndex.prepare``) loads the scripts' rules but not rigour's
    person-name tagger when the index has its symbol table: building the tagger holds the
    interpreter lock for seconds, during which the server would answer nothing."""
    node.index.refresh()
    env = {**os.environ, "CTNODE_DATA_DIR": str(node.settings.data_dir),
           "CTNODE_DATABASE_URL": node.settings.store_url, "CTNODE_MODE": "development"}
    code = textwrap.dedent("""
        import json
        from ctnode.node import Node
        from ctnode.settings import Settings
        import ctnode.match.normalise as n
        node = Node(Settings())
        node.index.prepare()
        symbols = node.index.matcher.use_symbol_table
        with node.index.matcher.screening():
            n.name_symbols("muhammad")  # a query token: the table answers
        print(json.dumps({"table": symbols, "tagger": n.rigour_symbols.cache_info().currsize}))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=Path(node.settings.data_dir).parent, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"table": True, "tagger": 0}


def test_the_server_app_loads_no_list_parser() -> None:
    """``ctnode up`` serves as soon as the app is built: building it imports no list parser
    and not FollowTheMoney's model (the console's list-import page once pulled in the CSV
    parser and with it the model, about 0.7 s of a server's start)."""
    code = ("import json, sys, ctnode.server; print(json.dumps(sorted(m for m in sys.modules "
            "if m.startswith(('followthemoney', 'ctnode.ingest.csv_list', 'ctnode.ingest.un_sc', "
            "'ctnode.ingest.ofac_sdn')))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_server_app_loads_neither_stix2_nor_faiss() -> None:
    """Nor the STIX checker (stix2 and its pattern grammar: 0.17 s of CPU, through the TAXII
    router and the intel service) nor faiss (0.08 s, through the content-hash router's
    schemas): the TAXII routes and the PDQ indexes load them on first use, the server's
    background warm-up among them."""
    code = ("import json, sys, ctnode.server; print(json.dumps(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('stix2', 'stix2patterns', 'faiss') "
            "or m == 'ctnode.intel.stix')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_a_network_screen_builds_only_the_network_part(node: Node) -> None:
    """``ctnode screen NAME --network`` uses ``node.network`` alone: no other federation part,
    no list parser, not FollowTheMoney (about 2 s of the command's start); the whole
    federation, when built, holds that same part."""
    env = {**os.environ, "CTNODE_DATA_DIR": str(node.settings.data_dir),
           "CTNODE_DATABASE_URL": node.settings.store_url, "CTNODE_MODE": "development"}
    code = textwrap.dedent("""
        import json, sys
        from ctnode.node import Node
        from ctnode.settings import Settings
        node = Node(Settings())
        network = node.network
        loaded = sorted(m for m in sys.modules if m.startswith((
            "followthemoney", "ctnode.ingest", "ctnode.federation.parts",
            "ctnode.federation.hash_exchange", "ctnode.federation.list_updates")))
        same = node.federation.network is network and node.federation.context is network.ctx
        print(json.dumps({"loaded": loaded, "same": same}))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=Path(node.settings.data_dir).parent, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"loaded": [], "same": True}
