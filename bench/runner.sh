#!/usr/bin/env bash
# The migration runner against psql, whole process each, on the local server:
#   1. a fresh database, the initial migration: `migrate` against
#      `psql --single-transaction -f` of the same SQL (breakpoint lines stripped);
#   2. an up-to-date database: `migrate` against `psql -c 'select 1'`.
# Prints the medians and ratios; hyperfine's JSON goes to $OUT (default target/bench).
#
#   bench/runner.sh            # RUNS=100 by default
#   RUNS=300 bench/runner.sh
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-100}
OUT=${OUT:-target/bench}
HOST=${PGHOST:-127.0.0.1}
PORT=${PGPORT:-5432}
USER_=${PGUSER:-postgres}
DB=bench_runner_$$
URL="postgres://$USER_@$HOST:$PORT/$DB"
MIGRATIONS=$PWD/migrations
# Debian's /usr/bin/psql is a Perl wrapper that picks a version (about 20 ms of start-up on
# its own); the floor is the psql binary itself. The runner speaks without TLS, so psql does
# too: the same work on the wire.
PSQL_BIN=${PSQL_BIN:-$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1)}
PSQL_BIN=${PSQL_BIN:-psql}
export PGSSLMODE=disable PGGSSENCMODE=disable
PSQL="$PSQL_BIN -X -q -v ON_ERROR_STOP=1 -h $HOST -p $PORT -U $USER_"

command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install -y hyperfine" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is missing: apt-get install -y jq" >&2; exit 1; }

cargo build --release --example migrate
MIGRATE=$PWD/target/release/examples/migrate
mkdir -p "$OUT"
SQL=$(mktemp --suffix=.sql)
trap 'rm -f "$SQL"; $PSQL -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null' EXIT
grep -vx -- '--> statement-breakpoint' "$MIGRATIONS"/0000_initial.sql >"$SQL"

# The checkpoint writes out what creating the database dirtied, so that neither command
# pays for the previous run's leftovers.
RECREATE="$PSQL -d postgres -c 'DROP DATABASE IF EXISTS $DB' -c 'CREATE DATABASE $DB' -c CHECKPOINT"

MIGRATE_CMD="$MIGRATE --database-url $URL --dir $MIGRATIONS"
# hyperfine runs all of one command, then all of the other; the machine's load drifts in the
# meantime, so the runs are split into rounds whose order alternates.
ROUNDS=${ROUNDS:-4}
rounds() { # $1 = case name; the rest: hyperfine options
  local case=$1 r
  shift
  for ((r = 1; r <= ROUNDS; r++)); do
    local first=(-n migrate "$MIGRATE_CMD") second=(-n psql "$PSQL_CMD")
    if ((r % 2 == 0)); then
      first=(-n psql "$PSQL_CMD")
      second=(-n migrate "$MIGRATE_CMD")
    fi
    hyperfine -N --style basic --runs $((RUNS / ROUNDS)) "$@" \
      --export-json "$OUT/runner_${case}_$r.json" "${first[@]}" "${second[@]}"
  done
}

echo "== fresh database, initial migration ($RUNS runs each, $ROUNDS rounds)"
PSQL_CMD="$PSQL -d $DB --single-transaction -f $SQL"
rounds fresh --warmup 2 --prepare "$RECREATE"

echo "== up-to-date database ($RUNS runs each, $ROUNDS rounds)"
eval "$RECREATE"
$MIGRATE_CMD >/dev/null
PSQL_CMD="$PSQL -d $DB -c 'select 1'"
rounds noop --warmup 5

# Medians over all rounds' runs.
summary() {
  jq -rs --arg case "$2" --arg target "$3" '
    def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    def ms: . * 1000 | . * 100 | round / 100;
    (map(.results[]) | group_by(.command) | map({(.[0].command): (map(.times) | add)}) | add) as $t
    | ($t.migrate | median) as $m | ($t.psql | median) as $p
    | "\($case): migrate \($m | ms) ms, psql \($p | ms) ms (medians of \($t.migrate | length) runs each), ratio \($m / $p | . * 1000 | round / 1000) (target <= \($target))"' $1
}
echo
echo "psql: $PSQL_BIN ($($PSQL_BIN --version))"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
summary "$OUT/runner_fresh_*.json" "fresh database, initial migration" 1.05
summary "$OUT/runner_noop_*.json" "up-to-date database" 1.5
