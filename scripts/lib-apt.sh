# shellcheck shell=bash
# Shared helper for the scripts/ensure-*.sh scripts (sourced, not executed).
#
#   weft_apt_install PKG...   install the given Debian packages, skipping the
#                             ones already installed; runs 'apt-get update'
#                             only when needed (no package lists, a package
#                             without an install candidate, or a failed
#                             install that a refresh may fix).
#
# While installing, services are kept from starting (policy-rc.d exit 101), so
# packages such as docker.io or etcd-server never start a daemon by themselves.

weft_log() { echo "[weft] $*" >&2; }
weft_die() { echo "[weft] ERROR: $*" >&2; exit 1; }

# Prints the packages of "$@" that are not installed (one per line).
weft_missing_pkgs() {
  local p st
  for p in "$@"; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$st" == "install ok installed" ]] || echo "$p"
  done
}

_weft_apt_lists_present() {
  compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

_weft_apt_has_candidate() {
  local c
  c=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')
  [[ -n "$c" && "$c" != "(none)" ]]
}

_weft_apt_update_quiet() {
  weft_log "apt-get update"
  timeout 600 apt-get -o DPkg::Lock::Timeout=120 update -qq
}

_weft_apt_update() {
  _weft_apt_update_quiet || weft_die "apt-get update failed"
}

weft_apt_install() {
  local missing=() p need_update=0 created_policy=0 rc=0
  mapfile -t missing < <(weft_missing_pkgs "$@")
  ((${#missing[@]})) || return 0

  if ! _weft_apt_lists_present; then
    need_update=1
  else
    for p in "${missing[@]}"; do
      _weft_apt_has_candidate "$p" || { need_update=1; break; }
    done
  fi
  ((need_update)) && _weft_apt_update

  # Keep maintainer scripts from starting services (dockerd, etcd, ...).
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
  fi

  weft_log "apt-get install ${missing[*]}"
  _weft_apt_do_install "${missing[@]}" || rc=$?
  if ((rc != 0 && need_update == 0)); then
    # Stale package lists give 404s: refresh once and retry.
    if _weft_apt_update_quiet; then
      rc=0
      _weft_apt_do_install "${missing[@]}" || rc=$?
    fi
  fi
  ((created_policy)) && rm -f /usr/sbin/policy-rc.d
  ((rc == 0)) || weft_die "apt-get install ${missing[*]} failed (exit $rc)"
}

_weft_apt_do_install() {
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get \
    -o DPkg::Lock::Timeout=120 -o Dpkg::Options::=--force-confdef \
    -o Dpkg::Options::=--force-confold \
    install -y -qq --no-install-recommends "$@" >/dev/null
}
