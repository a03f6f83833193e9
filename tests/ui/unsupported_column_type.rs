use schema_core::table;
use uuid::Uuid;

#[table(name = "items")]
pub struct Item {
    #[primary_key]
    pub id: Uuid,
    pub count: u32,
}

fn main() {}
