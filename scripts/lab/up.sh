#!/usr/bin/env bash
# Bring the whole lab up in LABDIR: test PKI, knotd (DNSSEC zones), nginx (CA host), then write
# LABDIR/lab.env (LABDIR, DNS_PORT, HTTPS_PORT), LABDIR/danesync.yaml and LABDIR/policy.yaml.
# Usage: up.sh LABDIR     (already up: says so and exits 0; on failure nothing is left running)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[[ $# -eq 1 ]] || die "usage: up.sh LABDIR"
mkdir -p "$1"
LAB=$(cd "$1" && pwd)

if [[ -s $LAB/lab.env ]] && pid_alive "$LAB/dns/knotd.pid" && pid_alive "$LAB/https/nginx.pid"; then
  echo "lab already up in $LAB" >&2
  exit 0
fi

trap '"$LAB_BIN/down.sh" "$LAB"' ERR
"$LAB_BIN/pki.sh" "$LAB/pki"
"$LAB_BIN/dns.sh" start "$LAB"
"$LAB_BIN/https.sh" start "$LAB"
# shellcheck source=/dev/null
. "$LAB/dns/dns.env"
# shellcheck source=/dev/null
. "$LAB/https/https.env"
mkdir -p "$LAB/out"

printf 'LABDIR=%s\nDNS_PORT=%s\nHTTPS_PORT=%s\n' "$LAB" "$DNS_PORT" "$HTTPS_PORT" >"$LAB/lab.env"

agent_config "$LAB" "$LAB/policy.yaml" "$LAB/out" "127.0.0.1@$DNS_PORT" "127.0.0.1:$HTTPS_PORT" \
  "$LAB/dns/unbound.conf" >"$LAB/danesync.yaml"

cat >"$LAB/policy.yaml" <<'YAML'
networks:
  corp-iot:
    - sensor1._device.example.com
    - sensor2._device.example.com
    - sensor3._device.example.com
    - sensor4._device.example.com
    - plain._device.example.net
    - broken._device.example.edu
    - wrongski._device.example.com
    - missing._device.example.com
    - garbage._device.example.com
    - oversize._device.example.com
    - redirect._device.example.com
  "*":
    - cam7._device.example.org
YAML
