#!/usr/bin/env bash
# A private container engine for the tests: Debian's dockerd with its own data, state,
# pid file and socket under .cache/docker/ of this checkout, so it never touches (or
# depends on) a system engine.
#
#   container_engine.sh start   install docker.io when dockerd is missing (root + apt),
#                               start the engine unless it already answers, wait for it
#                               (bounded), print DOCKER_HOST=unix://… on stdout
#   container_engine.sh stop    stop the engine this script started (its pid file), only it
#   container_engine.sh env     print DOCKER_HOST=unix://… (whether it runs or not)
#
# Network rule, strict: the engine has no bridge and touches no iptables
# (--bridge=none --iptables=false --ip6tables=false); every container and build runs with
# --network host, so it reaches the embedded Vertex and local storage on 127.0.0.1 and
# never has an address outside loopback.
#
# Where it cannot start one (not root, no apt, dockerd refuses), it says why on stderr and
# exits 3; the container tests then skip with that reason, except in CI (CI=true), where
# they fail.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/.cache/docker"
SOCKET="$DIR/run/docker.sock"
PIDFILE="$DIR/run/dockerd.pid"
LOG="$DIR/dockerd.log"
WAIT_S="${CONTAINER_ENGINE_WAIT_S:-60}"
export DOCKER_HOST="unix://$SOCKET"

say() { echo "container_engine: $*" >&2; }

answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

install_engine() {
  if command -v dockerd >/dev/null 2>&1 && [ -x /usr/bin/docker ]; then return 0; fi
  if [ "$(id -u)" != 0 ]; then
    say "dockerd is missing and this is not root: cannot install Debian's docker.io"
    return 3
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    say "dockerd is missing and there is no apt-get to install Debian's docker.io"
    return 3
  fi
  say "installing Debian's docker.io"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    docker.io >/dev/null
}

start() {
  mkdir -p "$DIR/run" "$DIR/exec" "$DIR/data"
  if answers; then
    say "the engine at $DOCKER_HOST already answers"
    echo "DOCKER_HOST=$DOCKER_HOST"
    return 0
  fi
  install_engine || return 3
  if [ "$(id -u)" != 0 ]; then
    say "dockerd needs root: not starting an engine"
    return 3
  fi
  rm -f "$SOCKET"
  local started=$SECONDS
  # setsid: its own session, so a Ctrl-C in the terminal that ran the tests does not kill
  # it before `stop` does
  setsid dockerd \
    --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
    --data-root "$DIR/data" --exec-root "$DIR/exec" --pidfile "$PIDFILE" \
    -H "unix://$SOCKET" </dev/null >>"$LOG" 2>&1 &
  local pid=$!
  while ! answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "dockerd exited before answering; the end of $LOG:"
      tail -n 5 "$LOG" >&2
      return 3
    fi
    if [ $((SECONDS - started)) -ge "$WAIT_S" ]; then
      say "dockerd did not answer within ${WAIT_S} s; the end of $LOG:"
      tail -n 5 "$LOG" >&2
      kill "$pid" 2>/dev/null || true
      return 3
    fi
    sleep 0.2
  done
  say "engine started in $((SECONDS - started)) s (pid $pid, $DOCKER_HOST)"
  echo "DOCKER_HOST=$DOCKER_HOST"
}

stop() {
  if [ ! -s "$PIDFILE" ]; then
    say "no engine of this checkout runs (no $PIDFILE)"
    return 0
  fi
  local pid
  pid="$(cat "$PIDFILE")"
  # only the dockerd whose data root is ours: a stale pid file never kills another process
  if ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--data-root $DIR/data"; then
    say "pid $pid is not this checkout's engine: leaving it"
    rm -f "$PIDFILE"
    return 0
  fi
  # containers this engine still runs go with it
  local left
  left="$(docker ps -aq 2>/dev/null || true)"
  if [ -n "$left" ]; then
    # shellcheck disable=SC2086
    docker rm -f $left >/dev/null 2>&1 || true
  fi
  kill "$pid"
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "dockerd (pid $pid) did not stop within 30 s: killing it"
      kill -9 "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  say "engine stopped (pid $pid)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "DOCKER_HOST=$DOCKER_HOST" ;;
  *)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac
