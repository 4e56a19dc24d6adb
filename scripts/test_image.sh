#!/usr/bin/env bash
# The container tests' base image: Debian bookworm (essential) with Python 3 and
# google-cloud-storage, built here because no image registry is reachable. Prints its tag.
#
#   test_image.sh          build it unless the engine has it (or load the cached tarball)
#   test_image.sh tag      print the tag only (exit 1 when the engine does not have it)
#
# Built from Debian's packages with mmdebstrap (apt-installed when missing; root) from the
# mirror this machine's apt uses, plus google-cloud-storage's wheels fetched by pip on the
# host for the image's Python (no network inside a container, no pip in the image), then
# `docker import`ed. The tag is a digest of what goes in (suite, packages, requirements,
# mirror, BUILD: raise it when the way of building changes), so a change builds a new image; the tarball stays in .cache/docker/images/ and the image in
# the engine's data root, so a second run on the same machine reuses them.
#
# Needs DOCKER_HOST (scripts/container_engine.sh start).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGES="$ROOT/.cache/docker/images"
SUITE=bookworm
VARIANT=essential # Essential: yes packages only (no apt): smaller and faster than minbase
PYTHON_VERSION=3.11 # bookworm's python3
PACKAGES=python3,python-is-python3,ca-certificates
REQUIREMENTS=(google-cloud-storage==3.17.2)
NAME=jupyter-vertex-test-python
BUILD=1

say() { echo "test_image: $*" >&2; }

mirror() {
  local uri
  uri="$(grep -h -o -E '^(URIs:|deb) +[^ ]+' /etc/apt/sources.list.d/*.sources \
    /etc/apt/sources.list 2>/dev/null | grep -v security | head -n 1 | awk '{print $2}')" || true
  echo "${uri:-http://deb.debian.org/debian}"
}

MIRROR="$(mirror)"
KEY="$(echo "$BUILD $SUITE $VARIANT $PYTHON_VERSION $PACKAGES ${REQUIREMENTS[*]} $MIRROR" |
  sha256sum | cut -c1-12)"
TAG="$NAME:$KEY"

has_image() { docker image inspect "$TAG" >/dev/null 2>&1; }

if [ "${1:-}" = tag ]; then
  has_image || exit 1
  echo "$TAG"
  exit 0
fi

mkdir -p "$IMAGES"
# one build at a time (parallel test runs on this checkout wait for the first one)
exec 9>"$IMAGES/.lock"
flock 9

if has_image; then
  echo "$TAG"
  exit 0
fi
TARBALL="$IMAGES/$KEY.tar"
started=$SECONDS
if [ ! -s "$TARBALL" ]; then
  if ! command -v mmdebstrap >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
      say "mmdebstrap is missing and cannot be installed here (needs root and apt-get)"
      exit 3
    fi
    say "installing Debian's mmdebstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      mmdebstrap >/dev/null
  fi
  work="$(mktemp -d "$IMAGES/build.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  say "fetching ${REQUIREMENTS[*]} for Python $PYTHON_VERSION"
  # a pip of its own: the checkout's venv may be upgrading its pip right now (make test builds
  # this image beside the install, and pip is absent while it replaces itself)
  python3 -m venv "$work/pip-venv"
  python="$work/pip-venv/bin/python"
  # (its output in a log: pip warns about the host environment's own packages)
  "$python" -m pip install --no-compile --target "$work/site" \
    --only-binary=:all: --implementation cp --python-version "$PYTHON_VERSION" \
    --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 \
    "${REQUIREMENTS[@]}" >"$work/pip.log" 2>&1 || {
    cat "$work/pip.log" >&2
    exit 1
  }
  say "building a $SUITE root file system from $MIRROR"
  # shellcheck disable=SC2016 # "$1" in a hook: its root file system, for mmdebstrap
  mmdebstrap --quiet --variant="$VARIANT" --include="$PACKAGES" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --customize-hook="mkdir -p \"\$1/usr/local/lib/python$PYTHON_VERSION/dist-packages\" && cp -a '$work/site/.' \"\$1/usr/local/lib/python$PYTHON_VERSION/dist-packages/\"" \
    --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*' \
    "$SUITE" "$work/rootfs.tar" "$MIRROR"
  mv "$work/rootfs.tar" "$TARBALL"
  # older images' tarballs
  find "$IMAGES" -maxdepth 1 -name '*.tar' ! -name "$KEY.tar" -delete
fi
say "importing $TARBALL as $TAG"
docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["python3"]' \
  "$TARBALL" "$TAG" >/dev/null
# older images of the tests
docker images "$NAME" --format '{{.Repository}}:{{.Tag}}' | grep -v -x -F "$TAG" |
  xargs -r docker rmi >/dev/null || true
say "$TAG ready in $((SECONDS - started)) s ($(du -h "$TARBALL" | cut -f1) tarball)"
echo "$TAG"
