//! `pull`'s code: a schema written back as a crate whose macros give the same schema, whose
//! `migrate` program builds the database, and whose names are those of the database, however
//! unusual. Slow: each case builds the pulled crate (into a target folder that later runs
//! reuse).

use std::path::Path;

use crate::support::build::*;
use crate::support::cargo_crate::{self, Ran};
use schema_core::model::{OnDelete, Schema, SqlType};
use schema_core::pull::{write_project, Dependency, PullError, PullOptions};
use schema_core::testing::TestDatabase;

fn options(dir: &Path) -> PullOptions {
    PullOptions {
        out: dir.to_path_buf(),
        schema_core: Dependency::Path(cargo_crate::schema_core_path()),
        force: false,
    }
}

/// Writes the crate for `schema` in a folder of `name`, and runs `steps` in it.
fn pulled(name: &str, schema: &Schema, url: &str, steps: &[&str]) -> (String, Vec<Ran>) {
    let dir = cargo_crate::crate_dir(name);
    let _ = std::fs::remove_dir_all(&dir);
    let report = write_project(schema, "of a test", &options(&dir)).expect("write the crate");
    assert!(
        report.files.contains(&"src/lib.rs".to_string()),
        "{report:?}"
    );
    cargo_crate::lock_like_the_checkout(&dir);
    let code = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    let target = cargo_crate::target_dir().join("user-crates");
    let ran = steps
        .iter()
        .map(|step| cargo_crate::run(&dir, step, url, &target))
        .collect();
    (code, ran)
}

