#!/usr/bin/env bash
# Every benchmark, one after the other (about an hour on 2 cores; each prints its table).
# Results and how to read them: docs/benchmarks.md. Needs ../shared/data (or CTNODE_SHARED_DATA).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=.
PY=.venv/bin/python

echo "== ingest: list parsers";                 $PY -m bench.ingest.parse_bench --repeat 5
echo "== store: UN import, 1M persons";         $PY -m bench.store.import_bench
[ -x bench/.venv/bin/python ] || bash bench/setup.sh   # nomenklatura, bench-only
echo "== matching: ctnode vs logic-v2 vs rapidfuzz"; $PY -m bench.matching.run
echo "== matching: 1M synthetic persons";       $PY -m bench.matching.synthetic --persons 1000000 --queries 2000
echo "== federation: 10-node network screen";   $PY -m bench.federation.network_bench --screens 200 --iterations 5000
echo "== federation: biometric network query";  $PY -m bench.federation.biometric_bench --holders 3 --queries 40
echo "== biometrics";                            $PY -m bench.biometrics.run
echo "== biometrics: per-search calibration";    $PY -m bench.biometrics.calibrate --galleries 200
echo "== biometrics: face index at 1M";          $PY -m bench.biometrics.index_bench --n 1000000
echo "== biometrics: issue 10's check, services"; $PY -m bench.biometrics.gallery_check --galleries 20
echo "== biometrics: face search service at 1M"; $PY -m bench.biometrics.service_bench --n 1000000
echo "== travel and payments";                   $PY -m bench.travel.run
echo "== console pages";                         $PY -m bench.console.pages --queue 10000 --repeat 20
