use schema_core::table;
use uuid::Uuid;

#[table(name = "users")]
pub struct User {
    #[primary_key]
    pub id: Uuid,
    pub email: String,
}

// PostgreSQL refuses a foreign key to a column without a unique constraint or index (42830).
#[table(name = "invites")]
pub struct Invite {
    #[primary_key]
    pub id: Uuid,
    #[foreign_key(references = User::email, on_delete = cascade)]
    pub email: String,
}

const SCHEMA: schema_core::Schema = schema_core::schema! { enums: [], tables: [User, Invite] };

fn main() {
    let _ = SCHEMA;
}
