//! Why no connection to the server could be made or kept. Each message names the server and
//! where its URL came from (never the password); [`ConnectError::help`] says what to do.

/// Why no connection to the server could be made or kept.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The database URL (or a `PG*` variable) cannot be read as a connection string.
    #[error("{origin} is not a valid PostgreSQL URL: {reason}")]
    BadUrl {
        /// Where the URL came from, e.g. `--database-url` or `DATABASE_URL`.
        origin: String,
        /// What is wrong with it.
        reason: String,
    },
    /// tokio-postgres cannot read the database URL as a connection string.
    #[error("{origin} is not a valid PostgreSQL URL")]
    UrlSyntax {
        /// Where the URL came from, e.g. `--database-url` or `DATABASE_URL`.
        origin: String,
        /// The parser's error.
        #[source]
        source: tokio_postgres::Error,
    },
    /// No connection to the server: it is not running, not listening there, or unreachable.
    #[error("cannot reach PostgreSQL at {target}")]
    Unreachable {
        /// The server's `host:port` and where its URL came from.
        target: String,
        /// Why the connection failed.
        #[source]
        source: tokio_postgres::Error,
    },
    /// The TLS settings (`sslmode`, `sslrootcert`) cannot be turned into a connector.
    #[error("the TLS settings of {origin} cannot be used")]
    Tls {
        /// Where the URL came from, e.g. `--database-url`.
        origin: String,
        /// Why the connector could not be built, e.g. an unreadable root certificate.
        #[source]
        source: super::tls::TlsError,
    },
    /// The TLS handshake failed: the server has no TLS, or its certificate does not verify.
    #[error("no TLS connection to {target}")]
    TlsHandshake {
        /// The server's `host:port` and where its URL came from.
        target: String,
        /// Why the handshake failed: rustls's error among its causes, or the server's refusal.
        #[source]
        source: tokio_postgres::Error,
    },
    /// Neither `DATABASE_URL` nor any `PG*` variable names a database to connect to (an
    /// empty variable counts as unset): no database is guessed.
    #[error(
        "no database is named: DATABASE_URL is not set in the environment or \
         a .env file in this folder or above, and none of PGHOST, PGHOSTADDR, PGPORT, PGUSER, \
         PGDATABASE is set"
    )]
    NoDatabase,
    /// The server (or something in front of it) accepted the connection but did not finish
    /// the startup and authentication exchange in time.
    #[error("PostgreSQL at {target} did not answer within {}s (connect_timeout)", .waited.as_secs_f64())]
    ConnectTimeout {
        /// The server's `host:port` and where its URL came from.
        target: String,
        /// How long the connection was given, for all its hosts.
        waited: std::time::Duration,
    },
    /// The server asked for a password and none was given (not in the URL, nor `PGPASSWORD`).
    #[error("PostgreSQL at {target} asks user `{user}` for a password, and none was given")]
    PasswordMissing {
        /// The server's `host:port` and where its URL came from.
        target: String,
        /// The user name the connection logged in as.
        user: String,
        /// The client's refusal to go on without one.
        #[source]
        source: tokio_postgres::Error,
    },
    /// No connection of the pool came free (or could be opened) in time.
    #[error("no connection of the pool came free within {}s", .waited.as_secs_f64())]
    PoolTimeout {
        /// How long the run waited.
        waited: std::time::Duration,
    },
    /// The server rejected the user or its password.
    #[error("PostgreSQL at {target} refused user `{user}`")]
    Authentication {
        /// The server's `host:port` and where its URL came from.
        target: String,
        /// The user name the connection logged in as.
        user: String,
        /// The server's refusal, or the client's when the server asked for a password the URL
        /// lacks.
        #[source]
        source: tokio_postgres::Error,
    },
    /// The server is up but has no database of that name (when not asked to create it).
    #[error("database `{database}` does not exist on {target}")]
    DatabaseMissing {
        /// The server's `host:port` and where its URL came from.
        target: String,
        /// The missing database's name.
        database: String,
    },
    /// The database was missing and `CREATE DATABASE` failed, e.g. without the CREATEDB privilege.
    #[error("database `{database}` does not exist and could not be created")]
    CreateDatabase {
        /// The database's name.
        database: String,
        /// Why `CREATE DATABASE` failed.
        #[source]
        source: tokio_postgres::Error,
    },
    /// The server refused the connection for a reason other than authentication.
    #[error("cannot connect to {target}")]
    Connect {
        /// The server's `host:port` and where its URL came from.
        target: String,
        /// The server's refusal.
        #[source]
        source: tokio_postgres::Error,
    },
    /// The connection pool could not hand out a connection; holds the pool's error.
    #[error("cannot take a connection from the pool")]
    Pool(#[source] deadpool_postgres::PoolError),
}

