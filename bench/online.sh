#!/usr/bin/env bash
# Writers' and readers' waits while `attempts` (1,000,000 rows) changes under load, with a long
# application transaction open when it starts: this project's online
# migrations (generate + runner) against the same change written the plain way and applied
# with `psql --single-transaction`. Prints a markdown table (see BENCHMARKS.md).
#
#   bench/online.sh                  # ROWS=1000000 WRITERS=8
#   ROWS=200000 bench/online.sh
set -euo pipefail

cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
WRITERS=${WRITERS:-8}
SERVER=${SERVER:-postgres://postgres@127.0.0.1:5432}
PSQL_BIN=${PSQL_BIN:-$(ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1)}
PSQL_BIN=${PSQL_BIN:-psql}

cargo build --release --example bench_online
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
./target/release/examples/bench_online --rows "$ROWS" --writers "$WRITERS" \
    --server "$SERVER" --psql "$PSQL_BIN"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
