"""The Chapter VIII server: the thin loop around the pure engine, and the `chapter8` CLI."""
