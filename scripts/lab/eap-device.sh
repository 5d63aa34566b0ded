#!/usr/bin/env bash
# EAP-TLS as a device against the lab FreeRADIUS (scripts/lab/radius.sh), with eapol_test.
#
#   eap-device.sh LABDIR NAME [--ssid SSID] [--cert PEM --key KEY] [--identity ID]
#                 [--tls12 | --tls13] [--reauth N] [--nas-ip ADDR]
#
# Identity (User-Name) NAME; client certificate LABDIR/pki/devices/NAME.pem + .key unless
# --cert/--key; the RADIUS server is checked against LABDIR/pki/ca/web-ca.pem;
# Called-Station-Id "AA-BB-CC-DD-EE-FF:<SSID>" (default SSID corp-iot; --ssid "" sends no SSID
# part, i.e. "AA-BB-CC-DD-EE-FF"). --identity ID sends ID as the EAP identity instead (the
# EAP-Response/Identity, hence User-Name), e.g. an anonymous outer identity
# "anonymous@example.com" or "@"; NAME still picks the certificate and the log file.
# TLS version: by default eapol_test decides (2.10 disables TLS 1.3, so 1.2); --tls13 lets the
# supplicant use TLS 1.3 (phase1="tls_disable_tlsv1_3=0"); --tls12 forbids 1.3
# (phase1="tls_disable_tlsv1_3=1"), whatever the eapol_test default.
# --reauth N authenticates N more times in the same eapol_test process
# (eapol_test -rN, 100 ms after each result), offering the TLS session of the previous one: a
# server with a TLS session cache resumes it ("OpenSSL: Handshake finished - resumed=1" in the
# log).
# --nas-ip ADDR sends NAS-IP-Address ADDR instead of eapol_test's own address 127.0.0.1, e.g.
# a real NAS's, so that a session the hook records (disconnect.sessions_dir) names a NAS the
# agent knows. (As an extra attribute: eapol_test -A would also bind to ADDR.)
# Full eapol_test output: LABDIR/radius/eapol-NAME.log. Prints SUCCESS (exit 0) or FAILURE (exit 1);
# with --reauth, one word per authentication, e.g. "SUCCESS FAILURE" (an authentication that
# got no result counts as FAILURE), exit 0 only if all succeeded. A usage or setup problem
# prints one line to stderr and exits 2.
set -euo pipefail

die() { echo "eap-device.sh: $*" >&2; exit 2; }

