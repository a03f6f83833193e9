use schema_core::table;
use uuid::Uuid;

#[table(name = "audit_log", no_primary_key)]
pub struct AuditLog {
    #[primary_key]
    pub id: Uuid,
    pub message: String,
}

fn main() {}
