#!/usr/bin/env bash
# Ensure a working Docker engine for the Testcontainers integration tests.
#
# - If 'docker info' already works: does nothing.
# - Otherwise installs Debian's docker.io (only if dockerd is missing; its
#   service is not started by the package), starts dockerd in the background
#   with docker's bridges kept out of the private ranges:
#       --bip 198.19.255.1/24 --default-address-pool base=198.19.0.0/17,size=24
#   and waits (at most ~60 s) until 'docker info' answers.
#
# Log: /var/log/weft-dockerd.log   PID: /run/weft-dockerd.pid   Lock: /run/weft-dockerd.lock
# Idempotent; safe to run repeatedly. Never kills a dockerd it did not start.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib-apt.sh
source "$HERE/lib-apt.sh"

DOCKERD_LOG=/var/log/weft-dockerd.log
DOCKERD_PIDFILE=/run/weft-dockerd.pid
WAIT_SECONDS=60
DOCKERD_ARGS=(--bip 198.19.255.1/24 --default-address-pool base=198.19.0.0/17,size=24)

export PATH="$PATH:/usr/sbin:/sbin"

docker_ok() {
  command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1
}

is_dockerd_pid() {
  local pid=$1
  [[ "$pid" =~ ^[0-9]+$ ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == dockerd ]]
}

docker_ok && exit 0

# One run at a time from here on (two concurrent runs must not both start a
# dockerd); the second one waits, then finds the engine up.
exec 9>/run/weft-dockerd.lock
flock -w 120 9 || weft_die "another ensure-docker.sh holds /run/weft-dockerd.lock for over 120 s"
docker_ok && exit 0

# 1. Install the engine if needed (docker.io brings dockerd, containerd, runc,
#    iptables and a docker client).
#    (/usr/local/bin/docker may already be there as a client only.)
if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  weft_apt_install docker.io   # no-op when docker.io is already installed
fi
command -v dockerd >/dev/null 2>&1 || weft_die "dockerd not found after installing docker.io"
command -v docker >/dev/null 2>&1 || weft_die "docker client not found after installing docker.io"

# 2. Start dockerd unless one is already running (ours still starting up, or
#    someone else's: then we only wait for it, and never kill it).
pid=""
if [[ -f "$DOCKERD_PIDFILE" ]] && is_dockerd_pid "$(cat "$DOCKERD_PIDFILE")"; then
  pid=$(cat "$DOCKERD_PIDFILE")
  weft_log "dockerd (pid $pid, started earlier by this script) is running; waiting for it"
elif [[ -f /var/run/docker.pid ]] && is_dockerd_pid "$(cat /var/run/docker.pid)"; then
  pid=$(cat /var/run/docker.pid)
  weft_log "a dockerd not started by this script is running (pid $pid); waiting for it"
else
  weft_log "starting dockerd ${DOCKERD_ARGS[*]} (log: $DOCKERD_LOG)"
  # setsid: own session, so ending the caller's process group leaves it running.
  setsid nohup dockerd "${DOCKERD_ARGS[@]}" </dev/null >>"$DOCKERD_LOG" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$DOCKERD_PIDFILE"
fi

# 3. Wait until the engine answers (bounded: WAIT_SECONDS, one try a second).
start=$SECONDS
for ((i = 0; i < WAIT_SECONDS; i++)); do
  if docker_ok; then
    weft_log "docker engine ready after $((SECONDS - start)) s (dockerd pid $pid)"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    tail -n 20 "$DOCKERD_LOG" >&2 2>/dev/null || true
    weft_die "dockerd (pid $pid) exited before the engine was ready; see $DOCKERD_LOG"
  fi
  ((SECONDS - start >= WAIT_SECONDS)) && break
  sleep 1
done
tail -n 20 "$DOCKERD_LOG" >&2 2>/dev/null || true
weft_die "docker engine not ready after ${WAIT_SECONDS} s (dockerd pid $pid); see $DOCKERD_LOG"
