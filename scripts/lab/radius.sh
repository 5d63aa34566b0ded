#!/usr/bin/env bash
# FreeRADIUS 3.x for the lab, running the shipped radius-config: mods-available/eap-danesync
# (the eap module), mods-available/danesync-gate (the gate's exec module) and
# sites-available/danesync-gate (the gate's virtual server), installed as an admin would.
# They are read from $RADIUS_CONFIG_DIR: the repository's radius-config/ by default,
# /usr/share/danesync/radius-config for the files the Debian package installed (kept by
# restart when not given again).
#
#   radius.sh start   LABDIR [OPTIONS]
#   radius.sh restart LABDIR [OPTIONS]   # e.g. after LABDIR/out/ca.pem changed
#   radius.sh stop    LABDIR
#
# OPTIONS (start: defaults below; restart: the settings of the last start/restart, each
# option given overrides one; `start` again to get back to every default):
#   --verify-cmd "CMD ARGS…"  verify { client } prefix, default "<daneverify> --config <config>"
#   --gate-cmd "CMD ARGS…"    the gate's program prefix, default "<daneverify> --config <config>"
#                             (independent of --verify-cmd)
#   --config FILE             danesync.yaml for the default prefixes (default LABDIR/danesync.yaml)
#   --ca-file FILE            the agent's ca.pem (default LABDIR/out/ca.pem): the module's
#                             ca_path becomes ca.d/ next to it (ca_file FILE if the module
#                             uses ca_file instead)
#   --tmpdir ok|missing|unwritable
#                             verify tmpdir state once the server runs (default ok):
#                             missing     LABDIR/radius/tmp is removed right after start
#                                         (FreeRADIUS refuses to start without it);
#                             unwritable  FreeRADIUS runs without CAP_DAC_OVERRIDE,
#                                         CAP_DAC_READ_SEARCH and CAP_FOWNER (setpriv), and the
#                                         tmpdir is chmod 0500 right after start, so creating
#                                         the certificate file fails with EACCES although the
#                                         lab server runs as root. FreeRADIUS then skips the
#                                         verify hook ("Failed creating file in …").
#   --tls-cache on|off        TLS session cache with persist_dir LABDIR/radius/tlscache, so TLS
#                             1.2 sessions resume (eapol_test -r1; default off, as shipped)
#   --gate on|off             off removes tls { virtual_server } from the eap module (the
#                             pre-gate config; for controls only). Default on.
#   --debug on|off            on (default): freeradius -xx, the debug log the e2e cases read;
#                             off: no -x, as a service runs (benchmarks: debug logging costs
#                             most in the requests that run a hook)
#   --mark on|off             on (default, as radius-config/README.md installs it): the default
#                             server's Post-Auth-Type Challenge calls danesync_verified
#                             (policy.d/danesync), so the gate takes the verify hook's accept
#                             instead of running daneverify again; off: the gate always runs it.
#   --post-auth-exec "CMD ARGS…"|none
#                             lab instrumentation: run "CMD ARGS… <User-Name>" in post-auth
#                             of every Access-Accept, before it is sent (exec, wait, 20 s).
#                             It must exit 0 (anything else turns the accept into a reject).
#   --listen ADDR|none        also listen on the IPv4 address ADDR (same ports), e.g. the host
#                             end of a veth pair to a NAS in a network namespace
#                             (scripts/lab/nas.sh). The address must exist when the server
#                             starts. Default none: 127.0.0.1 only.
#   --client CIDR|none        also accept RADIUS clients (NASes) from the IPv4 network CIDR,
#                             with the lab secret (RADIUS_SECRET). Default none: 127.0.0.1 only.
#   --accounting on|off       also listen for accounting (a second free port, on 127.0.0.1 and
#                             --listen) and write one line per Accounting-Request to
#                             LABDIR/radius/accounting.log (lab instrumentation, not shipped):
#                               <time> <Acct-Status-Type> user="…" csid="…" called="…"
#                               session="…" nas=<NAS-IP-Address> cause=<Acct-Terminate-Cause>
#                             Default off.
#
# Builds LABDIR/radius/ (radiusd.conf, dictionary, mods-enabled/{eap,danesync-gate},
# sites-enabled/danesync-gate, tmp/), starts `freeradius -f -xx` (or without -xx: --debug off) on 127.0.0.1 at a free high
# UDP port, waits until it is ready, and writes LABDIR/radius/radius.env (RADIUS_HOST,
# RADIUS_PORT, RADIUS_SECRET, and RADIUS_ACCT_PORT with --accounting on; removed by stop).
# Debug log: LABDIR/radius/radiusd.log (previous run: radiusd.log.prev). The effective
# settings: LABDIR/radius/settings.
#
# Paths the lab uses (rewritten from the production paths in the shipped files):
#   server cert/key  LABDIR/pki/web/radius.pem, radius.key
#   ca_path          ca.d/ beside --ca-file            (must exist before start)
#   ca_file          --ca-file, if the module sets one
#   verify tmpdir    LABDIR/radius/tmp                 (mode 700)
#   verify client    <verify-cmd> --identity %{User-Name} --cert %{TLS-Client-Cert-Filename}
#                                 --called-station-id %{Called-Station-Id} --nas-ip-address …
#   gate program     <gate-cmd> --identity %{User-Name} --cert-serial %{TLS-Client-Cert-Serial}
#                               --cert-aki %{request:Tmp-String-1} --called-station-id …
#   (only the prefix is replaced: the arguments after it are the shipped lines', SESSION ones
#   included)
# <daneverify> is $DANEVERIFY or, on start, .build/release/daneverify under the repo root and,
# on restart, the one of the last start (made absolute). The default prefixes follow --config;
# a --verify-cmd / --gate-cmd given once is kept by restart. The first word of every command
# is made absolute too. The port is kept across restarts when it is still free.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SECRET=testing123
# The production prefix both shipped command lines start with.
PROD_PREFIX='/usr/bin/daneverify --config /etc/danesync/danesync.yaml'

