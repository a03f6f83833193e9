use chrono::NaiveDateTime;
use schema_core::table;
use uuid::Uuid;

#[table(name = "events")]
pub struct Event {
    #[primary_key]
    pub id: Uuid,
    pub happened_at: NaiveDateTime,
    pub seen_at: Option<chrono::NaiveDateTime>,
}

fn main() {}