fn assert_all_ok(code: &str, ran: &[Ran]) {
    for r in ran {
        assert!(r.ok, "{}\n--- src/lib.rs ---\n{code}", r.log);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_question_bank_written_back_as_code_is_the_same_schema_and_builds_its_database() {
    let db = TestDatabase::create().await.unwrap();
    let (code, ran) = pulled(
        "pull-question-bank",
        &schema::SCHEMA,
        &db.url(),
        &[
            // The macros give back the schema the initial migration was written from.
            "cargo run --quiet --bin migrate -- generate --check --no-prove",
            "cargo run --quiet --bin migrate",
            "cargo run --quiet --bin migrate -- verify",
        ],
    );
    assert_all_ok(&code, &ran);
    // And the database it built is the question bank's.
    let client = db.connect().await.unwrap();
    let report = schema_core::catalog::verify(&client, &schema::SCHEMA)
        .await
        .unwrap();
    assert!(report.is_clean(), "{report}\n{code}");
}

/// Names with upper case, spaces, quotes and keywords, labels that are not identifiers, and a
/// type and a table whose Rust names would collide.
fn awkward_schema() -> Schema {
    let order = table(
        "Order Items",
        vec![
            uuid_pk(),
            col("type", SqlType::Text),
            null(col("userId", SqlType::BigInt)),
            col("2fa", SqlType::Boolean),
            col("say \"hi\"", SqlType::Text),
            enum_col("State", "order state"),
        ],
    );
    let order = index(
        order,
        "Order Items by type",
        false,
        &["type", "userId desc"],
    );
    let line = fk(
        table("order_items", vec![uuid_pk(), col("order", SqlType::Uuid)]),
        "order",
        "Order Items",
        OnDelete::Cascade,
    );
    Schema::new(
        vec![enum_def("order state", &["PAST DUE", "open", "1st"])].into(),
        vec![order, line].into(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn names_that_are_not_rust_identifiers_are_kept_exactly() {
    let schema = awkward_schema();
    let db = TestDatabase::create().await.unwrap();
    let (code, ran) = pulled(
        "pull-awkward",
        &schema,
        &db.url(),
        &[
            "cargo run --quiet --bin migrate -- generate --check --no-prove",
            "cargo run --quiet --bin migrate",
        ],
    );
    assert_all_ok(&code, &ran);
    for expected in [
        "pub r#type: String",
        "#[column(name = \"userId\")]",
        "#[pg_enum(rename = \"PAST DUE\")]",
        "#[table(name = \"Order Items\")]",
        "OrderItems2",
    ] {
        assert!(code.contains(expected), "`{expected}` in:\n{code}");
    }
    let client = db.connect().await.unwrap();
    let report = schema_core::catalog::verify(&client, &schema)
        .await
        .unwrap();
    assert!(report.is_clean(), "{report}\n{code}");
}

/// `numeric`, `inet`, `cidr` and `macaddr` columns get the types of the `decimal` and
/// `network` features, and the pulled manifest turns those on: the crate builds, and its
/// database verifies clean.
#[tokio::test(flavor = "multi_thread")]
async fn numeric_and_network_columns_get_typed_fields_and_their_features() {
    let other = |name: &str, ty: &'static str| col(name, SqlType::Other(ty.into()));
    let schema = Schema::new(
        vec![].into(),
        vec![table(
            "devices",
            vec![
                uuid_pk(),
                other("price", "numeric(10,2)"),
                null(other("balance", "numeric")),
                other("address", "inet"),
                null(other("network", "cidr")),
                other("mac", "macaddr"),
            ],
        )]
        .into(),
    );
    let db = TestDatabase::create().await.unwrap();
    let (code, ran) = pulled(
        "pull-typed",
        &schema,
        &db.url(),
        &[
            "cargo run --quiet --bin migrate -- generate --check --no-prove",
            "cargo run --quiet --bin migrate",
        ],
    );
    assert_all_ok(&code, &ran);
    for expected in [
        "    #[column(sql_type = \"numeric(10,2)\")]\n    pub price: rust_decimal::Decimal,",
        "    pub balance: Option<rust_decimal::Decimal>,",
        "    pub address: cidr::IpInet,",
        "    pub network: Option<cidr::IpCidr>,",
        "    pub mac: eui48::MacAddress,",
    ] {
        assert!(code.contains(expected), "`{expected}` in:\n{code}");
    }
    let manifest =
        std::fs::read_to_string(cargo_crate::crate_dir("pull-typed").join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("features = [\"decimal\", \"network\"] }"),
        "{manifest}"
    );
    let client = db.connect().await.unwrap();
    let report = schema_core::catalog::verify(&client, &schema)
        .await
        .unwrap();
    assert!(report.is_clean(), "{report}\n{code}");
}

#[test]
fn a_folder_that_holds_files_is_refused_and_force_replaces_only_what_pull_wrote() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let err = write_project(&schema::SCHEMA, "of a test", &options(dir.path())).unwrap_err();
    assert!(matches!(err, PullError::Exists { .. }), "{err}");
    assert!(err.to_string().contains("--force"), "{err}");

    let mut forced = options(dir.path());
    forced.force = true;
    write_project(&schema::SCHEMA, "of a test", &forced).expect("pull beside other files");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "mine"
    );
    // Again: the files are pull's own now.
    write_project(&schema::SCHEMA, "of a test", &forced).expect("pull again");

    // A Cargo.toml pull did not write is not overwritten.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("Cargo.toml"), "[package]\n").unwrap();
    let mut forced = options(other.path());
    forced.force = true;
    let err = write_project(&schema::SCHEMA, "of a test", &forced).unwrap_err();
    assert!(matches!(err, PullError::NotOurs { .. }), "{err}");
    assert_eq!(
        std::fs::read_to_string(other.path().join("Cargo.toml")).unwrap(),
        "[package]\n"
    );
}

/// `pg_dump --schema-only` of `url`, without what differs between two copies of one schema
/// (comments, the dump's own meta-commands) and without the schemas of migration ledgers.
pub(crate) fn schema_dump(url: &str) -> String {
    let output = std::process::Command::new("pg_dump")
        .args([
            "--schema-only",
            "--no-owner",
            "--no-privileges",
            "--exclude-schema=schema_migrations",
            "--exclude-table=_prisma_migrations",
            url,
        ])
        .output()
        .expect("run pg_dump");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        // `\restrict KEY` lines carry a key of each dump's own.
        .filter(|l| !l.starts_with("--") && !l.starts_with('\\') && !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_another_tool_built_is_pulled_adopted_and_rebuilt_identically() {
    // Built without this project's runner: the schema's SQL run by hand, and another tool's
    // ledger beside it.
    let original = TestDatabase::create().await.unwrap();
    let sql =
        schema_core::render::migration(&schema_core::plan::plan_create(&schema::SCHEMA), false);
    let client = original.connect().await.unwrap();
    client.batch_execute(&sql).await.unwrap();
    client
        .batch_execute("CREATE TABLE _prisma_migrations (id text PRIMARY KEY)")
        .await
        .unwrap();
    // Grants, which the pulled `schema!` declares (roles are cluster-wide: made idempotently).
    client
        .batch_execute(&format!(
            "{} GRANT ALL ON stripe_events TO PUBLIC;
             GRANT SELECT, INSERT ON questions, choices TO schema_core_pull_reader;",
            crate::verify_privileges::create_role("schema_core_pull_reader")
        ))
        .await
        .unwrap();

    let dir = cargo_crate::crate_dir("pull-live");
    let _ = std::fs::remove_dir_all(&dir);
    let db = schema_core::DatabaseConfig::from_url(&original.url()).unwrap();
    let report = schema_core::pull::pull(&db, "public", &options(&dir))
        .await
        .expect("pull");
    assert_eq!(report.left_out, ["_prisma_migrations"], "{report}");
    // It has pgcrypto, which the initial migration installs: nothing to do before adopt.
    assert!(report.before_adopt.is_empty(), "{report}");
    cargo_crate::lock_like_the_checkout(&dir);
    let code = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    let target = cargo_crate::target_dir().join("user-crates");
    assert!(
        code.contains(
            "    grants: [\n        \"PUBLIC\" => ALL on [StripeEvents],\n        \
             \"schema_core_pull_reader\" => [SELECT, INSERT] on [Choices, Questions],\n    ],\n"
        ),
        "{code}"
    );

    // The takeover: the catalog proves the database is the initial migration's schema.
    let steps = [
        "cargo run --quiet --bin migrate -- adopt --through 0000",
        "cargo run --quiet --bin migrate",
        "cargo run --quiet --bin migrate -- verify",
    ];
    let ran: Vec<Ran> = steps
        .iter()
        .map(|s| cargo_crate::run(&dir, s, &original.url(), &target))
        .collect();
    assert_all_ok(&code, &ran);
    assert!(ran[1].log.contains("up to date"), "{}", ran[1].log);

    // An empty database migrated by the pulled crate is the same schema, to pg_dump's eye.
    let rebuilt = TestDatabase::create().await.unwrap();
    let ran = cargo_crate::run(
        &dir,
        "cargo run --quiet --bin migrate",
        &rebuilt.url(),
        &target,
    );
    assert_all_ok(&code, &[ran]);
    assert_eq!(schema_dump(&original.url()), schema_dump(&rebuilt.url()));
}
