"""The server's configuration: one typed object, read from the environment.

Every variable is `CHAPTER8_<NAME>` except the two that hosting platforms name by
convention, `DATABASE_URL` and `REDIS_URL`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _split(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHAPTER8_", extra="ignore")

    host: str = Field(default="127.0.0.1", description="Address to listen on.")
    port: int = Field(default=8000, description="Port to listen on.")
    data_dir: Path = Field(
        default=Path("data"), description="Folder for the SQLite database (when no DATABASE_URL)."
    )
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "CHAPTER8_DATABASE_URL"),
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db. "
        "Default: SQLite in data_dir.",
    )
    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("REDIS_URL", "CHAPTER8_REDIS_URL"),
        description="Redis URL: the fan-out between server processes (and checked by /readyz).",
    )
    redis_prefix: str = Field(
        default="chapter8", description="Prefix of the Redis channels this deployment uses."
    )
    catchup_s: float = Field(
        default=5.0,
        gt=0,
        description="Several processes: how often each checks its sessions against the "
        "database, for a fan-out notice it missed.",
    )
    idle_s: float = Field(
        default=60.0,
        gt=0,
        description="Several processes: a session with no connection and no work in this "
        "process for this long stops being followed here (if this process fires its clock, "
        "once players are connected to another process, which takes the clock).",
    )
    lease_s: float = Field(
        default=1.0,
        gt=0,
        description="Several processes: how often each tries to take the clocks of its "
        "sessions (a dead holder's clocks move within about this long).",
    )
    public_url: str | None = Field(
        default=None,
        description="Base URL for the links the server hands out (default http://host:port).",
    )
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins allowed on the websocket upgrade, comma-separated; the server's own "
        "public URL is always allowed. '*' allows any.",
    )
    scenarios_dir: Path | None = Field(
        default=None, description="An extra folder of scenario files (*.yaml, *.json)."
    )
    snapshot_every: int = Field(default=200, ge=1, description="Snapshot every N events.")
    replay_limit: int = Field(
        default=2000,
        ge=1,
        description="A reconnecting client further behind than this gets a fresh snapshot.",
    )
    frame_cap: int = Field(default=64 * 1024, description="Largest websocket frame accepted.")
    send_queue: int = Field(
        default=512,
        ge=1,
        description="Sends queued per connection before it counts as slow (one send: what one "
        "committed batch brings it).",
    )
    rate_per_s: float = Field(default=20.0, gt=0, description="Sustained messages/s per client.")
    rate_burst: int = Field(default=40, ge=1, description="Burst of messages per client.")
    heartbeat_s: float = Field(default=20.0, gt=0, description="Websocket ping interval.")
    bots: bool = Field(
        default=True,
        description="Run the bots the facilitator gives seats to in this process (off: a seat "
        "given to a strategy waits for a process that runs them).",
    )
    bot_url: str | None = Field(
        default=None,
        description="Where this process's bots connect: this very process (default "
        "http://127.0.0.1:PORT; never a proxy in front of several processes).",
    )
    sqlite_synchronous: str = Field(
        default="NORMAL",
        pattern="^(NORMAL|FULL)$",
        description="SQLite synchronous mode (WAL): NORMAL survives a process crash, FULL a "
        "power cut too.",
    )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        return _split(value)

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def db_url(self) -> str:
        if self.database_url:
            return normalise_db_url(self.database_url)
        return f"sqlite:///{(self.data_dir / 'chapter8.db').resolve()}"


def normalise_db_url(url: str) -> str:
    """Accept the plain `postgres://` and `postgresql://` forms platforms hand out and use the
    psycopg driver the server is built on."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
