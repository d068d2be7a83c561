#!/usr/bin/env bash
# Installs the Debian packages the system needs, only those missing. Usage: system-deps.sh run|test
set -euo pipefail
mode=${1:-run}
# CJK fonts for Chinese PDFs (GB faces for the official layout, Noto CJK for everything beyond GB2312); HarfBuzz subsetter for fast font embedding; Pango for WeasyPrint; gettext
# compiles the translations; libmagic tells an upload's type by its content.
packages=(fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-wqy-microhei fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext libmagic1)
if [ "$mode" = test ]; then
  # chromium drives the browser tests; poppler-utils turns PDFs into text and pictures for checks;
  # zbar-tools decodes the QR codes printed on notices.
  packages+=(chromium poppler-utils zbar-tools)
fi
command -v dpkg-query >/dev/null || { echo "system-deps: not a Debian system; install by hand: ${packages[*]}" >&2; exit 0; }
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "system-deps: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
  echo "system-deps: need root to install: ${missing[*]}" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
