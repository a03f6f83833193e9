mod common;
use common::*;

const SCHEMA: schema_core::Schema = schema_core::schema! { enums: [Mode], tables: [User, Session] };

fn main() {
    assert_eq!(SCHEMA.tables.len(), 2);
}
