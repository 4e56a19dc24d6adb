# shellcheck shell=bash
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
# With --progress as second argument pip shows what it downloads and installs.
install_python() {
  local extra="$1" output="--quiet"
  if [ "${2:-}" = --progress ]; then output="--progress-bar=on"; fi
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
  fi
  # shellcheck disable=SC1091
  . "$VENV/bin/activate"
  python -m pip install --quiet --upgrade pip
  # Editable: the hatch build hook runs jlpm install + build and links the labextension.
  python -m pip install "$output" -e "${ROOT}[$extra]"
}

# What each install step depends on (paths under $ROOT; a folder counts with all its files).
# Python sources need no entry: the install is editable.
PYTHON_INPUTS=(pyproject.toml package.json yarn.lock install.json jupyter-config)
LABEXTENSION_INPUTS=(package.json yarn.lock tsconfig.json src style schema)

# Print a digest of the given paths under $ROOT, then of the words after "--".
digest() {
  python3 - "$ROOT" "$@" <<'PY'
import hashlib
import os
import sys

root, *args = sys.argv[1:]
paths, words = (args[: args.index("--")], args[args.index("--") + 1 :]) if "--" in args else (args, [])
total = hashlib.sha256()
for item in paths:
    top = os.path.join(root, item)
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(top) for f in fs)
    for path in files if os.path.isdir(top) else [top] if os.path.exists(top) else []:
        with open(path, "rb") as handle:
            content = hashlib.sha256(handle.read()).hexdigest()
        total.update(f"{os.path.relpath(path, root)} {content}\n".encode())
    total.update(f"path {item}\n".encode())
for word in words:
    total.update(f"word {word}\n".encode())
print(total.hexdigest())
PY
}

# True when the step NAME last ran, in this $VENV, on inputs with the digest DIGEST.
step_is_current() {
  [ -f "$VENV/.jupyter_vertex-$1.stamp" ] && [ "$(cat "$VENV/.jupyter_vertex-$1.stamp")" = "$2" ]
}

# Record that the step NAME has run on inputs with the digest DIGEST.
record_step() {
  printf '%s\n' "$2" >"$VENV/.jupyter_vertex-$1.stamp"
}

# Install the package with the given extra, and build the JupyterLab extension, only where
# what they depend on changed since the last run: a second `make lab` starts in seconds
# (delete $VENV/.jupyter_vertex-*.stamp to force both).
# Each step says its name; a first install shows pip's progress.
ensure_installed() {
  local extra="$1" python_digest labextension_digest fresh_build=""
  python_digest="$(digest "${PYTHON_INPUTS[@]}" -- "$extra" "$ROOT")"
  if [ -x "$VENV/bin/python" ] && step_is_current "python-$extra" "$python_digest"; then
    echo "== jupyter_vertex[$extra] is installed in $VENV (pyproject.toml, package.json, yarn.lock unchanged)"
    # shellcheck disable=SC1091
    . "$VENV/bin/activate"
  else
    if [ ! -x "$VENV/bin/python" ]; then echo "== creating the virtualenv $VENV"; fi
    if [ ! -e "$ROOT/jupyter_vertex/labextension/static/style.js" ]; then fresh_build=1; fi
    echo "== installing jupyter_vertex[$extra] and its dependencies (first time: several minutes;"
    echo "   the JupyterLab extension is built with jlpm as part of it)"
    install_python "$extra" --progress
    echo "== linking the JupyterLab extension into $VENV"
    jupyter labextension develop --overwrite "$ROOT" >/dev/null
    record_step "python-$extra" "$python_digest"
  fi
  labextension_digest="$(digest "${LABEXTENSION_INPUTS[@]}")"
  if [ -n "$fresh_build" ] && [ -e "$ROOT/jupyter_vertex/labextension/static/style.js" ]; then
    record_step labextension "$labextension_digest"  # the install above built these sources
  fi
  if [ -e "$ROOT/jupyter_vertex/labextension/static/style.js" ] &&
    step_is_current labextension "$labextension_digest"; then
    echo "== the JupyterLab extension is built (src/, style/, schema/ unchanged)"
  else
    echo "== building the JupyterLab extension (src/, style/, schema/ or package.json changed)"
    (cd "$ROOT" && jlpm install && jlpm build)
    jupyter labextension develop --overwrite "$ROOT" >/dev/null
    record_step labextension "$labextension_digest"
  fi
}
