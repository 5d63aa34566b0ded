#!/usr/bin/env bash
# Stop everything the lab scripts started for LABDIR (radius if running, nginx, knotd).
# Never fails because something is already down. Files in LABDIR are left in place.
# Usage: down.sh LABDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[[ $# -eq 1 ]] || die "usage: down.sh LABDIR"
[[ -d $1 ]] || exit 0
LAB=$(cd "$1" && pwd)

if [[ -x $LAB_BIN/radius.sh ]] && compgen -G "$LAB/radius/*.pid" >/dev/null; then
  "$LAB_BIN/radius.sh" stop "$LAB" || echo "down.sh: radius.sh stop failed (continuing)" >&2
fi
stop_pid "$LAB/https/nginx.pid"
stop_pid "$LAB/dns/knotd.pid"
