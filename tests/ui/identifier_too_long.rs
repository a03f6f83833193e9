use schema_core::{pg_enum, table};
use uuid::Uuid;

#[pg_enum(name = "an_enum_type_name_that_goes_on_and_on_well_past_what_postgres_keeps")]
pub enum Long {
    AVariantWhoseSnakeCaseLabelIsLongerThanSixtyThreeBytesWhenSpelledOut,
}

#[table(name = "a_table_name_that_goes_on_and_on_well_past_what_postgres_would_keep")]
#[index(
    name = "an_index_name_that_goes_on_and_on_well_past_what_postgres_keeps_",
    on(a_column_name_that_goes_on_and_on_well_past_what_postgres_would_keep)
)]
pub struct Long1 {
    #[primary_key]
    pub id: Uuid,
    pub a_column_name_that_goes_on_and_on_well_past_what_postgres_would_keep: i32,
}

// Each name fits; the derived composite key name does not.
#[table(name = "question_tag_assignments_by_editor")]
#[primary_key(question_identifier, tag_identifier)]
pub struct Assignment {
    pub question_identifier: Uuid,
    pub tag_identifier: Uuid,
}

fn main() {}
