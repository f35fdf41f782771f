#!/usr/bin/env python3
"""A scripted HTTP server for sanctiond's feed tests, on 127.0.0.1 (standard library only).

The script is a JSON file read again on every request, so a test can change what the
server says between two polls:

    {"/rss": {"status": 200, "headers": {"Content-Type": "application/rss+xml"},
              "body": "<rss>...", "etag": "v1", "last_modified": "...",
              "delay": 0.0, "endless": false}}

- "etag" / "last_modified": sent as ETag / Last-Modified; a request whose If-None-Match
  (or If-Modified-Since) matches gets 304 with no body.
- "delay": seconds to wait before answering (a slow server).
- "endless": stream the body forever (a hostile server).
- "body_file": serve this file's bytes instead of "body" (a PDF).
- "count": (optional) for a multi-feed benchmark, "/feed/<n>" matches "/feed/*".
Every request is appended to the log as a JSON line: method, path, headers, time.
Prints "READY <port>" on stdout once it listens.
"""

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    script_path = None
    log_path = None
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def route(self):
        with open(self.script_path, encoding="utf-8") as f:
            script = json.load(f)
        path = self.path.split("?", 1)[0]
        if path in script:
            return script[path]
        # "/feed/*" answers for every "/feed/<anything>".
        for key, value in script.items():
            if key.endswith("*") and path.startswith(key[:-1]):
                return value
        return {"status": 404, "body": "not found"}

    def do_GET(self):
        entry = {
            "method": "GET",
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "time": time.time(),
        }
        with self.lock, open(self.log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")
        r = self.route()
        if r.get("delay"):
            time.sleep(r["delay"])
        status = r.get("status", 200)
        etag, modified = r.get("etag"), r.get("last_modified")
        if status == 200 and (
            (etag and self.headers.get("If-None-Match") == etag)
            or (modified and not etag and self.headers.get("If-Modified-Since") == modified)
        ):
            self.send_response(304)
            if etag:
                self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(status)
        for k, v in r.get("headers", {}).items():
            self.send_header(k, v)
        if etag:
            self.send_header("ETag", etag)
        if modified:
            self.send_header("Last-Modified", modified)
        if r.get("endless"):
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"<item><title>x</title></item>" * 1000
            try:
                while True:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except (BrokenPipeError, ConnectionResetError):
                return
        if "body_file" in r:
            with open(r["body_file"], "rb") as f:
                body = f.read()
        else:
            body = r.get("body", "").encode("utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--script", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    Handler.script_path = args.script
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
