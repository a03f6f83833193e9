//! The connection to the server: configuration from a URL, a key=value string or the `PG*`
//! variables (and `.env`), TLS, the bounded connect, the pool wait, and creating or dropping
//! a database. It knows nothing of migrations: the runner, the catalog reader and the tests
//! all connect through it.
//!
//! Nothing is chosen by accident: with no URL and no `PG*` variable there is no connection
//! ([`ConnectError::NoDatabase`]), and a missing database is created only when asked
//! ([`DatabaseConfig::create_database`]).

mod config;
mod connect;
mod conninfo;
mod error;
pub(crate) mod pool;
mod scratch;
mod tls;

pub use config::{DatabaseConfig, DATABASE_URL_VAR, DEFAULT_CONNECT_TIMEOUT};
pub use error::ConnectError;
pub use scratch::{copy_database, create_database, drop_database};
pub(crate) use tls::Connector;
pub use tls::{SslMode, TlsError, TlsSettings};
