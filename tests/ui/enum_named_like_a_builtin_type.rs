use schema_core::pg_enum;

#[pg_enum]
pub enum Interval {
    Day,
    Month,
}

#[pg_enum(name = "json")]
pub enum Format {
    Plain,
}

fn main() {}
