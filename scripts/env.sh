# Sourced by the other scripts: one virtualenv and caches inside the checkout, so a run
# leaves no litter in $HOME or /tmp and a fresh clone needs nothing installed by hand.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
export VENV="${VENV:-$ROOT/.venv}"
export TMPDIR="$ROOT/.tmp"
export XDG_CACHE_HOME="$ROOT/.cache"
export XDG_CONFIG_HOME="$ROOT/.cache/config"
export XDG_DATA_HOME="$ROOT/.cache/data"
export YARN_CACHE_FOLDER="$ROOT/.cache/yarn"
export YARN_GLOBAL_FOLDER="$ROOT/.cache/yarn-global"
export PIP_DISABLE_PIP_VERSION_CHECK=1
mkdir -p "$TMPDIR" "$XDG_CACHE_HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"

# Create the virtualenv and install the package with the given extra ("lab" or "test").
install_python() {
  local extra="$1"
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
  fi
  # shellcheck disable=SC1091
  . "$VENV/bin/activate"
  python -m pip install --quiet --upgrade pip
  # Editable: the hatch build hook runs jlpm install + build and links the labextension.
  python -m pip install --quiet -e "$ROOT[$extra]"
}