impl ConnectError {
    /// What a user can do about the error, in one or two sentences.
    pub fn help(&self) -> String {
        match self {
            Self::BadUrl { .. } | Self::UrlSyntax { .. } => {
                "Write it as postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE \
                (set DATABASE_URL, put it in .env, or pass --database-url)."
                    .into()
            }
            #[cfg(not(feature = "tls"))]
            Self::Tls {
                source: super::tls::TlsError::NotBuilt { .. },
                ..
            } => "Build schema-core with its `tls` feature (on by default), or connect with \
                sslmode=disable or prefer."
                .into(),
            Self::Tls { .. } => "Point sslrootcert (or PGSSLROOTCERT) at a PEM file of the \
                certificate authority that signed the server's certificate, or leave it out to \
                use the system's roots."
                .into(),
            Self::TlsHandshake { .. } => "Check sslmode: verify-full needs a certificate \
                signed by a root in sslrootcert (or the system's store) that names the host as \
                written in the URL; verify-ca skips the name; require only encrypts. A server \
                without TLS needs sslmode=disable or prefer."
                .into(),
            Self::NoDatabase => "Set DATABASE_URL=postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE \
                (or put it in .env), set the PG* variables, or pass --database-url."
                .into(),
            Self::ConnectTimeout { .. } => "The server accepted the connection but sent \
                nothing back: check that it (or the proxy, tunnel or firewall in front of it) is \
                healthy. To wait longer, set connect_timeout=SECONDS in the URL or \
                PGCONNECT_TIMEOUT (0 waits forever)."
                .into(),
            Self::PasswordMissing { user, .. } => format!(
                "Give the password of `{user}` in the URL \
                 (postgres://{user}:PASSWORD@HOST/DATABASE, with special characters %-encoded) \
                 or in PGPASSWORD."
            ),
            Self::PoolTimeout { .. } => "Every connection of the pool stayed in use, or the \
                server did not answer: give the pool a connection to spare for the migrator, \
                or check that the server accepts connections."
                .into(),
            Self::Unreachable { .. } => "Start PostgreSQL there, or point DATABASE_URL \
                (or --database-url) at a server that is running."
                .into(),
            Self::Authentication { user, .. } => format!(
                "Check the user name and password in DATABASE_URL, or create the role \
                 (CREATE ROLE {} LOGIN) and allow it in pg_hba.conf.",
                crate::sql::quote_ident(user)
            ),
            Self::DatabaseMissing { database, .. } => format!(
                "Check the database's name. To create it, run `migrate` with --create-database \
                 (from code: DatabaseConfig::create_database(true)), or createdb {database}."
            ),
            Self::CreateDatabase { database, .. } => format!(
                "Create `{database}` as a user allowed to (createdb {database}), or connect as a \
                 user with the CREATEDB privilege."
            ),
            Self::Connect { .. } | Self::Pool(_) => {
                "Check DATABASE_URL and that the server accepts connections.".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::{assert_keeps_source, client_error};

    #[test]
    fn wrapped_errors_are_sources_printed_once() {
        let target = || "db:5432 (the database URL)".to_string();
        let driver = [
            ConnectError::UrlSyntax {
                origin: "--database-url".into(),
                source: client_error(),
            },
            ConnectError::Unreachable {
                target: target(),
                source: client_error(),
            },
            ConnectError::TlsHandshake {
                target: target(),
                source: client_error(),
            },
            ConnectError::Authentication {
                target: target(),
                user: "app".into(),
                source: client_error(),
            },
            ConnectError::PasswordMissing {
                target: target(),
                user: "app".into(),
                source: client_error(),
            },
            ConnectError::CreateDatabase {
                database: "qb".into(),
                source: client_error(),
            },
            ConnectError::Connect {
                target: target(),
                source: client_error(),
            },
        ];
        for e in &driver {
            assert_keeps_source::<tokio_postgres::Error>(e);
        }
        let pool = ConnectError::Pool(deadpool_postgres::PoolError::Backend(client_error()));
        assert_keeps_source::<deadpool_postgres::PoolError>(&pool);
        let tls = ConnectError::Tls {
            origin: "DATABASE_URL".into(),
            source: super::super::tls::TlsError::NoRootCert {
                path: "/etc/ca.pem".into(),
            },
        };
        assert_keeps_source::<super::super::tls::TlsError>(&tls);
    }
}
