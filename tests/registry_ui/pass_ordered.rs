mod common;
use common::*;

const SCHEMA: schema::Schema = schema::schema! { enums: [Mode], tables: [User, Session] };

fn main() {
    assert_eq!(SCHEMA.tables.len(), 2);
}
