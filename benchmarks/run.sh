#!/usr/bin/env bash
# Run the benchmarks of docs/performance.md:
# `benchmarks/run.sh [serving|bulk|batch|deploy|jobs|all]`.
# Installs what they need first: wrk (Debian) and MLflow in a venv of its own, so MLflow's
# dependencies never mix with the extension's.
set -euo pipefail
. "$(dirname "$0")/../scripts/env.sh"
which="${1:-all}"

if ! command -v wrk >/dev/null; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi
if [ ! -x "$VENV/bin/python" ]; then
  install_python test
fi
. "$VENV/bin/activate"
MLFLOW_VENV="$ROOT/.cache/bench/mlflow"
if [ ! -x "$MLFLOW_VENV/bin/mlflow" ]; then
  echo "== installing MLflow in $MLFLOW_VENV (same scikit-learn and NumPy as the extension's venv)"
  versions=$(python -c 'import sklearn, numpy; print(f"scikit-learn=={sklearn.__version__} numpy=={numpy.__version__}")')
  python -m venv "$MLFLOW_VENV"
  # shellcheck disable=SC2086
  "$MLFLOW_VENV/bin/pip" install --quiet mlflow==3.17.2 $versions
fi
export MLFLOW_VENV

if [ "$which" = serving ] || [ "$which" = all ]; then
  python "$ROOT/benchmarks/bench_serving.py"
fi
if [ "$which" = bulk ] || [ "$which" = all ]; then
  python "$ROOT/benchmarks/bench_bulk.py"
fi
if [ "$which" = batch ] || [ "$which" = all ]; then
  python "$ROOT/benchmarks/bench_batch.py"
fi
if [ "$which" = deploy ] || [ "$which" = all ]; then
  python "$ROOT/benchmarks/bench_deploy.py"
fi
if [ "$which" = jobs ] || [ "$which" = all ]; then
  python "$ROOT/benchmarks/bench_jobs.py"
fi
