use chrono::{DateTime, Utc};
use schema_core::{pg_enum, table};
use uuid::Uuid;

#[pg_enum]
pub enum Level {
    Low,
    High,
}

#[table(name = "readings")]
pub struct Reading {
    #[primary_key]
    pub id: Uuid,
    #[column(default = now)]
    pub count: i32,
    #[column(default = 0)]
    pub taken_at: DateTime<Utc>,
    #[column(default = true)]
    pub label: String,
    #[column(default = 70000)]
    pub small: i16,
    #[column(default = "medium")]
    pub level: Level,
    #[column(varchar = 8)]
    pub code: i32,
    #[column(default = 0.5)]
    pub whole: i32,
    #[column(default = 16777217)]
    pub single: f32,
}

fn main() {}
