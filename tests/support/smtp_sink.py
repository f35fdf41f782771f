#!/usr/bin/env python3
"""A real SMTP server for sanctiond's tests, on 127.0.0.1, built on aiosmtpd.

Modes: plain, starttls (STARTTLS required before MAIL), smtps (TLS from the first byte).
With --user/--password it requires AUTH (PLAIN or LOGIN; over TLS only in starttls mode).
Recipients whose local part starts with "reject" get 550, "tempfail" get 451.
Each accepted message is written as NNNNNN.json (envelope: from, rcpts, tls, auth) and
then NNNNNN.eml, renamed into place so a reader never sees half a file.
With --index-only, nothing is written per message: one JSON line (n, time, rcpts,
message_id) per accepted message is appended to OUTDIR/index.jsonl, so a benchmark
measures the daemon rather than the file system.
With --delay-ms each message is answered that much later, so a burst lasts long enough
to kill the daemon in the middle of it.
Prints "READY <port>" on stdout once it accepts connections.
"""

import argparse
import asyncio
import itertools
import json
import os
import signal
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, outdir, mode, delay=0.0, index_only=False):
        self.outdir = outdir
        self.mode = mode
        self.delay = delay
        self.index = open(os.path.join(outdir, "index.jsonl"), "a") if index_only else None
        self.counter = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if local.startswith("tempfail"):
            return "451 4.3.0 <%s>: try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        n = next(self.counter)
        if self.index is not None:
            head = envelope.original_content.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
            mid = ""
            for line in head.split("\r\n"):
                if line.lower().startswith("message-id:"):
                    mid = line.split(":", 1)[1].strip()
            entry = {"n": n, "t": time.time(), "rcpts": list(envelope.rcpt_tos), "message_id": mid}
            self.index.write(json.dumps(entry) + "\n")
            self.index.flush()
            return "250 OK queued as %06d" % n
        base = os.path.join(self.outdir, "%06d" % n)
        meta = {
            "from": envelope.mail_from,
            "rcpts": list(envelope.rcpt_tos),
            "tls": self.mode == "smtps" or session.ssl is not None,
            "auth": session.authenticated,
        }
        write_atomically(base + ".json", json.dumps(meta).encode())
        write_atomically(base + ".eml", envelope.original_content)
        return "250 OK queued as %06d" % n


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=["plain", "starttls", "smtps"], default="plain")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--outdir", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--delay-ms", type=int, default=0)
    p.add_argument("--index-only", action="store_true")
    args = p.parse_args()
    os.makedirs(args.outdir, exist_ok=True)

    context = None
    if args.mode != "plain":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode() == args.user and auth_data.password.decode() == args.password
        )
        return AuthResult(success=ok, handled=False)

    kwargs = {}
    if args.user:
        kwargs["authenticator"] = authenticator
        kwargs["auth_required"] = True
        kwargs["auth_require_tls"] = args.mode == "starttls"
    else:
        kwargs["auth_require_tls"] = False
    if args.mode == "starttls":
        kwargs["tls_context"] = context
        kwargs["require_starttls"] = True

    port = args.port
    if port == 0:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]

    if args.index_only:
        # A benchmark measures the daemon, not this server: uvloop (when installed) halves
        # what the event loop costs per SMTP command.
        try:
            import uvloop

            kwargs["loop"] = uvloop.new_event_loop()
        except ImportError:
            pass
    controller = Controller(
        Sink(args.outdir, args.mode, args.delay_ms / 1000.0, args.index_only),
        hostname="127.0.0.1",
        port=port,
        ssl_context=context if args.mode == "smtps" else None,
        server_hostname="localhost",
        ready_timeout=10,
        **kwargs,
    )
    controller.start()
    print("READY %d" % port, flush=True)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    sys.exit(main())
