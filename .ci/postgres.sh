#!/usr/bin/env bash
# Install PostgreSQL from Debian's packages, start it on loopback, and create the role and
# database the tests use. Safe to run again: each step is skipped when already done.
# Prints one line for the caller to eval:
#   ALLEGE_TEST_POSTGRES=postgresql+psycopg://allege:allege@127.0.0.1:5432/allege_test
# Usage: eval "$(.ci/postgres.sh | tail -n 1)"; export ALLEGE_TEST_POSTGRES
# Needs root (apt-get, pg_ctlcluster); everything but the last line goes to stderr.
set -euo pipefail

PGROLE=${PGROLE:-allege}
PGPASS=${PGPASS:-allege}
PGDB=${PGDB:-allege_test}
PGPORT=${PGPORT:-5432}

log() { echo "postgres.sh: $*" >&2; }

if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
    log "installing postgresql from Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql >&2
fi

VERSION=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1, $2}' | grep -qx "$VERSION main"; then
    log "creating cluster $VERSION/main"
    pg_createcluster "$VERSION" main --port "$PGPORT" >&2
fi

# Loopback only: the tests need nothing else, and nothing else should reach it.
CONF=/etc/postgresql/$VERSION/main/postgresql.conf
grep -q "^listen_addresses = '127.0.0.1'" "$CONF" || \
    echo "listen_addresses = '127.0.0.1'" >>"$CONF"

if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
    log "starting cluster $VERSION/main"
    pg_ctlcluster "$VERSION" main start >&2
fi

for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$PGPORT" && break
    sleep 1
done
pg_isready -h 127.0.0.1 -p "$PGPORT" >&2

psql_admin() { su postgres -c "psql -v ON_ERROR_STOP=1 -qtAX -p $PGPORT $*"; }

if [ "$(psql_admin "-c \"SELECT 1 FROM pg_roles WHERE rolname = '$PGROLE'\"")" != 1 ]; then
    log "creating role $PGROLE"
    psql_admin "-c \"CREATE ROLE $PGROLE LOGIN PASSWORD '$PGPASS'\"" >&2
fi
if [ "$(psql_admin "-c \"SELECT 1 FROM pg_database WHERE datname = '$PGDB'\"")" != 1 ]; then
    log "creating database $PGDB"
    psql_admin "-c \"CREATE DATABASE $PGDB OWNER $PGROLE\"" >&2
fi

echo "ALLEGE_TEST_POSTGRES=postgresql+psycopg://$PGROLE:$PGPASS@127.0.0.1:$PGPORT/$PGDB"
