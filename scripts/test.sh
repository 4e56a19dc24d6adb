#!/usr/bin/env bash
# Install what the tests need (Debian's Chromium included) and run all of them:
# linters, type checks, Jest, Galata in Chromium, then pytest (Jupyter server, embedded
# Vertex, real SDK). pytest runs last so its summary is the run's closing line.
set -euo pipefail
. "$(dirname "$0")/env.sh"

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's Chromium for the UI tests"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

echo "== installing the package with its test extra"
install_python test
cd "$ROOT"
# The build hook skips when a build exists; rebuild so a re-run tests the current sources,
# and link the labextension so JupyterLab serves that build.
jlpm build
jupyter labextension develop --overwrite . >/dev/null

echo "== lint and types"
ruff check .
ruff format --check .
mypy
lint-imports --no-cache
jlpm lint:check

echo "== jest"
jlpm test --ci

echo "== galata (Chromium)"
(
  cd ui-tests
  jlpm install --immutable
  jlpm playwright test
)

echo "== pytest"
python -m pytest -p no:cacheprovider -q "$@"
