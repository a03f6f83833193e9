//! Shared test support: descriptor constructors and the spec schema as data.
#![allow(dead_code)]

pub mod build;
pub mod cargo_crate;
pub mod migrated;
pub mod question_bank;
pub mod test_server;
pub mod versions;
