use schema_core::table;
use uuid::Uuid;

#[table(name = "users")]
pub struct User {
    #[primary_key]
    pub id: Uuid,
}

// Deleting a user would set `owner_id` to its default, and there is none.
#[table(name = "notes")]
pub struct Note {
    #[primary_key]
    pub id: Uuid,
    #[foreign_key(references = User::id, on_delete = set_default)]
    pub owner_id: Uuid,
}

fn main() {}
