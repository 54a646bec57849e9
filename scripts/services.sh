#!/usr/bin/env bash
# Make sure the services the test suite needs are installed and running on this machine:
# PostgreSQL (127.0.0.1:5432, trust auth), Redis (127.0.0.1:6379), Debian's nginx (the cluster
# tests' proxy) and Debian's Chromium (for the browser tests). Installs with apt-get what is
# missing (apt-get update first), starts what is stopped, and fails loudly if a service still
# does not answer: the suite never skips.
set -euo pipefail

need_apt_update=1
apt_install() {
  if [ "$need_apt_update" = 1 ]; then
    apt-get update -qq
    need_apt_update=0
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- PostgreSQL ---------------------------------------------------------------------------------
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "services: installing PostgreSQL"
  as_root bash -c "$(declare -f apt_install); need_apt_update=$need_apt_update; apt_install postgresql"
  need_apt_update=0
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "services: starting PostgreSQL"
  version=$(ls /etc/postgresql | sort -n | tail -1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  # A fresh install authenticates by password on TCP: the tests use trust on loopback.
  hba=/etc/postgresql/$version/main/pg_hba.conf
  if ! grep -q "chapter8-tests" "$hba"; then
    as_root sed -i '1i host all all 127.0.0.1/32 trust # chapter8-tests\nhost all all ::1/128 trust # chapter8-tests' "$hba"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
  fi
fi
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
pg_isready -h 127.0.0.1 -p 5432 >/dev/null || { echo "services: PostgreSQL does not answer" >&2; exit 1; }

# --- Redis --------------------------------------------------------------------------------------
if ! command -v redis-server >/dev/null 2>&1; then
  echo "services: installing Redis"
  as_root bash -c "$(declare -f apt_install); need_apt_update=$need_apt_update; apt_install redis-server"
  need_apt_update=0
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "services: starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "services: Redis does not answer" >&2; exit 1; }

# --- nginx (tests/cluster/ runs deploy/nginx/nginx.conf in front of the server processes) ------
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "services: installing nginx"
  as_root bash -c "$(declare -f apt_install); need_apt_update=$need_apt_update; apt_install nginx"
  need_apt_update=0
fi
PATH="$PATH:/usr/sbin" nginx -v 2>/dev/null || { echo "services: nginx does not run" >&2; exit 1; }

# --- Chromium (browser tests) -------------------------------------------------------------------
if ! command -v chromium >/dev/null 2>&1; then
  echo "services: installing Chromium"
  as_root bash -c "$(declare -f apt_install); need_apt_update=$need_apt_update; apt_install chromium chromium-driver"
fi

# --- Node.js and npm (the browser tests' axe-core, installed by `make node`) -----------------------
if ! command -v npm >/dev/null 2>&1; then
  echo "services: installing Node.js and npm"
  as_root bash -c "$(declare -f apt_install); need_apt_update=$need_apt_update; apt_install nodejs npm"
fi

echo "services: PostgreSQL, Redis, nginx, Chromium and npm are ready"
