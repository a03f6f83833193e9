use schema_core::table;

#[table(name = "logs")]
pub struct Log {
    pub message: String,
}

fn main() {}
