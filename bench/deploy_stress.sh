#!/usr/bin/env bash
# App replicas at deploy: MIGRATORS `migrate` processes started at once against a database
# with a pending `-- schema:no-transaction` CREATE INDEX CONCURRENTLY, ROUNDS times. Each
# round gets a fresh database; a process that exits non-zero is a failure (it prints why).
# Prints the failures per round and the total.
#
#   bench/deploy_stress.sh                 # MIGRATORS=8 ROUNDS=20 ROWS=200000
set -euo pipefail

cd "$(dirname "$0")/.."
MIGRATORS=${MIGRATORS:-8}
ROUNDS=${ROUNDS:-20}
ROWS=${ROWS:-200000}
SERVER=${SERVER:-postgres://postgres@127.0.0.1:5432}
PSQL_BIN=${PSQL_BIN:-$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1)}
PSQL_BIN=${PSQL_BIN:-psql}
DB=deploy_stress

cargo build --example migrate --message-format=json 2>/dev/null \
    | grep -o '"executable":"[^"]*examples/migrate"' | tail -n 1 | cut -d'"' -f4 >/tmp/deploy_stress_bin.$$
BIN=$(cat /tmp/deploy_stress_bin.$$)
rm -f /tmp/deploy_stress_bin.$$
work=$(mktemp -d)
trap 'rm -rf "$work"; "$PSQL_BIN" -X -q "$SERVER/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"' EXIT

mkdir -p "$work/before/meta" "$work/after/meta"
printf 'CREATE TABLE "items" ("id" integer PRIMARY KEY, "code" integer);\n' >"$work/before/0000_items.sql"
cp "$work/before/0000_items.sql" "$work/after/"
printf -- '-- schema:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS "items_code_idx" ON "items" USING btree ("code");\n' \
    >"$work/after/0001_items_code_idx.sql"

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
total=0
for round in $(seq 1 "$ROUNDS"); do
    "$PSQL_BIN" -X -q "$SERVER/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
    "$BIN" --database-url "$SERVER/$DB" --dir "$work/before" >/dev/null
    "$PSQL_BIN" -X -q "$SERVER/$DB" -c "INSERT INTO items SELECT g, g % 1000 FROM generate_series(1, $ROWS) g"
    pids=()
    for m in $(seq 1 "$MIGRATORS"); do
        "$BIN" --database-url "$SERVER/$DB" --dir "$work/after" >"$work/out.$m" 2>&1 &
        pids+=($!)
    done
    failed=0
    for m in $(seq 1 "$MIGRATORS"); do
        if ! wait "${pids[$((m - 1))]}"; then
            failed=$((failed + 1))
            sed 's/^/    /' "$work/out.$m"
        fi
    done
    valid=$("$PSQL_BIN" -X -qtA "$SERVER/$DB" -c \
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_code_idx'::regclass")
    applied=$("$PSQL_BIN" -X -qtA "$SERVER/$DB" -c "SELECT count(*) FROM schema_migrations.ledger")
    echo "round $round: $failed of $MIGRATORS failed; index valid: $valid; ledger rows: $applied"
    total=$((total + failed))
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "failures: $total of $((MIGRATORS * ROUNDS)) processes"
[ "$total" -eq 0 ]
