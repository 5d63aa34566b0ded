#!/usr/bin/env bash
# The production shape of the live check: a DNS tree from a signed root down, and a caching
# validating unbound the hook forwards to. Every `daneverify` exec starts with an empty
# libunbound cache and validates from the root (the TLSA, DNSKEY ., libunbound's RFC 8145 _ta-
# signal, DS+DNSKEY of the TLD and of the organisation zone: 7 queries), asking the local
# unbound, which answers from its cache. scripts/bench-verify --rooted measures it.
#
#   rooted.sh start LABDIR            build, sign and serve the zones, start unbound and the CA
#                                     host, publish the trust map (one `danesync once`), write
#                                     rooted.env (already up: says so, exits 0)
#   rooted.sh stop LABDIR             stop what start started (never fails for what is down;
#                                     scripts/lab/down.sh does not stop this part of a lab)
#   rooted.sh withdraw|restore LABDIR NAME
#                                     drop / put back NAME's TLSA records, re-sign, reload knotd,
#                                     and flush NAME from unbound's cache (restore: the whole
#                                     org zone, NSEC included), so the next live check sees it
#
# Environment (start): DANESYNC_BIN=DIR holds danesync (default: the repository's .build/release).
#
# Zones (ECDSAP256SHA256, KSK + ZSK each, keys made with ldns-keygen on first use and kept):
#   .                  signed root; NS ns.test-tld. (glue 127.0.0.1); DS of test-tld.
#   test-tld.          TLD (not `test.`, which libunbound serves as a local zone); DS of
#                      example.test-tld.
#   example.test-tld.  the organisation: TLSA 3 0 0 of sensor1..3._device.example.test-tld
#                      (TTL 60, as the lab's zones)
# One knotd serves all three on 127.0.0.1@<free port>. unbound (its own config, not the system
# service) listens on 127.0.0.1@<free port>, trust anchor = the root's DS, one stub-zone per zone
# to knotd (root hints and glue cannot carry a port), remote control on a unix socket,
# extended statistics. nginx is the CA host device.example.test-tld (the authority host of the
# device names): the lab intermediate and root under /.well-known/ca/<SKI>.pem.
# Certificates: the lab PKI (scripts/lab/pki.sh LABDIR/pki, made if missing): devices issued by
# its intermediate, the CA host's certificate by its web CA.
#
# Files in LABDIR/rooted: rooted.env (ROOTED_DNS_PORT knotd, ROOTED_UNBOUND_PORT,
# ROOTED_HTTPS_PORT, ROOTED_UNBOUND_CONF), danesync.yaml (the agent's and the hook's config:
# dns.trust_anchor_file root-ds, dns.forwarders the unbound, verify.live_check required),
# policy.yaml (the three devices on corp-iot), out/ (the published trust map), root-ds (the
# trust anchor), org-ds (the organisation zone's DS: a trust anchor closer to the names),
# devices/ (certificates and keys), zones/{src,signed,keys}/, knot/, unbound/, nginx/.
# Ask the unbound with `unbound-control -c "$ROOTED_UNBOUND_CONF" …`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

REPO=$(cd "$LAB_BIN/../.." && pwd)

usage() { die "usage: rooted.sh start|stop LABDIR | withdraw|restore LABDIR NAME"; }
[[ $# -ge 2 ]] || usage
CMD=$1
case $CMD in start|stop|withdraw|restore) ;; *) usage ;; esac
[[ $CMD == stop && ! -d $2/rooted ]] && exit 0
mkdir -p "$2"
LAB=$(cd "$2" && pwd)
R=$LAB/rooted
Z=$R/zones
K=$R/knot
U=$R/unbound
N=$R/nginx
ENV=$R/rooted.env
PKI=$LAB/pki

TLD=test-tld
ORG=example.$TLD
ZONES=(. "$TLD" "$ORG")          # parents first
DEVICES=(sensor1 sensor2 sensor3)
AUTHORITY=device.$ORG

