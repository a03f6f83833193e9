use schema_core::pg_enum;

#[pg_enum]
pub enum Shape {
    Circle(f64),
    Square { side: f64 },
    Point,
}

#[pg_enum]
pub enum Nothing {}

#[pg_enum]
pub struct NotAnEnum;

fn main() {}
