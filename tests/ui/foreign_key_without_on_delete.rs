use schema_core::table;
use uuid::Uuid;

#[table(name = "users")]
pub struct User {
    #[primary_key]
    pub id: Uuid,
}

#[table(name = "posts")]
pub struct Post {
    #[primary_key]
    pub id: Uuid,
    #[foreign_key(references = User::id)]
    pub user_id: Uuid,
}

fn main() {}
