#!/usr/bin/env bash
# A real NAS and a real device for the lab: hostapd (driver=wired, IEEE 802.1X, RADIUS
# authentication and accounting to the lab FreeRADIUS, an RFC 5176 Dynamic Authorization
# Server) and wpa_supplicant (wired, EAP-TLS), each in a network namespace of its own, joined
# by a veth pair; a second veth pair links hostapd's namespace to the host, where FreeRADIUS
# (scripts/lab/radius.sh) and the agent run.
#
#   nas.sh start   LABDIR [--ssid SSID] [--name NAME] [--identity ID]
#                                            the NAS, and the device too with --name/--identity
#   nas.sh station LABDIR [--name NAME] [--identity ID]
#                                            start the device, or replace it by another one: the
#                                            NAS first ends the old one's session (hostapd_cli
#                                            deauthenticate: Accounting-Stop), so the new one
#                                            starts a session of its own. NAME default: the
#                                            current one, else sensor1._device.example.com;
#                                            ID default: NAME
#   nas.sh stop    LABDIR                    (never fails because something is already down)
#   nas.sh wait    LABDIR [STATE] [SECONDS]  until wpa_supplicant's "Supplicant PAE state" is
#                                            STATE (default AUTHENTICATED; 20 s): prints the
#                                            state, exit 0, or the state seen last and exit 1
#   nas.sh state   LABDIR                    print "<Supplicant PAE state> <EAP state>"
#   nas.sh reauth  LABDIR                    the device re-authenticates (wpa_cli
#                                            reauthenticate: an EAPOL-Start)
#   nas.sh nas-reauth LABDIR [MAC]           the NAS re-authenticates a station (hostapd_cli raw
#                                            "EAPOL_REAUTH MAC"; default the device's MAC)
#   nas.sh stations LABDIR                   the stations hostapd holds, one per line:
#                                            "<MAC> <Acct-Session-Id> <User-Name>"
#
# start needs the lab (up.sh) and the lab FreeRADIUS (radius.sh start) running. It
#   - creates the namespaces <prefix>-nas and <prefix>-sta (<prefix> = dsn-<8 hex of LABDIR's
#     path>, so two labs never share one), the host link dsn<8 hex> HOST_IP/30 <->
#     radius0 NAS_IP/30 in the NAS's namespace (a /30 of 198.18.0.0/16, RFC 2544's
#     benchmarking range, taken from the same hash and moved on while any address of it is in
#     use on the host), and the NAS's port0 <-> eth0 of the device (no addresses: EAPOL is
#     layer 2; fixed MACs NAS_MAC and STA_MAC, locally administered);
#   - restarts FreeRADIUS with `radius.sh restart LABDIR --listen HOST_IP --client NAS_NET
#     --accounting on` (its other settings kept), so that the NAS reaches it and its
#     accounting lands in LABDIR/radius/accounting.log;
#   - starts hostapd in the NAS's namespace: NAS-IP-Address NAS_IP, Called-Station-Id
#     "<NAS_MAC>:<SSID>" (default SSID corp-iot), eap_reauth_period=0 (a session lasts until
#     something ends it), DAS on NAS_IP:3799 for the host's address with a fresh random secret
#     (also in DAS_SECRET_FILE, mode 0600);
#   - with --name/--identity, or by `nas.sh station`: starts wpa_supplicant in the device's
#     namespace: EAP-TLS with the certificate and key LABDIR/pki/devices/NAME.{pem,key}, EAP
#     identity ID (e.g. anonymous@example.com), the RADIUS server checked against
#     LABDIR/pki/ca/web-ca.pem. It authenticates by itself; `nas.sh wait` waits for it.
# stop stops both daemons (and anything else left in the two namespaces), deletes the
# namespaces and the host link, and restarts a running lab FreeRADIUS without
# --listen/--client/--accounting (the address is gone). scripts/lab/down.sh runs it; a start
# that fails runs it too.
#
# LABDIR/nas/nas.env (removed by stop): NAS_NETNS, STA_NETNS, HOST_IF, HOST_IP, NAS_IP, NAS_NET,
# NAS_MAC, STA_MAC, CALLING_STATION_ID (the device's MAC as hostapd sends it), DAS_PORT,
# DAS_SECRET_FILE, HOSTAPD_LOG, WPA_LOG, STA_NAME, STA_IDENTITY, SSID.
# Logs: LABDIR/nas/hostapd.log (hostapd -d: AP-STA-CONNECTED, AP-STA-DISCONNECTED, DAS lines),
# LABDIR/nas/wpa_supplicant.log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() {
  die "usage: nas.sh start LABDIR [--name NAME] [--identity ID] [--ssid SSID] | station LABDIR [--name NAME] [--identity ID] | stop LABDIR | wait LABDIR [STATE] [SECONDS] | state LABDIR | reauth LABDIR | nas-reauth LABDIR [MAC] | stations LABDIR"
}
[[ $# -ge 2 ]] || usage
CMD=$1
[[ $CMD == stop && ! -d $2 ]] && exit 0
[[ -d $2 ]] || die "no such lab dir: $2"
LAB=$(cd "$2" && pwd)
shift 2

N=$LAB/nas
ENV=$N/nas.env
HOSTAPD_CONF=$N/hostapd.conf
WPA_CONF=$N/wpa_supplicant.conf
HOSTAPD_PID=$N/hostapd.pid
WPA_PID=$N/wpa_supplicant.pid
HOSTAPD_CTRL=$N/hostapd-ctrl
WPA_CTRL=$N/wpa-ctrl
DAS_PORT=3799
DEFAULT_NAME=sensor1._device.example.com

ID=$(printf '%s' "$LAB" | sha256sum | cut -c1-8)
PREFIX=dsn-$ID
NAS_NETNS=$PREFIX-nas
STA_NETNS=$PREFIX-sta
HOST_IF=dsn$ID          # root namespace: unique by the hash (15 characters at most)
NAS_UPLINK=radius0      # names inside our namespaces need not be unique
NAS_PORT_IF=port0
STA_IF=eth0
NAS_MAC=02:${ID:0:2}:${ID:2:2}:${ID:4:2}:${ID:6:2}:01
STA_MAC=02:${ID:0:2}:${ID:2:2}:${ID:4:2}:${ID:6:2}:02

hostapd_cli_() { hostapd_cli -p "$HOSTAPD_CTRL" -i "$NAS_PORT_IF" "$@"; }
wpa_cli_() { wpa_cli -p "$WPA_CTRL" -i "$STA_IF" "$@"; }
netns_exists() { ip netns list | awk '{print $1}' | grep -qxF "$1"; }

# --- addresses -------------------------------------------------------------------------------
# pick_net: "HOST_IP NAS_IP NET" for the first /30 of 198.18.0.0/16, from the hash on, that no
# address of this host lies in (another lab's, or anything else's).
pick_net() {
  local used idx base try
  used=$(ip -4 -o addr show | awk '{ split($4, a, "/"); print a[1] }')
  idx=$(( 16#${ID:0:4} % 16384 ))
  for ((try = 0; try < 64; try++)); do
    base=$(( (idx + try) % 16384 * 4 ))
    local net="198.18.$((base / 256)).$((base % 256))" a b c
    a="198.18.$((base / 256)).$((base % 256 + 1))"
    b="198.18.$((base / 256)).$((base % 256 + 2))"
    c="198.18.$((base / 256)).$((base % 256 + 3))"
    if ! grep -qxF -e "$net" -e "$a" -e "$b" -e "$c" <<<"$used"; then
      echo "$a $b $net/30"
      return 0
    fi
  done
  die "no free /30 in 198.18.0.0/16 near index $idx"
}

# --- processes -------------------------------------------------------------------------------
# our_pid PIDFILE CONF: the PID in PIDFILE if that process runs with CONF (not a recycled PID).
our_pid() {
  local pid
  [[ -s $1 ]] || return 1
  pid=$(<"$1")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2" || return 1
  echo "$pid"
}

# stop_daemons PIDFILE CONF [PIDFILE CONF…]: TERM them all (each takes a second or two to say
# goodbye to its peers), wait 5 s, then KILL what is left.
stop_daemons() {
  local pids=() pid
  while [[ $# -ge 2 ]]; do
    if pid=$(our_pid "$1" "$2"); then
      kill "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
    rm -f "$1"
    shift 2
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  done
  return 0
}


# wait_ctrl CLI…: until the daemon answers PING on its control socket (10 s at most).
wait_ctrl() {
  for _ in $(seq 100); do
    [[ $("$@" ping 2>/dev/null) == PONG ]] && return 0
    sleep 0.1
  done
  return 1
}

load_env() {
  [[ -s $ENV ]] || die "no NAS for $LAB (nas.sh start $LAB)"
  # shellcheck source=/dev/null
  . "$ENV"
}

# --- start -----------------------------------------------------------------------------------
make_network() {
  ip netns add "$NAS_NETNS"
  ip netns add "$STA_NETNS"
  ip -n "$NAS_NETNS" link set lo up
  ip -n "$STA_NETNS" link set lo up
  # host <-> NAS: RADIUS and the DAS.
  ip link add "$HOST_IF" type veth peer name "$NAS_UPLINK" netns "$NAS_NETNS"
  ip addr add "$HOST_IP/30" dev "$HOST_IF"
  ip link set "$HOST_IF" up
  ip -n "$NAS_NETNS" addr add "$NAS_IP/30" dev "$NAS_UPLINK"
  ip -n "$NAS_NETNS" link set "$NAS_UPLINK" up
  # NAS port <-> device: a wire carrying EAPOL.
  ip -n "$NAS_NETNS" link add "$NAS_PORT_IF" address "$NAS_MAC" type veth \
    peer name "$STA_IF" netns "$STA_NETNS" address "$STA_MAC"
  ip -n "$NAS_NETNS" link set "$NAS_PORT_IF" up
  ip -n "$STA_NETNS" link set "$STA_IF" up
}

write_hostapd_conf() {
  local ssid=$1 secret radius_port acct_port radius_secret
  radius_port=$(sed -n 's/^RADIUS_PORT=//p' "$LAB/radius/radius.env")
  acct_port=$(sed -n 's/^RADIUS_ACCT_PORT=//p' "$LAB/radius/radius.env")
  radius_secret=$(sed -n 's/^RADIUS_SECRET=//p' "$LAB/radius/radius.env")
  [[ -n $radius_port && -n $acct_port && -n $radius_secret ]] \
    || die "$LAB/radius/radius.env has no RADIUS_PORT, RADIUS_ACCT_PORT or RADIUS_SECRET"
  secret=$(openssl rand -hex 16)
  (umask 077 && printf '%s\n' "$secret" >"$N/das.secret")
  (umask 077 && cat >"$HOSTAPD_CONF") <<EOF
# Generated by scripts/lab/nas.sh — a wired 802.1X NAS for the lab.
interface=$NAS_PORT_IF
driver=wired
ctrl_interface=$HOSTAPD_CTRL
logger_stdout=-1
# Debug level: the log shows "received EAPOL-Start from STA", which tests look for.
logger_stdout_level=1
ieee8021x=1
eapol_version=2
# A session lasts until something ends it (a Disconnect-Request, say), not a timer.
eap_reauth_period=0
use_pae_group_addr=1
# Called-Station-Id "<NAS_MAC>:<ssid>": the SSID selects the policy network.
ssid=$ssid
nas_identifier=danesync-lab-nas
own_ip_addr=$NAS_IP
auth_server_addr=$HOST_IP
auth_server_port=$radius_port
auth_server_shared_secret=$radius_secret
acct_server_addr=$HOST_IP
acct_server_port=$acct_port
acct_server_shared_secret=$radius_secret
# RFC 5176 Dynamic Authorization Server: Disconnect-Requests from the host (the agent's
# disconnect command), with their own secret.
radius_das_port=$DAS_PORT
radius_das_client=$HOST_IP $secret
EOF
}

write_wpa_conf() {
  local identity=$2 cert=$LAB/pki/devices/$1.pem key=$LAB/pki/devices/$1.key ca=$LAB/pki/ca/web-ca.pem v
  for v in "$cert" "$key" "$ca"; do [[ -r $v ]] || die "cannot read $v"; done
  # wpa_supplicant strings are "…" without escapes.
  for v in "$identity" "$cert" "$key" "$ca"; do
    [[ $v != *'"'* && $v != *$'\n'* ]] || die "double quotes/newlines not supported: $v"
  done
  cat >"$WPA_CONF" <<EOF
# Generated by scripts/lab/nas.sh — the lab device.
ctrl_interface=$WPA_CTRL
ap_scan=0
network={
	key_mgmt=IEEE8021X
	eap=TLS
	identity="$identity"
	ca_cert="$ca"
	client_cert="$cert"
	private_key="$key"
	eapol_flags=0
}
EOF
}

start_hostapd() {
  rm -f "$HOSTAPD_PID"
  [[ -f $N/hostapd.log ]] && mv -f "$N/hostapd.log" "$N/hostapd.log.prev"
  ip netns exec "$NAS_NETNS" hostapd -B -d -t -P "$HOSTAPD_PID" -f "$N/hostapd.log" "$HOSTAPD_CONF" \
    </dev/null >>"$N/hostapd.out" 2>&1 || die "hostapd did not start (see $N/hostapd.out, $N/hostapd.log)"
  wait_ctrl hostapd_cli_ || die "hostapd does not answer on $HOSTAPD_CTRL (see $N/hostapd.log)"
}

start_supplicant() {
  rm -f "$WPA_PID"
  [[ -f $N/wpa_supplicant.log ]] && mv -f "$N/wpa_supplicant.log" "$N/wpa_supplicant.log.prev"
  ip netns exec "$STA_NETNS" wpa_supplicant -B -t -D wired -i "$STA_IF" -c "$WPA_CONF" \
    -P "$WPA_PID" -f "$N/wpa_supplicant.log" </dev/null >>"$N/wpa_supplicant.out" 2>&1 \
    || die "wpa_supplicant did not start (see $N/wpa_supplicant.out, $N/wpa_supplicant.log)"
  wait_ctrl wpa_cli_ || die "wpa_supplicant does not answer on $WPA_CTRL (see $N/wpa_supplicant.log)"
}

write_env() {
  {
    printf 'NAS_NETNS=%q\nSTA_NETNS=%q\nHOST_IF=%q\nHOST_IP=%q\nNAS_IP=%q\nNAS_NET=%q\n' \
      "$NAS_NETNS" "$STA_NETNS" "$HOST_IF" "$HOST_IP" "$NAS_IP" "$NAS_NET"
    printf 'NAS_MAC=%q\nSTA_MAC=%q\nCALLING_STATION_ID=%q\nDAS_PORT=%q\nDAS_SECRET_FILE=%q\n' \
      "$NAS_MAC" "$STA_MAC" "$(tr 'a-f:' 'A-F-' <<<"$STA_MAC")" "$DAS_PORT" "$N/das.secret"
    printf 'HOSTAPD_LOG=%q\nWPA_LOG=%q\nSTA_NAME=%q\nSTA_IDENTITY=%q\nSSID=%q\n' \
      "$N/hostapd.log" "$N/wpa_supplicant.log" "$STA_NAME" "$STA_IDENTITY" "$SSID"
  } >"$ENV.tmp"
  mv -f "$ENV.tmp" "$ENV"
}

# parse_station_args ARGS…: --name, --identity (and --ssid when $1 of the caller allows it).
parse_station_args() {
  local allow_ssid=$1
  shift
  while [[ $# -gt 0 ]]; do
    [[ $# -ge 2 ]] || usage
    case $1 in
      --name) STA_NAME=$2 ;;
      --identity) STA_IDENTITY=$2 ;;
      --ssid) [[ $allow_ssid == yes ]] || usage; SSID=$2 ;;
      *) usage ;;
    esac
    shift 2
  done
  [[ -z $STA_NAME || $STA_NAME =~ ^[A-Za-z0-9._-]+$ ]] || die "--name: a device name of LABDIR/pki/devices, not $STA_NAME"
  if [[ -n $STA_IDENTITY && -z $STA_NAME ]]; then STA_NAME=$DEFAULT_NAME; fi
  STA_IDENTITY=${STA_IDENTITY:-$STA_NAME}
  [[ -n $SSID && $SSID != *[[:space:][:cntrl:]]* ]] || die "--ssid: a non-empty SSID without white space"
}

start() {
  local radius_env=$LAB/radius/radius.env
  STA_NAME='' STA_IDENTITY='' SSID=corp-iot
  parse_station_args yes "$@"
  [[ -s $radius_env ]] || die "the lab FreeRADIUS is not running (scripts/lab/radius.sh start $LAB)"
  for tool in hostapd hostapd_cli wpa_supplicant wpa_cli; do
    command -v "$tool" >/dev/null || die "$tool not found (scripts/install-deps: hostapd, wpasupplicant)"
  done
  stop_all
  mkdir -p "$N"
  read -r HOST_IP NAS_IP NAS_NET < <(pick_net)
  # The names are in nas.env before anything exists, so that stop always finds them.
  write_env
  trap 'stop' EXIT   # a start that fails leaves nothing behind
  make_network
  "$LAB_BIN/radius.sh" restart "$LAB" --listen "$HOST_IP" --client "$NAS_NET" --accounting on \
    >>"$N/radius-restart.log" 2>&1 || die "radius.sh restart failed (see $N/radius-restart.log)"
  write_hostapd_conf "$SSID"
  start_hostapd
  if [[ -n $STA_NAME ]]; then
    write_wpa_conf "$STA_NAME" "$STA_IDENTITY"
    start_supplicant
  fi
  trap - EXIT
}

station() {
  load_env
  STA_NAME=${STA_NAME:-$DEFAULT_NAME} STA_IDENTITY=''   # --identity defaults to NAME
  parse_station_args no "$@"
  write_wpa_conf "$STA_NAME" "$STA_IDENTITY"
  stop_daemons "$WPA_PID" "$WPA_CONF"
  # The wired driver tells the NAS nothing when a device goes: without this the next device
  # (same port, same MAC) would continue the old one's session, Acct-Session-Id included.
  if hostapd_cli_ all_sta | grep -qxF "$STA_MAC"; then
    hostapd_cli_ deauthenticate "$STA_MAC" >/dev/null || die "hostapd_cli deauthenticate $STA_MAC failed"
    # hostapd keeps a deauthenticated station 5 s (AP_MAX_INACTIVITY_AFTER_DEAUTH); an EAPOL-Start
    # before then would land in the old entry.
    for _ in $(seq 80); do
      hostapd_cli_ all_sta | grep -qxF "$STA_MAC" || break
      sleep 0.1
    done
  fi
  start_supplicant
  write_env
}

# stop_all: everything of this LABDIR's NAS, whatever state a failed start left.
stop_all() {
  local ns
  stop_daemons "$WPA_PID" "$WPA_CONF" "$HOSTAPD_PID" "$HOSTAPD_CONF"
  for ns in "$STA_NETNS" "$NAS_NETNS"; do
    netns_exists "$ns" || continue
    kill_namespace_pids "$ns"
    ip netns del "$ns" || echo "nas.sh: ip netns del $ns failed (continuing)" >&2
  done
  # Deleting the NAS's namespace destroys the veth pair; this is for a half-made network.
  if ip link show "$HOST_IF" >/dev/null 2>&1; then
    ip link del "$HOST_IF" || echo "nas.sh: ip link del $HOST_IF failed (continuing)" >&2
  fi
  rm -rf "$HOSTAPD_CTRL" "$WPA_CTRL"
  rm -f "$ENV"
}

stop() {
  local listen=''
  stop_all
  # A FreeRADIUS still listening on the address just removed could not be restarted with it:
  # take --listen/--client back (a stopped one keeps its settings until radius.sh start).
  if [[ -s $LAB/radius/settings ]]; then
    listen=$(sed -n "s/^LISTEN=//p" "$LAB/radius/settings" | tr -d "'")
  fi
  if [[ -n $listen && -s $LAB/radius/radius.env ]] && ! ip -4 -o addr show | grep -qF " $listen/"; then
    "$LAB_BIN/radius.sh" restart "$LAB" --listen none --client none --accounting off >>"$N/radius-restart.log" 2>&1 ||
      echo "nas.sh: radius.sh restart without the NAS failed (see $N/radius-restart.log)" >&2
  fi
}

# --- helpers for tests -----------------------------------------------------------------------
pae_state() { wpa_cli_ status 2>/dev/null | sed -n 's/^Supplicant PAE state=//p'; }

wait_state() {
  local want=${1:-AUTHENTICATED} seconds=${2:-20} seen='' deadline
  [[ $seconds =~ ^[0-9]+$ ]] || usage
  load_env
  deadline=$((SECONDS + seconds))
  while :; do
    seen=$(pae_state)
    if [[ $seen == "$want" ]]; then echo "$seen"; return 0; fi
    ((SECONDS < deadline)) || break
    sleep 0.1
  done
  echo "${seen:-no answer from wpa_supplicant}"
  return 1
}

stations() {
  load_env
  # all_sta: a MAC line, then key=value lines, per station.
  hostapd_cli_ all_sta | awk '
    length($0) == 17 && /^[0-9a-f:]+$/ { if (mac) print mac, sid, user; mac = $0; sid = "-"; user = "-"; next }
    /^dot1xAuthSessionId=/ { sid = substr($0, 20) }
    /^dot1xAuthSessionUserName=/ { user = substr($0, 26) }
    END { if (mac) print mac, sid, user }'
}

case $CMD in
  start) start "$@" ;;
  station) station "$@" ;;
  stop) [[ $# -eq 0 ]] || usage; stop ;;
  wait) [[ $# -le 2 ]] || usage; wait_state "$@" ;;
  state)
    [[ $# -eq 0 ]] || usage
    load_env
    wpa_cli_ status | awk -F= '/^Supplicant PAE state=/ { pae = $2 } /^EAP state=/ { eap = $2 }
                               END { print (pae ? pae : "-"), (eap ? eap : "-") }' ;;
  reauth)
    [[ $# -eq 0 ]] || usage
    load_env
    [[ $(wpa_cli_ reauthenticate) == OK ]] || die "wpa_cli reauthenticate failed" ;;
  nas-reauth)
    [[ $# -le 1 ]] || usage
    load_env
    [[ $(hostapd_cli_ raw "EAPOL_REAUTH ${1:-$STA_MAC}") == OK ]] || die "hostapd_cli raw EAPOL_REAUTH failed" ;;
  stations) [[ $# -eq 0 ]] || usage; stations ;;
  *) usage ;;
esac
