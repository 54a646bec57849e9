"""Prometheus metrics, in a registry of the app's own (so two apps in one process, as in
tests, never clash)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.sessions = Gauge(
            "chapter8_sessions_live", "Sessions loaded in this process.", registry=self.registry
        )
        self.connections = Gauge(
            "chapter8_connections", "Open websocket connections.", registry=self.registry
        )
        self.commands = Counter(
            "chapter8_commands",
            "Commands decided, by command type.",
            ["type"],
            registry=self.registry,
        )
        self.rejections = Counter(
            "chapter8_rejections",
            "Messages rejected, by code (the engine's and the server's).",
            ["code"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "chapter8_command_seconds",
            "From a command's arrival to its reply, commit included.",
            buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )
        self.events = Counter(
            "chapter8_events", "Events committed to the store.", registry=self.registry
        )
        self.clocks = Gauge(
            "chapter8_clocks_held",
            "Sessions whose clock this process fires (it holds their lease).",
            registry=self.registry,
        )
        self.clashes = Counter(
            "chapter8_clashes",
            "Batches that another process committed first (decided again on the new state).",
            registry=self.registry,
        )
        self.catch_ups = Counter(
            "chapter8_catch_ups",
            "Times this process took in events another process committed.",
            registry=self.registry,
        )
        self.bots = Gauge(
            "chapter8_bots",
            "Bots this process hosts in the sessions it has loaded, by state: connecting, "
            "running, failed (waiting to start again), stopped (seat changed hands), concluded.",
            ["state"],
            registry=self.registry,
        )
        self.bot_failures = Counter(
            "chapter8_bot_failures",
            "Times a hosted bot stopped by itself while its seat was still the bot's (an error, "
            "a lost or refused connection); each is started again after a pause.",
            registry=self.registry,
        )
        self.slow_consumers = Counter(
            "chapter8_slow_consumers",
            "Connections closed for not reading fast enough.",
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