# zone_file ZONE: the file name of a zone ("root" for ".").
zone_file() { if [[ $1 == . ]]; then echo root; else echo "$1"; fi; }
fqdn() { if [[ $1 == . ]]; then echo .; else echo "$1."; fi; }

env_value() { sed -n "s/^$1=//p" "$ENV" 2>/dev/null; }
knot_port() { env_value ROOTED_DNS_PORT; }

# --- certificates ----------------------------------------------------------------------------
# issue OUTBASE CN ISSUERBASE client|server [SAN]: an EC P-256 certificate as pki.sh makes them.
issue() {
  local out=$1 cn=$2 issuer=$3 kind=$4 san=${5:-DNS:$2} tmp
  [[ -s $out.pem && -s $out.key ]] && return 0
  tmp=$(mktemp -d)
  printf '[req]\ndistinguished_name = dn\n[dn]\n[ext]\nsubjectKeyIdentifier = hash\n%s\n%s\n%s\n%s\n%s\n' \
    "authorityKeyIdentifier = keyid:always" "basicConstraints = critical, CA:FALSE" \
    "keyUsage = critical, digitalSignature" "extendedKeyUsage = ${kind}Auth" "subjectAltName = $san" >"$tmp/ext.cnf"
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 3650 \
      -subj "/O=danesync lab/CN=$cn" -config "$tmp/ext.cnf" -extensions ext \
      -keyout "$tmp/key" -out "$tmp/pem" -CA "$issuer.pem" -CAkey "$issuer.key" 2>"$tmp/err" ||
    { cat "$tmp/err" >&2; rm -rf "$tmp"; die "openssl failed for $out"; }
  mv "$tmp/key" "$out.key"
  mv "$tmp/pem" "$out.pem"
  rm -rf "$tmp"
}

make_certificates() {
  local d
  [[ -s $PKI/pki.env ]] || "$LAB_BIN/pki.sh" "$PKI" >/dev/null
  mkdir -p "$R/devices"
  for d in "${DEVICES[@]}"; do issue "$R/devices/$d._device.$ORG" "$d._device.$ORG" "$PKI/ca/int" client; done
  issue "$N/server" "$AUTHORITY" "$PKI/ca/web-ca" server "DNS:$AUTHORITY"
}

# --- zones -----------------------------------------------------------------------------------
# next_serial ZONE: max(now, current serial + 1), so every edit is visibly newer.
next_serial() { serial_after "$Z/src/$(zone_file "$1").zone"; }

# keys ZONE: make the zone's KSK and ZSK on first use; their base names in keys/FILE.{ksk,zsk}.
keys() {
  local f
  f=$(zone_file "$1")
  [[ -s $Z/keys/$f.ksk ]] && return 0
  (cd "$Z/keys" && ldns-keygen -a ECDSAP256SHA256 "$1" >"$f.zsk" &&
                   ldns-keygen -a ECDSAP256SHA256 -k "$1" >"$f.ksk.tmp" && mv "$f.ksk.tmp" "$f.ksk") ||
    die "ldns-keygen failed for $1"
}
ds() { ldns-key2ds -n -2 "$Z/keys/$(cat "$Z/keys/$(zone_file "$1").ksk").key" | awk -v OFS='\t' '{ $2 = 3600 } 1'; }

tlsa() { echo "$1._device.$ORG. 60 IN TLSA 3 0 0 $(cert_der_hex "$R/devices/$1._device.$ORG.pem")"; }

