//! The question-bank schema written with the macros is the spec, as data.

use crate::support;

use schema::SCHEMA as QUESTION_BANK;
use schema_core::registry::{unregistered_tables, validate};

#[test]
fn macro_built_schema_is_the_spec() {
    assert_eq!(QUESTION_BANK, support::question_bank::spec_schema());
}

#[test]
fn the_question_bank_passes_the_run_time_checks_too() {
    assert_eq!(validate(&QUESTION_BANK), Ok(()));
}

#[test]
fn every_declared_table_is_registered() {
    let missing: Vec<&str> = unregistered_tables(&QUESTION_BANK)
        .iter()
        .map(|t| t.table)
        .collect();
    assert!(missing.is_empty(), "{missing:?}");
}

#[test]
fn committed_migrations_are_in_step_with_the_code() {
    let dir = schema_core::files::journal::MigrationsDir::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/migrations"
    ));
    let problems = schema_core::generate::check(&QUESTION_BANK, &dir).expect("migrations readable");
    assert!(problems.is_empty(), "{problems:#?}");
    let initial = dir.sql("0000_initial").expect("initial migration");
    let spec = schema_core::plan::plan_create(&support::question_bank::spec_schema());
    assert_eq!(initial, schema_core::render::migration(&spec, false));
}

#[tokio::test(flavor = "multi_thread")]
async fn committed_migrations_and_their_downs_are_proved_on_a_shadow_database() {
    let dir = schema_core::files::journal::MigrationsDir::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/migrations"
    ));
    let server =
        schema_core::connection::DatabaseConfig::from_url(&schema_core::testing::admin_url())
            .expect("test server URL");
    let proof = schema_core::generate::prove(&QUESTION_BANK, &dir, &server)
        .await
        .expect("a shadow database on the test server");
    assert!(proof.is_proved(), "{proof}");
    let migrations = dir.journal().expect("journal").entries.len();
    assert_eq!(
        (proof.proved, proof.downs_proved),
        (migrations, migrations),
        "{proof}"
    );
}
