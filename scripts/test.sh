#!/usr/bin/env bash
# Install what the tests need (Debian's Chromium included) and run all of them:
# linters, type checks, Jest, Galata in Chromium, then pytest (Jupyter server, embedded
# Vertex, real SDK). pytest runs last so its summary is the run's closing line.
# Each step says when it starts (seconds since the start), so a slow CI run shows where.
set -euo pipefail
. "$(dirname "$0")/env.sh"

step() { echo "== $1 (at ${SECONDS} s)"; }

# Debian's packages (Chromium for the UI tests; docker.io and mmdebstrap for the container
# tests) install in one apt run while pip and jlpm install the rest: they share nothing, and
# the UI tests wait for it below.
debs=()
if [ ! -x /usr/bin/chromium ]; then debs+=(chromium); fi
if ! command -v dockerd >/dev/null 2>&1 || [ ! -x /usr/bin/docker ]; then debs+=(docker.io); fi
if ! command -v mmdebstrap >/dev/null 2>&1; then debs+=(mmdebstrap); fi
apt_install=""
if [ "${#debs[@]}" -gt 0 ] && { [ "$(id -u)" = 0 ] || command -v sudo >/dev/null 2>&1; }; then
  step "installing Debian's ${debs[*]} (in the background)"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  (
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      "${debs[@]}" >/dev/null
  ) &
  apt_install=$!
fi

# The container tests' engine (this checkout's own dockerd, scripts/container_engine.sh)
# and base image (scripts/test_image.sh, cached) start once apt is done, in the background;
# pytest waits for them. The engine is stopped at exit, unless it ran before this script.
containers_env="$TMPDIR/containers.env"
rm -f "$containers_env"
engine_ran_before=""
if DOCKER_HOST="$(bash "$ROOT/scripts/container_engine.sh" env | cut -d= -f2-)" \
  docker version >/dev/null 2>&1; then engine_ran_before=1; fi
(
  if [ -n "$apt_install" ]; then
    while kill -0 "$apt_install" 2>/dev/null; do sleep 0.5; done
  fi
  started=$SECONDS
  bash "$ROOT/scripts/container_engine.sh" start >"$containers_env.tmp"
  echo "container engine ready in $((SECONDS - started)) s"
  # shellcheck disable=SC1090
  . "$containers_env.tmp"
  export DOCKER_HOST
  started=$SECONDS
  image="$(bash "$ROOT/scripts/test_image.sh")"
  echo "JUPYTER_VERTEX_TEST_IMAGE=$image" >>"$containers_env.tmp"
  echo "test image ready in $((SECONDS - started)) s"
  mv "$containers_env.tmp" "$containers_env"
) >"$TMPDIR/containers.log" 2>&1 &
containers=$!
stop_engine() {
  kill "$containers" 2>/dev/null || true
  if [ -z "$engine_ran_before" ]; then bash "$ROOT/scripts/container_engine.sh" stop || true; fi
}
trap stop_engine EXIT

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
if [ -n "$apt_install" ]; then
  wait "$apt_install" || { echo "installing Debian's ${debs[*]} failed" >&2; exit 1; }
fi
wait "$ui_tests_install" || {
  cat "$TMPDIR/ui-tests-install.log" >&2
  echo "installing the UI tests' packages failed" >&2
  exit 1
}
(cd ui-tests && jlpm playwright test)

step "container engine and test image"
wait "$containers" || true
cat "$TMPDIR/containers.log"
if [ -s "$containers_env" ]; then
  set -a
  # shellcheck disable=SC1090
  . "$containers_env"
  set +a
else
  # the container tests skip with this reason; in CI (CI=true) they fail with it
  JUPYTER_VERTEX_NO_CONTAINERS="$(tail -n 1 "$TMPDIR/containers.log")"
  export JUPYTER_VERTEX_NO_CONTAINERS
  echo "no container engine: $JUPYTER_VERTEX_NO_CONTAINERS" >&2
fi

step "pytest"
# Parallel workers (pytest-xdist): most tests wait on child processes, so one more worker
# than cores keeps the CPUs busy. Each worker has its own session embedded Vertex and ports.
cores="$(nproc)"
workers="${PYTEST_WORKERS:-$((cores > 2 ? cores : 3))}"
python -m pytest -p no:cacheprovider -q -n "$workers" "$@"
