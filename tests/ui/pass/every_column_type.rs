use chrono::{DateTime, Utc};
use schema_core::{pg_enum, table, Json, Table};
use uuid::Uuid;

#[pg_enum]
pub enum Colour {
    Red,
    DarkBlue,
}

#[table(name = "things")]
#[index(name = "things_small_big_idx", on(small, big(desc), colour(asc)))]
#[index(name = "things_at_idx", on(maybe_at(desc, nulls_last), medium(nulls_first)))]
pub struct Thing {
    #[primary_key]
    pub id: Uuid,
    pub text: String,
    #[column(varchar = 10)]
    pub short: Option<String>,
    pub flag: bool,
    pub small: i16,
    pub medium: i32,
    pub big: i64,
    pub single: f32,
    pub double: f64,
    pub at: DateTime<Utc>,
    pub maybe_at: Option<DateTime<Utc>>,
    pub doc: serde_json::Value,
    pub typed: Json<Vec<String>>,
    pub maybe_typed: Option<Json<Vec<String>>>,
    pub colour: Colour,
    pub maybe_colour: Option<Colour>,
    #[column(without_time_zone)]
    pub local_at: chrono::NaiveDateTime,
    pub day: chrono::NaiveDate,
    #[column(without_time_zone)]
    pub opens: Option<chrono::NaiveTime>,
    pub bytes: Vec<u8>,
    pub peer: Option<std::net::IpAddr>,
}

fn main() {
    assert_eq!(Thing::TABLE.columns.len(), 21);
    assert_eq!(Thing::colour.name(), "colour");
    let by_date = &Thing::TABLE.indexes[1].columns;
    assert!(by_date[0].desc && !by_date[0].nulls_first());
    assert!(!by_date[1].desc && by_date[1].nulls_first());
    let plain = &Thing::TABLE.indexes[0].columns[1];
    assert!(plain.desc && plain.nulls_first() && plain.nulls.is_none());
}
