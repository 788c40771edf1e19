#!/usr/bin/env sh
# Stops the setup with a clear message when a tool it needs is missing.
set -e
need_python() {
  if ! command -v "${PYTHON:-python3}" >/dev/null 2>&1; then
    echo "ERROR: Python 3.11 or newer is needed. Install it (Debian/Ubuntu: apt-get install python3 python3-venv)." >&2
    exit 1
  fi
  if ! "${PYTHON:-python3}" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
    echo "ERROR: Python 3.11 or newer is needed; $(${PYTHON:-python3} --version) was found. Set PYTHON=/path/to/python3.11." >&2
    exit 1
  fi
  if ! "${PYTHON:-python3}" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    echo "ERROR: the Python venv module is missing. Install it (Debian/Ubuntu: apt-get install python3-venv)." >&2
    exit 1
  fi
}
need_npm() {
  if ! command -v npm >/dev/null 2>&1; then
    echo "ERROR: npm is needed to install Bootstrap Italia. Install Node.js 18 or newer with npm (Debian/Ubuntu: apt-get install nodejs npm)." >&2
    exit 1
  fi
}
for tool in "$@"; do "need_$tool"; done
