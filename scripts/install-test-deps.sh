#!/usr/bin/env bash
# Installs what the test suite needs on a fresh machine: a venv with requirements-dev.txt and, for the
# real-browser test, Debian's chromium at /usr/bin/chromium (Playwright's own browser download does not work here).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" = "0" ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else return 1; fi
}
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@"
}

# Debian's python3 ships venv/ensurepip separately.
# The venv is (re)installed only when what it is built from changed (README's test command runs this before every
# run): the stamp is a hash of the requirement files, pyproject.toml and the Python version. Delete it to force one.
stamp=".venv/.test-deps"
wanted="$(cat requirements.txt requirements-dev.txt pyproject.toml <(python3 -VV) | sha256sum | cut -d' ' -f1)"
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  python3 -c "import ensurepip, venv" 2>/dev/null || apt_install python3-venv \
    || { echo "error: python3 cannot create a venv; install python3-venv" >&2; exit 1; }
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  echo "$wanted" > "$stamp"
fi

if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium || echo "note: could not install chromium; the browser test will be skipped" >&2
fi
