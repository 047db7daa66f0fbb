#!/usr/bin/env bash
# Installs Debian's Chromium (for scripts/verify/html.sh) unless it is there already.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
sudo=
if [[ $(id -u) -ne 0 ]]; then sudo=sudo; fi
echo "install-chromium: apt-get install chromium"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
chromium --version
