"""The session service: live sessions, each with one writer, and the registry that loads,
creates and stops them. No FastAPI here: the web layer only calls in."""
