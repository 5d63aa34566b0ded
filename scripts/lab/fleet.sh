#!/usr/bin/env bash
# A production-shaped fleet for the revocation tests: the lab's DNS (knotd) and CA host (nginx),
# ONE shared caching validating unbound, and N FreeRADIUS nodes, each in a network namespace of
# its own with its own agent config and output dir, all on one bridge.
#
#   fleet.sh up    LABDIR [NODES] [--nas]  (default 3 nodes; already up: says so, exits 0)
#   fleet.sh down  LABDIR                (never fails because something is already down)
#   fleet.sh exec  LABDIR hub|N CMD…     run CMD in the hub's or node N's namespace
#   fleet.sh flush LABDIR NAME [TYPE]    unbound-control flush_type NAME TYPE (default TLSA)
#   fleet.sh until-rejected LABDIR N NAME SINCE TIMEOUT [eap-device.sh options…]
#       authenticate as NAME at node N (eap-device.sh, in N's namespace) until one is rejected;
#       print "<seconds from SINCE to the end of that authentication> <seconds to its start>
#       <authentications>" (SINCE: epoch seconds as $EPOCHREALTIME prints them) and exit 0,
#       or after TIMEOUT seconds print "timeout - <authentications>" and exit 1
#
# Environment (up): DANESYNC_BIN=DIR holds danesync and daneverify (default: the repository's
# .build/release); FLEET_NAME, the device name whose TLSA records get FLEET_TTL seconds
# (defaults sensor1._device.example.com, 10).
#
# Layout. Network namespaces dsf-<id>-hub and dsf-<id>-n1 … -nN, <id> taken from LABDIR's path
# (so two fleets never share one); a bridge br0 in the hub holds 198.19.0.1/24 (RFC 2544's
# benchmarking range, private to these namespaces) and one veth per node, whose other end is
# eth0 198.19.0.<10+i>/24 in node i. Interface names are per namespace, so fixed ones are
# unique. Nothing is added to the root namespace.
#   hub:    knotd and nginx (dns.sh, https.sh, via up.sh: 127.0.0.1 of the hub; nginx also on
#           198.19.0.1), unbound on 127.0.0.1@53 and 198.19.0.1@53: trust anchor
#           LABDIR/dns/trust-anchors, one stub-zone per lab zone to knotd and "." to knotd too
#           (nothing leaves the lab), remote control on the unix socket
#           LABDIR/fleet/unbound/control.sock (reachable from every namespace). No prefetch, no
#           serve-expired: a cached record lives its TTL (+ ~1 s, notes-lab.md), as by default.
#   node i: LABDIR/fleet/node<i>/ — danesync.yaml (dns.forwarders: the shared unbound,
#           discovery.connect_to: nginx on 198.19.0.1), out/ (its ca.pem, ca.d/, trustmap,
#           status.json), pki -> LABDIR/pki, radius/ (scripts/lab/radius.sh with that dir as
#           its LABDIR, on 127.0.0.1 of the node). The agent is not left running: up makes one
#           `danesync once` pass per node, tests run more (`fleet.sh exec LABDIR i danesync once
#           --config …`), a running agent would hold the output dir's lock.
# A device authenticates at node i with
#   fleet.sh exec LABDIR i scripts/lab/eap-device.sh LABDIR/fleet/node<i> NAME
# --nas: every node also gets a real NAS and device (scripts/lab/nas.sh with the node's dir as
#   its LABDIR, run in the node's namespace: hostapd and wpa_supplicant in namespaces of their
#   own, the NAS linked to the node by a veth pair; FreeRADIUS restarted by nas.sh to listen
#   there too), the device FLEET_NAME connected through it, and the agent config's
#   `disconnect` block (design.md): sessions_dir node<i>/sessions, command
#   radius-config/disconnect, nas [that NAS's DAS address, 3799, its secret file]. The device's
#   session is recorded by the hook before up returns. Needs binaries that know `disconnect`.
# The policy of every node (LABDIR/fleet/policy.yaml): FLEET_NAME and sensor2 on corp-iot.
# LABDIR/fleet/fleet.env: FLEET_NODES, FLEET_HUB_NS, FLEET_HUB_ADDR, FLEET_NAME, FLEET_TTL,
# FLEET_UNBOUND_CONF, FLEET_DANESYNC, FLEET_DANEVERIFY, FLEET_NAS (on|off), and per node
# FLEET_NS_<i>, FLEET_ADDR_<i>, FLEET_DIR_<i> (with --nas: its nas.sh files in
# FLEET_DIR_<i>/nas/, nas.env among them, and FLEET_NAS_ADDR_<i>, the NAS's address).
# LABDIR's own lab (up.sh) runs in the hub: dns.sh withdraw|restore must run there too
# (`fleet.sh exec LABDIR hub scripts/lab/dns.sh withdraw LABDIR NAME`: it asks knotd on
# 127.0.0.1 for the new serial). scripts/lab/down.sh LABDIR runs `fleet.sh down`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

