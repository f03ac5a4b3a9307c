# shellcheck shell=bash
# Sourced by bootstrap.sh and lock: the pinned uv in .tools/ (installed with pip the first time)
# and the settings every call of it shares. Needs only Python 3.11+ on the PATH (or $PYTHON).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
python="${PYTHON:-python3}"
uv_version=0.13.9

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "crmbot needs Python 3.11 or newer; '$python' is $("$python" --version 2>&1)." >&2
  echo "Set PYTHON=/path/to/python3.11 and run again." >&2
  exit 1
fi

tools="$root/.tools/uv-$uv_version"
uv="$tools/bin/uv"
if [ ! -x "$uv" ]; then
  echo "Installing uv $uv_version into $tools ..." >&2
  "$python" -m pip install -qq --disable-pip-version-check --no-warn-script-location \
    --root-user-action=ignore --target "$tools" "uv==$uv_version"
fi
export UV_PYTHON="$python"
export UV_PYTHON_DOWNLOADS=never  # the Python that runs these scripts, never one uv fetches
export UV_PROJECT_ENVIRONMENT="$venv"
