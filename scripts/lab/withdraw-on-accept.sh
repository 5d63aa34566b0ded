#!/bin/bash
# Lab instrumentation: withdraw a device's TLSA records the moment FreeRADIUS accepts it, before
# the Access-Accept leaves, so that the device's next authentication (e.g. the session resumed
# by eapol_test -r1, 100 ms later) meets a withdrawn record. Not part of any shipped config.
#
#   withdraw-on-accept.sh LABDIR --arm NAME     arm: the next accept of NAME withdraws it
#   withdraw-on-accept.sh LABDIR --disarm
#   withdraw-on-accept.sh LABDIR USER-NAME      what FreeRADIUS runs, via
#       radius.sh start LABDIR --post-auth-exec "scripts/lab/withdraw-on-accept.sh LABDIR"
#       (post-auth of every Access-Accept, User-Name appended)
#
# When armed for USER-NAME: disarms, runs `dns.sh withdraw LABDIR USER-NAME` (knotd serves the
# new zone when it returns) and logs to LABDIR/radius/withdraw-on-accept.log. Always exits 0:
# a non-zero exit would turn FreeRADIUS's accept into a reject.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
set -u
LAB_BIN=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ $# -ge 2 ]] || { echo "usage: withdraw-on-accept.sh LABDIR --arm NAME | --disarm | USER-NAME" >&2; exit 2; }
LABDIR=$1
ARMED=$LABDIR/radius/withdraw-on-accept
LOG=$LABDIR/radius/withdraw-on-accept.log
case $2 in
  --arm) [[ $# -eq 3 ]] || exit 2; printf '%s\n' "$3" >"$ARMED"; exit 0 ;;
  --disarm) rm -f "$ARMED"; exit 0 ;;
esac
name=$2
{
  if [[ -s $ARMED && $(<"$ARMED") == "$name" ]]; then
    rm -f "$ARMED"
    echo "$(date '+%T.%N') accept of $name: withdrawing its TLSA records"
    if "$LAB_BIN/dns.sh" withdraw "$LABDIR" "$name"; then
      echo "$(date '+%T.%N') withdrawn"
    else
      echo "$(date '+%T.%N') dns.sh withdraw failed"
    fi
  else
    echo "$(date '+%T.%N') accept of $name: not armed for it"
  fi
} >>"$LOG" 2>&1
exit 0
