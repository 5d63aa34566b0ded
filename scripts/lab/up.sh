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

to=127.0.0.1:$HTTPS_PORT
cat >"$LAB/danesync.yaml" <<YAML
policy:
  file: $LAB/policy.yaml
dns:
  trust_anchor_file: $LAB/dns/trust-anchors
  forwarders: ["127.0.0.1@$DNS_PORT"]
  unbound_conf: $LAB/dns/unbound.conf
  require_dnssec: true
  timeout: 3s
discovery:
  tls_ca_file: $LAB/pki/ca/web-ca.pem
  connect_to: {"device.example.com:443": "$to", "device.example.org:443": "$to", "device.example.net:443": "$to", "device.example.edu:443": "$to", "device.bench.example.com:443": "$to"}
  max_bytes: 65536
  timeout: 5s
output:
  dir: $LAB/out
sync:
  interval: 300s
verify:
  live_check: required
  timeout: 2s
YAML

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
