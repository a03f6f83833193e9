use schema_core::table;
use uuid::Uuid;

// Tables, indexes and the primary key's index share one namespace in PostgreSQL.
#[table(name = "tags")]
#[unique_index(name = "tags_pkey", on(label))]
#[index(name = "tags", on(label))]
pub struct Tag {
    #[primary_key]
    pub id: Uuid,
    pub label: String,
}

fn main() {}
