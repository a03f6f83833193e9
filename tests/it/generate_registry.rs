//! The ordered registry: `schema!` over hand-written `Table`/`PgEnum` impls, run-time
//! validation of hand-built schemas, and tables declared in code but left unregistered.

use crate::support;

use schema_core::model::*;
use schema_core::registry::{unregistered_tables, validate, RegistryError};
use schema_core::{schema, Table};
use std::borrow::Cow;
use support::build::*;

// The hand-written enum and tables the compile-fail cases of `tests/registry_ui` use: one
// fixture for both.
#[path = "../registry_ui/common.rs"]
mod common;
use common::{Mode, Session, User};

const SCHEMA: Schema = schema! { enums: [Mode], tables: [User, Session] };

schema_core::__private::inventory::submit! {
    schema_core::__private::TableRegistration {
        table: "users",
        rust_path: "generate_registry::User",
        definition: &<User as Table>::TABLE,
    }
}
schema_core::__private::inventory::submit! {
    schema_core::__private::TableRegistration {
        table: "orphans",
        rust_path: "generate_registry::Orphan",
        definition: &ORPHANS,
    }
}

/// A table declared in this crate and left out of `SCHEMA`.
const ORPHANS: TableDef = TableDef {
    name: Cow::Borrowed("orphans"),
    columns: Cow::Borrowed(&[]),
    primary_key: PrimaryKey::Column(Cow::Borrowed("id")),
    foreign_keys: Cow::Borrowed(&[]),
    indexes: Cow::Borrowed(&[]),
    renamed_from: None,
    ..schema_core::model::TableDef::BLANK
};

#[test]
fn schema_macro_keeps_the_declared_order() {
    let tables: Vec<&str> = SCHEMA.tables.iter().map(|t| &*t.name).collect();
    assert_eq!(tables, ["users", "sessions"]);
    assert_eq!(SCHEMA.enums[0].name, "practice_mode");
    assert_eq!(validate(&SCHEMA), Ok(()));
}

#[test]
fn a_declared_table_missing_from_the_schema_is_reported() {
    let missing: Vec<&str> = unregistered_tables(&SCHEMA)
        .iter()
        .map(|r| r.table)
        .collect();
    // The question bank's `#[table]` structs are linked into this test too, but they belong to
    // another crate's schema (its `users` is not this one), so only this crate's orphan counts.
    assert_eq!(missing, ["orphans"]);
}

fn schema_of(enums: Vec<EnumDef>, tables: Vec<TableDef>) -> Schema {
    Schema {
        enums: enums.into(),
        tables: tables.into(),
        ..Default::default()
    }
}

#[test]
fn foreign_key_to_an_unregistered_table_is_refused_and_to_a_later_one_accepted() {
    let sessions = fk(
        table("sessions", vec![uuid_pk(), col("user_id", SqlType::Uuid)]),
        "user_id",
        "users",
        OnDelete::Cascade,
    );
    let errors = validate(&schema_of(vec![], vec![sessions.clone()])).unwrap_err();
    assert!(
        matches!(&errors[..], [RegistryError::UnknownTable { target, .. }] if target == "users")
    );
    let users = table("users", vec![uuid_pk()]);
    // Every table is created before any foreign key, so the list's order is free: tables
    // that reference each other in a cycle can be listed at all.
    let later = schema_of(vec![], vec![sessions.clone(), users.clone()]);
    assert_eq!(validate(&later), Ok(()));
    let plan = schema_core::plan::plan_create(&later);
    let first_key = plan
        .iter()
        .position(|s| matches!(s, schema_core::plan::Statement::AddForeignKey { .. }))
        .unwrap();
    let last_table = plan
        .iter()
        .rposition(|s| matches!(s, schema_core::plan::Statement::CreateTable(_)))
        .unwrap();
    assert!(last_table < first_key, "{plan:?}");
    assert_eq!(validate(&schema_of(vec![], vec![users, sessions])), Ok(()));
}

#[test]
fn enum_column_needs_a_registered_enum() {
    let t = table("t", vec![uuid_pk(), enum_col("mode", "practice_mode")]);
    let errors = validate(&schema_of(vec![], vec![t.clone()])).unwrap_err();
    assert!(
        matches!(&errors[..], [RegistryError::UnknownEnum { enum_name, .. }] if enum_name == "practice_mode")
    );
    assert_eq!(
        validate(&schema_of(vec![enum_def("practice_mode", &["a"])], vec![t])),
        Ok(())
    );
}

#[test]
fn every_problem_of_a_broken_schema_is_listed() {
    let long = "x".repeat(64);
    let t = table(
        "t",
        vec![
            uuid_pk(),
            col(&long, SqlType::Text),
            col("a", SqlType::Uuid),
            col("a", SqlType::Uuid),
        ],
    );
    let t = fk(t, "a", "t", OnDelete::SetNull);
    let t = index(t, "t_missing_idx", false, &["nope"]);
    let t = index(t, "t_missing_idx", false, &["a"]);
    let e = enum_def("e", &["x", "x"]);
    let dup = table("t", vec![uuid_pk()]);
    let errors = validate(&schema_of(vec![e], vec![t, dup])).unwrap_err();
    let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    let has = |needle: &str| text.iter().any(|t| t.contains(needle));
    assert!(
        has(&format!("column `{long}` is 64 bytes long")),
        "{text:#?}"
    );
    assert!(
        has("column `a` is declared twice in the table `t`"),
        "{text:#?}"
    );
    assert!(
        has("label `x` is declared twice in the enum type `e`"),
        "{text:#?}"
    );
    assert!(has("index `t_missing_idx` is declared twice"), "{text:#?}");
    assert!(
        has("the index `t_missing_idx` of the table `t` names the column `nope`"),
        "{text:#?}"
    );
    assert!(
        has("ON DELETE SET NULL but the column is NOT NULL"),
        "{text:#?}"
    );
    assert!(has("table `t` is declared twice"), "{text:#?}");
}

