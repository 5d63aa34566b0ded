# shellcheck shell=bash
# Shared helpers for the lab scripts. Source it: . "$(dirname "$0")/lib.sh"
# Provides: die, free_port, serve_on_free_port, key_id, aki, ski, cert_der_hex, spki_sha256, installed_copy, pid_alive, stop_pid, …

# shellcheck disable=SC2034  # used by the scripts that source this
LAB_BIN=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# free_port: print a random TCP+UDP port no socket on this host uses, below the kernel's
# ephemeral range (ip_local_port_range): a port from inside it can be taken by any outgoing
# connection between this check and the server's bind() — seen in CI as nginx's "Address
# already in use". Servers that fail to bind are still retried by their start functions.
free_port() {
  local port used low
  low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  (( low > 11000 )) || low=32768
  used=$(ss -Hantu | awk '{n=split($5,a,":"); print a[n]}')
  for _ in $(seq 50); do
    port=$(( 10000 + RANDOM % (low - 10000) ))
    grep -qx "$port" <<<"$used" || { echo "$port"; return 0; }
  done
  die "no free port found"
}

# serve_on_free_port NAME PIDFILE LOG CONFIGURE READY COMMAND…: up to 3 times, take a free port,
# run CONFIGURE PORT (the server's config for it), start COMMAND… in a session of its own and
# wait (10 s at most) until it wrote PIDFILE and READY PORT succeeds. A server that dies or does
# not answer is stopped and the next port tried: a port can be taken between free_port and bind().
serve_on_free_port() {
  local name=$1 pidfile=$2 log=$3 configure=$4 ready=$5 port pid
  shift 5
  for _ in 1 2 3; do
    port=$(free_port)
    "$configure" "$port"
    rm -f "$pidfile"
    setsid "$@" </dev/null >>"$log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
      [[ -s $pidfile ]] && "$ready" "$port" && return 0
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
  die "$name did not come up on 3 ports, the last 127.0.0.1:$port (see $log)"
}

# key_id CERT "Authority|Subject": the key identifier as lowercase hex bytes joined by '-'.
key_id() {
  openssl x509 -in "$1" -noout -ext "${2,}KeyIdentifier" 2>/dev/null |
    awk -v want="$2" '/Key Identifier/ { getline; gsub(/^ *(keyid:)?/, ""); gsub(/:/, "-");
                       print tolower($0); found=1; exit } END { exit !found }' ||
    die "$1 has no $2 Key Identifier"
}
aki() { key_id "$1" Authority; }
ski() { key_id "$1" Subject; }

# cert_der_hex CERT: the certificate DER as one uppercase hex string (TLSA x 0 0 data).
cert_der_hex() { openssl x509 -in "$1" -outform DER | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F; }

# spki_sha256 CERT: SHA-256 of the SubjectPublicKeyInfo DER (TLSA x 1 1 data).
spki_sha256() {
  openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER |
    openssl dgst -sha256 -r | cut -d' ' -f1
}

# installed_copy SRC DEST: copies SRC/danesync and SRC/daneverify into DEST (created) the way a
# package install writes them (write(2) into a new file), and prints DEST. Benchmarks run these
# copies: a binary exec'd straight from the linker's output (lld writes it through a shared
# mapping) faults its pages in small folios — the same daneverify measured 2.6 ms there and
# 2.2 ms as a fresh copy.
installed_copy() {
  mkdir -p "$2"
  install -m 0755 "$1/danesync" "$1/daneverify" "$2/"
  echo "$2"
}

