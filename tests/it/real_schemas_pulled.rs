//! The whole switch, on real schemas other tools built: each is loaded into a database,
//! pulled into a crate, and the crate is built as a team would build it. Its macros give back
//! the schema the initial migration was written from (`generate --check`), it adopts the
//! original by catalog proof and verifies it clean, and an empty database it migrates is the
//! original to `pg_dump --schema-only`'s eye. Slow: each case builds its crate (into a target
//! folder that later runs reuse).

use crate::pull::schema_dump;
use crate::support::cargo_crate;
use schema_core::pull::{pull, Dependency, PullOptions};
use schema_core::testing::TestDatabase;
use schema_core::DatabaseConfig;

/// Makes the switch for `file`; returns the pulled crate's folder.
async fn switch(file: &str) -> std::path::PathBuf {
    switch_but(file, &[]).await
}

/// [`switch`], where the rebuilt database may differ from the original only in the `pg_dump`
/// lines that hold one of `known` (each caller says why).
async fn switch_but(file: &str, known: &[&str]) -> std::path::PathBuf {
    switch_path(&crate::real_schemas::schemas_dir().join(file), known).await
}

/// [`switch_but`] for the SQL file at `path`.
async fn switch_path(path: &std::path::Path, known: &[&str]) -> std::path::PathBuf {
    let file = path.file_name().unwrap().to_str().unwrap();
    let original = TestDatabase::create().await.unwrap();
    crate::real_schemas::load(&original.url(), path);
    let dir = cargo_crate::crate_dir(&format!("real-{}", file.trim_end_matches(".sql")));
    let _ = std::fs::remove_dir_all(&dir);
    let options = PullOptions {
        out: dir.clone(),
        schema_core: Dependency::Path(cargo_crate::schema_core_path()),
        force: false,
    };
    let db = DatabaseConfig::from_url(&original.url()).unwrap();
    let report = pull(&db, "public", &options)
        .await
        .unwrap_or_else(|e| panic!("pull {file}: {e}\n{}", e.help()));
    // What `pull` says to run first: the initial migration installs pgcrypto.
    let client = original.connect().await.unwrap();
    for step in &report.before_adopt {
        assert!(step.starts_with("CREATE EXTENSION"), "{step}");
        let sql = step.split_once(';').unwrap().0;
        client.batch_execute(sql).await.unwrap();
    }
    cargo_crate::lock_like_the_checkout(&dir);
    let target = cargo_crate::target_dir().join("user-crates");
    let before = schema_dump(&original.url());
    // The last migration `pull` wrote: the initial one, or the carried one after it.
    let last = (report.files.iter())
        .filter_map(|f| {
            f.strip_prefix("migrations/meta/")?
                .strip_suffix("_snapshot.json")
        })
        .max()
        .unwrap()
        .to_string();
    let adopt = format!("cargo run --quiet --bin migrate -- adopt --through {last}");
    for step in [
        "cargo run --quiet --bin migrate -- generate --check --no-prove",
        &adopt,
        "cargo run --quiet --bin migrate -- verify",
        "cargo run --quiet --bin migrate",
    ] {
        let ran = cargo_crate::run(&dir, step, &original.url(), &target);
        assert!(ran.ok, "{file}: {}", ran.log);
    }
    let rebuilt = TestDatabase::create().await.unwrap();
    let ran = cargo_crate::run(
        &dir,
        "cargo run --quiet --bin migrate",
        &rebuilt.url(),
        &target,
    );
    assert!(ran.ok, "{file}: {}", ran.log);
    let after = schema_dump(&rebuilt.url());
    let unknown = |l: &&str| !known.iter().any(|k| l.contains(k));
    let diff: Vec<String> = (before.lines())
        .filter(|l| !after.contains(l))
        .filter(unknown)
        .map(|l| format!("- {l}"))
        .chain(
            (after.lines())
                .filter(|l| !before.contains(l))
                .filter(unknown)
                .map(|l| format!("+ {l}")),
        )
        .collect();
    if !diff.is_empty() {
        panic!(
            "{file}: the database the pulled crate builds differs from the original:\n{}",
            diff.join("\n")
        );
    }
    // Adopting took the database over without changing it.
    assert_eq!(schema_dump(&original.url()), before, "{file}");
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn chinook_is_pulled_adopted_and_rebuilt_identically() {
    let dir = switch("chinook.sql").await;
    // A `numeric(10,2)` column is a `Decimal` that keeps its precision by name, and the
    // manifest turns on the feature that maps it (the crate built with it above).
    let code = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    assert!(
        code.contains(
            "    #[column(sql_type = \"numeric(10,2)\")]\n    pub unit_price: rust_decimal::Decimal,"
        ) && !code.contains("does not decode"),
        "{code}"
    );
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("features = [\"decimal\"] }")
            && manifest.contains("rust_decimal = \"1\""),
        "{manifest}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn northwind_is_pulled_adopted_and_rebuilt_identically() {
    switch("northwind.sql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn dittofeed_is_pulled_adopted_and_rebuilt_identically() {
    switch("dittofeed.sql").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn homarr_is_pulled_adopted_and_rebuilt_identically() {
    switch("homarr.sql").await;
}

/// 67 tables: written a module per table.
#[tokio::test(flavor = "multi_thread")]
async fn dokploy_is_pulled_adopted_and_rebuilt_identically() {
    switch("dokploy.sql").await;
}

/// 112 tables, with triggers and the functions they call, an extension (`btree_gin`) its
/// indexes need, `NOT VALID` checks and foreign keys, storage parameters and comments: the
/// objects the language does not declare are carried by the migrations `pull` writes around
/// the initial one. One line differs, and only in spelling: PostgreSQL expands the trigger
/// condition `ROW(OLD.a, ..) IS DISTINCT FROM ROW(NEW.a, ..)` into ORs nested two by two and
/// prints them so, and that printed text, run again, parses into one flat OR, which prints
/// without the inner parentheses. The original keeps its own text (the snapshot holds it, so
/// the original adopts and verifies clean).
#[tokio::test(flavor = "multi_thread")]
async fn sim_is_pulled_with_its_carried_objects_adopted_and_rebuilt() {
    let dir = switch_but(
        "sim.sql",
        &["CREATE TRIGGER document_secret_provenance_demote"],
    )
    .await;
    let carried =
        std::fs::read_to_string(dir.join("migrations/0002_carried_after_tables.sql")).unwrap();
    assert!(carried.starts_with("-- schema:carried\n"), "{carried}");
    assert!(
        carried.contains("CREATE OR REPLACE FUNCTION public.trigger_set_timestamp()"),
        "{carried}"
    );
    let before =
        std::fs::read_to_string(dir.join("migrations/0000_carried_before_tables.sql")).unwrap();
    assert!(
        before.contains("CREATE EXTENSION IF NOT EXISTS \"btree_gin\";"),
        "{before}"
    );
}

/// 70 tables, 55 of them partitions of `payment`, with a domain, sequences no column owns that
/// the keys' defaults draw from, functions, an aggregate, views, a materialized view and
/// triggers: all carried or written as code. What differs, and why: pagila's own script sets
/// the owner and the privileges of the schema `public` itself (`ALTER SCHEMA public OWNER`,
/// `REVOKE USAGE ON SCHEMA public FROM PUBLIC`, `GRANT ALL ON SCHEMA public TO PUBLIC`),
/// which belong to the database, not to the schema's objects.
#[tokio::test(flavor = "multi_thread")]
async fn pagila_is_pulled_with_its_partitions_and_carried_objects_adopted_and_rebuilt() {
    let dir = switch_but(
        "pagila.sql",
        &["ALTER SCHEMA public OWNER", "ON SCHEMA public"],
    )
    .await;
    let before =
        std::fs::read_to_string(dir.join("migrations/0000_carried_before_tables.sql")).unwrap();
    assert!(
        before.contains("CREATE SEQUENCE \"actor_actor_id_seq\" AS bigint")
            && before.contains("CREATE DOMAIN \"year\" AS integer"),
        "{before}"
    );
    let after =
        std::fs::read_to_string(dir.join("migrations/0002_carried_after_tables.sql")).unwrap();
    assert!(
        after.contains("CREATE AGGREGATE public.group_concat(text)")
            && after.contains("CREATE MATERIALIZED VIEW \"rental_by_category\" AS")
            && after.contains(
                "CREATE UNIQUE INDEX rental_category ON public.rental_by_category USING btree \
                 (category);"
            ),
        "{after}"
    );
}

/// Each kind of object `pull` carries that the real schemas above do not hold, on a database
/// made by hand: a policy with row-level security forced, a rule, a replica identity, an
/// `UNLOGGED` table, a column comment, a procedure, a function a check calls (so it goes
/// before the tables) and a view on a view (so it goes after the one it names). The rebuilt
/// database is the original to `pg_dump`'s eye.
#[tokio::test(flavor = "multi_thread")]
async fn every_carried_kind_is_pulled_adopted_and_rebuilt_identically() {
    let sql = r#"
CREATE FUNCTION is_code(t text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT t ~ '^[A-Z]{3}$' $$;
CREATE TABLE accounts (id bigint PRIMARY KEY, code text NOT NULL CHECK (is_code(code)), owner_name text);
CREATE UNLOGGED TABLE scratch (id bigint PRIMARY KEY, note text);
CREATE TABLE audit (id bigint PRIMARY KEY, what text NOT NULL);
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON accounts USING (owner_name = current_user);
ALTER TABLE audit REPLICA IDENTITY FULL;
CREATE RULE no_delete AS ON DELETE TO audit DO INSTEAD NOTHING;
COMMENT ON COLUMN accounts.code IS 'three capitals';
CREATE PROCEDURE forget(n bigint) LANGUAGE sql AS $$ DELETE FROM scratch WHERE id = n $$;
CREATE VIEW codes AS SELECT code FROM accounts;
CREATE VIEW first_codes AS SELECT code FROM codes ORDER BY code LIMIT 10;
"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("carried_kinds.sql");
    std::fs::write(&path, sql).unwrap();
    let pulled = switch_path(&path, &[]).await;
    let before =
        std::fs::read_to_string(pulled.join("migrations/0000_carried_before_tables.sql")).unwrap();
    assert!(
        before.contains("FUNCTION public.is_code(t text)"),
        "{before}"
    );
    let after =
        std::fs::read_to_string(pulled.join("migrations/0002_carried_after_tables.sql")).unwrap();
    let codes = after.find("CREATE VIEW \"codes\"").unwrap();
    let first = after.find("CREATE VIEW \"first_codes\"").unwrap();
    assert!(codes < first, "{after}");
    for made in [
        "CREATE POLICY \"own_rows\" ON \"accounts\"",
        "ALTER TABLE \"accounts\" FORCE ROW LEVEL SECURITY;",
        "CREATE RULE no_delete AS",
        "ALTER TABLE \"audit\" REPLICA IDENTITY FULL;",
        "ALTER TABLE \"scratch\" SET UNLOGGED;",
        "COMMENT ON COLUMN \"accounts\".\"code\" IS 'three capitals';",
        "CREATE OR REPLACE PROCEDURE public.forget(IN n bigint)",
    ] {
        assert!(after.contains(made), "{made}\n{after}");
    }
}
