#!/usr/bin/env bash
# Ensure the local docker image 'weft-etcd:local' exists (no registry needed).
#
# - Installs Debian's etcd-server and etcd-client if /usr/bin/etcd or
#   /usr/bin/etcdctl is missing (their service is not started).
# - If the image is missing, or was built from a different /usr/bin/etcd, builds
#   it with 'docker import' from a folder holding /etcd, /etcdctl and the shared
#   libraries that 'ldd' reports for them (libc and the loader), plus /tmp.
#   ENTRYPOINT ["/etcd"], EXPOSE 2379 2380.
# - After a build (or with --verify) runs the image once and waits (bounded)
#   for etcd's log line "ready to serve client requests", then checks it with
#   /etcdctl inside the container and with the host's etcdctl through a
#   published loopback port, and removes the container.
# - Prints the etcd version.
#
# Options: --force   rebuild even if the image is up to date
#          --verify  run the check even if nothing was built
# Requires a running docker engine (see ensure-docker.sh).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib-apt.sh
source "$HERE/lib-apt.sh"

IMAGE=weft-etcd:local
ETCD=/usr/bin/etcd
ETCDCTL=/usr/bin/etcdctl
READY_LINE="ready to serve client requests"
READY_WAIT_SECONDS=30

force=0
verify=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    --verify) verify=1 ;;
    *) weft_die "unknown option: $arg (use --force or --verify)" ;;
  esac
done

# 1. etcd binaries from Debian.
if [[ ! -x "$ETCD" || ! -x "$ETCDCTL" ]]; then
  weft_apt_install etcd-server etcd-client
fi
[[ -x "$ETCD" && -x "$ETCDCTL" ]] || weft_die "$ETCD or $ETCDCTL missing after installing etcd-server etcd-client"

etcd_version=$("$ETCD" --version 2>/dev/null | awk -F': ' '/^etcd Version/ {print $2; exit}')
[[ -n "$etcd_version" ]] || weft_die "cannot read the version of $ETCD"

timeout 10 docker info >/dev/null 2>&1 || weft_die "docker engine not reachable; run scripts/ensure-docker.sh first"

# 2. Build the image if it is missing or stale. The label records the etcd
#    binary it was built from, so a Debian update of etcd triggers a rebuild.
etcd_sum=$(sha256sum "$ETCD" | cut -c1-64)
built_from=$(docker image inspect -f '{{ index .Config.Labels "weft.etcd.sha256" }}' "$IMAGE" 2>/dev/null || true)

workdir=""
cid=""
cleanup() {
  [[ -n "$cid" ]] && docker rm -f "$cid" >/dev/null 2>&1 || true
  [[ -n "$workdir" ]] && rm -rf "$workdir" || true
}
trap cleanup EXIT

# Prints the shared libraries (and the loader) that ldd reports for a binary.
shared_libs() {
  local out
  out=$(ldd "$1" 2>&1) || true
  grep -q 'not a dynamic executable\|statically linked' <<<"$out" && return 0
  awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' <<<"$out"
}

if ((force)) || [[ "$built_from" != "$etcd_sum" ]]; then
  weft_log "building $IMAGE from $ETCD (etcd $etcd_version)"
  workdir=$(mktemp -d /tmp/weft-etcd-image.XXXXXX)
  root="$workdir/root"
  mkdir -p "$root/tmp" "$root/data"
  chmod 1777 "$root/tmp"
  cp -L "$ETCD" "$root/etcd"
  cp -L "$ETCDCTL" "$root/etcdctl"
  while read -r lib; do
    [[ -n "$lib" ]] || continue
    [[ -e "$lib" ]] || weft_die "library $lib (from ldd) not found"
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"   # keeps the path; a symlinked dir (/lib64) becomes a real dir
  done < <({ shared_libs "$ETCD"; shared_libs "$ETCDCTL"; } | sort -u)
  weft_log "image contents: $(cd "$root" && find . -type f | sed 's|^\.||' | sort | tr '\n' ' ')"
  if [[ -n "$built_from" ]]; then
    docker rmi "$IMAGE" >/dev/null 2>&1 || true
  fi
  tar -C "$root" -c . | docker import \
    -c 'ENTRYPOINT ["/etcd"]' \
    -c 'EXPOSE 2379 2380' \
    -c "LABEL weft.etcd.sha256=$etcd_sum weft.etcd.version=$etcd_version" \
    -m "etcd $etcd_version from Debian's etcd-server" \
    - "$IMAGE" >/dev/null || weft_die "docker import of $IMAGE failed"
  verify=1
fi

# 3. Run it once: log line, etcdctl inside, etcdctl from the host via a port.
if ((verify)); then
  cid=$(docker run -d -p 127.0.0.1::2379 "$IMAGE" \
    --name weft-verify --data-dir /data \
    --listen-client-urls http://0.0.0.0:2379 \
    --advertise-client-urls http://0.0.0.0:2379) || weft_die "docker run $IMAGE failed"
  ready=0
  start=$SECONDS
  for ((i = 0; i < READY_WAIT_SECONDS * 4; i++)); do
    if docker logs "$cid" 2>&1 | grep -q "$READY_LINE"; then ready=1; break; fi
    [[ "$(docker inspect -f '{{.State.Running}}' "$cid" 2>/dev/null)" == true ]] || break
    ((SECONDS - start >= READY_WAIT_SECONDS)) && break
    sleep 0.25
  done
  if ((!ready)); then
    docker logs --tail 20 "$cid" >&2 2>&1 || true
    weft_die "$IMAGE did not log '$READY_LINE' within ${READY_WAIT_SECONDS} s"
  fi
  weft_log "etcd ready in $((SECONDS - start)) s: $(docker logs "$cid" 2>&1 | grep -m1 "$READY_LINE")"
  docker exec "$cid" /etcdctl --endpoints=http://127.0.0.1:2379 put weft-verify ok >/dev/null \
    || weft_die "/etcdctl put inside the container failed"
  port=$(docker port "$cid" 2379/tcp | head -n1 | sed 's/.*://')
  got=$(ETCDCTL_API=3 timeout 10 "$ETCDCTL" --endpoints="http://127.0.0.1:$port" \
        get --print-value-only weft-verify 2>&1) || weft_die "host etcdctl via 127.0.0.1:$port failed: $got"
  [[ "$got" == ok ]] || weft_die "host etcdctl via 127.0.0.1:$port read '$got', expected 'ok'"
  weft_log "verified $IMAGE (in-container /etcdctl and host port 127.0.0.1:$port)"
  docker rm -f "$cid" >/dev/null 2>&1 || true
  cid=""
fi

echo "[weft] $IMAGE ready: etcd $etcd_version"
