//! Shared test support: descriptor constructors and the spec schema as data.
#![allow(dead_code)]

pub mod build;
pub mod cargo_crate;
pub mod migrated;
pub mod question_bank;
pub mod test_server;
pub mod versions;

/// The SQL of each migration `generate` wrote, in order; panics when it wrote none.
pub fn written_sql(
    dir: &schema_core::files::journal::MigrationsDir,
    generated: &schema_core::generate::Generated,
) -> Vec<String> {
    let schema_core::generate::Generated::Written(entries) = generated else {
        panic!("nothing written");
    };
    entries
        .iter()
        .map(|(e, _)| dir.sql(&e.tag).unwrap())
        .collect()
}
