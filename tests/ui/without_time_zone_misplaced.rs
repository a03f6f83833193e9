use chrono::{DateTime, Utc};
use schema_core::table;
use uuid::Uuid;

#[table(name = "visits")]
pub struct Visit {
    #[primary_key]
    pub id: Uuid,
    #[column(without_time_zone)]
    pub at: DateTime<Utc>,
}

#[table(name = "stays")]
pub struct Stay {
    #[primary_key]
    pub id: Uuid,
    #[column(sql_type = "timestamptz", without_time_zone)]
    pub at: DateTime<Utc>,
}

fn main() {}
