# The Chapter VIII server: `chapter8 serve` (the default command) or `chapter8 migrate`.
# Configured by environment variables only (README.md); docker-compose.yml runs it.

# Chart.js for the debrief's charts, from npm as package-lock.json pins it (never vendored).
FROM node:20-slim AS vendor
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Dependencies first, so that a change to the code does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir game server clients \
    && touch game/__init__.py server/__init__.py clients/__init__.py \
    && pip install . \
    && pip uninstall -y chapter8 \
    && rm -rf game server clients
COPY alembic.ini ./
COPY alembic ./alembic
COPY scenarios ./scenarios
COPY static ./static
COPY game ./game
COPY server ./server
COPY clients ./clients
COPY --from=vendor /build/node_modules/chart.js ./node_modules/chart.js
# Editable: the server finds alembic.ini, scenarios/ and static/ (its pages) beside its
# package, as in a checkout.
RUN pip install --no-deps -e . \
    && useradd --system --uid 10001 --home-dir /app chapter8
USER chapter8

ENV CHAPTER8_HOST=0.0.0.0 \
    CHAPTER8_PORT=8000
EXPOSE 8000
CMD ["chapter8", "serve"]
