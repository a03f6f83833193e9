use chrono::{DateTime, Utc};
use schema_core::table;

#[table(name = "jobs")]
pub struct Job {
    #[primary_key(serial)]
    pub id: i64,
    #[column(default = now, default_sql = "CURRENT_TIMESTAMP")]
    pub queued_at: DateTime<Utc>,
    #[column(identity, default = 1)]
    pub attempt: i32,
    #[column(default_sql = "now()")]
    pub started_at: DateTime<Utc>,
}

fn main() {}