# write_sources: the unsigned zones, each child's DS in its parent (children's keys exist).
write_sources() {
  local s=$Z/src d
  {
    echo ". 86400 IN SOA ns.$TLD. hostmaster.$TLD. $(next_serial .) 1800 900 604800 86400"
    echo ". 518400 IN NS ns.$TLD."
    echo "$TLD. 172800 IN NS ns.$TLD."
    echo "ns.$TLD. 172800 IN A 127.0.0.1"
    ds "$TLD"
  } >"$s/root.zone.tmp"
  {
    echo "$TLD. 3600 IN SOA ns.$TLD. hostmaster.$TLD. $(next_serial "$TLD") 1800 900 604800 3600"
    echo "$TLD. 3600 IN NS ns.$TLD."
    echo "ns.$TLD. 3600 IN A 127.0.0.1"
    echo "$ORG. 3600 IN NS ns.$ORG."
    echo "ns.$ORG. 3600 IN A 127.0.0.1"
    ds "$ORG"
  } >"$s/$TLD.zone.tmp"
  {
    echo "$ORG. 3600 IN SOA ns.$ORG. hostmaster.$ORG. $(next_serial "$ORG") 3600 600 86400 60"
    echo "$ORG. 3600 IN NS ns.$ORG."
    echo "ns.$ORG. 3600 IN A 127.0.0.1"
    for d in "${DEVICES[@]}"; do tlsa "$d"; done
  } >"$s/$ORG.zone.tmp"
  for d in root "$TLD" "$ORG"; do mv "$s/$d.zone.tmp" "$s/$d.zone"; done
  rm -rf "$Z/withdrawn"
}

# sign ZONE: signed/FILE.zone from src/FILE.zone.
sign() {
  local f out
  f=$(zone_file "$1")
  out=$Z/signed/$f.zone
  ldns-signzone -o "$(fqdn "$1")" -f "$out.tmp" "$Z/src/$f.zone" \
    "$Z/keys/$(cat "$Z/keys/$f.ksk")" "$Z/keys/$(cat "$Z/keys/$f.zsk")" || die "ldns-signzone failed for $1"
  mv "$out.tmp" "$out"
}

build_zones() {
  local zone
  mkdir -p "$Z"/{src,signed,keys}
  for zone in "${ZONES[@]}"; do keys "$zone"; done
  write_sources
  for zone in "${ZONES[@]}"; do sign "$zone"; done
  ds . >"$R/root-ds.tmp"
  mv "$R/root-ds.tmp" "$R/root-ds"
  ds "$ORG" >"$R/org-ds.tmp"
  mv "$R/org-ds.tmp" "$R/org-ds"
}

# --- knotd -----------------------------------------------------------------------------------
configure_knot() {
  local zone
  mkdir -p "$K"/{db,run}
  {
    printf 'server:\n    listen: 127.0.0.1@%s\n    rundir: "%s"\n    pidfile: "%s"\n' "$1" "$K/run" "$K/knotd.pid"
    printf 'log:\n  - target: "%s"\n    any: info\n' "$K/knotd.log"
    printf 'control:\n    listen: "%s"\n' "$K/knot.sock"
    printf 'database:\n    storage: "%s"\n' "$K/db"
    printf 'template:\n  - id: default\n    storage: "%s"\n    zonefile-load: whole\n' "$Z/signed"
    printf '    zonefile-sync: -1\n    journal-content: none\n    semantic-checks: off\n'
    echo 'zone:'
    for zone in "${ZONES[@]}"; do
      printf '  - domain: "%s"\n    file: "%s.zone"\n' "$(fqdn "$zone")" "$(zone_file "$zone")"
    done
  } >"$K/knot.conf"
  KNOT_PORT=$1
}

serial_served() {
  kdig @127.0.0.1 -p "$2" "$(fqdn "$1")" SOA +short +time=1 +retry=0 2>/dev/null | awk '{print $3}'
}
knot_answers() { [[ -n $(serial_served "$ORG" "$1") && -n $(serial_served . "$1") ]]; }

# reload ZONE: knotd reloads it; wait (10 s at most) until it serves the new serial.
reload() {
  local f serial port
  f=$(zone_file "$1")
  serial=$(awk '$4 == "SOA" { print $7; exit }' "$Z/src/$f.zone")
  port=$(knot_port)
  knotc -s "$K/knot.sock" zone-reload "$(fqdn "$1")" >/dev/null || die "knotc zone-reload $1 failed"
  for _ in $(seq 100); do
    [[ $(serial_served "$1" "$port") == "$serial" ]] && return 0
    sleep 0.1
  done
  die "knotd did not serve $1 serial $serial (see $K/knotd.log)"
}

