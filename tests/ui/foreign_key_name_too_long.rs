use schema_core::table;
use uuid::Uuid;

#[table(name = "practice_session_configurations")]
pub struct PracticeSessionConfiguration {
    #[primary_key]
    pub id: Uuid,
}

// Every name fits, but `attempt_histories_practice_session_configuration_id_
// practice_session_configurations_id_fk` does not: only the referenced path knows the
// referenced table's name, so this is caught by a constant evaluated at compile time.
#[table(name = "attempt_histories")]
pub struct AttemptHistory {
    #[primary_key]
    pub id: Uuid,
    #[foreign_key(references = PracticeSessionConfiguration::id, on_delete = cascade)]
    pub practice_session_configuration_id: Uuid,
}

fn main() {}
