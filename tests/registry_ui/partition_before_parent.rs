use schema_core::table;

#[table(name = "events", partition_by = "RANGE (at)")]
#[primary_key(at, id)]
pub struct Events {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
}

#[table(name = "events_rest", partition_of = "events", for_values = "DEFAULT")]
#[primary_key(at, id)]
pub struct Events2024 {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
}

// A partition listed before the table it is a partition of.
const SCHEMA: schema_core::Schema = schema_core::schema! { enums: [], tables: [Events2024, Events] };

fn main() {
    let _ = SCHEMA;
}