#[test]
fn derived_constraint_names_count_against_the_limit() {
    let target = table(&"r".repeat(30), vec![uuid_pk()]);
    let t = table(
        &"t".repeat(30),
        vec![uuid_pk(), col("ref_id", SqlType::Uuid)],
    );
    let t = fk(t, "ref_id", &"r".repeat(30), OnDelete::Cascade);
    let errors = validate(&schema_of(vec![], vec![target, t])).unwrap_err();
    assert!(
        matches!(
            &errors[..],
            [RegistryError::ForeignKeyNameTooLong { table, .. }] if table.len() == 30
        ),
        "{errors:?}"
    );
}

#[test]
fn foreign_key_types_and_targets_must_match() {
    let target = table("r", vec![uuid_pk(), col("code", SqlType::Text)]);
    let t = table("t", vec![uuid_pk(), col("r_id", SqlType::Text)]);
    let t = fk(t, "r_id", "r", OnDelete::Cascade);
    let mut by_code = t.clone();
    by_code.foreign_keys.to_mut()[0].references_column = "code".into();
    let errors = validate(&schema_of(vec![], vec![target.clone(), t])).unwrap_err();
    assert!(
        matches!(&errors[..], [RegistryError::ForeignKeyType { .. }]),
        "{errors:?}"
    );
    let errors = validate(&schema_of(vec![], vec![target, by_code])).unwrap_err();
    assert!(
        matches!(&errors[..], [RegistryError::ReferencedNotUnique { .. }]),
        "{errors:?}"
    );
}

#[test]
fn defaults_must_fit_their_column() {
    let t = table(
        "t",
        vec![
            uuid_pk(),
            def(col("n", SqlType::SmallInt), ColumnDefault::Int(70_000)),
        ],
    );
    let errors = validate(&schema_of(vec![], vec![t])).unwrap_err();
    assert!(matches!(&errors[..], [RegistryError::DefaultType { column, .. }] if column == "n"));
}

#[test]
fn the_spec_schema_is_valid() {
    assert_eq!(validate(&support::question_bank::spec_schema()), Ok(()));
}

#[test]
fn generate_refuses_to_run_while_a_table_is_unregistered() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let args = schema_core::generate::CommandArgs {
        dir: tmp.path().to_path_buf(),
        check: false,
        options: Default::default(),
        ..Default::default()
    };
    let mut out = Vec::new();
    let ok = schema_core::generate::run(&SCHEMA, &args, &mut out).expect("runs");
    let out = String::from_utf8(out).expect("utf-8");
    assert!(!ok);
    assert!(out.contains("the table `orphans` (generate_registry::Orphan) is declared with #[table] but not registered"), "{out}");
    assert!(
        std::fs::read_dir(tmp.path()).expect("dir").next().is_none(),
        "nothing written"
    );
}

/// The first message of a trybuild case: what the compiler printed for it.
fn compiler_message(case: &str) -> String {
    let stderr = std::fs::read_to_string(format!("tests/registry_ui/{case}.stderr")).unwrap();
    let first = stderr.lines().next().unwrap();
    let (_, message) = first.split_once("evaluation panicked: ").unwrap();
    message.to_string()
}

/// `schema!` (at compile time) and `validate` (at run time) refuse the same schemas with the
/// same words: a schema the compiler passed is not refused later by `generate`.
#[test]
fn the_run_time_check_prints_the_compilers_words() {
    let users = table("users", vec![uuid_pk(), col("email", SqlType::Text)]);
    let mut invites = table("invites", vec![uuid_pk(), col("email", SqlType::Text)]);
    invites.foreign_keys = vec![ForeignKeyDef::new(
        "email".into(),
        "users".into(),
        "email".into(),
        OnDelete::Cascade,
    )]
    .into();
    let errors = validate(&schema_of(vec![], vec![users.clone(), invites])).unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [compiler_message(
            "foreign_key_to_a_column_that_is_not_unique"
        )]
    );

    let sessions = fk(
        table("sessions", vec![uuid_pk(), col("user_id", SqlType::Uuid)]),
        "user_id",
        "users",
        OnDelete::Cascade,
    );
    let clashing = index(sessions.clone(), "users_pkey", false, &["user_id"]);
    let errors = validate(&schema_of(vec![], vec![users.clone(), clashing])).unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [compiler_message("index_named_like_another_relation")]
    );

    let clashing = index(sessions, "users", false, &["user_id"]);
    let errors = validate(&schema_of(vec![], vec![users.clone(), clashing])).unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(text, [compiler_message("index_named_like_another_table")]);

    let mut reserved = schema_of(vec![], vec![users]);
    reserved.pg_schema = "pg_app".into();
    let errors = validate(&reserved).unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(text, [compiler_message("reserved_pg_schema")]);
}
