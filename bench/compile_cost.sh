#!/usr/bin/env bash
# The compile cost of the macros: a throwaway crate of $TABLES `#[table]` structs against the
# same structs plain (`#[derive(Debug, Clone)]` only), and the annotated crate with the
# structs listed in a `schema!` registry. All three depend on the `schema-core` crate of this
# checkout; dependencies are built first and are not measured.
#
#   bench/compile_cost.sh            # TABLES=200 RUNS=5
#
# Measured per crate, with hyperfine, in the dev profile:
#   clean   `cargo clean -p <crate>` then `cargo build`: the crate compiled from scratch
#   touch   `touch src/lib.rs` then `cargo build`: nothing changed, incremental caches warm
#   edit    one table's field type changed (i32 to i64 and back), then `cargo build`
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
TABLES=${TABLES:-200}
RUNS=${RUNS:-5}
OUT=${OUT:-$REPO/target/bench}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target/compile_cost}
WORK=$(mktemp -d)
# KEEP=1 leaves the generated crates in place, for a closer look.
[ -n "${KEEP:-}" ] && echo "crates in $WORK" || trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install -y hyperfine" >&2; exit 1; }

name() { printf 'Table%03d' "$1"; }

# One struct; $1 = index, $2 = "annotated" or "plain". The middle table's `position` carries
# the marker the edit benchmark looks for.
table() {
  local i=$1 kind=$2 sql marker=""
  sql=$(printf 'table_%03d' "$i")
  [ "$i" -eq $((TABLES / 2)) ] && marker=" // edited"
  if [ "$kind" = annotated ]; then
    echo "#[table(name = \"$sql\")]"
    echo "#[index(name = \"${sql}_parent_id_idx\", on(parent_id))]"
  fi
  echo "#[derive(Debug, Clone)]"
  echo "pub struct $(name "$i") {"
  [ "$kind" = annotated ] && echo "    #[primary_key]"
  echo "    pub id: Uuid,"
  [ "$kind" = annotated ] && echo "    #[column(varchar = 255)]"
  echo "    pub name: String,"
  echo "    pub body: Option<String>,"
  echo "    pub position: i32,$marker"
  [ "$kind" = annotated ] && echo "    #[column(default = now)]"
  echo "    pub created_at: DateTime<Utc>,"
  if [ "$kind" = annotated ] && [ "$i" -gt 0 ]; then
    echo "    #[foreign_key(references = $(name $((i - 1)))::id, on_delete = cascade)]"
  fi
  echo "    pub parent_id: Option<Uuid>,"
  echo "}"
  echo
}

# $1 = crate name, $2 = "annotated" or "plain", $3 = "registry" to add a `schema!` list.
make_crate() {
  local dir=$WORK/$1
  mkdir -p "$dir/src"
  cp "$REPO/Cargo.lock" "$dir/"
  cat >"$dir/Cargo.toml" <<TOML
[package]
name = "$1"
version = "0.1.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
schema-core = { path = "$REPO/schema-core" }
uuid = { version = "1", features = ["v4", "serde"] }
chrono = { version = "0.4", default-features = false, features = ["clock", "std", "serde"] }
TOML
  {
    echo "#![allow(dead_code)]"
    echo "use chrono::{DateTime, Utc};"
    echo "use uuid::Uuid;"
    [ "$2" = annotated ] && echo "use schema_core::table;"
    echo
    for ((i = 0; i < TABLES; i++)); do table "$i" "$2"; done
    if [ "${3:-}" = registry ]; then
      echo "pub const SCHEMA: schema_core::Schema = schema_core::schema! {"
      echo "    enums: [],"
      echo -n "    tables: ["
      for ((i = 0; i < TABLES; i++)); do echo -n "$(name "$i"), "; done
      echo "],"
      echo "};"
    fi
  } >"$dir/src/lib.rs"
}

make_crate cc_plain plain
make_crate cc_tables annotated
make_crate cc_registry annotated registry

echo "== building dependencies (not measured)"
for c in cc_plain cc_tables cc_registry; do
  (cd "$WORK/$c" && cargo build --offline -q)
done

# The edit: the middle table's `position` goes from i32 to i64 and back (integer / bigint).
EDIT="sed -i -e 's|i32, // edited|i64, // edited|;t' -e 's|i64, // edited|i32, // edited|' src/lib.rs"

for c in cc_plain cc_tables cc_registry; do
  cd "$WORK/$c"
  echo "== $c"
  hyperfine --runs "$RUNS" --export-json "$OUT/compile_${c}.json" \
    --prepare "cargo clean --offline -q -p $c" -n "$c clean" "cargo build --offline -q" \
    --prepare "touch src/lib.rs" -n "$c touch" "cargo build --offline -q" \
    --prepare "$EDIT" -n "$c edit" "cargo build --offline -q"
done

echo
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
jq -rs --argjson n "$TABLES" '
  (map(.results[]) | map({(.command): .median}) | add) as $m
  | ["clean", "touch", "edit"][] as $k
  | "\($k): plain \($m["cc_plain " + $k] | . * 100 | round / 100) s, tables \($m["cc_tables " + $k] | . * 100 | round / 100) s, tables+registry \($m["cc_registry " + $k] | . * 100 | round / 100) s; added per table \(($m["cc_tables " + $k] - $m["cc_plain " + $k]) / $n * 1000 | . * 10 | round / 10) ms (with registry \(($m["cc_registry " + $k] - $m["cc_plain " + $k]) / $n * 1000 | . * 10 | round / 10) ms)"' \
  "$OUT"/compile_cc_plain.json "$OUT"/compile_cc_tables.json "$OUT"/compile_cc_registry.json
