//! Schema-as-code for PostgreSQL.
//!
//! A schema is written as annotated Rust items (`#[table]`, `#[pg_enum]`), declared once as
//! an ordered list, planned into SQL statements, written as committed migrations and applied
//! by a runner that locks, verifies checksums and uses one transaction per migration.

pub mod model;
pub mod stripe_events;
pub mod testing;
pub mod traits;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use model::*;
pub use traits::{PgEnum, RowError, Table};
