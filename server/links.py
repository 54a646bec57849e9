"""The links the server hands out. Secrets go in the fragment (`#...`), which a browser never
sends to a server, so they stay out of access logs."""

from __future__ import annotations


def join_link(base: str, session: str, seat: str, code: str) -> str:
    return f"{base}/join/{session}/{seat}#{code}"


def console_link(base: str, session: str, token: str) -> str:
    return f"{base}/console/{session}#{token}"


def websocket_url(base: str, session: str) -> str:
    scheme = "wss" if base.startswith("https") else "ws"
    return f"{scheme}{base[base.index(':') :]}/ws/sessions/{session}"
