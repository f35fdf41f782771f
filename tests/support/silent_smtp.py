#!/usr/bin/env python3
"""An SMTP relay that accepts connections and then stops answering, for sanctiond's tests.

Modes:
  no-greeting   accepts the TCP connection and never sends the 220 greeting
  after-mail    greets, answers EHLO, then never answers MAIL FROM
  after-data    answers everything up to DATA's 354, then never answers the final dot
Connections are held open (never closed) until the process is killed. Prints
"READY <port>" on stdout once it listens on 127.0.0.1.
"""

import argparse
import socket
import sys
import threading


def serve(conn, mode, held):
    held.append(conn)
    if mode == "no-greeting":
        return
    f = conn.makefile("rb")
    conn.sendall(b"220 silent.test ESMTP\r\n")
    in_data = False
    for line in f:
        if in_data:
            if line in (b".\r\n", b".\n"):
                return  # never answer the end of the message
            continue
        cmd = line.strip().upper()
        if cmd.startswith(b"EHLO") or cmd.startswith(b"HELO"):
            conn.sendall(b"250-silent.test\r\n250 8BITMIME\r\n")
        elif cmd.startswith(b"MAIL"):
            if mode == "after-mail":
                return  # never answer MAIL FROM
            conn.sendall(b"250 OK\r\n")
        elif cmd.startswith(b"RCPT"):
            conn.sendall(b"250 OK\r\n")
        elif cmd.startswith(b"DATA"):
            conn.sendall(b"354 go ahead\r\n")
            in_data = True
        elif cmd.startswith(b"NOOP") or cmd.startswith(b"RSET"):
            conn.sendall(b"250 OK\r\n")
        elif cmd.startswith(b"QUIT"):
            return  # never answer QUIT either
        else:
            conn.sendall(b"500 what\r\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=["no-greeting", "after-mail", "after-data"], required=True)
    args = p.parse_args()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print("READY %d" % listener.getsockname()[1], flush=True)
    held = []
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, args.mode, held), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
