# shellcheck shell=bash
# Sourced by the other scripts: makes .venv with exactly what uv.lock pins (crmbot editable, its
# dev tools) and syncs again whenever uv.lock or pyproject.toml changes.
source "$(dirname "${BASH_SOURCE[0]}")/uv.sh"

stamp="$venv/.synced-$(cat "$root/uv.lock" "$root/pyproject.toml" | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "Installing crmbot and its tools from uv.lock into $venv ..." >&2
  # --locked: a lock that no longer matches pyproject.toml is an error, never silently redone.
  if ! "$uv" sync --quiet --locked --extra dev --project "$root"; then
    echo "Install failed; if uv.lock and pyproject.toml disagree, run scripts/lock." >&2
    exit 1
  fi
  rm -f "$venv"/.synced-* "$venv"/.installed-*
  touch "$stamp"
fi
export PATH="$venv/bin:$PATH"
