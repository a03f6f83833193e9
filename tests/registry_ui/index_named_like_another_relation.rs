use schema_core::table;
use uuid::Uuid;

#[table(name = "users")]
pub struct User {
    #[primary_key]
    pub id: Uuid,
}

// `users_pkey` is the name PostgreSQL gives the primary key of `users`.
#[table(name = "sessions")]
#[index(name = "users_pkey", on(user_id))]
pub struct Session {
    #[primary_key]
    pub id: Uuid,
    #[foreign_key(references = User::id, on_delete = cascade)]
    pub user_id: Uuid,
}

const SCHEMA: schema_core::Schema = schema_core::schema! { enums: [], tables: [User, Session] };

fn main() {
    let _ = SCHEMA;
}
