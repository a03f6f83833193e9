use schema_core::table;

#[table(name = "pairs")]
pub struct Pair(uuid::Uuid, i32);

#[table(name = "kinds")]
pub enum Kind {
    A,
}

fn main() {}
