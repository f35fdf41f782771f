#!/bin/sh
# Installs what the test suite needs beyond the Rust toolchain, on Debian (as root) or
# tells what is missing. Safe to run again: it installs only what is absent.
#   systemd-analyze   checks systemd/sanctiond.service (tests/systemd.rs)
set -eu

missing=""
command -v systemd-analyze >/dev/null 2>&1 || missing="$missing systemd"

if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "tests/setup.sh: installing$missing"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
    else
        echo "tests/setup.sh: missing$missing; install it (Debian: apt-get install$missing) and run again" >&2
        exit 1
    fi
fi
echo "tests/setup.sh: test dependencies present"
