#!/usr/bin/env bash
# Build the lab's test PKI under OUTDIR: EC P-256 keys, SHA-256, 3650 days, SKI on every cert,
# AKI on every cert that is not self-signed. Existing cert+key pairs are kept (idempotent).
# Usage: pki.sh OUTDIR            roots, intermediates, fault CAs, web/RADIUS server certs, devices
#        pki.sh OUTDIR --bench    also 3 bench intermediates and 300 bench device certs
# Layout: ca/ web/ devices/ rogue/ bench/ and pki.env (ROOT_SKI, INT_SKI, … for the CA host).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[[ $# -ge 1 && $# -le 2 ]] || die "usage: pki.sh OUTDIR [--bench]"
OUT=$1
mkdir -p "$OUT"/{ca,web,devices,rogue}
OUT=$(cd "$OUT" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# issue KIND OUTBASE CN [ISSUERBASE] — KIND is ca, client or server; no issuer = self-signed.
# client/server certs get SAN DNS:CN unless $SAN is set.
issue() {
  local kind=$1 out=$2 cn=$3 issuer=${4:-}
  [[ -s $out.pem && -s $out.key ]] && return 0
  {
    printf '[req]\ndistinguished_name = dn\n[dn]\n[ext]\nsubjectKeyIdentifier = hash\n'
    [[ -z $issuer ]] || echo "authorityKeyIdentifier = keyid:always"
    case $kind in
      ca) printf 'basicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\n' ;;
      client|server)
        printf 'basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n'
        echo "extendedKeyUsage = ${kind}Auth"
        echo "subjectAltName = ${SAN:-DNS:$cn}" ;;
    esac
  } >"$tmp/ext.cnf"
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 3650 \
      -subj "/O=danesync lab/CN=$cn" -config "$tmp/ext.cnf" -extensions ext \
      -keyout "$tmp/key" -out "$tmp/pem" ${issuer:+-CA "$issuer.pem" -CAkey "$issuer.key"} \
      2>"$tmp/err" || { cat "$tmp/err" >&2; die "openssl failed for $out"; }
  mv "$tmp/key" "$out.key"
  mv "$tmp/pem" "$out.pem"
}

C=$OUT/ca
issue ca "$C/root" "danesync lab root"
issue ca "$C/int" "danesync lab intermediate" "$C/root"
issue ca "$C/org2-root" "example.org device root"
issue ca "$C/rogue-root" "rogue root"
issue ca "$C/web-ca" "danesync lab web CA"
for f in wrongski 404 garbage oversize redirect; do issue ca "$C/fault-$f" "fault $f root"; done

web_san="DNS:device.example.com,DNS:device.example.org,DNS:device.example.net,DNS:device.example.edu"
web_san+=",DNS:device.bench.example.com,DNS:localhost,IP:127.0.0.1"
SAN=$web_san issue server "$OUT/web/server" device.example.com "$C/web-ca"
issue server "$OUT/web/radius" radius.lab "$C/web-ca"

D=$OUT/devices
for n in sensor1 sensor2 sensor3 sensor4; do issue client "$D/$n._device.example.com" "$n._device.example.com" "$C/int"; done
issue client "$D/cam7._device.example.org" cam7._device.example.org "$C/org2-root"
issue client "$D/plain._device.example.net" plain._device.example.net "$C/int"
issue client "$D/broken._device.example.edu" broken._device.example.edu "$C/int"
for f in wrongski missing:404 garbage oversize redirect; do
  issue client "$D/${f%%:*}._device.example.com" "${f%%:*}._device.example.com" "$C/fault-${f##*:}"
done
issue client "$OUT/rogue/sensor1._device.example.com" sensor1._device.example.com "$C/rogue-root"

if [[ ${2:-} == --bench ]]; then
  mkdir -p "$OUT/bench"
  for k in 1 2 3; do issue ca "$C/bench-int-$k" "danesync lab bench intermediate $k" "$C/root"; done
  for j in $(seq 300); do
    issue client "$OUT/bench/d$j._device.bench.example.com" "d$j._device.bench.example.com" \
      "$C/bench-int-$(( (j - 1) % 3 + 1 ))"
  done
elif [[ -n ${2:-} ]]; then
  die "unknown option $2"
fi

{
  for c in root int org2-root rogue-root web-ca fault-wrongski fault-404 fault-garbage \
           fault-oversize fault-redirect bench-int-1 bench-int-2 bench-int-3; do
    [[ -s $C/$c.pem ]] || continue
    echo "$(tr a-z- A-Z_ <<<"$c")_SKI=$(ski "$C/$c.pem")"
  done
} >"$tmp/env"
mv "$tmp/env" "$OUT/pki.env"
