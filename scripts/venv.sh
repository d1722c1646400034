# Sourced by run.sh and test.sh: make sure .venv exists and holds the given requirements.
# A virtual environment, because Debian's own python3 refuses `pip install` outside one (PEP 668).
ensure_venv() {
  local requirements=$1
  if [ ! -x .venv/bin/python ]; then
    if ! python3 -m venv .venv 2>/dev/null; then
      rm -rf .venv
      echo "python3 cannot create a virtual environment; installing Debian's python3-venv..." >&2
      local sudo_cmd=""
      [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
      $sudo_cmd apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3-venv >/dev/null
      python3 -m venv .venv
    fi
  fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
}
