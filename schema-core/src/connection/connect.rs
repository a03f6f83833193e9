//! Connecting to the database a [`DatabaseConfig`] names: the whole exchange (socket, TLS,
//! authentication) bounded by its `connect_timeout`, each failure told apart (unreachable,
//! silent, TLS, password missing or refused, database missing), and the database created when
//! missing if that was asked for.

use std::time::Duration;

use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Config};

use super::config::DatabaseConfig;
use super::error::ConnectError;

/// Why a connection attempt failed, before it is told apart for the user.
enum Failed {
    Driver(tokio_postgres::Error),
    /// The server did not finish the exchange within this long.
    Silent(Duration),
}

impl Failed {
    fn is_missing_database(&self) -> bool {
        matches!(self, Failed::Driver(e) if e.code() == Some(&SqlState::INVALID_CATALOG_NAME))
    }
}

impl DatabaseConfig {
    /// Connects; when the database does not exist, creates it through the server's
    /// `postgres` database and connects again, whatever
    /// [`DatabaseConfig::create_database`] says (calling this is the choice). Returns whether
    /// this call created it (when several migrators race to create it, exactly one did).
    pub async fn connect_or_create(&self) -> Result<(Client, bool), ConnectError> {
        match self.attempt(&self.config).await {
            Ok(client) => Ok((client, false)),
            Err(failed) if failed.is_missing_database() => {
                let created = self.create_missing().await?;
                let client = self
                    .attempt(&self.config)
                    .await
                    .map_err(|f| self.connect_error(f))?;
                Ok((client, created))
            }
            Err(failed) => Err(self.connect_error(failed)),
        }
    }

    /// Connects without creating anything.
    pub async fn connect(&self) -> Result<Client, ConnectError> {
        self.attempt(&self.config).await.map_err(|failed| {
            if failed.is_missing_database() {
                ConnectError::DatabaseMissing {
                    target: self.target(),
                    database: self.database(),
                }
            } else {
                self.connect_error(failed)
            }
        })
    }

    async fn create_missing(&self) -> Result<bool, ConnectError> {
        let database = self.database();
        let mut admin = self.config.clone();
        admin.dbname("postgres");
        let client = self
            .attempt(&admin)
            .await
            .map_err(|f| self.connect_error(f))?;
        match super::scratch::create_database(&client, &database).await {
            Ok(()) => Ok(true),
            // Another migrator created it a moment ago: that is what was wanted. Two creates
            // in flight at once end in a unique violation on pg_database instead of 42P04.
            Err(e)
                if e.code() == Some(&SqlState::DUPLICATE_DATABASE)
                    || e.code() == Some(&SqlState::UNIQUE_VIOLATION) =>
            {
                Ok(false)
            }
            Err(source) => Err(ConnectError::CreateDatabase { database, source }),
        }
    }

    /// tokio-postgres bounds only the socket's connect; a server (or a proxy in front of it)
    /// that accepts and then says nothing would hold the startup and authentication exchange
    /// forever. The bound is the timeout for each host, as libpq applies it.
    async fn attempt(&self, config: &Config) -> Result<Client, Failed> {
        let connecting = config.connect(self.connector.clone());
        let (client, connection) = match self.connect_timeout() {
            None => connecting.await.map_err(Failed::Driver)?,
            Some(each) => {
                let limit = each * config.get_hosts().len().max(1) as u32;
                tokio::time::timeout(limit, connecting)
                    .await
                    .map_err(|_| Failed::Silent(limit))?
                    .map_err(Failed::Driver)?
            }
        };
        tokio::spawn(async move {
            // Ends when the client is dropped; an error then concerns nobody.
            let _ = connection.await;
        });
        Ok(client)
    }

    fn connect_error(&self, failed: Failed) -> ConnectError {
        let target = format!("{} ({})", self.target(), self.origin());
        let e = match failed {
            Failed::Silent(waited) => return ConnectError::ConnectTimeout { target, waited },
            Failed::Driver(e) => e,
        };
        match e.code() {
            Some(code)
                if [
                    SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
                    SqlState::INVALID_PASSWORD,
                ]
                .contains(code) =>
            {
                ConnectError::Authentication {
                    target,
                    user: self.user(),
                    source: e,
                }
            }
            Some(_) => ConnectError::Connect { target, source: e },
            None if is_tls_error(&e) => ConnectError::TlsHandshake { target, source: e },
            None if is_password_missing(&e) => ConnectError::PasswordMissing {
                target,
                user: self.user(),
                source: e,
            },
            None if is_auth_setup_error(&e) => ConnectError::Authentication {
                target,
                user: self.user(),
                source: e,
            },
            None => ConnectError::Unreachable { target, source: e },
        }
    }
}

/// A certificate the client would not trust, or a server that speaks no TLS when it was
/// required: rustls's error somewhere among the causes, or tokio-postgres's own refusal.
fn is_tls_error(e: &tokio_postgres::Error) -> bool {
    #[cfg(feature = "tls")]
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    #[cfg(feature = "tls")]
    while let Some(c) = cause {
        if c.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            if io
                .get_ref()
                .is_some_and(|inner| inner.is::<rustls::Error>())
            {
                return true;
            }
        }
        cause = c.source();
    }
    e.to_string().contains("does not support TLS")
}

/// The server asked for a password and none was given (tokio-postgres reports it as a
/// configuration error, without a SQLSTATE, once the server has asked).
fn is_password_missing(e: &tokio_postgres::Error) -> bool {
    // The words are in the error's cause: its own message is "invalid configuration".
    crate::errors::error_chain(e).contains("password missing")
}

/// An authentication method the client cannot follow is an authentication problem, not an
/// unreachable server, though tokio-postgres reports it without a SQLSTATE.
fn is_auth_setup_error(e: &tokio_postgres::Error) -> bool {
    crate::errors::error_chain(e).contains("authentication")
}
