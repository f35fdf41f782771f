#!/bin/sh
# Installs what the test suite needs beyond the Rust toolchain, on Debian (as root), or
# says what is missing. Safe to run again: it installs only what is absent.
#   systemd-analyze     checks systemd/sanctiond.service (tests/systemd.rs)
#   openssl             makes the test CAs for the TLS tests (tests/email.rs, tests/shared_ledger.rs)
#   python3 + aiosmtpd  the real SMTP server the email tests talk to (tests/support/smtp_sink.py)
#   uvloop (pip)        that server's event loop in the benches, so that it is not what they measure
#   promtool            checks /metrics (tests/http.rs); Debian's prometheus package
#   icalendar (pip)     parses /calendar.ics as calendar clients do (tests/http.rs)
#   chromium, chromium-driver, selenium (pip)
#                       a real browser on the status page (tests/http.rs, tests/support/browser.py)
#   postgresql          initdb + pg_ctl for a throwaway cluster on loopback: the shared ledger
#                       (tests/shared_ledger.rs, benches/claims.rs) and the suite's PostgreSQL
#                       pass (SANCTIOND_TEST_BACKEND=postgres); Debian's postgresql package
set -eu

missing=""
command -v systemd-analyze >/dev/null 2>&1 || missing="$missing systemd"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
command -v python3 >/dev/null 2>&1 || missing="$missing python3 python3-pip"
command -v promtool >/dev/null 2>&1 || missing="$missing prometheus"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v chromedriver >/dev/null 2>&1 || missing="$missing chromium-driver"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"

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

if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
    echo "tests/setup.sh: installing aiosmtpd for $(command -v python3)"
    python3 -m pip install --quiet --disable-pip-version-check aiosmtpd==1.4.6 \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages aiosmtpd==1.4.6
fi
if ! python3 -c 'import uvloop' 2>/dev/null; then
    echo "tests/setup.sh: installing uvloop for $(command -v python3)"
    python3 -m pip install --quiet --disable-pip-version-check uvloop==0.23.0 \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages uvloop==0.23.0
fi
if ! python3 -c 'import icalendar' 2>/dev/null; then
    echo "tests/setup.sh: installing icalendar for $(command -v python3)"
    python3 -m pip install --quiet --disable-pip-version-check icalendar==6.1.0 \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages icalendar==6.1.0
fi
if ! python3 -c 'import selenium' 2>/dev/null; then
    echo "tests/setup.sh: installing selenium for $(command -v python3)"
    python3 -m pip install --quiet --disable-pip-version-check selenium==4.27.1 \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages selenium==4.27.1
fi
echo "tests/setup.sh: test dependencies present"
