"""Frames written straight to the socket (server/frames.py) and the connection's outbox
around them (server/connection.py): the frames are byte for byte what the websockets library
makes, uvicorn's protocol offers the writer to the app, each turn's messages go out in one
write, a socket that stops draining is bounded by `send_queue`, and without a frame writer
every message still goes through ASGI, in order."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from uvicorn.config import Config
from uvicorn.server import ServerState
from websockets.frames import Frame, Opcode

from game.protocol import CloseCode
from server.auth import Principal
from server.connection import Connection
from server.frames import EXTENSION, FrameWriter, Protocol, frame_writer, text_frame_header
from server.metrics import Metrics
from server.settings import Settings


@pytest.mark.parametrize("n", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_a_frame_is_what_the_websockets_library_makes(n: int) -> None:
    payload = b"x" * n
    expected = Frame(Opcode.TEXT, payload).serialize(mask=False, extensions=[])
    assert text_frame_header(n) + payload == expected


class Transport:
    def __init__(self) -> None:
        self.data = bytearray()
        self.closing = False

    def write(self, data: bytes) -> None:
        self.data += data

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 8000) if name in ("sockname", "peername") else default

    def pause_reading(self) -> None: ...

    def resume_reading(self) -> None: ...


UPGRADE = (
    b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


async def test_uvicorns_protocol_offers_the_writer_and_frames_follow_the_handshake() -> None:
    seen: dict[str, Any] = {}
    done = asyncio.Event()

    async def app(scope: dict, receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        writer = frame_writer(scope)
        seen["writer"] = writer
        assert writer is not None and writer.open and writer.writable
        assert writer.write([b'{"a":1}', b'{"b":2}'])
        done.set()

    config = Config(app=app, ws=Protocol, lifespan="off", log_level="warning")
    config.load()
    protocol = Protocol(config=config, server_state=ServerState(), app_state={})
    transport = Transport()
    protocol.connection_made(transport)  # type: ignore[arg-type]
    protocol.data_received(UPGRADE)
    await asyncio.wait_for(done.wait(), 5)
    head, _, frames = bytes(transport.data).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101")
    assert frames == b"\x81\x07" + b'{"a":1}' + b"\x81\x07" + b'{"b":2}'
    assert isinstance(seen["writer"], FrameWriter)
    transport.closing = True
    assert not seen["writer"].open and not seen["writer"].write([b"{}"])
    assert frame_writer({"extensions": {EXTENSION: object()}}) is None
    assert frame_writer({}) is None


class Live:
    """The little of a LiveSession that a connection's outgoing side touches."""

    def __init__(self) -> None:
        self.detached: list[Connection] = []

    def detach(self, connection: Connection) -> None:
        self.detached.append(connection)


class Frames:
    def __init__(self) -> None:
        self.writes: list[list[bytes]] = []
        self.writable = True
        self.open = True
        self._drained = asyncio.Event()
        self._drained.set()

    def block(self) -> None:
        self.writable = False
        self._drained.clear()

    def unblock(self) -> None:
        self.writable = True
        self._drained.set()

    async def drained(self) -> None:
        await self._drained.wait()

    def write(self, payloads: list[bytes]) -> bool:
        self.writes.append(list(payloads))
        return True


def connection(frames: Frames | None, sent: list[str], closed: list[int], queue: int = 4):
    async def send_text(text: str) -> None:
        sent.append(text)

    async def close(code: int, reason: str) -> None:
        closed.append(code)

    settings = Settings(send_queue=queue)
    principal = Principal(session="s", kind="seat", seat="eu.1", team="eu")
    return Connection(
        principal,
        Live(),  # type: ignore[arg-type]
        settings,
        Metrics(),
        send_text,
        close,
        frames,  # type: ignore[arg-type]
    )


async def turn() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


async def test_a_turns_messages_go_out_in_one_write_in_order() -> None:
    frames, sent, closed = Frames(), [], []
    c = connection(frames, sent, closed)
    sender = asyncio.create_task(c.sender())
    await turn()
    c.enqueue(b"1")
    c.enqueue(b"2")
    await turn()
    c.enqueue(b"3")
    await turn()
    assert frames.writes == [[b"1", b"2"], [b"3"]] and not sent and not c.outbox
    sender.cancel()


async def test_a_socket_that_stops_draining_queues_sends_then_is_dropped() -> None:
    frames, sent, closed = Frames(), [], []
    c = connection(frames, sent, closed, queue=4)
    sender = asyncio.create_task(c.sender())
    await turn()
    frames.block()
    for n in range(3):
        c.enqueue(str(n).encode())
        await turn()
    assert frames.writes == [] and len(c.outbox) == 3
    frames.unblock()  # it drains: everything queued goes out in one write
    await turn()
    assert frames.writes == [[b"0", b"1", b"2"]] and not c.outbox
    frames.block()
    for n in range(6):
        c.enqueue(str(n).encode())
        await turn()
    assert c.closed and c.close_code == CloseCode.SLOW_CONSUMER
    assert closed == [CloseCode.SLOW_CONSUMER] and not c.outbox
    sender.cancel()


async def test_without_a_frame_writer_every_message_goes_through_asgi_in_order() -> None:
    sent: list[str] = []
    c = connection(None, sent, [])
    sender = asyncio.create_task(c.sender())
    await turn()
    c.enqueue(b'{"n":1}')
    c.enqueue(b'{"n":2}')
    await turn()
    c.enqueue(b'{"n":3}')
    await turn()
    assert sent == ['{"n":1}', '{"n":2}', '{"n":3}']
    sender.cancel()
