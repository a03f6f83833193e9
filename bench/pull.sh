#!/usr/bin/env bash
# `pull` on a large database: a synthetic database of $TABLES tables (a serial key, a text, a
# varchar, a nullable timestamp without time zone defaulting to CURRENT_TIMESTAMP, a foreign
# key to the table before with ON UPDATE cascade, and an index on it) is pulled $RUNS times by
# the release `schema-core` program (connection, catalog read and the files written), each
# run timed as a whole process; min, median and max are printed. With BUILD=1 the pulled crate
# is then built in the dev profile, from scratch (its dependencies built first and not
# counted), against a crate of the same structs plain, $BUILDS times each.
#
# With SQL_FILE=path the database is that schema instead (a real one: its tables are counted).
#
#   bench/pull.sh                  # TABLES=1000 RUNS=10
#   BUILD=1 bench/pull.sh          # BUILDS=3
#   SQL_FILE=../shared/real-schemas/sim.sql BUILD=1 bench/pull.sh
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)
TABLES=${TABLES:-1000}
RUNS=${RUNS:-10}
HOST=${PGHOST:-127.0.0.1}
PORT=${PGPORT:-5432}
USER_=${PGUSER:-postgres}
DB=bench_pull_$$
URL=postgres://$USER_@$HOST:$PORT/$DB
WORK=$(mktemp -d)
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" -U "$USER_")
cleanup() {
  "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Runs `$3` (a shell command, which may use $RUN, the run's number) $2 times, each after
# `prepare` ($1), and prints the min, median and max wall time under the label $4.
timed() {
  local prepare=$1 runs=$2 command=$3 label=$4 times=() start end
  for RUN in $(seq 1 "$runs"); do
    eval "$prepare"
    start=$(date +%s%N)
    eval "$command" >/dev/null
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v what="$label" '
    { t[NR] = $1 }
    END { printf "%s: min %d ms, median %d ms, max %d ms (%d runs)\n", what, t[1], t[int((NR + 1) / 2)], t[NR], NR }'
}

"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB"
{
  for i in $(seq 0 $((TABLES - 1))); do
    t=$(printf 'table_%04d' "$i")
    echo "CREATE TABLE $t (id serial PRIMARY KEY, name text NOT NULL, code varchar(32) NOT NULL,"
    echo "  seen_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP"
    if [ "$i" -gt 0 ]; then
      echo "  , parent_id integer REFERENCES $(printf 'table_%04d' $((i - 1)))(id) ON DELETE CASCADE ON UPDATE CASCADE"
    fi
    echo ");"
    [ "$i" -gt 0 ] && echo "CREATE INDEX ${t}_parent_id_idx ON $t (parent_id);"
  done
} > "$WORK/schema.sql"
if [ -n "${SQL_FILE:-}" ]; then
  cp "$SQL_FILE" "$WORK/schema.sql"
fi
"${PSQL[@]}" -d "$DB" -f "$WORK/schema.sql" >/dev/null 2>&1
if [ -n "${SQL_FILE:-}" ]; then
  TABLES=$("${PSQL[@]}" -d "$DB" -Atc "SELECT count(*) FROM pg_class c JOIN pg_namespace n
    ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')")
fi

cargo build --quiet --release -p schema-core --features cli --bin schema-core
BIN=$REPO/target/release/schema-core
# Each run writes a new folder, as a team pulls into a new one (the folders of earlier runs are
# kept until the end: on ext4, files created where others were just deleted cost several times
# as much to create).
pull_into() { "$BIN" pull --database-url "$URL" --out "$1" --schema-core-path "$REPO/schema-core"; }
pull_into "$WORK/warm-up" >/dev/null
timed : "$RUNS" 'pull_into "$WORK/run_$RUN"' "pull of $TABLES tables"
cp -r "$WORK/run_1" "$WORK/pulled"

[ -n "${BUILD:-}" ] || exit 0

# The pulled crate, and the same structs without attributes.
mkdir -p "$WORK/plain/src"
sed -e 's/^name = ".*"/name = "plain"/' "$WORK/pulled/Cargo.toml" > "$WORK/plain/Cargo.toml"
# Every source file, attributes and macro imports left out, `schema!` list removed.
for f in "$WORK"/pulled/src/*.rs; do
  sed -e '/^pub const SCHEMA/,/^};/d' -e '/^\/\/\/ The enums and tables/d' "$f" \
    | grep -v -e '^\s*#\[' -e '^use schema_core' \
    | sed -e 's/^pub struct/#[derive(Debug, Clone)]\npub struct/' \
      -e 's/^pub enum/#[derive(Debug, Clone)]\npub enum/' \
    > "$WORK/plain/src/$(basename "$f")"
done
export CARGO_TARGET_DIR=$REPO/target/bench_pull
for krate in pulled plain; do
  (cd "$WORK/$krate" && cargo build --quiet --lib 2>/dev/null || cargo build --lib)
done
for krate in pulled plain; do
  name=$(grep '^name' "$WORK/$krate/Cargo.toml" | head -1 | cut -d'"' -f2)
  cd "$WORK/$krate"
  timed "cargo clean --quiet -p $name" "${BUILDS:-3}" "cargo build --quiet --lib" \
    "dev build of the $krate crate"
done
