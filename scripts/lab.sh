#!/usr/bin/env bash
# Install what is missing or changed, prepare the workspace (a git repository with the
# examples, created once) and start JupyterLab on it with the embedded Vertex.
set -euo pipefail
. "$(dirname "$0")/env.sh"
ensure_installed lab
WORKSPACE="${WORKSPACE:-$ROOT/workspace}"
bash "$ROOT/scripts/workspace.sh" "$WORKSPACE"
args=(--notebook-dir="$WORKSPACE")
# Jupyter refuses to run as root unless told; on a Workbench VM or a container we often are.
if [ "$(id -u)" = 0 ]; then args+=(--allow-root); fi
echo "== starting JupyterLab on $WORKSPACE"
exec jupyter lab "${args[@]}" "$@"
