use schema_core::pg_enum;

#[pg_enum]
#[derive(Debug, Clone, serde::Serialize)]
pub enum Mood {
    Fine,
}

fn main() {
    // The enum keeps the derive the macro does not write.
    let _ = serde_json::to_string(&Mood::Fine);
}