[[ $# -ge 2 ]] || die "usage: eap-device.sh LABDIR NAME [--ssid SSID] [--cert PEM --key KEY] [--identity ID] [--tls12 | --tls13] [--reauth N] [--nas-ip ADDR]"
LABDIR=$1 NAME=$2
shift 2
SSID=corp-iot CERT='' KEY='' TLS=default REAUTH=0 NAS_IP=
IDENTITY=$NAME
while [[ $# -gt 0 ]]; do
    case $1 in
        --ssid) [[ $# -ge 2 ]] || die "--ssid needs a value"; SSID=$2; shift 2 ;;
        --cert) [[ $# -ge 2 ]] || die "--cert needs a value"; CERT=$2; shift 2 ;;
        --key)  [[ $# -ge 2 ]] || die "--key needs a value"; KEY=$2; shift 2 ;;
        --identity) [[ $# -ge 2 ]] || die "--identity needs a value"; IDENTITY=$2; shift 2 ;;
        --tls12|--tls13)
            [[ $TLS == default || $TLS == "${1#--}" ]] || die "--tls12 and --tls13 exclude each other"
            TLS=${1#--}; shift ;;
        --reauth)
            [[ $# -ge 2 && $2 =~ ^[0-9]$ ]] || die "--reauth needs a count 0-9"
            REAUTH=$2; shift 2 ;;
        --nas-ip)
            [[ $# -ge 2 && $2 =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || die "--nas-ip needs an IPv4 address"
            NAS_IP=$2; shift 2 ;;
        *) die "unknown argument: $1" ;;
    esac
done

[[ -d $LABDIR ]] || die "no such lab dir: $LABDIR"
LABDIR=$(cd "$LABDIR" && pwd)
RDIR=$LABDIR/radius
ENVFILE=$RDIR/radius.env
[[ -f $ENVFILE ]] || die "missing $ENVFILE (run radius.sh start first)"
RADIUS_PORT=$(sed -n 's/^RADIUS_PORT=//p' "$ENVFILE")
RADIUS_SECRET=$(sed -n 's/^RADIUS_SECRET=//p' "$ENVFILE")
[[ -n $RADIUS_PORT && -n $RADIUS_SECRET ]] || die "bad $ENVFILE"

CERT=${CERT:-$LABDIR/pki/devices/$NAME.pem}
KEY=${KEY:-$LABDIR/pki/devices/$NAME.key}
CA=$LABDIR/pki/ca/web-ca.pem
for f in "$CERT" "$KEY" "$CA"; do
    [[ -r $f ]] || die "cannot read $f"
done

# wpa_supplicant config strings are "…" with no escapes: refuse what would break them.
for v in "$IDENTITY" "$CERT" "$KEY" "$CA"; do
    [[ $v != *'"'* && $v != *$'\n'* ]] || die "double quotes/newlines not supported: $v"
done

# File names: keep the NAME readable but safe.
SAFE=$(printf '%s' "$NAME" | tr -c 'A-Za-z0-9._-' '_')
LOG=$RDIR/eapol-$SAFE.log
CONF=$RDIR/eapol-$SAFE.conf

case $TLS in
    tls13) PHASE1='	phase1="tls_disable_tlsv1_3=0"' ;;
    tls12) PHASE1='	phase1="tls_disable_tlsv1_3=1"' ;;
    *) PHASE1= ;;
esac
cat >"$CONF" <<EOF
network={
	key_mgmt=WPA-EAP
	eap=TLS
	identity="$IDENTITY"
	ca_cert="$CA"
	client_cert="$CERT"
	private_key="$KEY"
	eapol_flags=0
$PHASE1
}
EOF

CSID="AA-BB-CC-DD-EE-FF${SSID:+:$SSID}"
REAUTH_ARGS=()
[[ $REAUTH -gt 0 ]] && REAUTH_ARGS=(-r "$REAUTH")
NAS_ARGS=()
# NAS-IP-Address (4) as 4 octets in hex; eapol_test then leaves out its own.
if [[ -n $NAS_IP ]]; then
    IFS=. read -r -a OCTETS <<<"$NAS_IP"
    NAS_ARGS=(-N "4:x:$(printf '%02x' "${OCTETS[@]}")")
fi
set +e
eapol_test -c "$CONF" -a 127.0.0.1 -p "$RADIUS_PORT" -s "$RADIUS_SECRET" -t $((15 * (REAUTH + 1))) \
    -N "30:s:$CSID" "${NAS_ARGS[@]}" "${REAUTH_ARGS[@]}" >"$LOG" 2>&1 </dev/null
set -e

if [[ $REAUTH -eq 0 ]]; then
    if [[ $(tail -n 1 "$LOG") == SUCCESS ]]; then
        echo SUCCESS
        exit 0
    fi
    echo FAILURE
    exit 1
fi

# One "eapol_sm_cb: result=R" line per authentication (R = 1 success, 0 failure, 2 expected
# failure).
mapfile -t RESULTS < <(sed -n 's/^eapol_sm_cb: result=\([0-9]\).*/\1/p' "$LOG")
WORDS=() ALL_OK=1
for ((i = 0; i <= REAUTH; i++)); do
    if [[ ${RESULTS[i]:-} == 1 ]]; then WORDS+=(SUCCESS); else WORDS+=(FAILURE); ALL_OK=0; fi
done
[[ $(tail -n 1 "$LOG") == SUCCESS ]] || ALL_OK=0
echo "${WORDS[*]}"
[[ $ALL_OK -eq 1 ]]
