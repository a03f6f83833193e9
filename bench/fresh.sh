#!/usr/bin/env bash
# Fresh databases, side by side in one run, on the local server:
#   1. 200 small migrations (a table and an index each) on an empty database: the runner
#      (`migrate --dir`) against psql over one connection with a transaction per file, and
#      against psql with one transaction for everything (the same SQL, breakpoint lines
#      stripped). Before every run the database is dropped and created again and a
#      CHECKPOINT is taken. Rounds alternate the order of the three.
#   2. The time until a test has a database of its own with the migrations applied, copied
#      from a template against migrated on the spot, for the question bank (`migrations/`)
#      and for the 200-migration history (examples/test_database_time.rs).
#
#   bench/fresh.sh                 # ROUNDS=7 COUNT=200 TEST_ROUNDS=21 by default
set -euo pipefail

cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-7}
COUNT=${COUNT:-200}
TEST_ROUNDS=${TEST_ROUNDS:-21}
HOST=${PGHOST:-127.0.0.1}
PORT=${PGPORT:-5432}
USER_=${PGUSER:-postgres}
DB=bench_fresh_$$
URL="postgres://$USER_@$HOST:$PORT/$DB"
# The psql binary itself, not Debian's Perl wrapper; without TLS, as the runner speaks.
PSQL_BIN=${PSQL_BIN:-$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1)}
PSQL_BIN=${PSQL_BIN:-psql}
export PGSSLMODE=disable PGGSSENCMODE=disable
PSQL="$PSQL_BIN -X -q -v ON_ERROR_STOP=1 -h $HOST -p $PORT -U $USER_"
export TEST_DATABASE_URL="postgres://$USER_@$HOST:$PORT/postgres"

cargo build --release --example migrate --example test_database_time
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
MIGRATE=$TARGET/release/examples/migrate
TIME_TEST_DB=$TARGET/release/examples/test_database_time

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; $PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null' EXIT
mkdir -p "$WORK/migrations/meta"
for ((i = 0; i < COUNT; i++)); do
  n=$(printf '%04d' "$i")
  printf 'CREATE TABLE "t%s" ("id" bigint PRIMARY KEY, "name" text NOT NULL);\n--> statement-breakpoint\nCREATE INDEX "t%s_name" ON "t%s" ("name");\n' \
    "$n" "$n" "$n" >"$WORK/migrations/${n}_t${n}.sql"
done
for f in "$WORK"/migrations/*.sql; do
  echo 'BEGIN;'
  grep -vx -- '--> statement-breakpoint' "$f"
  echo 'COMMIT;'
done >"$WORK/per_file.sql"
grep -hvx -- '--> statement-breakpoint' "$WORK"/migrations/*.sql >"$WORK/one.sql"

recreate() {
  $PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" -c CHECKPOINT >/dev/null
}
declare -A CMD=(
  [runner]="$MIGRATE --database-url $URL --dir $WORK/migrations"
  [psql_per_file]="$PSQL -d $DB -f $WORK/per_file.sql"
  [psql_one_tx]="$PSQL -d $DB --single-transaction -f $WORK/one.sql"
)
ORDER=(runner psql_per_file psql_one_tx)
RESULTS=$WORK/results
: >"$RESULTS"
echo "== $COUNT migrations on a fresh database, $ROUNDS rounds (load: $(cut -d' ' -f1-3 /proc/loadavg))"
for ((r = 0; r < ROUNDS; r++)); do
  for ((k = 0; k < 3; k++)); do
    name=${ORDER[$(((r + k) % 3))]}
    recreate
    start=$(date +%s%N)
    ${CMD[$name]} >/dev/null
    end=$(date +%s%N)
    echo "$r $name $(((end - start) / 1000))" >>"$RESULTS"
  done
done
# Medians in ms, and the median of each round's ratio to the per-file floor.
awk '
  function median(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { t[$2, ++n[$2]] = $3 / 1000; round[$1, $2] = $3 }
  END {
    split("runner psql_per_file psql_one_tx", names, " ")
    for (k = 1; k <= 3; k++) {
      c = names[k]; m = n[c]
      for (i = 1; i <= m; i++) v[i] = t[c, i]
      printf "%-14s median %8.1f ms (min %.1f, max %.1f, %d runs)\n", c, median(v, m), v[1], v[m], m
      delete v
    }
    for (c in n) if (c != "psql_per_file") {
      m = 0
      for (r = 0; (r, c) in round; r++) q[++m] = round[r, c] / round[r, "psql_per_file"]
      printf "%s / psql_per_file: median of per-round ratios %.3f\n", c, median(q, m)
      delete q
    }
  }' "$RESULTS"

echo
echo "== time until a test has its own migrated database ($TEST_ROUNDS rounds each)"
for dir in migrations "$WORK/migrations"; do
  $TIME_TEST_DB --dir "$dir" --rounds "$TEST_ROUNDS"
  SCHEMA_TEST_SPARES=0 $TIME_TEST_DB --dir "$dir" --rounds "$TEST_ROUNDS"
done
echo
echo "psql: $PSQL_BIN ($($PSQL_BIN --version)); load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
