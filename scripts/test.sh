#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs the Python test needs and Debian's chromium when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
ensure_venv requirements-test.txt

if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian chromium for the browser tests..."
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi

.venv/bin/python -m ruff check .
status=0
.venv/bin/python -m pytest -q "$@" || status=$?
# pytest exits 5 when it collected no test: that is a broken suite, not a pass.
if [ "$status" -eq 5 ]; then
  echo "No tests were collected." >&2
  exit 1
fi
exit "$status"