# --- unbound ---------------------------------------------------------------------------------
configure_unbound() {
  local zone
  mkdir -p "$U"
  {
    echo "# Generated by scripts/lab/rooted.sh: the caching validating resolver the hook forwards to."
    echo "server:"
    echo "    verbosity: 1"
    echo "    num-threads: 1"
    echo "    interface: 127.0.0.1@$1"
    echo "    do-ip6: no"
    echo "    do-not-query-localhost: no"
    unbound_daemon_conf "$U" "$R/root-ds"
    # total.num.queries / num.query.type.* per exec (bench-verify --rooted): not cumulative, so
    # stats_noreset differences are the queries between two reads.
    echo "    extended-statistics: yes"
    echo "    statistics-cumulative: no"
    unbound_control_conf "$U"
    for zone in "${ZONES[@]}"; do
      printf 'stub-zone:\n    name: "%s"\n    stub-addr: 127.0.0.1@%s\n' "$(fqdn "$zone")" "$KNOT_PORT"
    done
  } >"$U/unbound.conf"
  unbound-checkconf "$U/unbound.conf" >/dev/null || die "unbound-checkconf rejects $U/unbound.conf"
  UNBOUND_PORT=$1
}

# validated PORT NAME: the unbound on PORT answers NAME's TLSA with the AD bit.
validated() { kdig @127.0.0.1 -p "$1" "$2" TLSA +dnssec +time=2 +retry=0 2>/dev/null | grep -q '^;; Flags:.* ad'; }
unbound_answers() { unbound-control -c "$U/unbound.conf" status >/dev/null 2>&1 && validated "$1" "${DEVICES[0]}._device.$ORG"; }

flush() { unbound-control -c "$U/unbound.conf" "$@" >/dev/null || die "unbound-control $* failed"; }

# --- nginx: the CA host ----------------------------------------------------------------------
configure_nginx() {
  local ca dir=$N/www/$AUTHORITY/.well-known/ca
  mkdir -p "$N/tmp" "$dir"
  for ca in root int; do cp "$PKI/ca/$ca.pem" "$dir/$(ski "$PKI/ca/$ca.pem").pem"; done
  {
    [[ $EUID -eq 0 ]] && echo 'user root;'
    echo "worker_processes 1;"
    echo "pid $N/nginx.pid;"
    echo "error_log $N/error.log;"
    echo "events { worker_connections 64; }"
    echo "http {"
    echo "  access_log $N/access.log;"
    for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $N/tmp/$t;"; done
    echo "  types { application/x-pem-file pem; }"
    echo "  ssl_certificate $N/server.pem;"
    echo "  ssl_certificate_key $N/server.key;"
    echo "  server { listen 127.0.0.1:$1 ssl default_server; return 404; }"
    echo "  server { listen 127.0.0.1:$1 ssl; server_name $AUTHORITY; root $N/www/$AUTHORITY; }"
    echo "}"
  } >"$N/nginx.conf"
  HTTPS_PORT=$1
}
nginx_answers() {
  curl -fso /dev/null --cacert "$PKI/ca/web-ca.pem" --connect-to "$AUTHORITY:443:127.0.0.1:$1" \
    "https://$AUTHORITY/.well-known/ca/$(ski "$PKI/ca/int.pem").pem"
}

# --- the agent's pass ------------------------------------------------------------------------
write_configs() {
  local d
  {
    echo "networks:"
    echo "  corp-iot:"
    for d in "${DEVICES[@]}"; do echo "    - $d._device.$ORG"; done
  } >"$R/policy.yaml"
  danesync_yaml "$R/policy.yaml" "$R/out" "$R/root-ds" "127.0.0.1@$UNBOUND_PORT" \
    "{\"$AUTHORITY:443\": \"127.0.0.1:$HTTPS_PORT\"}" "$PKI/ca/web-ca.pem" >"$R/danesync.yaml"
}

