mod common;
use common::*;

const SCHEMA: schema::Schema = schema::schema! { enums: [Mode], tables: [Session, User] };

fn main() {
    let _ = SCHEMA;
}
