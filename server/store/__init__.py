"""The event store: the durable truth of every session (events, snapshots, replies,
credentials), on SQLite or PostgreSQL through SQLAlchemy Core."""
