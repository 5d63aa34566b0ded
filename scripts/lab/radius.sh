#!/usr/bin/env bash
# FreeRADIUS 3.x for the lab, running the shipped radius-config/mods-available/eap-danesync.
#
#   radius.sh start   LABDIR [--verify-cmd "CMD ARGS…"]
#   radius.sh restart LABDIR [--verify-cmd "CMD ARGS…"]   # after LABDIR/out/ca.pem changed
#   radius.sh stop    LABDIR
#
# Builds LABDIR/radius/ (radiusd.conf, dictionary, mods-enabled/eap, tmp/), starts
# `freeradius -f -xx` on 127.0.0.1 at a free high UDP port, waits until it is ready, and writes
# LABDIR/radius/radius.env (RADIUS_HOST, RADIUS_PORT, RADIUS_SECRET; removed by stop). Debug log:
# LABDIR/radius/radiusd.log (previous run: radiusd.log.prev).
#
# Paths the lab uses (rewritten from the production paths in the module):
#   server cert/key  LABDIR/pki/web/radius.pem, radius.key
#   ca_file          LABDIR/out/ca.pem                 (must exist before start)
#   verify tmpdir    LABDIR/radius/tmp                 (mode 700)
#   verify client    <verify-cmd> --identity %{User-Name} --cert %{TLS-Client-Cert-Filename}
#                                 --called-station-id %{Called-Station-Id}
# <verify-cmd> defaults to "<daneverify> --config LABDIR/danesync.yaml", where <daneverify> is
# $DANEVERIFY or .build/release/daneverify under the repo root (made absolute). --verify-cmd
# replaces that whole prefix; its first word is made absolute too. `restart` without
# --verify-cmd keeps the one in use. The port is kept across restarts when it is still free.
set -euo pipefail

