use chrono::NaiveDateTime;
use schema_core::table;
use uuid::Uuid;

type Stamp = chrono::NaiveDateTime;

#[table(name = "events")]
pub struct Event {
    #[primary_key]
    pub id: Uuid,
    pub happened_at: NaiveDateTime,
    pub seen_at: Option<chrono::NaiveDateTime>,
    pub opens_at: chrono::NaiveTime,
    #[column(sql_type = "timestamp(3)")]
    pub logged_at: String,
}

// An alias hides the type from the macro; the compiler finds it.
#[table(name = "stamps")]
pub struct Stamped {
    #[primary_key]
    pub id: Uuid,
    pub at: Stamp,
}

fn main() {}
