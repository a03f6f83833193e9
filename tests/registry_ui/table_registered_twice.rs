mod common;
use common::*;

const SCHEMA: schema_core::Schema = schema_core::schema! { enums: [Mode], tables: [User, User, Session] };

fn main() {
    let _ = SCHEMA;
}
