mod common;
use common::*;

// `Session` is a table, but not one of this schema's.
const SCHEMA: schema_core::Schema = schema_core::schema! {
    enums: [],
    tables: [User],
    grants: ["app_read" => SELECT on [User, Session]],
};

fn main() {
    let _ = SCHEMA;
}
