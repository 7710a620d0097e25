"""Hostile HTTP servers on loopback for the fault tests: raw sockets, so they can misbehave in ways a
real framework would not (trickle a byte at a time, never answer, answer with a pathological body).

Each runs in a daemon thread; the thread may sleep (that is the fault), the tests never do: they
wait on the command under test, which the deadline or the parser must end.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


def _read_request(conn: socket.socket) -> None:
    """Read a request's head and its Content-Length body (enough for httpx to have sent it all)."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = conn.recv(65536)
        if not piece:
            return
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        piece = conn.recv(65536)
        if not piece:
            return
        body += piece


@contextmanager
def serve(behaviour: str, body: bytes = b"") -> Iterator[str]:
    """A server on 127.0.0.1 that, for every connection:

    ``silent``: accepts and never answers; ``trickle``: answers 200 with a 1,000-byte Content-Length
    and sends one byte every 0.05 s; ``answer``: answers 200 with ``body`` as JSON at once.
    Yields its base URL.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()
    conns: list[socket.socket] = []

    def handle(conn: socket.socket) -> None:
        try:
            if behaviour == "silent":
                stop.wait()
                return
            _read_request(conn)
            if behaviour == "trickle":
                conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n")
                while not stop.is_set():
                    conn.sendall(b" ")
                    time.sleep(0.05)  # the fault itself: a byte at a time, each within httpx's read timeout
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                             + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n" + body)
        except OSError:
            pass  # the client hung up: what a deadline does
        finally:
            conn.close()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            conns.append(conn)
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        listener.close()
