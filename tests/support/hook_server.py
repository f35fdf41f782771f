#!/usr/bin/env python3
"""A scripted HTTP receiver for sanctiond's webhook and chat tests, on 127.0.0.1
(standard library only).

The routes are a JSON file read again on every request, so a test can change what the
server says between phases. A route is a path, or a prefix ending in "*":

    {"/hook": {"mode": "ok", "secret": "whsec-..."},
     "/flaky": {"mode": "ok", "fails": 1},
     "/_matrix/*": {"mode": "matrix", "fails": 1}}

- "mode": "ok" (200 "ok"), "bad" (400 "bad payload: missing field"), "hang" (reads the
  request and never answers), "matrix" (200 {"event_id": "$x"}).
- "fails": the first N requests to this route get 503 with Retry-After (seconds, from
  "retry_after", default 1), then the mode answers ("fail-then-ok").
- "pad": bytes of filler after the reply body (a server that says too much).
- "secret": the webhook signing key; each request records whether its
  X-Sanctiond-Signature is "sha256=" + hex HMAC-SHA256(secret, raw body).

Every request is appended to the log as a JSON line before it is answered: method, path,
headers (lower-case names), body (the raw body as text), time, the route that matched,
the status it gets (null when it hangs) and signature_ok (null without a secret).
Prints "READY <port>" on stdout once it listens.
"""

import argparse
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BAD_BODY = "bad payload: missing field"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    routes_path = None
    log_path = None
    lock = threading.Lock()
    # Requests seen per route, for "fails".
    seen = {}
    # Never set: what a hanging handler waits on.
    forever = threading.Event()

    def log_message(self, *args):
        pass

    def route(self, path):
        with open(self.routes_path, encoding="utf-8") as f:
            routes = json.load(f)
        if path in routes:
            return path, routes[path]
        for key, value in routes.items():
            if key.endswith("*") and path.startswith(key[:-1]):
                return key, value
        return None, {"mode": "missing"}

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        key, r = self.route(path)
        mode = r.get("mode", "ok")
        with self.lock:
            n = self.seen.get(key, 0)
            self.seen[key] = n + 1
        if n < r.get("fails", 0):
            status = 503
        else:
            status = {"ok": 200, "matrix": 200, "bad": 400, "hang": None, "missing": 404}.get(mode, 500)
        signature_ok = None
        if r.get("secret") is not None:
            expected = "sha256=" + hmac.new(r["secret"].encode("utf-8"), raw, hashlib.sha256).hexdigest()
            got = self.headers.get("X-Sanctiond-Signature", "")
            signature_ok = hmac.compare_digest(expected, got)
        entry = {
            "method": self.command,
            "path": self.path,
            "route": key,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": raw.decode("utf-8", errors="replace"),
            "time": time.time(),
            # CLOCK_MONOTONIC, as Rust's Instant: gaps between requests do not move when
            # the machine's wall clock is stepped (NTP on a fresh CI machine).
            "mono": time.monotonic(),
            "status": status,
            "signature_ok": signature_ok,
        }
        with self.lock, open(self.log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")
        if status is None:
            # Accepted and read, never answered: only this thread waits.
            self.forever.wait()
            return
        headers = {"Content-Type": "text/plain; charset=utf-8"}
        if status == 503:
            body, headers["Retry-After"] = "try again later", str(r.get("retry_after", 1))
        elif status == 400:
            body = BAD_BODY
        elif mode == "matrix":
            body, headers["Content-Type"] = json.dumps({"event_id": "$x"}), "application/json"
        elif status == 404:
            body = "no such route"
        else:
            body = "ok"
        data = body.encode("utf-8")
        pad = r.get("pad", 0)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data) + pad))
        self.end_headers()
        try:
            self.wfile.write(data)
            filler = b"x" * (1 << 20)
            while pad > 0:
                self.wfile.write(filler[:pad])
                pad -= len(filler)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_POST = handle_any
    do_PUT = handle_any
    do_GET = handle_any


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--routes", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    Handler.routes_path = args.routes
    Handler.log_path = args.log
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"READY {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
