use chrono::{DateTime, Utc};
use schema_core::table;
use uuid::Uuid;

#[table(name = "sessions")]
#[index(name = "sessions_ended_at_idx", on(ended_at(desc, nulls_lst)))]
#[index(name = "sessions_started_at_idx", on(started_at(asc, desc)))]
#[index(name = "sessions_both_idx", on(started_at(nulls_first, nulls_last)))]
pub struct Session {
    #[primary_key]
    pub id: Uuid,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

fn main() {}