pid_alive() { [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pid PIDFILE: TERM the recorded process, wait up to 5 s, then remove the pid file.
stop_pid() {
  local pid
  [[ -s $1 ]] || { rm -f "$1"; return 0; }
  pid=$(cat "$1")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$1"
}

# kill_namespace_pids NS: TERM every process in network namespace NS, wait up to 5 s, then KILL.
kill_namespace_pids() {
  local pids
  pids=$(ip netns pids "$1" 2>/dev/null || true)
  [[ -n $pids ]] || return 0
  # shellcheck disable=SC2086  # one PID per word
  kill $pids 2>/dev/null || true
  for _ in $(seq 50); do
    [[ -z $(ip netns pids "$1" 2>/dev/null || true) ]] && return 0
    sleep 0.1
  done
  pids=$(ip netns pids "$1" 2>/dev/null || true)
  # shellcheck disable=SC2086
  [[ -z $pids ]] || kill -KILL $pids 2>/dev/null || true
}

# danesync_yaml POLICY OUTDIR TRUST_ANCHOR FORWARDER CONNECT_TO WEB_CA [UNBOUND_CONF]: a lab
# danesync.yaml on stdout — DNS through FORWARDER (ip@port) validated from TRUST_ANCHOR, CA hosts
# reached as the flow map CONNECT_TO says ({"host:443": "ip:port", …}) and trusted by WEB_CA,
# outputs in OUTDIR, the live check required. One template for every lab (agent_config below,
# rooted.sh).
danesync_yaml() {
  local policy=$1 out=$2 anchor=$3 forwarder=$4 connect_to=$5 web_ca=$6 conf=${7:-}
  cat <<YAML
policy:
  file: $policy
dns:
  trust_anchor_file: $anchor
  forwarders: ["$forwarder"]
${conf:+  unbound_conf: $conf
}  require_dnssec: true
  timeout: 3s
discovery:
  tls_ca_file: $web_ca
  connect_to: $connect_to
  max_bytes: 65536
  timeout: 5s
output:
  dir: $out
sync:
  interval: 300s
verify:
  live_check: required
  timeout: 2s
YAML
}

# agent_config LAB POLICY OUTDIR FORWARDER HTTPS_ADDR [UNBOUND_CONF]: the lab agent's
# danesync.yaml on stdout — DNS through FORWARDER (ip@port), CA hosts at HTTPS_ADDR (ip:port),
# outputs in OUTDIR (up.sh's, and each fleet node's).
agent_config() {
  local lab=$1 to=$5 host hosts=
  for host in device.example.com device.example.org device.example.net device.example.edu \
    device.bench.example.com; do
    hosts+="${hosts:+, }\"$host:443\": \"$to\""
  done
  danesync_yaml "$2" "$3" "$lab/dns/trust-anchors" "$4" "{$hosts}" "$lab/pki/ca/web-ca.pem" "${6:-}"
}

# serial_after ZONEFILE: a SOA serial above the file's and not below the Unix time (knot serves
# a reloaded zone only when its serial grew).
serial_after() {
  local old now
  old=$(awk '$4 == "SOA" { print $7; exit }' "$1" 2>/dev/null || true)
  now=$(date +%s)
  echo $(( ${old:-0} >= now ? old + 1 : now ))
}

# move_tlsa withdraw|restore NAME SRC KEPT: move NAME's TLSA lines from the zone source SRC to
# KEPT (withdraw), or back (restore), and give SRC a new serial. Returns 1 when there is
# nothing to restore (SRC unchanged); the caller then signs and reloads the zone.
move_tlsa() {
  local action=$1 name=${2%.} src=$3 kept=$4 serial
  mkdir -p "$(dirname "$kept")"
  if [[ $action == withdraw ]]; then
    awk -v n="$name." '$1 == n && $4 == "TLSA"' "$src" >>"$kept"
    awk -v n="$name." '!($1 == n && $4 == "TLSA")' "$src" >"$src.tmp"
  else
    [[ -s $kept ]] || { rm -f "$kept"; return 1; }
    cat "$src" "$kept" >"$src.tmp"
  fi
  serial=$(serial_after "$src")
  awk -v s="$serial" '$4 == "SOA" && !done { $7 = s; done = 1 } 1' "$src.tmp" >"$src"
  rm -f "$src.tmp"
  if [[ $action == restore || ! -s $kept ]]; then rm -f "$kept"; fi
  return 0
}

# unbound_daemon_conf DIR ANCHORFILE: the server: lines of a lab unbound daemon (fleet.sh,
# rooted.sh) that keeps its files in DIR and validates from ANCHORFILE. Root in the lab: the
# lab's files live in a 0700 temp dir, so no user switch and no chroot.
unbound_daemon_conf() {
  echo '    username: ""'
  echo '    chroot: ""'
  echo "    directory: \"$1\""
  echo "    pidfile: \"$1/unbound.pid\""
  echo "    logfile: \"$1/unbound.log\""
  echo "    use-syslog: no"
  echo "    log-time-ascii: yes"
  echo "    val-log-level: 2"
  echo "    trust-anchor-file: \"$2\""
  echo "    trust-anchor-signaling: no"
  echo "    root-key-sentinel: no"
}

# unbound_control_conf DIR: its remote-control on DIR/control.sock (unbound-control -s).
unbound_control_conf() {
  echo "remote-control:"
  echo "    control-enable: yes"
  echo "    control-interface: \"$1/control.sock\""
  echo "    control-use-cert: no"
}
