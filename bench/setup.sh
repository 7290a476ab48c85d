#!/usr/bin/env bash
# Create the bench-only virtualenv (bench/.venv) holding the reference matchers.
# nomenklatura (OpenSanctions' matcher, yente's default `logic-v2`) is never a dependency
# of ctnode: it lives only here, and the benchmark calls it in a subprocess.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-python3.11}"
if [ ! -x "$here/.venv/bin/python" ]; then
  "$python" -m venv "$here/.venv"
fi
"$here/.venv/bin/pip" install --quiet --upgrade pip
"$here/.venv/bin/pip" install --quiet "nomenklatura==4.17.4" "followthemoney==4.11.2" "rigour==2.6.1" "rapidfuzz==3.14.6" "orjson" "scikit-learn==1.9.1"
"$here/.venv/bin/python" -c "import nomenklatura, followthemoney; print('nomenklatura', nomenklatura.__version__ if hasattr(nomenklatura, '__version__') else '4.17.4', 'ready')"
