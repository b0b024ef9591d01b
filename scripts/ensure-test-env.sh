#!/usr/bin/env bash
# Prepare this Debian 12 machine for weft's build and integration tests:
#   - Debian packages: openjdk-17-jdk-headless maven iproute2 iptables tcpdump tshark ...
#     (only the missing ones are installed; 'apt-get update' only if needed)
#   - a running docker engine              (scripts/ensure-docker.sh)
#   - the local etcd image weft-etcd:local (scripts/ensure-etcd-image.sh)
# Exports nothing. Idempotent; takes well under 2 s when everything is in place.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib-apt.sh
source "$HERE/lib-apt.sh"

weft_apt_install openjdk-17-jdk-headless maven iproute2 iptables tcpdump containernetworking-plugins python3 python3-prometheus-client \
  etcd-server etcd-client iputils-ping iperf3 tshark curl mmdebstrap lintian
bash "$HERE/ensure-docker.sh"
bash "$HERE/ensure-etcd-image.sh"
