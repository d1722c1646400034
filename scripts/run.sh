#!/usr/bin/env bash
# Installs what the dashboard needs (first run only) and starts it on data/tracker.duckdb (or $TRACKER_DB).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
ensure_venv requirements.txt
exec .venv/bin/python -m streamlit run dashboard.py "$@"