usage() {
    die "usage: radius.sh start|restart|stop LABDIR [--verify-cmd \"CMD ARGS…\"] [--gate-cmd \"CMD ARGS…\"] [--config FILE] [--ca-file FILE] [--tmpdir ok|missing|unwritable] [--tls-cache on|off] [--gate on|off] [--mark on|off] [--debug on|off] [--post-auth-exec \"CMD ARGS…\"|none] [--listen ADDR|none] [--client CIDR|none] [--accounting on|off]"
}

[[ $# -ge 2 ]] || usage
ACTION=$1 LABDIR=$2
shift 2
case $ACTION in start|restart|stop) ;; *) usage ;; esac

# ipv4 ADDR: a dotted-quad IPv4 literal (the lab's NAS side is IPv4, as hostapd's DAS is).
ipv4() {
    local IFS=. a
    [[ $1 =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || return 1
    for a in $1; do (( 10#$a <= 255 )) || return 1; done
}

# Options given on this command line (unset = not given).
declare -A OPT=()
while [[ $# -gt 0 ]]; do
    [[ $# -ge 2 ]] || usage
    case $1 in
        --verify-cmd) OPT[verify_cmd]=$2 ;;
        --gate-cmd) OPT[gate_cmd]=$2 ;;
        --config) OPT[config]=$2 ;;
        --ca-file) OPT[ca_file]=$2 ;;
        --tmpdir)
            [[ $2 == ok || $2 == missing || $2 == unwritable ]] || die "--tmpdir: ok, missing or unwritable"
            OPT[tmpdir]=$2 ;;
        --tls-cache) [[ $2 == on || $2 == off ]] || die "--tls-cache: on or off"; OPT[tls_cache]=$2 ;;
        --mark) [[ $2 == on || $2 == off ]] || die "--mark: on or off"; OPT[mark]=$2 ;;
        --debug) [[ $2 == on || $2 == off ]] || die "--debug: on or off"; OPT[debug]=$2 ;;
        --gate) [[ $2 == on || $2 == off ]] || die "--gate: on or off"; OPT[gate]=$2 ;;
        --post-auth-exec) OPT[post_auth_exec]=$2 ;;
        --listen)
            [[ $2 == none ]] || ipv4 "$2" || die "--listen: an IPv4 address or none"
            OPT[listen]=$2 ;;
        --client)
            [[ $2 == none ]] || { ipv4 "${2%/*}" && [[ $2 =~ /([0-9]|[12][0-9]|3[0-2])$ ]]; } \
                || die "--client: an IPv4 network A.B.C.D/N or none"
            OPT[client]=$2 ;;
        --accounting) [[ $2 == on || $2 == off ]] || die "--accounting: on or off"; OPT[accounting]=$2 ;;
        *) usage ;;
    esac
    shift 2
