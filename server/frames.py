"""Server frames written straight to the socket.

Through ASGI, every message a connection sends is an awaited `websocket.send` through
Starlette and uvicorn, which frames it in Python (the `websockets` sans-I/O protocol) and
makes one `transport.write` of it. A command's events go to every socket of its session, so
that path ran a dozen times per command, each in its own task switch.

`Protocol` is uvicorn's websockets-sansio protocol with one addition: the ASGI scope of each
accepted socket carries the extension `chapter8.frames`, a `FrameWriter` whose `write` frames
a list of messages by hand (text, FIN set, unmasked: a server's frame as RFC 6455 lays it out)
and hands them to the transport in one write. Everything else stays uvicorn's: the
handshake, pings and pongs, the close, and flow control (`writable` is false while the
transport's buffer is above its high-water mark; the connection then queues, bounded, and
waits for `drained`). `chapter8 serve` runs uvicorn with this protocol; under any other ASGI
server the extension is absent and connections send through ASGI as before.
"""

from __future__ import annotations

import struct
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

EXTENSION = "chapter8.frames"

_SHORT = struct.Struct("!BB").pack
_MEDIUM = struct.Struct("!BBH").pack
_LONG = struct.Struct("!BBQ").pack


def text_frame_header(n: int) -> bytes:
    """The header of one unmasked, final text frame carrying `n` bytes."""
    if n < 126:
        return _SHORT(0x81, n)
    if n < 65536:
        return _MEDIUM(0x81, 126, n)
    return _LONG(0x81, 127, n)


class FrameWriter:
    """Writes whole text frames to one accepted socket, bypassing the per-message ASGI path."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: WebSocketsSansIOProtocol) -> None:
        self._protocol = protocol

    @property
    def open(self) -> bool:
        """Frames may still be sent: no close sent or received, the transport not closing."""
        p = self._protocol
        return (
            not p.close_sent
            and not p.disconnected
            and p.conn.state is State.OPEN
            and not p.transport.is_closing()
        )

    @property
    def writable(self) -> bool:
        """The transport's buffer is below its high-water mark."""
        return self._protocol.writable.is_set()

    async def drained(self) -> None:
        """Wait until the transport accepts writes again (or the connection is lost)."""
        await self._protocol.writable.wait()

    def write(self, payloads: list[bytes]) -> bool:
        """Send each payload (UTF-8 JSON) as one text frame, all in one transport write.
        False, and nothing written, when the socket is closing."""
        if not self.open:
            return False
        parts: list[bytes] = []
        for payload in payloads:
            parts.append(text_frame_header(len(payload)))
            parts.append(payload)
        self._protocol.transport.write(b"".join(parts))
        return True


class Protocol(WebSocketsSansIOProtocol):
    """uvicorn's websockets-sansio protocol, offering a `FrameWriter` in the ASGI scope."""

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:  # the upgrade was accepted and the app is about to run
            scope.setdefault("extensions", {})[EXTENSION] = FrameWriter(self)


def frame_writer(scope: dict[str, Any]) -> FrameWriter | None:
    """The socket's `FrameWriter`, when the server offers one."""
    writer = (scope.get("extensions") or {}).get(EXTENSION)
    return writer if isinstance(writer, FrameWriter) else None
