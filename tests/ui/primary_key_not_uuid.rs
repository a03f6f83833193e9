use schema_core::table;

#[table(name = "codes")]
pub struct Code {
    #[primary_key]
    pub id: String,
}

#[table(name = "counters")]
pub struct Counter {
    #[primary_key]
    pub id: i64,
}

fn main() {}
