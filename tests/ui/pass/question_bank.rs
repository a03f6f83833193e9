// The whole question-bank schema compiles; this case keeps it compiling as a user crate
// sees it, through the public API.
use schema::question_bank::{Attempt, User, SCHEMA};
use schema_core::Table;

fn main() {
    assert_eq!(SCHEMA.enums.len(), 5);
    assert_eq!(SCHEMA.tables.len(), 11);
    assert_eq!(User::email.name(), "email");
    assert_eq!(Attempt::TABLE.foreign_keys.len(), 4);
}
