"""A bare websocket client for the load generator: an `asyncio.Protocol` with hand-rolled
RFC 6455 framing, so that generating load costs far less per message than serving it.

It does only what a load generator needs: the upgrade with the token in the
`Authorization` header, text frames out (masked; the key is fixed at zero, which frames
validly and leaves the payload as is), whole messages in (fragments joined), pongs for the
server's pings, and the close code. Messages reach `on_message(conn, payload)` as bytes; the
caller parses them (orjson), never a pydantic model.
"""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

_ZERO_MASK = b"\x00\x00\x00\x00"


def frame(payload: bytes, opcode: int = 0x1) -> bytes:
    """One masked client frame (FIN set) carrying `payload`."""
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0xFE)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0xFF)) + n.to_bytes(8, "big")
    return head + _ZERO_MASK + payload


class WireConnection(asyncio.Protocol):
    """One websocket. `tag` is the caller's (which session and seat it plays)."""

    def __init__(
        self,
        url: str,
        token: str,
        on_message: Callable[[WireConnection, bytes], None],
        on_close: Callable[[WireConnection], None] | None = None,
        tag: Any = None,
    ) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if parts.scheme == "wss" else 80)
        self.path = parts.path + (f"?{parts.query}" if parts.query else "")
        self.token = token
        self.on_message = on_message
        self.on_close = on_close
        self.tag = tag
        self.transport: asyncio.Transport | None = None
        self.open = False
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed = False
        self.close_code: int | None = None
        self.status: int | None = None
        """The HTTP status of the upgrade (101 when it succeeded)."""
        self.received = 0
        self._buf = bytearray()
        self._parts: list[bytes] = []

    @classmethod
    async def connect(cls, url: str, token: str, on_message: Callable, **kwargs: Any):
        self = cls(url, token, on_message, **kwargs)
        loop = asyncio.get_running_loop()
        await loop.create_connection(lambda: self, self.host, self.port)
        await self.opened
        return self

    # --- asyncio.Protocol -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            (
                f"GET {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Authorization: Bearer {self.token}\r\n\r\n"
            ).encode()
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self.open = False
        self.closed = True
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(f"upgrade failed: HTTP {self.status}"))
        if self.on_close is not None:
            self.on_close(self)

    def data_received(self, data: bytes) -> None:
        buf = self._buf
        buf += data
        if not self.open:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buf[:end])
            del buf[: end + 4]
            try:
                self.status = int(head.split(b" ", 2)[1])
            except (IndexError, ValueError):
                self.status = 0
            if self.status != 101:
                assert self.transport is not None
                self.transport.close()
                return
            self.open = True
            self.opened.set_result(None)
        n = len(buf)
        i = 0
        while n - i >= 2:
            b0 = buf[i]
            length = buf[i + 1] & 0x7F
            h = 2
            if length == 126:
                if n - i < 4:
                    break
                length = (buf[i + 2] << 8) | buf[i + 3]
                h = 4
            elif length == 127:
                if n - i < 10:
                    break
                length = int.from_bytes(buf[i + 2 : i + 10], "big")
                h = 10
            if n - i < h + length:
                break
            payload = bytes(buf[i + h : i + h + length])
            i += h + length
            op = b0 & 0x0F
            if op in (1, 2, 0):
                if not b0 & 0x80:  # a fragment: keep it until the final one
                    self._parts.append(payload)
                    continue
                if self._parts:
                    self._parts.append(payload)
                    payload = b"".join(self._parts)
                    self._parts = []
                self.received += 1
                self.on_message(self, payload)
            elif op == 9:  # ping: answer with the same payload
                self._write(frame(payload, 0xA))
            elif op == 8:
                self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                self._write(frame(payload[:2], 0x8))
                assert self.transport is not None
                self.transport.close()
                break
        if i:
            del buf[:i]

    # --- sending ----------------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def send(self, payload: bytes) -> None:
        """Write one text frame (no await: the transport buffers)."""
        self._write(frame(payload))

    def close(self, code: int = 1000) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        self._write(frame(code.to_bytes(2, "big"), 0x8))
        self.transport.close()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()
