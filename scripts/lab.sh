#!/usr/bin/env bash
# Install what is missing or changed and start JupyterLab with the embedded Vertex on the
# examples folder.
set -euo pipefail
. "$(dirname "$0")/env.sh"
ensure_installed lab
args=(--notebook-dir="$ROOT/examples")
# Jupyter refuses to run as root unless told; on a Workbench VM or a container we often are.
if [ "$(id -u)" = 0 ]; then args+=(--allow-root); fi
echo "== starting JupyterLab on $ROOT/examples"
exec jupyter lab "${args[@]}" "$@"
