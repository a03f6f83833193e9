// The whole question-bank schema compiles; this case keeps it compiling as a user crate
// sees it, through the public API.
use schema::question_bank::{Attempt, User, ENUMS, TABLES};
use schema::Table;

fn main() {
    assert_eq!(ENUMS.len(), 5);
    assert_eq!(TABLES.len(), 11);
    assert_eq!(User::email.name(), "email");
    assert_eq!(Attempt::TABLE.foreign_keys.len(), 4);
}
