use schema_core::{pg_enum, table};
use uuid::Uuid;

#[pg_enum(type_name = "mood")]
pub enum Mood {
    #[pg_enum(label = "ok")]
    Fine,
}

#[table(table_name = "users")]
#[index(nam = "users_email_idx", on(email))]
pub struct User {
    #[primary_key(uuid)]
    pub id: Uuid,
    #[column(varchr = 320)]
    pub email: String,
    #[foreign_key(referenced = User::id, on_delete = cascade)]
    pub invited_by: Uuid,
}

fn main() {}