publish_trust_map() {
  local bin=${DANESYNC_BIN:-$REPO/.build/release} d
  [[ -x $bin/danesync ]] || die "no danesync in $bin (set DANESYNC_BIN)"
  mkdir -p "$R/out"
  "$bin/danesync" once --config "$R/danesync.yaml" >"$R/once.log" 2>&1 ||
    { tail -n 20 "$R/once.log" >&2; die "danesync once failed (see $R/once.log)"; }
  for d in "${DEVICES[@]}"; do
    grep -q "$d._device.$ORG" "$R/out/trustmap" || die "danesync did not publish $d._device.$ORG (see $R/once.log)"
  done
}

running() {
  [[ -s $ENV ]] && pid_alive "$K/knotd.pid" && pid_alive "$U/unbound.pid" && pid_alive "$N/nginx.pid"
}

stop() {
  stop_pid "$N/nginx.pid"
  stop_pid "$U/unbound.pid"
  stop_pid "$K/knotd.pid"
  rm -f "$ENV"
}

start() {
  if running; then echo "rooted lab already up in $R" >&2; return 0; fi
  stop
  trap '[[ $? -eq 0 ]] || stop' EXIT   # on failure nothing is left running
  if ! command -v unbound >/dev/null || ! command -v unbound-control >/dev/null; then
    die "unbound not installed (apt-get install unbound; stop and mask its system service)"
  fi
  mkdir -p "$R" "$N"
  make_certificates
  build_zones
  serve_on_free_port knotd "$K/knotd.pid" "$K/knotd.log" configure_knot knot_answers knotd -c "$K/knot.conf"
  # unbound writes its pid file itself, also with -d (foreground, under setsid here).
  serve_on_free_port unbound "$U/unbound.pid" "$U/unbound.out" configure_unbound unbound_answers \
    unbound -d -c "$U/unbound.conf"
  serve_on_free_port nginx "$N/nginx.pid" "$N/nginx.out" configure_nginx nginx_answers \
    nginx -e "$N/error.log" -p "$N/" -c "$N/nginx.conf" -g 'daemon off;'
  write_configs
  publish_trust_map
  printf 'ROOTED_DNS_PORT=%s\nROOTED_UNBOUND_PORT=%s\nROOTED_HTTPS_PORT=%s\nROOTED_UNBOUND_CONF=%s\n' \
    "$KNOT_PORT" "$UNBOUND_PORT" "$HTTPS_PORT" "$U/unbound.conf" >"$ENV.tmp"
  mv "$ENV.tmp" "$ENV"
}

# edit_tlsa withdraw|restore NAME: move NAME's TLSA lines between the source zone and
# withdrawn/NAME, re-sign, reload, flush unbound's cache of NAME.
edit_tlsa() {
  local name=${2%.}
  running || die "the rooted lab in $LAB is not running (rooted.sh start $LAB)"
  [[ $name == *".$ORG" ]] || die "$name is not in $ORG"
  move_tlsa "$1" "$name" "$Z/src/$ORG.zone" "$Z/withdrawn/$name" || return 0
  sign "$ORG"
  reload "$ORG"
  # Withdrawn: the cached TLSA goes. Restored: the NSEC records that deny the name go too
  # (unbound's aggressive NSEC would answer NXDOMAIN from them): all of the zone.
  if [[ $1 == withdraw ]]; then flush flush_type "$name" TLSA; else flush flush_zone "$ORG."; fi
}

case $CMD in
  start)            [[ $# -eq 2 ]] || usage; start ;;
  stop)             [[ $# -eq 2 ]] || usage; stop ;;
  withdraw|restore) [[ $# -eq 3 ]] || usage; edit_tlsa "$CMD" "$3" ;;
  *) usage ;;
esac