REPO=$(cd "$LAB_BIN/../.." && pwd)

usage() { die "usage: fleet.sh up LABDIR [NODES] [--nas] | down LABDIR | exec LABDIR hub|N CMD… | flush LABDIR NAME [TYPE] | until-rejected LABDIR N NAME SINCE TIMEOUT [eap-device.sh options…]"; }
[[ $# -ge 2 ]] || usage
CMD=$1
[[ $CMD == down && ! -d $2 ]] && exit 0
mkdir -p "$2"
LAB=$(cd "$2" && pwd)
shift 2

FLEET=$LAB/fleet
ENV=$FLEET/fleet.env
U=$FLEET/unbound
UNBOUND_CONF=$U/unbound.conf
PREFIX=dsf-$(printf '%s' "$LAB" | sha256sum | cut -c1-8)
HUB_NS=$PREFIX-hub
NET=198.19.0
HUB_ADDR=$NET.1

node_ns() { echo "$PREFIX-n$1"; }
node_addr() { echo "$NET.$((10 + $1))"; }
node_dir() { echo "$FLEET/node$1"; }
in_hub() { ip netns exec "$HUB_NS" "$@"; }
in_node() { local n=$1; shift; ip netns exec "$(node_ns "$n")" "$@"; }
our_namespaces() { ip netns list | awk -v p="$PREFIX-" 'index($1, p) == 1 { print $1 }'; }

# --- network ---------------------------------------------------------------------------------
make_network() {
  local n=$1 i ns
  ip netns add "$HUB_NS"
  ip -n "$HUB_NS" link set lo up
  ip -n "$HUB_NS" link add br0 type bridge
  ip -n "$HUB_NS" addr add "$HUB_ADDR/24" dev br0
  ip -n "$HUB_NS" link set br0 up
  for ((i = 1; i <= n; i++)); do
    ns=$(node_ns "$i")
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # Created inside the hub with its peer moved straight into the node: no name in the root ns.
    ip -n "$HUB_NS" link add "vn$i" type veth peer name eth0 netns "$ns"
    ip -n "$HUB_NS" link set "vn$i" master br0 up
    ip -n "$ns" addr add "$(node_addr "$i")/24" dev eth0
    ip -n "$ns" link set eth0 up
  done
}

# --- the shared resolver -------------------------------------------------------------------------
write_unbound_conf() {
  local dns_port=$1 f zone
  mkdir -p "$U"
  {
    echo "# Generated by scripts/lab/fleet.sh: the fleet's shared caching validating resolver."
    echo "server:"
    echo "    verbosity: 1"
    echo "    num-threads: 1"
    echo "    interface: 127.0.0.1@53"
    echo "    interface: $HUB_ADDR@53"
    echo "    access-control: 127.0.0.0/8 allow"
    echo "    access-control: $NET.0/24 allow"
    echo "    do-not-query-localhost: no"
    unbound_daemon_conf "$U" "$LAB/dns/trust-anchors"
    unbound_control_conf "$U"
    # Glue cannot carry a port (notes-lab.md): one stub-zone per lab zone, and "." to knotd as
    # well so that no query for another name leaves for the real root servers.
    for f in "$LAB"/dns/src/*.zone; do
      zone=$(basename "$f" .zone)
      printf 'stub-zone:\n    name: "%s."\n    stub-addr: 127.0.0.1@%s\n' "$zone" "$dns_port"
    done
    printf 'stub-zone:\n    name: "."\n    stub-addr: 127.0.0.1@%s\n' "$dns_port"
  } >"$UNBOUND_CONF.tmp"
  mv "$UNBOUND_CONF.tmp" "$UNBOUND_CONF"
  unbound-checkconf "$UNBOUND_CONF" >/dev/null || die "unbound-checkconf rejects $UNBOUND_CONF"
}

# validated_by_unbound NAME: the hub's unbound answers NAME's TLSA with the AD bit.
validated_by_unbound() {
  in_hub kdig @127.0.0.1 "$1" TLSA +dnssec +time=2 +retry=0 2>/dev/null | grep -q '^;; Flags:.* ad'
}

start_unbound() {
  local pid
  rm -f "$U/unbound.pid"
  ip netns exec "$HUB_NS" setsid unbound -d -c "$UNBOUND_CONF" </dev/null >>"$U/unbound.out" 2>&1 &
  pid=$!
  echo "$pid" >"$U/unbound.pid"
  for _ in $(seq 100); do
    if unbound-control -c "$UNBOUND_CONF" status >/dev/null 2>&1 && validated_by_unbound "$FLEET_NAME"; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  die "unbound did not come up validating $FLEET_NAME (see $U/unbound.log, $U/unbound.out)"
}

# --- nodes -----------------------------------------------------------------------------------
# write_node_conf I HTTPS_PORT [NAS_ADDR SECRET_FILE]: node I's danesync.yaml; with --nas a
# disconnect block, listing the NAS once it is known.
write_node_conf() {
  local i=$1 dir https_port=$2 nas_addr=${3:-} secret_file=${4:-} to nas_list='[]'
  dir=$(node_dir "$i")
  to=$HUB_ADDR:$https_port
  {
    echo "# Generated by scripts/lab/fleet.sh: node $i of the fleet in $LAB."
    agent_config "$LAB" "$FLEET/policy.yaml" "$dir/out" "$HUB_ADDR@53" "$to"
  } >"$dir/danesync.yaml.tmp"
  if [[ $WITH_NAS == on ]]; then
    [[ -z $nas_addr ]] || nas_list="[{address: $nas_addr, port: 3799, secret_file: $secret_file}]"
    cat >>"$dir/danesync.yaml.tmp" <<YAML
disconnect:
  sessions_dir: $dir/sessions
  command: $REPO/radius-config/disconnect
  timeout: 10s
  nas: $nas_list
YAML
  fi
  mv "$dir/danesync.yaml.tmp" "$dir/danesync.yaml"
}

start_node() {
  local i=$1 dir rc=0
  dir=$(node_dir "$i")
  mkdir -p "$dir/out"
  ln -sfn ../../pki "$dir/pki"   # radius.sh and eap-device.sh find certificates under LABDIR/pki
  in_node "$i" "$DANESYNC" once --config "$dir/danesync.yaml" >>"$dir/sync.log" 2>&1 || rc=$?
  [[ $rc -eq 0 ]] || die "node $i: danesync once exited $rc (see $dir/sync.log)"
  DANEVERIFY=$DANEVERIFY in_node "$i" "$LAB_BIN/radius.sh" start "$dir" \
    --config "$dir/danesync.yaml" --ca-file "$dir/out/ca.pem" >>"$FLEET/setup.log" 2>&1 ||
    die "node $i: radius.sh start failed (see $FLEET/setup.log, $dir/radius/radiusd.log)"
}

# start_nas I HTTPS_PORT: node I's NAS and device (nas.sh), then the agent told about the NAS.
start_nas() {
  local i=$1 dir ns nas_ip secret_file csid
  dir=$(node_dir "$i")
  ns=$(node_ns "$i")
  # nsenter, not ip netns exec: nas.sh creates namespaces (ip netns add), and their bind mounts
  # must land in the root mount namespace; ip netns exec runs in a private one.
  nsenter --net="/run/netns/$ns" "$LAB_BIN/nas.sh" start "$dir" --name "$FLEET_NAME" >>"$FLEET/setup.log" 2>&1 ||
    die "node $i: nas.sh start failed (see $FLEET/setup.log)"
  nas_ip=$(sed -n 's/^NAS_IP=//p' "$dir/nas/nas.env")
  secret_file=$(sed -n 's/^DAS_SECRET_FILE=//p' "$dir/nas/nas.env")
  csid=$(sed -n 's/^CALLING_STATION_ID=//p' "$dir/nas/nas.env")
  [[ -n $nas_ip && -n $secret_file && -n $csid ]] || die "node $i: no NAS_IP, DAS_SECRET_FILE or CALLING_STATION_ID in $dir/nas/nas.env"
  write_node_conf "$i" "$2" "$nas_ip" "$secret_file"
  "$LAB_BIN/nas.sh" wait "$dir" AUTHENTICATED 20 >>"$FLEET/setup.log" 2>&1 ||
    die "node $i: the device did not authenticate through the NAS (see $dir/nas/wpa_supplicant.log)"
  # The hook recorded the session as it accepted it (sessions_dir was set before the NAS came).
  for _ in $(seq 50); do
    grep -qsF -- "$csid" "$dir"/sessions/*.session && break
    sleep 0.1
  done
  grep -qsF -- "$csid" "$dir"/sessions/*.session || die "node $i: no session record for $csid in $dir/sessions"
  echo "FLEET_NAS_ADDR_$i=$nas_ip" >>"$ENV.tmp"
}

fleet_running() {
  [[ -s $ENV ]] && ip netns list | grep -q "^$HUB_NS\\b" && pid_alive "$U/unbound.pid" &&
    pid_alive "$LAB/dns/knotd.pid" && pid_alive "$LAB/https/nginx.pid"
}

up() {
  local n=3 i https_port dns_port pid
  WITH_NAS=off
  while [[ $# -gt 0 ]]; do
    case $1 in
      --nas) WITH_NAS=on ;;
      *) n=$1 ;;
    esac
    shift
  done
  [[ $n =~ ^[1-9][0-9]*$ && $n -le 200 ]] || die "NODES must be 1 to 200"
  if fleet_running; then echo "fleet already up in $LAB" >&2; return 0; fi
  # knotd outside the hub cannot be reached by the hub's unbound.
  if pid_alive "$LAB/dns/knotd.pid" || pid_alive "$LAB/https/nginx.pid"; then
    die "a lab outside a fleet runs in $LAB: scripts/lab/down.sh $LAB first"
  fi
  [[ $LAB != *[[:space:]]* && ${#U} -lt 90 ]] || die "LABDIR must be short (unix socket path) and free of spaces: $LAB"
  local bin=${DANESYNC_BIN:-$REPO/.build/release}
  DANESYNC=$(cd "$bin" 2>/dev/null && pwd)/danesync
  DANEVERIFY=$(dirname "$DANESYNC")/daneverify
  [[ -x $DANESYNC && -x $DANEVERIFY ]] || die "no danesync/daneverify in $bin (set DANESYNC_BIN)"
  if ! command -v unbound >/dev/null || ! command -v unbound-control >/dev/null; then
    die "unbound not installed (scripts/install-deps)"
  fi
  if [[ $WITH_NAS == on && ! -x $LAB_BIN/nas.sh ]]; then die "--nas needs scripts/lab/nas.sh"; fi
  FLEET_NAME=${FLEET_NAME:-sensor1._device.example.com}
  FLEET_TTL=${FLEET_TTL:-10}
  [[ $FLEET_TTL =~ ^[0-9]+$ ]] || die "FLEET_TTL must be a number of seconds"

  # On any failure (die exits, so an EXIT trap, not ERR) nothing is left running.
  trap 'rc=$?; [[ $rc -eq 0 ]] || down >/dev/null 2>&1; exit $rc' EXIT
  down >/dev/null 2>&1   # leftovers of an earlier, failed up
  mkdir -p "$FLEET"
  : >"$FLEET/setup.log"
  make_network "$n"

  # The lab itself, in the hub: nginx first, to add the bridge address; up.sh then finds it
  # running and writes lab.env, danesync.yaml and policy.yaml as for any lab.
  in_hub "$LAB_BIN/https.sh" start "$LAB" --listen "$HUB_ADDR" >>"$FLEET/setup.log" 2>&1 ||
    die "https.sh start failed (see $FLEET/setup.log)"
  in_hub "$LAB_BIN/up.sh" "$LAB" >>"$FLEET/setup.log" 2>&1 || die "up.sh failed (see $FLEET/setup.log)"
  in_hub "$LAB_BIN/dns.sh" ttl "$LAB" "$FLEET_NAME" "$FLEET_TTL" >>"$FLEET/setup.log" 2>&1 ||
    die "dns.sh ttl failed (see $FLEET/setup.log)"
  dns_port=$(sed -n 's/^DNS_PORT=//p' "$LAB/dns/dns.env")
  https_port=$(sed -n 's/^HTTPS_PORT=//p' "$LAB/https/https.env")
  for pid in "$LAB/dns/knotd.pid" "$LAB/https/nginx.pid"; do
    [[ $(ip netns identify "$(cat "$pid")") == "$HUB_NS" ]] || die "$(basename "$pid" .pid) is not in $HUB_NS"
  done

  write_unbound_conf "$dns_port"
  start_unbound

  # FLEET_NAME, and sensor2 as a device that stays published (a control).
  {
    printf 'networks:\n  corp-iot:\n    - %s\n' "$FLEET_NAME"
    [[ $FLEET_NAME == sensor2._device.example.com ]] || printf '    - sensor2._device.example.com\n'
  } >"$FLEET/policy.yaml"
  {
    printf 'FLEET_NODES=%s\nFLEET_HUB_NS=%s\nFLEET_HUB_ADDR=%s\n' "$n" "$HUB_NS" "$HUB_ADDR"
    printf 'FLEET_NAME=%s\nFLEET_TTL=%s\nFLEET_UNBOUND_CONF=%s\n' "$FLEET_NAME" "$FLEET_TTL" "$UNBOUND_CONF"
    printf 'FLEET_DANESYNC=%s\nFLEET_DANEVERIFY=%s\nFLEET_NAS=%s\n' "$DANESYNC" "$DANEVERIFY" "$WITH_NAS"
    for ((i = 1; i <= n; i++)); do
      printf 'FLEET_NS_%s=%s\nFLEET_ADDR_%s=%s\nFLEET_DIR_%s=%s\n' "$i" "$(node_ns "$i")" "$i" "$(node_addr "$i")" "$i" "$(node_dir "$i")"
    done
  } >"$ENV.tmp"
  for ((i = 1; i <= n; i++)); do
    mkdir -p "$(node_dir "$i")"
    write_node_conf "$i" "$https_port"
    if [[ $WITH_NAS == on ]]; then
      "$DANESYNC" check --config "$(node_dir "$i")/danesync.yaml" >>"$FLEET/setup.log" 2>&1 ||
        die "--nas: $DANESYNC does not take the disconnect config (see $FLEET/setup.log)"
      mkdir -p "$(node_dir "$i")/sessions"
    fi
    start_node "$i"
    [[ $WITH_NAS == off ]] || start_nas "$i" "$https_port"
  done
  mv "$ENV.tmp" "$ENV"
  trap - EXIT
}


down() {
  local dir ns i
  for dir in "$FLEET"/node*/; do
    dir=${dir%/}
    if [[ -d $dir/radius ]]; then
      "$LAB_BIN/radius.sh" stop "$dir" || echo "fleet.sh: radius.sh stop $dir failed (continuing)" >&2
    fi
    # After radius.sh stop (no radius.env): nas.sh stop then has no FreeRADIUS to restart.
    # In the node's namespace, where nas.sh made its end of the link.
    if [[ -d $dir/nas && -x $LAB_BIN/nas.sh ]]; then
      i=${dir##*/node}
      ns=$(node_ns "$i")
      if ip netns list | grep -q "^$ns\\b"; then
        nsenter --net="/run/netns/$ns" "$LAB_BIN/nas.sh" stop "$dir" || echo "fleet.sh: nas.sh stop $dir failed (continuing)" >&2
      else
        "$LAB_BIN/nas.sh" stop "$dir" || echo "fleet.sh: nas.sh stop $dir failed (continuing)" >&2
      fi
    fi
  done
  stop_pid "$U/unbound.pid"
  # The lab's servers run in the hub: stopped here, not left without a network.
  stop_pid "$LAB/https/nginx.pid"
  stop_pid "$LAB/dns/knotd.pid"
  for ns in $(our_namespaces); do
    kill_namespace_pids "$ns"
    ip netns del "$ns" || echo "fleet.sh: ip netns del $ns failed (continuing)" >&2
  done
  rm -f "$ENV" "$U/control.sock"
}

require_up() { [[ -s $ENV ]] || die "no fleet in $LAB (fleet.sh up $LAB)"; }
require_node() {
  if [[ ! $1 =~ ^[1-9][0-9]*$ ]] || ! ip netns list | grep -q "^$(node_ns "$1")\\b"; then
    die "no node $1 in $LAB"
  fi
}

# usec EPOCH: epoch seconds with up to 6 decimals (as $EPOCHREALTIME prints them) → µs.
usec() {
  local s=${1%%.*} f=
  [[ $1 == *.* ]] && f=${1#*.}
  f=${f}000000
  echo $((10#$s * 1000000 + 10#${f:0:6}))
}
seconds() { printf '%d.%03d' $(($1 / 1000000)) $(($1 % 1000000 / 1000)); }

# until_rejected N NAME SINCE TIMEOUT [eap-device.sh options…]: see the header. One
# authentication at a time, each a fresh eapol_test (~0.1 s here): that is the resolution.
until_rejected() {
  local i=$1 name=$2 since start end limit n=0 r
  since=$(usec "$3")
  [[ $4 =~ ^[0-9]+$ ]] || die "TIMEOUT must be whole seconds"
  limit=$((since + $4 * 1000000))
  shift 4
  while :; do
    start=$(usec "$EPOCHREALTIME")
    r=$(in_node "$i" "$LAB_BIN/eap-device.sh" "$(node_dir "$i")" "$name" "$@" 2>&1) || true
    end=$(usec "$EPOCHREALTIME")
    n=$((n + 1))
    if [[ $r == FAILURE ]]; then
      echo "$(seconds $((end - since))) $(seconds $((start - since))) $n"
      return 0
    fi
    [[ $r == SUCCESS ]] || die "node $i: eap-device.sh: $r"
    if ((end >= limit)); then echo "timeout - $n"; return 1; fi
  done
}

case $CMD in
  up)    [[ $# -le 2 ]] || usage; up "$@" ;;
  down)  [[ $# -eq 0 ]] || usage; down ;;
  exec)
    [[ $# -ge 2 ]] || usage
    require_up
    where=$1; shift
    if [[ $where == hub ]]; then exec ip netns exec "$HUB_NS" "$@"; fi
    require_node "$where"
    exec ip netns exec "$(node_ns "$where")" "$@" ;;
  flush)
    [[ $# -eq 1 || $# -eq 2 ]] || usage
    require_up
    unbound-control -c "$UNBOUND_CONF" flush_type "$1" "${2:-TLSA}" >/dev/null || die "unbound-control flush_type failed" ;;
  until-rejected)
    [[ $# -ge 4 ]] || usage
    require_up
    require_node "$1"
    until_rejected "$@" ;;
  *) usage ;;
esac
