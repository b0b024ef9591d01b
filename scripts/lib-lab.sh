# shellcheck shell=bash
# The benchmarks' lab (sourced by scripts/bench and scripts/footprint, not executed): network namespaces
# $P-a (198.18.0.1), $P-b (198.18.0.2) and $P-etcd (198.18.0.250) on a bridge in $P-br, etcd in $P-etcd,
# and weft daemons in a and b. Every namespace and process it starts is recorded and removed on exit.
#
#   lab_init PREFIX        a work directory, and a trap that kills the processes and deletes the namespaces
#   lab_underlay           the bridge and the hosts a and b
#   lab_etcd               etcd in its own namespace; sets $endpoint and defines ctl (etcdctl in that namespace)
#   in_ns HOST CMD...      runs CMD in namespace $P-HOST
#   background LOG HOST CMD...   a long-running CMD in $P-HOST; its PID is ${pids[-1]}
#   weft_launch NAME HOST  bin/weft daemon in HOST under the etcd prefix /$P/NAME; its PID is daemon[NAME,HOST]
#   weft_wait NAME         waits for a's and b's subnet.env and a ping from a to b; sets $weft_dest
#   start_weft NAME CONFIG puts CONFIG under /$P/NAME, launches a and b and waits for them
#   stop_weft NAME         SIGTERM to both daemons, waiting up to 10 s each
#   rss PID                resident memory in MB, as "141 MB"
#
# The daemons run with $lab_java_opts (WEFT_JAVA_OPTS; empty: the launcher's own daemon flags).

# lab_init PREFIX: the namespaces are named PREFIX-*, the work directory /tmp/PREFIX.XXXXXX.
lab_init() {
  P=$1
  work=$(mktemp -d "/tmp/$P.XXXXXX")
  pids=()
  namespaces=()
  lab_java_opts=${lab_java_opts:-}
  declare -gA daemon=()
  trap lab_cleanup EXIT
  trap 'exit 130' INT TERM
}
lab_cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do timeout 10 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -9 "$pid" 2>/dev/null || true; done
  for ((i = ${#namespaces[@]} - 1; i >= 0; i--)); do ip netns del "${namespaces[i]}" 2>/dev/null || true; done
  rm -rf "$work"
}

netns() {
  ip netns del "$1" 2>/dev/null || true
  ip netns add "$1"; namespaces+=("$1")
  ip -n "$1" link set lo up
}
attach() {
  local ns=$P-$1
  netns "$ns"
  ip -n "$ns" link add eth0 type veth peer name "port-$1" netns "$P-br"
  ip -n "$ns" addr add "198.18.0.$2/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$P-br" link set dev "port-$1" master br0 up
}
in_ns() { local ns=$P-$1; shift; ip netns exec "$ns" "$@"; }
# background LOG ROLE CMD...: a long-running command in namespace ROLE. It starts as a plain command (not a
# shell function), so $! is its own PID (ip netns exec, env and bin/weft all exec) and cleanup reaches it.
background() { local log=$1 ns=$P-$2; shift 2; ip netns exec "$ns" "$@" >"$log" 2>&1 & pids+=($!); }

lab_underlay() {
  netns "$P-br"
  ip -n "$P-br" link add br0 type bridge
  ip -n "$P-br" link set br0 up
  attach a 1
  attach b 2
}

lab_etcd() {
  attach etcd 250
  endpoint=http://198.18.0.250:2379
  background "$work/etcd.log" etcd etcd --name lab --data-dir "$work/etcd" \
    --listen-client-urls "$endpoint,http://127.0.0.1:2379" --advertise-client-urls "$endpoint" \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster lab=http://127.0.0.1:2380 --log-level warn
  for _ in $(seq 1 100); do ctl endpoint health >/dev/null 2>&1 && break; sleep 0.2; done
  ctl endpoint health >/dev/null 2>&1 || { tail -20 "$work/etcd.log"; weft_die "etcd did not start"; }
}
ctl() { in_ns etcd env ETCDCTL_API=3 etcdctl --endpoints http://127.0.0.1:2379 "$@"; }

# weft_launch NAME HOST: a daemon in HOST under the etcd prefix /$P/NAME with its own state directory and
# CNI socket (two daemons cannot both serve /run/weft/cni.sock).
# The daemons revoke their lease on exit, so the kernel backends (vxlan, host-gw) also remove the device and
# routes they keep for a restart.
weft_launch() {
  local name=$1 h=$2
  mkdir -p "$work/$name/$h"
  background "$work/$name/$h/weft.log" "$h" env WEFT_JAVA_OPTS="$lab_java_opts" \
    WEFT_IPSEC_STATE_DIR="$work/$name/$h/state" \
    bin/weft daemon --etcd-endpoints "$endpoint" --etcd-prefix "/$P/$name" --iface eth0 \
    --subnet-file "$work/$name/$h/subnet.env" --iptables-forward-rules=false --revoke-lease-on-exit \
    --cni-socket "$work/$name/$h/cni.sock"
  daemon[$name,$h]=${pids[-1]}
}
# weft_wait NAME: both daemons wrote subnet.env and a pings b's overlay address ($weft_dest).
weft_wait() {
  local name=$1 h
  for h in a b; do
    for _ in $(seq 1 300); do [[ -s "$work/$name/$h/subnet.env" ]] && break; sleep 0.1; done
    [[ -s "$work/$name/$h/subnet.env" ]] || { tail -20 "$work/$name/$h/weft.log"; weft_die "weft $name on $h got no subnet"; }
  done
  weft_dest=$(sed -n 's/^FLANNEL_SUBNET=\([0-9]*\.[0-9]*\.[0-9]*\)\..*/\1.0/p' "$work/$name/b/subnet.env")
  if grep -q '"host-gw"' <(ctl get --print-value-only "/$P/$name/config"); then
    # host-gw gives no device an overlay address (a container bridge would hold one): b answers on lo.
    in_ns b ip addr add "$weft_dest/32" dev lo
  fi
  for _ in $(seq 1 100); do in_ns a ping -c 1 -W 0.3 "$weft_dest" >/dev/null 2>&1 && break; done
  in_ns a ping -c 1 -W 1 "$weft_dest" >/dev/null || weft_die "weft $name overlay does not carry pings"
}
# start_weft NAME CONFIG: daemons in a and b under the etcd prefix /$P/NAME; sets weft_dest.
start_weft() {
  ctl put "/$P/$1/config" "$2" >/dev/null
  weft_launch "$1" a
  weft_launch "$1" b
  weft_wait "$1"
}
# stop_weft NAME: SIGTERM to both daemons, waiting up to 10 s each (cleanup kills whatever is left).
stop_weft() {
  local h pid
  for h in a b; do
    pid=${daemon[$1,$h]}
    kill "$pid" 2>/dev/null || true
    timeout 10 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -9 "$pid" 2>/dev/null || true
  done
}
rss() { awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }
