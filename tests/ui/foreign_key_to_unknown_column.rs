use schema_core::table;
use uuid::Uuid;

#[table(name = "users")]
pub struct User {
    #[primary_key]
    pub id: Uuid,
}

// The referenced column is a Rust path, so a typo is the compiler's error, with its
// suggestion of the column that exists.
#[table(name = "posts")]
pub struct Post {
    #[primary_key]
    pub id: Uuid,
    #[foreign_key(references = User::uid, on_delete = cascade)]
    pub user_id: Uuid,
}

fn main() {}
