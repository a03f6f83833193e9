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
