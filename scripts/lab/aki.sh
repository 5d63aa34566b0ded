#!/usr/bin/env bash
# Print a certificate's key identifier as lowercase hex bytes joined by '-' (e.g. 3f-a1-09-…).
# Usage: aki.sh CERT.pem        the Authority Key Identifier (the CA URL's file name)
#        aki.sh --ski CERT.pem  the Subject Key Identifier (the name a CA is published under)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
case "${1:-}" in
  --ski) [[ $# -eq 2 ]] || die "usage: aki.sh [--ski] CERT"; ski "$2" ;;
  *)     [[ $# -eq 1 ]] || die "usage: aki.sh [--ski] CERT"; aki "$1" ;;
esac
