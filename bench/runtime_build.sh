#!/usr/bin/env bash
# What an application pays to run its migrations at startup: four minimal programs, each
# embedding the same three migrations and applying them when it starts, built one after the
# other in one run, each from an empty target dir:
#
#   schema-core           this checkout's schema-core, default features
#   schema-core lean      the same with `default-features = false`
#   refinery              refinery with its tokio-postgres driver
#   sqlx                  sqlx's migrator (postgres, migrate, runtime-tokio; macros for migrate!)
#
#   bench/runtime_build.sh           # prints a Markdown table
#
# Measured per program: the wall time of a cold `cargo build --release` (dependencies already
# downloaded, nothing compiled), the number of crates cargo compiled (its `Compiling` lines,
# the program included) and the size of the release binary after `strip`. The schema-core
# programs use this checkout's Cargo.lock; refinery and sqlx take the newest versions the
# registry offers (REFINERY=, SQLX= override the requirement). Needs the network once to
# fetch refinery and sqlx.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
REFINERY=${REFINERY:-0.10}
SQLX=${SQLX:-0.9}
WORK=$(mktemp -d)
# KEEP=1 leaves the programs and their target dirs in place, for a closer look.
[ -n "${KEEP:-}" ] && echo "programs in $WORK" >&2 || trap 'rm -rf "$WORK"' EXIT

migrations() {
  local dir=$1/migrations first=$2 second=$3 third=$4
  mkdir -p "$dir"
  printf 'CREATE TABLE authors (id bigint PRIMARY KEY, name text NOT NULL);\n' >"$dir/$first"
  printf 'CREATE TABLE posts (id bigint PRIMARY KEY, author_id bigint NOT NULL REFERENCES authors (id), slug text NOT NULL);\n' >"$dir/$second"
  printf 'CREATE INDEX posts_author_id_idx ON posts (author_id);\n' >"$dir/$third"
}

# $1 = name, $2 = the [dependencies] lines, $3 = src/main.rs
program() {
  local dir=$WORK/$1
  mkdir -p "$dir/src"
  cat >"$dir/Cargo.toml" <<TOML
[package]
name = "$1"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
$2
tokio = { version = "1", features = ["rt-multi-thread", "macros"] }
TOML
  printf 'fn main() {\n    println!("cargo:rerun-if-changed=migrations");\n}\n' >"$dir/build.rs"
  printf '%s\n' "$3" >"$dir/src/main.rs"
}

SCHEMA_CORE_MAIN='use schema_core::migrate::{DatabaseConfig, Migrator};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let report = Migrator::from_embedded(&schema_core::embed_migrations!("migrations"))?
        .run(&DatabaseConfig::from_env()?)
        .await?;
    println!("{report}");
    Ok(())
}'

program schema-core-default "schema-core = { path = \"$REPO/schema-core\" }" "$SCHEMA_CORE_MAIN"
program schema-core-lean "schema-core = { path = \"$REPO/schema-core\", default-features = false }" "$SCHEMA_CORE_MAIN"
for p in schema-core-default schema-core-lean; do
  migrations "$WORK/$p" 0000_authors.sql 0001_posts.sql 0002_posts_author_id.sql
  cp "$REPO/Cargo.lock" "$WORK/$p/"
done

program refinery "refinery = { version = \"$REFINERY\", features = [\"tokio-postgres\"] }
tokio-postgres = \"0.7\"" 'refinery::embed_migrations!("migrations");

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL")?;
    let (mut client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    let report = migrations::runner().run_async(&mut client).await?;
    println!("{} applied", report.applied_migrations().len());
    Ok(())
}'
migrations "$WORK/refinery" V1__authors.sql V2__posts.sql V3__posts_author_id.sql

program sqlx "sqlx = { version = \"$SQLX\", default-features = false, features = [\"postgres\", \"migrate\", \"runtime-tokio\", \"macros\"] }" '#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pool = sqlx::PgPool::connect(&std::env::var("DATABASE_URL")?).await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    println!("migrated");
    Ok(())
}'
migrations "$WORK/sqlx" 0001_authors.sql 0002_posts.sql 0003_posts_author_id.sql

for p in schema-core-default schema-core-lean refinery sqlx; do
  (cd "$WORK/$p" && cargo fetch --quiet)
done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $(rustc --version)" >&2
echo "| program | cold \`cargo build --release\` | crates compiled | stripped binary |"
echo "|---|---:|---:|---:|"
for p in schema-core-default schema-core-lean refinery sqlx; do
  dir=$WORK/$p
  export CARGO_TARGET_DIR=$dir/target
  start=$(date +%s.%N)
  (cd "$dir" && cargo build --release --offline 2>"$dir/build.log") || { cat "$dir/build.log" >&2; exit 1; }
  end=$(date +%s.%N)
  crates=$(grep -c '^ *Compiling ' "$dir/build.log")
  cp "$CARGO_TARGET_DIR/release/$p" "$dir/stripped"
  strip "$dir/stripped"
  size=$(stat -c %s "$dir/stripped")
  printf '| %s | %.0f s | %d | %.1f MB |\n' "$p" "$(echo "$end - $start" | bc)" "$crates" \
    "$(echo "scale=2; $size / 1000000" | bc)"
  echo "load average after $p: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
