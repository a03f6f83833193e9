#!/usr/bin/env bash
# What the schema language expresses of real schemas: each of the seven files of
# ../shared/real-schemas (or $REAL_SCHEMAS_DIR) is loaded with psql into a fresh database on
# the local server, read by the catalog reader and counted by `pull::coverage`
# (examples/real_coverage.rs); the databases are dropped as soon as they are counted.
#
#   bench/real_coverage.sh          # TOP=15 reasons by default
set -euo pipefail

cd "$(dirname "$0")/.."
DIR=${REAL_SCHEMAS_DIR:-../shared/real-schemas}
TOP=${TOP:-15}
HOST=${PGHOST:-127.0.0.1}
PORT=${PGPORT:-5432}
USER_=${PGUSER:-postgres}
export TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgres://$USER_@$HOST:$PORT/postgres}
if [[ ! -d $DIR ]]; then
  echo "no real schemas at $DIR: put them there or name their folder in REAL_SCHEMAS_DIR" >&2
  exit 1
fi

cargo run --quiet --example real_coverage -- --dir "$DIR" --top "$TOP"
