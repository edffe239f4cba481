#!/usr/bin/env bash
# Installs the system packages the build and tests need when they are missing (Debian/Ubuntu,
# apt-get): redis-server (the replay tests start their own on a free loopback port),
# pkg-config with the OpenSSL headers (the benchmarks compare against svix, whose build
# links the system OpenSSL), and chromium (the CLI's inspector page is tested in headless
# Chromium). Called by scripts/test.sh and .ci/run; scripts/bench.sh adds
# the commands it needs as arguments (each installed from the package of the same name).
set -euo pipefail

missing=()
for command in "$@"; do
    command -v "$command" >/dev/null 2>&1 || missing+=("$command")
done
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1 || missing+=(chromium)
pkg-config --exists openssl 2>/dev/null || missing+=(pkg-config libssl-dev)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    sudo_cmd=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
