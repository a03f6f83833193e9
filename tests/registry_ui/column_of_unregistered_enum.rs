mod common;
use common::*;

const SCHEMA: schema::Schema = schema::schema! { enums: [], tables: [User, Session] };

fn main() {
    let _ = SCHEMA;
}
