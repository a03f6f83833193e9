//! The integration tests, one module per area, in a single binary: every test binary is a
//! crate compiled and linked on its own against the whole engine, so one binary instead of one
//! per file builds the tests in a fraction of the time.
//!
//! The tests share a process. A test that needs process-wide state of its own (environment
//! variables, the current directory) runs it in a child process; see `migrate_test_database`.

// Shared helpers, included once.
mod migrate_support;
mod support;
mod verify_fixture;

mod adopt;
mod carried;
mod catalog_read;
mod connections;
mod database_choice;
mod dependency_pins;
mod drizzle_elements;
mod drizzle_parity;
mod evolution;
mod generate_diff;
mod generate_editable;
mod generate_elements;
mod generate_files;
mod generate_online;
mod generate_proof;
mod generate_question_bank;
mod generate_registry;
mod generate_registry_ui;
mod language;
mod lean_runtime;
mod lint;
mod migrate_apply;
mod migrate_cli;
mod migrate_concurrency;
mod migrate_online;
mod migrate_question_bank;
mod migrate_refuse;
mod migrate_revert;
mod migrate_test_database;
mod migrate_test_spares;
mod migrate_verify;
mod migrate_verify_cli;
mod migrate_waits;
mod pg_schema;
mod pull;
mod pull_partitions;
mod question_bank_schema;
mod readme_own_schema;
mod real_schemas;
mod real_schemas_pulled;
mod silent_server;
mod stripe_events;
mod stripe_events_entitlement;
mod typed_rows;
mod ui;
mod verify_enums;
mod verify_keys;
mod verify_objects;
mod verify_privileges;
mod verify_question_bank;
mod verify_tables;
mod wrong_sql;
