#!/usr/bin/env bash
# Stop everything the lab scripts started for LABDIR (a fleet and its namespaces if there is one, a rooted lab,
# radius if running, a NAS and device of nas.sh, nginx, knotd).
# Never fails because something is already down. Files in LABDIR are left in place.
# Usage: down.sh LABDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[[ $# -eq 1 ]] || die "usage: down.sh LABDIR"
[[ -d $1 ]] || exit 0
LAB=$(cd "$1" && pwd)

if [[ -d $LAB/fleet ]]; then
  "$LAB_BIN/fleet.sh" down "$LAB" || echo "down.sh: fleet.sh down failed (continuing)" >&2
fi

if [[ -x $LAB_BIN/radius.sh ]] && compgen -G "$LAB/radius/*.pid" >/dev/null; then
  "$LAB_BIN/radius.sh" stop "$LAB" || echo "down.sh: radius.sh stop failed (continuing)" >&2
fi
# The NAS and device of nas.sh (hostapd, wpa_supplicant, their namespaces and veths); after
# FreeRADIUS, so that nas.sh need not restart it without the NAS's address.
if [[ -d $LAB/nas ]]; then
  "$LAB_BIN/nas.sh" stop "$LAB" || echo "down.sh: nas.sh stop failed (continuing)" >&2
fi
# The rooted lab of bench-verify --rooted (knotd, unbound, nginx of its own).
if [[ -d $LAB/rooted ]]; then
  "$LAB_BIN/rooted.sh" stop "$LAB" || echo "down.sh: rooted.sh stop failed (continuing)" >&2
fi
stop_pid "$LAB/https/nginx.pid"
stop_pid "$LAB/dns/knotd.pid"
