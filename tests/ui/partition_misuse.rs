use schema_core::table;

// Bounds without the parent they are bounds in.
#[table(name = "events_2024", for_values = "FROM ('2024-01-01') TO ('2025-01-01')")]
#[primary_key(at, id)]
pub struct Events2024 {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
}

// A partition without bounds.
#[table(name = "events_2025", partition_of = "events")]
#[primary_key(at, id)]
pub struct Events2025 {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
}

// A partition partitioned again, and a partitioned table with bounds.
#[table(name = "events_2026", partition_by = "RANGE (at)", partition_of = "events", for_values = "DEFAULT")]
#[primary_key(at, id)]
pub struct Events2026 {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
}

#[table(name = "events", partition_by = "RANGE (at)", for_values = "DEFAULT")]
#[primary_key(at, id)]
pub struct Events {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
}

fn main() {}