die() { echo "radius.sh: $*" >&2; exit 1; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MODULE_SRC=$REPO/radius-config/mods-available/eap-danesync
SECRET=testing123

usage() { die "usage: radius.sh start|restart|stop LABDIR [--verify-cmd \"CMD ARGS…\"]"; }

[[ $# -ge 2 ]] || usage
ACTION=$1 LABDIR=$2
shift 2
case $ACTION in start|restart|stop) ;; *) usage ;; esac
VERIFY_CMD=
while [[ $# -gt 0 ]]; do
    case $1 in
        --verify-cmd) [[ $# -ge 2 ]] || usage; VERIFY_CMD=$2; shift 2 ;;
        *) usage ;;
    esac
done

if [[ $ACTION == stop && ! -d $LABDIR ]]; then exit 0; fi
mkdir -p "$LABDIR"
LABDIR=$(cd "$LABDIR" && pwd)
RDIR=$LABDIR/radius
PIDFILE=$RDIR/radiusd.pid
LOGFILE=$RDIR/radiusd.log
ENVFILE=$RDIR/radius.env

# FreeRADIUS splits the verify command on spaces and knows no shell quoting we could rely on.
if [[ $LABDIR == *[[:space:]]* || $LABDIR == *[\"\'\\\$\`%{}]* ]]; then
    die "LABDIR must not contain spaces, quotes, backslashes, \$, %, {, }: $LABDIR"
fi

# Our server's PID if it is running (pid file + a live freeradius process using our config dir).
running_pid() {
    local pid
    [[ -f $PIDFILE ]] || return 1
    pid=$(<"$PIDFILE")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    [[ -r /proc/$pid/cmdline ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "-d $RDIR " || return 1
    echo "$pid"
}

do_stop() {
    local pid i
    if pid=$(running_pid); then
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do
            [[ -d /proc/$pid ]] || break
            sleep 0.1
        done
        if [[ -d /proc/$pid ]]; then
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.2
        fi
        [[ ! -d /proc/$pid ]] || die "freeradius (pid $pid) did not stop"
    fi
    rm -f "$PIDFILE" "$RDIR/run/radiusd.pid" "$ENVFILE"
}

udp_port_free() { ! ss -Hnlu "sport = :$1" 2>/dev/null | grep -q .; }

pick_port() {
    local p i
    if [[ -f $RDIR/port ]]; then
        p=$(<"$RDIR/port")
        if [[ $p =~ ^[0-9]+$ ]] && udp_port_free "$p"; then echo "$p"; return; fi
    fi
    for ((i = 0; i < 50; i++)); do
        p=$((20000 + RANDOM % 40000))
        if udp_port_free "$p"; then echo "$p"; return; fi
    done
    die "no free UDP port found"
}

abs_cmd() {   # first word of a command → absolute path
    local first=${1%% *} rest=
    [[ $1 == *" "* ]] && rest=" ${1#* }"
    if [[ $first == */* ]]; then
        [[ $first == /* ]] || first=$(cd "$(dirname "$first")" 2>/dev/null && pwd)/$(basename "$first")
    else
        first=$(command -v "$first") || die "verify command not found: ${1%% *}"
    fi
    [[ -x $first ]] || die "verify command is not an executable file: $first"
    [[ $1 != *[\"\\%]* ]] || die "verify command must not contain \", \\ or %: $1"
    echo "$first$rest"
}

sed_escape() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }

build_config() {
    local verify_cmd=$1 port=$2
    [[ -f $MODULE_SRC ]] || die "missing $MODULE_SRC"
    [[ -f $LABDIR/pki/web/radius.pem && -f $LABDIR/pki/web/radius.key ]] \
        || die "missing server certificate $LABDIR/pki/web/radius.{pem,key} (run pki.sh first)"
    [[ -f $LABDIR/out/ca.pem ]] || die "missing $LABDIR/out/ca.pem (run danesync once first)"

    mkdir -p "$RDIR/mods-enabled" "$RDIR/run" "$RDIR/log"
    mkdir -p "$RDIR/tmp"
    chmod 700 "$RDIR/tmp"
    find "$RDIR/tmp" -mindepth 1 -delete
    cp /etc/freeradius/3.0/dictionary "$RDIR/dictionary"

    local cert key ca tmp client
    cert=$(sed_escape "$LABDIR/pki/web/radius.pem")
    key=$(sed_escape "$LABDIR/pki/web/radius.key")
    ca=$(sed_escape "$LABDIR/out/ca.pem")
    tmp=$(sed_escape "$RDIR/tmp")
    client=$(sed_escape "$verify_cmd")
    sed -E \
        -e "s|^([[:space:]]*certificate_file[[:space:]]*=).*|\1 $cert|" \
        -e "s|^([[:space:]]*private_key_file[[:space:]]*=).*|\1 $key|" \
        -e "s|^([[:space:]]*ca_file[[:space:]]*=).*|\1 $ca|" \
        -e "s|^([[:space:]]*tmpdir[[:space:]]*=).*|\1 $tmp|" \
        -e "s|^([[:space:]]*client[[:space:]]*=[[:space:]]*\")/usr/local/bin/daneverify --config [^ ]+ |\1$client |" \
        "$MODULE_SRC" >"$RDIR/mods-enabled/eap.tmp"
    grep -qF -- "\"$verify_cmd --identity %{User-Name}" "$RDIR/mods-enabled/eap.tmp" \
        || die "could not rewrite verify { client } in $MODULE_SRC"
    mv -f "$RDIR/mods-enabled/eap.tmp" "$RDIR/mods-enabled/eap"

    cat >"$RDIR/radiusd.conf" <<EOF
# Generated by scripts/lab/radius.sh — do not edit, rerun the script.
prefix = /usr
raddbdir = $RDIR
confdir = \${raddbdir}
run_dir = $RDIR/run
logdir = $RDIR/log
certdir = $LABDIR/pki/web
cadir = $LABDIR/out
libdir = /usr/lib/freeradius
pidfile = \${run_dir}/radiusd.pid
name = freeradius
max_request_time = 30
cleanup_delay = 5
max_requests = 1024
hostname_lookups = no

log {
	destination = files
	file = $LOGFILE
	colourise = no
	stripped_names = no
	auth = yes
	auth_badpass = no
	auth_goodpass = no
}

security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = yes
}

thread pool {
	start_servers = 2
	max_servers = 8
	min_spare_servers = 1
	max_spare_servers = 4
	max_requests_per_server = 0
}

client localhost {
	ipaddr = 127.0.0.1
	secret = $SECRET
	require_message_authenticator = no
	nas_type = other
}

modules {
	\$INCLUDE mods-enabled/
}

server default {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = $port
	}
	authorize {
		eap {
			ok = return
		}
	}
	authenticate {
		eap
	}
	post-auth {
		Post-Auth-Type REJECT {
			eap
		}
	}
}
EOF
    printf '%s\n' "$verify_cmd" >"$RDIR/verify-cmd"
}

do_start() {
    local verify_cmd=$1 port pid i attempt
    for ((attempt = 0; attempt < 3; attempt++)); do
        port=$(pick_port)
        build_config "$verify_cmd" "$port"
        [[ -f $LOGFILE ]] && mv -f "$LOGFILE" "$LOGFILE.prev"
        : >"$LOGFILE"
        setsid freeradius -f -d "$RDIR" -l "$LOGFILE" -xx \
            </dev/null >"$RDIR/radiusd.stdout" 2>&1 &
        pid=$!
        echo "$pid" >"$PIDFILE"
        for ((i = 0; i < 150; i++)); do
            if grep -q 'Ready to process requests' "$LOGFILE" 2>/dev/null; then
                echo "$port" >"$RDIR/port"
                printf 'RADIUS_HOST=127.0.0.1\nRADIUS_PORT=%s\nRADIUS_SECRET=%s\n' "$port" "$SECRET" >"$ENVFILE.tmp"
                mv -f "$ENVFILE.tmp" "$ENVFILE"
                return 0
            fi
            [[ -d /proc/$pid ]] || break
            sleep 0.1
        done
        do_stop
        # Lost a race for the port: try another one.
        if grep -qi 'address already in use' "$LOGFILE" "$RDIR/radiusd.stdout" 2>/dev/null; then
            rm -f "$RDIR/port"
            continue
        fi
        break
    done
    local why
    why=$(grep -hiE 'error|failed|unable|fatal|invalid|no such' "$LOGFILE" "$RDIR/radiusd.stdout" 2>/dev/null | head -n 1 || true)
    die "freeradius did not start (see $LOGFILE)${why:+: $why}"
}

default_verify_cmd() {
    local bin=${DANEVERIFY:-$REPO/.build/release/daneverify}
    [[ $bin == /* ]] || bin=$REPO/$bin
    echo "$bin --config $LABDIR/danesync.yaml"
}

case $ACTION in
    start|restart)
        if [[ -n $VERIFY_CMD ]]; then
            VERIFY_CMD=$(abs_cmd "$VERIFY_CMD")
        elif [[ $ACTION == restart && -s $RDIR/verify-cmd ]]; then
            VERIFY_CMD=$(<"$RDIR/verify-cmd")
        else
            VERIFY_CMD=$(abs_cmd "$(default_verify_cmd)")
        fi
        do_stop
        do_start "$VERIFY_CMD"
        ;;
    stop)
        do_stop
        ;;
    *) usage ;;
esac
