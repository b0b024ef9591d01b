#!/usr/bin/env bash
# Ensure the local docker image 'weft-debian:local' exists: a Debian 12 (bookworm) root file system made
# with Debian's own mmdebstrap (variant apt, documentation left out) with what the weft package needs
# and its test uses: a headless JRE 17, systemd (systemd-analyze verify), iproute2 and iptables.
# scripts/test-package installs weft into it.
#
# The image is labelled with the recipe it was built from and reused while the recipe is the same, so
# only the first run pays for the build (about 2 minutes: the packages come from Debian's mirror).
# Options: --force   rebuild even if the image is up to date
# Requires a running docker engine (see ensure-docker.sh) and root (mmdebstrap's root mode).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib-apt.sh
source "$HERE/lib-apt.sh"

IMAGE=weft-debian:local
SUITE=bookworm
INCLUDE=openjdk-17-jre-headless,systemd,iproute2,iptables
force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    *) weft_die "unknown option: $arg (use --force)" ;;
  esac
done

recipe="mmdebstrap --variant=apt $SUITE include=$INCLUDE no-doc"
recipe_sum=$(sha256sum <<<"$recipe" | cut -c1-64)
timeout 10 docker info >/dev/null 2>&1 || weft_die "docker engine not reachable; run scripts/ensure-docker.sh first"
built_from=$(docker image inspect -f '{{ index .Config.Labels "weft.debian.recipe" }}' "$IMAGE" 2>/dev/null || true)
if ((!force)) && [[ "$built_from" == "$recipe_sum" ]]; then
  echo "[weft] $IMAGE ready: $recipe"
  exit 0
fi

weft_apt_install mmdebstrap
weft_log "building $IMAGE: $recipe"
start=$SECONDS
# Documentation and translations are left out; the manual pages' folders stay (update-alternatives
# links java.1.gz there).
timeout 900 mmdebstrap --quiet --variant=apt --include="$INCLUDE" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  "$SUITE" - | docker import -c 'CMD ["/bin/bash"]' -c "LABEL weft.debian.recipe=$recipe_sum" \
  -m "$recipe" - "$IMAGE" >/dev/null || weft_die "mmdebstrap | docker import of $IMAGE failed"
echo "[weft] $IMAGE ready after $((SECONDS - start)) s: $recipe"
