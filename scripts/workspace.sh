#!/usr/bin/env bash
# Prepare the folder `make lab` opens JupyterLab on: a git repository of its own (so the Git
# panel and the Train dialog's "commit to reproduce this run" work) with the examples copied
# in and committed once. A folder that already is a git repository is left exactly as it is:
# later runs never overwrite the user's work, and the project's own files are never touched.
#
#   bash scripts/workspace.sh [FOLDER]     (default: $ROOT/workspace, git-ignored by the project)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORKSPACE="${1:-$ROOT/workspace}"
EXAMPLES="$ROOT/examples"

if [ -e "$WORKSPACE/.git" ]; then
  echo "== workspace $WORKSPACE (a git repository already: left as it is)"
  exit 0
fi

echo "== creating the workspace $WORKSPACE (the examples, committed once)"
mkdir -p "$WORKSPACE"
# The examples' own files, without the litter a Lab or a run leaves beside them; a file the
# user already has under that name is kept.
copied=()
while IFS= read -r -d '' file; do
  name="${file#"$EXAMPLES"/}"
  if [ ! -e "$WORKSPACE/$name" ]; then
    mkdir -p "$(dirname "$WORKSPACE/$name")"
    cp -p "$file" "$WORKSPACE/$name"
  fi
  copied+=("$name")
done < <(find "$EXAMPLES" \( -name '.*' -o -name __pycache__ \) -prune -o -type f -print0 | sort -z)

if [ ! -e "$WORKSPACE/.gitignore" ]; then
  cat >"$WORKSPACE/.gitignore" <<'EOF'
.ipynb_checkpoints/
__pycache__/
.jupyter_vertex/
EOF
fi
copied+=(.gitignore)

cd "$WORKSPACE"
branch="$(git config --get init.defaultBranch || true)"
git -c init.defaultBranch="${branch:-main}" init --quiet
# Commits need an author; set one for this repository only, and only where none is set.
if [ -z "$(git config --get user.name || true)" ]; then
  git config user.name "jupyter_vertex workspace"
fi
if [ -z "$(git config --get user.email || true)" ]; then
  git config user.email "workspace@jupyter-vertex.invalid"
fi
git add -- "${copied[@]}"
git commit --quiet -m "The jupyter_vertex examples"
echo "   $(git log --oneline -1)"
