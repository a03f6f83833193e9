use schema_core::table;
use uuid::Uuid;

#[table(name = "bookings")]
#[unique(on(room_id, starts_on), name = "bookings_room_day")]
#[index(name = "bookings_room_idx", on(room_id), include(guest, nights))]
pub struct Booking {
    #[primary_key]
    pub id: Uuid,
    pub room_id: Uuid,
    pub starts_at: i64,
    pub guest: String,
}

fn main() {}
