"""The first schema: sessions, events (hash-chained), snapshots, replies, credentials.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("scenario_id", sa.String(80), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("session_id", sa.String(40), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "snapshots",
        sa.Column("session_id", sa.String(40), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("state_hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "replies",
        sa.Column("session_id", sa.String(40), primary_key=True),
        sa.Column("actor", sa.String(80), primary_key=True),
        sa.Column("command_id", sa.String(80), primary_key=True),
        sa.Column("reply", sa.Text, nullable=False),
    )
    op.create_table(
        "credentials",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("session_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("seat", sa.String(80), nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
    )
    op.create_index("ix_credentials_session_seat", "credentials", ["session_id", "seat"])


def downgrade() -> None:
    op.drop_index("ix_credentials_session_seat", table_name="credentials")
    for table in ("credentials", "replies", "snapshots", "events", "sessions"):
        op.drop_table(table)
