#!/usr/bin/env bash
# nginx CA host on 127.0.0.1 (TLS with pki/web/server.pem): serves
# https://<authority-host>/.well-known/ca/<SKI aa-bb-…>.pem for the lab's CAs, plus the faults
# under device.example.com (wrong SKI, 404, garbage, > 100 kB, 302 redirect to http; for key
# identifiers 00-00-05-00 a 500 and 00-00-03-02 a 302 to device.example.org).
# Usage: https.sh start LABDIR [--listen ADDR] | stop LABDIR | refresh LABDIR (rebuild docroot,
#        e.g. after gen-zone)
# --listen ADDR: also listen on ADDR (an IPv4 address of this network namespace, e.g. the lab
# fleet's bridge address, scripts/lab/fleet.sh), at the same port as on 127.0.0.1.
# Writes LABDIR/https/https.env (HTTPS_PORT=…); pid file LABDIR/https/nginx.pid.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { die "usage: https.sh start LABDIR [--listen ADDR] | stop|refresh LABDIR"; }
[[ $# -eq 2 || ( $# -eq 4 && $1 == start && $3 == --listen ) ]] || usage
CMD=$1
mkdir -p "$2"
LAB=$(cd "$2" && pwd)
EXTRA_LISTEN=${4:-}
[[ -z $EXTRA_LISTEN || $EXTRA_LISTEN =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || die "--listen: an IPv4 address, not $EXTRA_LISTEN"
H=$LAB/https
C=$LAB/pki/ca
HOSTS=(device.example.com device.example.org device.example.net device.example.edu device.bench.example.com)

# publish HOST CA… : put each existing CA at HOST's /.well-known/ca/<its SKI>.pem
publish() {
  local host=$1 ca dir
  dir=$H/www.tmp/$host/.well-known/ca
  mkdir -p "$dir"
  shift
  for ca in "$@"; do
    [[ -s $C/$ca.pem ]] && cp "$C/$ca.pem" "$dir/$(ski "$C/$ca.pem").pem"
  done
  return 0
}

build_docroot() {
  local bench=(bench-int-1 bench-int-2 bench-int-3) dir
  rm -rf "$H/www.tmp"
  publish device.example.com root int "${bench[@]}"
  publish device.example.org org2-root
  publish device.example.net root int
  publish device.example.edu root int
  publish device.bench.example.com root int "${bench[@]}"
  dir=$H/www.tmp/device.example.com/.well-known/ca
  cp "$C/rogue-root.pem" "$dir/$(ski "$C/fault-wrongski.pem").pem"   # SKI mismatch
  printf 'this is not a certificate\n<html><body>oops</body></html>\n' >"$dir/$(ski "$C/fault-garbage.pem").pem"
  { for i in $(seq 3200); do printf '# padding line %05d ..........................................\n' "$i"; done
    cat "$C/fault-oversize.pem"; } >"$dir/$(ski "$C/fault-oversize.pem").pem"   # ~ 210 kB
  # fault-404: nothing published; fault-redirect: answered by nginx.conf with a 302
  rm -rf "$H/www"
  mv "$H/www.tmp" "$H/www"
}

write_conf() {
  local port=$1 host redirect addr addrs=(127.0.0.1)
  [[ -n $EXTRA_LISTEN ]] && addrs+=("$EXTRA_LISTEN")
  redirect=/.well-known/ca/$(ski "$C/fault-redirect.pem").pem
  {
    [[ $EUID -eq 0 ]] && echo 'user root;'
    echo "worker_processes 1;"
    echo "pid $H/nginx.pid;"
    echo "error_log $H/error.log;"
    echo "events { worker_connections 64; }"
    echo "http {"
    echo "  access_log $H/access.log;"
    for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $H/tmp/$t;"; done
    echo "  types { application/x-pem-file pem; }"
    echo "  ssl_certificate $LAB/pki/web/server.pem;"
    echo "  ssl_certificate_key $LAB/pki/web/server.key;"
    echo "  server {"
    for addr in "${addrs[@]}"; do echo "    listen $addr:$port ssl default_server;"; done
    echo "    return 404;"
    echo "  }"
    for host in "${HOSTS[@]}"; do
      echo "  server {"
      for addr in "${addrs[@]}"; do echo "    listen $addr:$port ssl;"; done
      echo "    server_name $host;"
      echo "    root $H/www/$host;"
      if [[ $host == device.example.com ]]; then
        echo "    location = $redirect { return 302 http://device.example.com$redirect; }"
        # Faults no lab name uses, asked for by key identifier in FetcherTests: a server error,
        # and a redirect to another authority host that does serve a CA.
        echo "    location = /.well-known/ca/00-00-05-00.pem { return 500; }"
        echo "    location = /.well-known/ca/00-00-03-02.pem { return 302 https://device.example.org/.well-known/ca/$(ski "$C/org2-root.pem").pem; }"
      fi
      echo "  }"
    done
    echo "}"
  } >"$H/nginx.conf"
}

start() {
  pid_alive "$H/nginx.pid" && return 0
  [[ -s $LAB/pki/pki.env ]] || "$LAB_BIN/pki.sh" "$LAB/pki"
  mkdir -p "$H/tmp"
  build_docroot
  serve_on_free_port nginx "$H/nginx.pid" "$H/nginx.out" configure_nginx nginx_answers \
    nginx -e "$H/error.log" -p "$H/" -c "$H/nginx.conf" -g 'daemon off;'
}

# configure_nginx PORT: nginx.conf and https.env for PORT.
configure_nginx() {
  write_conf "$1"
  echo "HTTPS_PORT=$1" >"$H/https.env"
}

# nginx_answers PORT: the intermediate CA is served over TLS on PORT.
nginx_answers() {
  curl -fso /dev/null --cacert "$C/web-ca.pem" --connect-to "device.example.com:443:127.0.0.1:$1" \
    "https://device.example.com/.well-known/ca/$(ski "$C/int.pem").pem"
}

case $CMD in
  start)   start ;;
  stop)    stop_pid "$H/nginx.pid" ;;
  refresh) build_docroot ;;
  *)       usage ;;
esac
