use schema_core::table;
use uuid::Uuid;

#[table(name = "tickets")]
pub struct Ticket {
    #[primary_key(identity)]
    pub id: Uuid,
    #[column(serial)]
    pub code: String,
    #[column(identity = by_default)]
    pub seat: Option<i32>,
}

fn main() {}
