#!/usr/bin/env bash
# Installs what the test suite needs on a fresh machine: a venv with requirements-dev.txt and, for the
# real-browser test, Debian's chromium (Playwright's own browser download does not work here).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
if ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "note: chromium not found and cannot apt-get it here; the browser test will be skipped" >&2
  fi
fi
