use schema_core::table;
use uuid::Uuid;

#[table(name = "codes")]
pub struct Code {
    #[primary_key(natural)]
    pub code: Option<String>,
}

#[table(name = "pairs")]
#[primary_key(left_id, right_id)]
pub struct Pair {
    pub left_id: Uuid,
    pub right_id: Option<Uuid>,
}

fn main() {}
