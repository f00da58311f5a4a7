#!/usr/bin/env bash
# Installs the Debian packages the app needs (SpatiaLite, libsodium for the exchange; for tests also PostGIS, Redis and Chromium)
# when they are missing and we may install them; otherwise says in one sentence what to install.
set -euo pipefail

wanted=(libsqlite3-mod-spatialite libsodium23)
if [[ "${1:-}" == "--ci" ]]; then
    wanted+=(postgresql-15-postgis-3 redis-server chromium)
fi

missing=()
for package in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
elif command -v sudo >/dev/null && command -v apt-get >/dev/null && sudo -n true 2>/dev/null; then
    echo "Installing Debian packages: ${missing[*]}"
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
    echo "Please install these Debian packages first, then run the command again: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
