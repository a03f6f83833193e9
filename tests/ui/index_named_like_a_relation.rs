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

// A composite key's constraint is named `<table>_<column>_<column>_pk`.
#[table(name = "pairs")]
#[primary_key(left_id, right_id)]
#[index(name = "pairs_left_id_right_id_pk", on(right_id))]
pub struct Pair {
    pub left_id: Uuid,
    pub right_id: Uuid,
}

fn main() {}
