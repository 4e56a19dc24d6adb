#!/usr/bin/env bash
# Install what the tests need (Debian's Chromium included) and run all of them:
# linters, type checks, Jest, Galata in Chromium, then pytest (Jupyter server, embedded
# Vertex, real SDK). pytest runs last so its summary is the run's closing line.
# Each step says when it starts (seconds since the start), so a slow CI run shows where.
set -euo pipefail
. "$(dirname "$0")/env.sh"

step() { echo "== $1 (at ${SECONDS} s)"; }

# Chromium installs from Debian's packages while pip and jlpm install the rest: the two
# share nothing, and the UI tests wait for it below.
chromium_install=""
if [ ! -x /usr/bin/chromium ]; then
  step "installing Debian's Chromium for the UI tests (in the background)"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  (
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  ) &
  chromium_install=$!
fi

step "installing the package with its test extra"
fresh_build=""
if [ ! -e "$ROOT/jupyter_vertex/labextension/static/style.js" ]; then fresh_build=1; fi
install_python test
cd "$ROOT"
# The build hook builds only where no build exists (a fresh clone); rebuild otherwise so a
# re-run tests the current sources. Then link the labextension so JupyterLab serves it.
if [ -z "$fresh_build" ]; then jlpm build; fi
jupyter labextension develop --overwrite . >/dev/null
# The UI tests' own packages install while the linters and Jest run.
(cd ui-tests && jlpm install --immutable >"$TMPDIR/ui-tests-install.log" 2>&1) &
ui_tests_install=$!

# Jest runs beside the Python linters and type checks (they share nothing); its output is
# shown after theirs.
step "lint and types, and jest beside them"
jlpm test --ci >"$TMPDIR/jest.log" 2>&1 &
jest=$!
ruff check .
ruff format --check .
mypy
lint-imports --no-cache
jlpm lint:check

step "jest"
jest_status=0
wait "$jest" || jest_status=$?
cat "$TMPDIR/jest.log"
if [ "$jest_status" != 0 ]; then
  echo "jest failed" >&2
  exit "$jest_status"
fi

step "galata (Chromium)"
if [ -n "$chromium_install" ]; then
  wait "$chromium_install" || { echo "installing Chromium failed" >&2; exit 1; }
fi
wait "$ui_tests_install" || {
  cat "$TMPDIR/ui-tests-install.log" >&2
  echo "installing the UI tests' packages failed" >&2
  exit 1
}
(cd ui-tests && jlpm playwright test)

step "pytest"
# Parallel workers (pytest-xdist): most tests wait on child processes, so one more worker
# than cores keeps the CPUs busy. Each worker has its own session embedded Vertex and ports.
cores="$(nproc)"
workers="${PYTEST_WORKERS:-$((cores > 2 ? cores : 3))}"
python -m pytest -p no:cacheprovider -q -n "$workers" "$@"
