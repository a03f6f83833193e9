//! The question-bank schema written with the macros is the spec, as data.

mod support;

use schema::registry::{unregistered_tables, validate, QUESTION_BANK};

#[test]
fn macro_built_schema_is_the_spec() {
    assert_eq!(QUESTION_BANK, support::question_bank::spec_schema());
}

#[test]
fn registry_lists_the_question_bank_items_in_order() {
    assert_eq!(&*QUESTION_BANK.enums, schema::question_bank::ENUMS);
    assert_eq!(&*QUESTION_BANK.tables, schema::question_bank::TABLES);
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
    let dir = schema::migrations_dir::MigrationsDir::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/migrations"
    ));
    let problems = schema::generate::check(&QUESTION_BANK, &dir).expect("migrations readable");
    assert!(problems.is_empty(), "{problems:#?}");
    let initial = dir.sql("0000_initial").expect("initial migration");
    let spec = schema::plan::plan_create(&support::question_bank::spec_schema());
    assert_eq!(initial, schema::render::migration(&spec, false));
}