done

if [[ $ACTION == stop && ! -d $LABDIR ]]; then exit 0; fi
mkdir -p "$LABDIR"
LABDIR=$(cd "$LABDIR" && pwd)
RDIR=$LABDIR/radius
PIDFILE=$RDIR/radiusd.pid
LOGFILE=$RDIR/radiusd.log
ENVFILE=$RDIR/radius.env
SETTINGS=$RDIR/settings

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

# pick_port FILE [NOT]: the port saved in FILE if still free, else a free one; never NOT
# (the accounting port must not be the authentication port).
pick_port() {
    local p
    if [[ -f $1 ]]; then
        p=$(<"$1")
        if [[ $p =~ ^[0-9]+$ && $p != "${2:-}" ]] && udp_port_free "$p"; then echo "$p"; return; fi
    fi
    for _ in 1 2 3 4 5; do
        p=$(free_port)
        [[ $p != "${2:-}" ]] && break
    done
    echo "$p"
}

abs_cmd() {   # first word of a command → absolute path
    local first=${1%% *} rest=
    [[ $1 == *" "* ]] && rest=" ${1#* }"
    if [[ $first == */* ]]; then
        [[ $first == /* ]] || first=$(cd "$(dirname "$first")" 2>/dev/null && pwd)/$(basename "$first")
    else
        first=$(command -v "$first") || die "command not found: ${1%% *}"
    fi
    [[ -x $first ]] || die "not an executable file: $first"
    [[ $1 != *[\"\\%]* ]] || die "commands must not contain \", \\ or %: $1"
    echo "$first$rest"
}

abs_file() {
    [[ -n $1 && $1 != *[[:space:]\"\\%]* ]] || die "bad path: $1"
    [[ $1 == /* ]] && { echo "$1"; return; }
    echo "$(cd "$(dirname "$1")" 2>/dev/null && pwd)/$(basename "$1")"
}

sed_escape() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }

# Settings: defaults (start) or the saved ones (restart), then this command line's options.
# VERIFY_ARG / GATE_ARG are the --verify-cmd / --gate-cmd given (empty: the default prefix,
# recomputed from DV_BIN and CONFIG every time); VERIFY_CMD / GATE_CMD are what runs.
load_settings() {
    CONFIG=$LABDIR/danesync.yaml CA_FILE=$LABDIR/out/ca.pem VERIFY_ARG= GATE_ARG=
    TMPDIR_MODE=ok TLS_CACHE=off GATE=on MARK=on DEBUG=on POST_AUTH_EXEC='' LISTEN='' CLIENT_NET='' ACCOUNTING=off
    DV_BIN=$REPO/.build/release/daneverify
    CONFIG_DIR=$REPO/radius-config
    if [[ $ACTION == restart && -s $SETTINGS ]]; then
        # shellcheck source=/dev/null
        . "$SETTINGS"
    elif [[ $ACTION == restart && -s $RDIR/verify-cmd ]]; then
        VERIFY_ARG=$(<"$RDIR/verify-cmd")   # written by older versions of this script
    fi
    [[ -n ${RADIUS_CONFIG_DIR:-} ]] && CONFIG_DIR=$RADIUS_CONFIG_DIR
    [[ -d $CONFIG_DIR ]] || die "RADIUS_CONFIG_DIR: no such directory: $CONFIG_DIR"
    CONFIG_DIR=$(cd "$CONFIG_DIR" && pwd)
    MODULE_SRC=$CONFIG_DIR/mods-available/eap-danesync
    GATE_MODULE_SRC=$CONFIG_DIR/mods-available/danesync-gate
    GATE_SITE_SRC=$CONFIG_DIR/sites-available/danesync-gate
    POLICY_SRC=$CONFIG_DIR/policy.d/danesync
    if [[ -n ${DANEVERIFY:-} ]]; then
        DV_BIN=$DANEVERIFY
        [[ $DV_BIN == /* ]] || DV_BIN=$REPO/$DV_BIN
    fi
    [[ -v OPT[config] ]] && CONFIG=$(abs_file "${OPT[config]}")
    [[ -v OPT[ca_file] ]] && CA_FILE=$(abs_file "${OPT[ca_file]}")
    [[ -v OPT[verify_cmd] ]] && VERIFY_ARG=$(abs_cmd "${OPT[verify_cmd]}")
    [[ -v OPT[gate_cmd] ]] && GATE_ARG=$(abs_cmd "${OPT[gate_cmd]}")
    [[ -v OPT[tmpdir] ]] && TMPDIR_MODE=${OPT[tmpdir]}
    [[ -v OPT[tls_cache] ]] && TLS_CACHE=${OPT[tls_cache]}
    [[ -v OPT[mark] ]] && MARK=${OPT[mark]}
    [[ -v OPT[debug] ]] && DEBUG=${OPT[debug]}
    [[ -v OPT[gate] ]] && GATE=${OPT[gate]}
    [[ -v OPT[listen] ]] && LISTEN=${OPT[listen]#none}
    [[ -v OPT[client] ]] && CLIENT_NET=${OPT[client]#none}
    [[ -v OPT[accounting] ]] && ACCOUNTING=${OPT[accounting]}
    if [[ -v OPT[post_auth_exec] ]]; then
        if [[ ${OPT[post_auth_exec]} == none ]]; then POST_AUTH_EXEC=
        else POST_AUTH_EXEC=$(abs_cmd "${OPT[post_auth_exec]}"); fi
    fi
    local default=
    if [[ -z $VERIFY_ARG || -z $GATE_ARG ]]; then
        default=$(abs_cmd "$DV_BIN --config $CONFIG")
    fi
    VERIFY_CMD=${VERIFY_ARG:-$default}
    GATE_CMD=${GATE_ARG:-$default}
}

save_settings() {
    {
        echo "# radius.sh settings of the running server (read by radius.sh restart)"
        printf 'CONFIG=%q\nCA_FILE=%q\nDV_BIN=%q\nVERIFY_ARG=%q\nGATE_ARG=%q\nCONFIG_DIR=%q\n' \
            "$CONFIG" "$CA_FILE" "$DV_BIN" "$VERIFY_ARG" "$GATE_ARG" "$CONFIG_DIR"
        printf 'TMPDIR_MODE=%q\nTLS_CACHE=%q\nGATE=%q\nMARK=%q\nDEBUG=%q\nPOST_AUTH_EXEC=%q\n' "$TMPDIR_MODE" "$TLS_CACHE" "$GATE" "$MARK" "$DEBUG" "$POST_AUTH_EXEC"
        printf 'LISTEN=%q\nCLIENT_NET=%q\nACCOUNTING=%q\n' "$LISTEN" "$CLIENT_NET" "$ACCOUNTING"
        echo "# in effect:"
        printf '# verify client: %s\n# gate program:  %s\n' "$VERIFY_CMD" "$GATE_CMD"
    } >"$SETTINGS.tmp"
    mv -f "$SETTINGS.tmp" "$SETTINGS"
    rm -f "$RDIR/verify-cmd"
}

build_config() {
    local port=$1 acct_port=$2
    local f
    for f in "$MODULE_SRC" "$GATE_MODULE_SRC" "$GATE_SITE_SRC" "$POLICY_SRC"; do [[ -f $f ]] || die "missing $f"; done
    [[ -f $LABDIR/pki/web/radius.pem && -f $LABDIR/pki/web/radius.key ]] \
        || die "missing server certificate $LABDIR/pki/web/radius.{pem,key} (run pki.sh first)"
    [[ -f $CA_FILE ]] || die "missing $CA_FILE (run danesync once first)"
    local ca_dir
    ca_dir=$(dirname "$CA_FILE")/ca.d
    [[ -d $ca_dir ]] || die "missing $ca_dir (run danesync once first)"

    mkdir -p "$RDIR/mods-enabled" "$RDIR/sites-enabled" "$RDIR/run" "$RDIR/log"
    rm -f "$RDIR"/mods-enabled/* "$RDIR"/sites-enabled/*
    mkdir -p "$RDIR/tmp"
    chmod 700 "$RDIR/tmp"
    find "$RDIR/tmp" -mindepth 1 -delete
    rm -rf "$RDIR/tlscache"
    cp /etc/freeradius/3.0/dictionary "$RDIR/dictionary"

    # --- the eap module: production paths → lab paths -----------------------------------------
    local cert key ca capath tmp client prod cache_repl=() gate_repl=()
    cert=$(sed_escape "$LABDIR/pki/web/radius.pem")
    key=$(sed_escape "$LABDIR/pki/web/radius.key")
    ca=$(sed_escape "$CA_FILE")
    capath=$(sed_escape "$ca_dir")
    tmp=$(sed_escape "$RDIR/tmp")
    client=$(sed_escape "$VERIFY_CMD")
    prod=$(sed_escape "$PROD_PREFIX")
    if [[ $TLS_CACHE == on ]]; then
        mkdir -m 700 "$RDIR/tlscache"
        # persist_dir is what makes 3.2.1 resume at all; lifetime in hours.
        cache_repl=(-e "s|^([[:space:]]*)enable = no$|\1enable = yes\n\1name = \"danesync-lab\"\n\1lifetime = 1\n\1persist_dir = \"$(sed_escape "$RDIR/tlscache")\"|")
    fi
    if [[ $GATE == off ]]; then
        gate_repl=(-e '/^[[:space:]]*virtual_server = "danesync-gate"$/d')
    fi
    sed -E \
        -e "s|^([[:space:]]*certificate_file[[:space:]]*=).*|\1 $cert|" \
        -e "s|^([[:space:]]*private_key_file[[:space:]]*=).*|\1 $key|" \
        -e "s|^([[:space:]]*ca_file[[:space:]]*=).*|\1 $ca|" \
        -e "s|^([[:space:]]*ca_path[[:space:]]*=).*|\1 $capath|" \
        -e "s|^([[:space:]]*tmpdir[[:space:]]*=).*|\1 $tmp|" \
        -e "s|^([[:space:]]*client[[:space:]]*=[[:space:]]*\")$prod |\1$client |" \
        "${cache_repl[@]}" "${gate_repl[@]}" \
        "$MODULE_SRC" >"$RDIR/eap.tmp"
    grep -qF -- "\"$VERIFY_CMD --identity %{User-Name}" "$RDIR/eap.tmp" \
        || die "could not rewrite verify { client } in $MODULE_SRC"
    grep -qE "^[[:space:]]*(ca_path[[:space:]]*= $ca_dir|ca_file[[:space:]]*= $CA_FILE)$" "$RDIR/eap.tmp" \
        || die "$MODULE_SRC sets neither ca_path nor ca_file"
    if [[ $TLS_CACHE == on ]]; then
        grep -qF "persist_dir = \"$RDIR/tlscache\"" "$RDIR/eap.tmp" || die "could not enable the TLS cache in $MODULE_SRC"
    fi
    if [[ $GATE == on ]]; then
        grep -qE '^[[:space:]]*virtual_server = "danesync-gate"$' "$RDIR/eap.tmp" \
            || die "$MODULE_SRC does not run the danesync-gate virtual server"
    fi
    mv -f "$RDIR/eap.tmp" "$RDIR/mods-enabled/eap"

    # --- the gate: exec module (program prefix rewritten) and virtual server (as shipped) -----
    sed -E -e "s|^([[:space:]]*program[[:space:]]*=[[:space:]]*\")$prod |\1$(sed_escape "$GATE_CMD") |" \
        "$GATE_MODULE_SRC" >"$RDIR/gate.tmp"
    grep -qF -- "\"$GATE_CMD --identity %{User-Name}" "$RDIR/gate.tmp" \
        || die "could not rewrite program in $GATE_MODULE_SRC"
    mv -f "$RDIR/gate.tmp" "$RDIR/mods-enabled/danesync-gate"
    cp "$GATE_SITE_SRC" "$RDIR/sites-enabled/danesync-gate"
    mkdir -p "$RDIR/policy.d"
    rm -f "$RDIR"/policy.d/*
    cp "$POLICY_SRC" "$RDIR/policy.d/danesync"
    # The hook's mark, as radius-config/README.md has admins call it in their server.
    local mark=
    if [[ $MARK == on ]]; then
        mark=$'Post-Auth-Type Challenge {\n\t\t\tdanesync_verified\n\t\t}'
    fi

    # --- lab instrumentation ------------------------------------------------------------------
    local post_auth=
    if [[ -n $POST_AUTH_EXEC ]]; then
        cat >"$RDIR/mods-enabled/lab-post-auth" <<EOF
# Generated by scripts/lab/radius.sh --post-auth-exec (lab instrumentation, not shipped).
exec lab_post_auth {
	wait = yes
	program = "$POST_AUTH_EXEC %{User-Name}"
	timeout = 20
}
EOF
        post_auth=lab_post_auth
    fi

    # --listen / --client / --accounting: a NAS in a network namespace (scripts/lab/nas.sh)
    # reaches us over a veth pair, and its Accounting-Stop shows that a session really ended.
    local listens="" clients="" accounting="" addr
    if [[ -n $LISTEN ]]; then
        listens+=$'\tlisten {\n\t\ttype = auth\n\t\tipaddr = '"$LISTEN"$'\n\t\tport = '"$port"$'\n\t}\n'
    fi
    if [[ $ACCOUNTING == on ]]; then
        for addr in 127.0.0.1 $LISTEN; do
            listens+=$'\tlisten {\n\t\ttype = acct\n\t\tipaddr = '"$addr"$'\n\t\tport = '"$acct_port"$'\n\t}\n'
        done
        cat >"$RDIR/mods-enabled/lab-accounting" <<EOF
# Generated by scripts/lab/radius.sh --accounting on (lab instrumentation, not shipped).
linelog lab_accounting {
	filename = $RDIR/accounting.log
	permissions = 0600
	format = "%S %{Acct-Status-Type} user=\"%{User-Name}\" csid=\"%{Calling-Station-Id}\" called=\"%{Called-Station-Id}\" session=\"%{Acct-Session-Id}\" nas=%{NAS-IP-Address} cause=%{Acct-Terminate-Cause}"
}
EOF
        accounting=$'\taccounting {\n\t\tlab_accounting\n\t}\n'
    fi
    if [[ -n $CLIENT_NET ]]; then
        clients=$'\nclient lab_nas {\n\tipaddr = '"$CLIENT_NET"$'\n\tsecret = '"$SECRET"$'\n\trequire_message_authenticator = no\n\tnas_type = other\n}\n'
    fi

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
# As Debian's radiusd.conf: every request stays in the table cleanup_delay (5 s) after its
# reply, and one EAP-TLS authentication is 4 or more requests; 1024 capped a storm at ~50/s.
max_requests = 16384
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
	# As radius-config/README.md advises: 65536 (the default) costs 9 x 8 MB of queue that
	# every fork of the server (one per daneverify run) copies the page tables of.
	max_queue_size = 4096
}

client localhost {
	ipaddr = 127.0.0.1
	secret = $SECRET
	require_message_authenticator = no
	nas_type = other
}
$clients
modules {
	\$INCLUDE mods-enabled/
}

policy {
	\$INCLUDE policy.d/
}

server default {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = $port
	}
$listens	authorize {
		eap {
			ok = return
		}
	}
	authenticate {
		eap
	}
	post-auth {
		$post_auth
		$mark
		Post-Auth-Type REJECT {
			eap
		}
	}
$accounting}

# The gate's virtual server (sites-available/danesync-gate), as an admin installs it.
\$INCLUDE sites-enabled/
EOF
}

do_start() {
    local port acct_port pid i attempt launcher=()
    if [[ $TMPDIR_MODE == unwritable ]]; then
        command -v setpriv >/dev/null || die "--tmpdir unwritable needs setpriv (util-linux)"
        launcher=(setpriv --inh-caps=-all --bounding-set=-dac_override,-dac_read_search,-fowner --)
    fi
    local debug_flag=()
    [[ $DEBUG == on ]] && debug_flag=(-xx)
    for ((attempt = 0; attempt < 3; attempt++)); do
        port=$(pick_port "$RDIR/port")
        acct_port=
        [[ $ACCOUNTING == on ]] && acct_port=$(pick_port "$RDIR/acct-port" "$port")
        build_config "$port" "$acct_port"
        [[ -f $LOGFILE ]] && mv -f "$LOGFILE" "$LOGFILE.prev"
        : >"$LOGFILE"
        setsid "${launcher[@]}" freeradius -f -d "$RDIR" -l "$LOGFILE" ${debug_flag[@]+"${debug_flag[@]}"} \
            </dev/null >"$RDIR/radiusd.stdout" 2>&1 &
        pid=$!
        echo "$pid" >"$PIDFILE"
        for ((i = 0; i < 150; i++)); do
            if grep -q 'Ready to process requests' "$LOGFILE" 2>/dev/null; then
                case $TMPDIR_MODE in
                    missing) rm -rf "$RDIR/tmp" ;;
                    unwritable) chmod 0500 "$RDIR/tmp" ;;
                esac
                echo "$port" >"$RDIR/port"
                [[ -n $acct_port ]] && echo "$acct_port" >"$RDIR/acct-port"
                save_settings
                {
                    printf 'RADIUS_HOST=127.0.0.1\nRADIUS_PORT=%s\nRADIUS_SECRET=%s\n' "$port" "$SECRET"
                    [[ -z $acct_port ]] || printf 'RADIUS_ACCT_PORT=%s\n' "$acct_port"
                } >"$ENVFILE.tmp"
                mv -f "$ENVFILE.tmp" "$ENVFILE"
                return 0
            fi
            [[ -d /proc/$pid ]] || break
            sleep 0.1
        done
        do_stop
        # Lost a race for the port: try another one.
        if grep -qi 'address already in use' "$LOGFILE" "$RDIR/radiusd.stdout" 2>/dev/null; then
            rm -f "$RDIR/port" "$RDIR/acct-port"
            continue
        fi
        break
    done
    local why
    why=$(grep -hiE 'error|failed|unable|fatal|invalid|no such' "$LOGFILE" "$RDIR/radiusd.stdout" 2>/dev/null | head -n 1 || true)
    die "freeradius did not start (see $LOGFILE)${why:+: $why}"
}

case $ACTION in
    start|restart)
        load_settings
        # Checked before the running server is stopped: a restart that cannot work leaves it be.
        if [[ -n $LISTEN ]] && ! ip -4 -o addr show | grep -qF " $LISTEN/"; then
            die "--listen $LISTEN: no such address on this host (the NAS of nas.sh gone? --listen none)"
        fi
        do_stop
        do_start
        ;;
    stop)
        do_stop
        ;;
    *) usage ;;
esac
