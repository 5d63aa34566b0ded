#!/usr/bin/env bash
# knotd serving the lab's DNSSEC zones (signed with ldns) on 127.0.0.1, one instance per LABDIR.
# Usage: dns.sh start LABDIR               build + sign zones, start knotd, write dns.env,
#                                          trust-anchors and unbound.conf (for ub_ctx_config)
#        dns.sh stop LABDIR
#        dns.sh withdraw|restore LABDIR NAME   drop / put back NAME's TLSA records, re-sign, reload
#        dns.sh roll LABDIR ZONE zsk|ksk  replace a signed zone's ZSK or KSK, re-sign, reload
#        dns.sh gen-zone LABDIR N         zone bench.example.com with N names d<i>._device.…
#        dns.sh ttl LABDIR NAME SECONDS   set the TTL of NAME's TLSA records (withdrawn ones
#                                         too, for a later restore), re-sign, reload
# Zones: example.com, example.org (signed), example.net (unsigned), example.edu (signed, then a
# TLSA rdata altered so validators say bogus), example.info (signatures expired in 2020),
# bench.example.com (gen-zone). Files in LABDIR/dns:
# src/ZONE.zone (unsigned source, edit this), signed/ZONE.zone (served), keys/, withdrawn/.
# start rebuilds the fixed zones (undoing withdrawals); a bench zone is kept.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { die "usage: dns.sh start|stop LABDIR | withdraw|restore LABDIR NAME | roll LABDIR ZONE zsk|ksk | gen-zone LABDIR N | ttl LABDIR NAME SECONDS"; }
[[ $# -ge 2 ]] || usage
CMD=$1
mkdir -p "$2"
LAB=$(cd "$2" && pwd)
D=$LAB/dns
PKI=$LAB/pki
FIXED_ZONES="example.com example.org example.net example.edu example.info"
SIGNED_ZONES=(example.com example.org example.edu example.info bench.example.com)

port() { sed -n 's/^DNS_PORT=//p' "$D/dns.env"; }
serial_served() { kdig @127.0.0.1 -p "$(port)" "$1" SOA +short +time=1 +retry=0 2>/dev/null | awk '{print $3}'; }

# next_serial ZONE: max(now, current serial + 1), so every edit is visibly newer.
next_serial() { serial_after "$D/src/$1.zone"; }

zone_head() {
  echo "$1. 60 IN SOA ns.$1. hostmaster.$1. $(next_serial "$1") 3600 600 86400 60"
  echo "$1. 60 IN NS ns.$1."
  echo "ns.$1. 60 IN A 127.0.0.1"
}
tlsa() { echo "$1. 60 IN TLSA $2 $(cert_der_hex "$PKI/devices/$1.pem")"; }

build_fixed_zones() {
  local n z=$D/src
  {
    zone_head example.com
    for n in sensor1 sensor4 wrongski missing garbage oversize redirect; do tlsa "$n._device.example.com" "3 0 0"; done
    tlsa sensor2._device.example.com "4 0 0"
    tlsa sensor3._device.example.com "3 0 0"
    echo "sensor3._device.example.com. 60 IN TLSA 3 1 1 $(spki_sha256 "$PKI/devices/sensor3._device.example.com.pem")"
    echo 'nodata._device.example.com. 60 IN TXT "no TLSA here"'
  } >"$z/example.com.zone.tmp"
  { zone_head example.org; tlsa cam7._device.example.org "3 0 0"; } >"$z/example.org.zone.tmp"
  { zone_head example.net; tlsa plain._device.example.net "3 0 0"; } >"$z/example.net.zone.tmp"
  { zone_head example.edu; tlsa broken._device.example.edu "3 0 0"; } >"$z/example.edu.zone.tmp"
  { zone_head example.info
    echo "expired._device.example.info. 60 IN TLSA 3 0 0 $(cert_der_hex "$PKI/devices/sensor1._device.example.com.pem")"
  } >"$z/example.info.zone.tmp"
  for n in $FIXED_ZONES; do mv "$z/$n.zone.tmp" "$z/$n.zone"; done
  rm -rf "$D/withdrawn"
}

# publish ZONE: write signed/ZONE.zone from src/ZONE.zone (signed zones get keys on first use).
publish() {
  local zone=$1 out=$D/signed/$1.zone
  if [[ " ${SIGNED_ZONES[*]} " != *" $zone "* ]]; then
    cp "$D/src/$zone.zone" "$out.tmp"
  else
    if [[ ! -s $D/keys/$zone.ksk ]]; then
      (cd "$D/keys" && ldns-keygen -a ECDSAP256SHA256 "$zone" >"$zone.zsk" &&
                       ldns-keygen -a ECDSAP256SHA256 -k "$zone" >"$zone.ksk.tmp" &&
                       mv "$zone.ksk.tmp" "$zone.ksk") || die "ldns-keygen failed for $zone"
    fi
    # example.info: RRSIGs that expired years ago (validators say bogus, "signature expired").
    local window=()
    [[ $zone == example.info ]] && window=(-i 20200101000000 -e 20200201000000)
    ldns-signzone "${window[@]}" -o "$zone" -f "$out.tmp" "$D/src/$zone.zone" \
      "$D/keys/$(cat "$D/keys/$zone.ksk")" "$D/keys/$(cat "$D/keys/$zone.zsk")" ||
      die "ldns-signzone failed for $zone"
  fi
  if [[ $zone == example.edu ]]; then  # alter the TLSA rdata after signing: bogus
    awk -v OFS='\t' '$1 == "broken._device.example.edu." && $4 == "TLSA" {
      last = substr($NF, length($NF)); $NF = substr($NF, 1, length($NF) - 1) (last == "0" ? "1" : "0") } 1' \
      "$out.tmp" >"$out.tmp2" && mv "$out.tmp2" "$out.tmp"
  fi
  mv "$out.tmp" "$out"
}

write_trust_anchors() {
  local zone
  for zone in "${SIGNED_ZONES[@]}"; do
    [[ -s $D/keys/$zone.ksk && -s $D/src/$zone.zone ]] || continue
    ldns-key2ds -n -2 "$D/keys/$(cat "$D/keys/$zone.ksk").key"
  done >"$D/trust-anchors.tmp"
  mv "$D/trust-anchors.tmp" "$D/trust-anchors"
}

write_knot_conf() {
  local f zone
  {
    printf 'server:\n    listen: 127.0.0.1@%s\n    rundir: "%s"\n    pidfile: "%s"\n' "$1" "$D/run" "$D/knotd.pid"
    printf 'log:\n  - target: "%s"\n    any: info\n' "$D/knotd.log"
    printf 'control:\n    listen: "%s"\n' "$D/knot.sock"
    printf 'database:\n    storage: "%s"\n' "$D/db"
    printf 'template:\n  - id: default\n    storage: "%s"\n    zonefile-load: whole\n' "$D/signed"
    printf '    zonefile-sync: -1\n    journal-content: none\n    semantic-checks: off\n'
    echo 'zone:'
    for f in "$D"/src/*.zone; do
      zone=$(basename "$f" .zone)
      printf '  - domain: %s\n    file: "%s.zone"\n' "$zone" "$zone"
    done
  } >"$D/knot.conf"
}

# wait_serial ZONE SERIAL: until knotd serves that SOA serial (10 s at most).
wait_serial() {
  for _ in $(seq 100); do
    [[ $(serial_served "$1") == "$2" ]] && return 0
    sleep 0.1
  done
  die "knotd did not serve $1 serial $2 (see $D/knotd.log)"
}

reload_zone() {
  local serial
  serial=$(awk '$4 == "SOA" { print $7; exit }' "$D/src/$1.zone")
  knotc -s "$D/knot.sock" zone-reload "$1" >/dev/null || die "knotc zone-reload $1 failed"
  wait_serial "$1" "$serial"
}

require_running() { pid_alive "$D/knotd.pid" || die "knotd for $LAB is not running (dns.sh start $LAB)"; }

start() {
  pid_alive "$D/knotd.pid" && return 0
  [[ -s $PKI/pki.env ]] || "$LAB_BIN/pki.sh" "$PKI"
  mkdir -p "$D"/{src,signed,keys,db,run}
  build_fixed_zones
  local zone
  for zone in $FIXED_ZONES; do publish "$zone"; done
  [[ -s $D/src/bench.example.com.zone && ! -s $D/signed/bench.example.com.zone ]] && publish bench.example.com
  write_trust_anchors
  serve_on_free_port knotd "$D/knotd.pid" "$D/knotd.log" configure_knot knot_answers knotd -c "$D/knot.conf"
}

# configure_knot PORT: knot.conf, dns.env and the unbound.conf clients use, for PORT.
configure_knot() {
  write_knot_conf "$1"
  echo "DNS_PORT=$1" >"$D/dns.env"
  printf 'server:\n    do-not-query-localhost: no\n    trust-anchor-file: "%s"\n' "$D/trust-anchors" >"$D/unbound.conf"
  printf 'forward-zone:\n    name: "."\n    forward-addr: 127.0.0.1@%s\n' "$1" >>"$D/unbound.conf"
}

knot_answers() { [[ -n $(serial_served example.com) ]]; }

zone_of() {
  local zone best=""
  for f in "$D"/src/*.zone; do
    zone=$(basename "$f" .zone)
    [[ $1 == *".$zone" && ${#zone} -gt ${#best} ]] && best=$zone
  done
  [[ -n $best ]] || die "no lab zone holds $1"
  echo "$best"
}

# edit_tlsa withdraw|restore NAME: move NAME's TLSA lines between src zone and withdrawn/NAME.
edit_tlsa() {
  local name=${2%.} zone
  require_running
  zone=$(zone_of "$name")
  move_tlsa "$1" "$name" "$D/src/$zone.zone" "$D/withdrawn/$name" || return 0
  publish "$zone"
  reload_zone "$zone"
}

# set_ttl NAME SECONDS: the TTL of NAME's TLSA records, in the source zone and in withdrawn/NAME.
# A short TTL bounds how long a caching resolver (the fleet's shared unbound) serves a record
# after it was withdrawn. start rebuilds the fixed zones with TTL 60 again.
set_ttl() {
  local name=${1%.} ttl=$2 zone src f
  [[ $ttl =~ ^[0-9]+$ ]] || die "SECONDS must be a non-negative integer"
  require_running
  zone=$(zone_of "$name")
  src=$D/src/$zone.zone
  for f in "$src" "$D/withdrawn/$name"; do
    [[ -f $f ]] || continue
    awk -v n="$name." -v t="$ttl" '$1 == n && $4 == "TLSA" { $2 = t } 1' "$f" >"$f.tmp" && mv "$f.tmp" "$f"
  done
  awk -v s="$(next_serial "$zone")" '$4 == "SOA" && !done { $7 = s; done = 1 } 1' "$src" >"$src.tmp"
  mv "$src.tmp" "$src"
  publish "$zone"
  reload_zone "$zone"
}

gen_zone() {
  local n=$1 zone=bench.example.com src=$D/src/bench.example.com.zone
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer"
  require_running
  "$LAB_BIN/pki.sh" "$PKI" --bench
  if [[ ! -s $D/bench-certs.hex ]]; then
    for j in $(seq 300); do echo "$j $(cert_der_hex "$PKI/bench/d$j._device.bench.example.com.pem")"; done >"$D/bench-certs.hex.tmp"
    mv "$D/bench-certs.hex.tmp" "$D/bench-certs.hex"
  fi
  {
    zone_head "$zone"
    awk -v n="$n" '{ hex[$1] = $2 } END {
      for (i = 1; i <= n; i++) printf "d%d._device.bench.example.com. 60 IN TLSA 3 0 0 %s\n", i, hex[(i - 1) % 300 + 1] }' \
      "$D/bench-certs.hex"
  } >"$src.tmp"
  mv "$src.tmp" "$src"
  awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++) printf "d%d._device.bench.example.com\n", i }' >"$D/bench-names.txt"
  sed 's/^/*|/' "$D/bench-names.txt" >"$D/bench-policy.txt"
  publish "$zone"
  write_trust_anchors
  write_knot_conf "$(port)"
  knotc -s "$D/knot.sock" reload >/dev/null || die "knotc reload failed"
  reload_zone "$zone"
  if pid_alive "$LAB/https/nginx.pid"; then "$LAB_BIN/https.sh" refresh "$LAB"; fi  # bench CAs
}

# roll ZONE zsk|ksk: a new key replaces the old one at once (the old is removed, not kept as
# RFC 6781 would during a roll), the zone is re-signed and reloaded; a KSK roll also rewrites
# trust-anchors (keep a copy of the old file to play a validator nobody told).
roll() {
  local zone=$1 kind=$2 flags=() new
  require_running
  [[ " ${SIGNED_ZONES[*]} " == *" $zone "* && -s $D/keys/$zone.ksk ]] || die "$zone is not a signed lab zone"
  [[ $kind == ksk ]] && flags=(-k)
  new=$(cd "$D/keys" && ldns-keygen -a ECDSAP256SHA256 "${flags[@]}" "$zone") || die "ldns-keygen failed for $zone"
  echo "$new" >"$D/keys/$zone.$kind"
  local src=$D/src/$zone.zone
  awk -v s="$(next_serial "$zone")" '$4 == "SOA" && !done { $7 = s; done = 1 } 1' "$src" >"$src.tmp"
  mv "$src.tmp" "$src"
  publish "$zone"
  [[ $kind == ksk ]] && write_trust_anchors
  reload_zone "$zone"
}

case $CMD in
  start)    [[ $# -eq 2 ]] || usage; start ;;
  roll)     [[ $# -eq 4 && ( $4 == zsk || $4 == ksk ) ]] || usage; roll "$3" "$4" ;;
  stop)     [[ $# -eq 2 ]] || usage; stop_pid "$D/knotd.pid" ;;
  withdraw|restore) [[ $# -eq 3 ]] || usage; edit_tlsa "$CMD" "$3" ;;
  gen-zone) [[ $# -eq 3 ]] || usage; gen_zone "$3" ;;
  ttl)      [[ $# -eq 4 ]] || usage; set_ttl "$3" "$4" ;;
  *) usage ;;
esac
