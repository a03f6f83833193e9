use schema_core::table;
use uuid::Uuid;

#[table(name = "users")]
pub struct User {
    #[primary_key]
    pub id: Uuid,
}

const SCHEMA: schema_core::Schema = schema_core::schema! {
    schema: "pg_app",
    enums: [],
    tables: [User],
};

fn main() {
    let _ = SCHEMA;
}
