//! Which database to migrate: `DATABASE_URL` from the environment or a `.env` file, or a
//! local default, and a connection that creates the database when it does not exist yet.

use std::time::Duration;

use tokio_postgres::config::Host;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Config, NoTls};

use super::error::MigrateError;

/// The database used when neither the environment nor `.env` sets `DATABASE_URL`.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/question_bank";

/// The variable read from the environment and from `.env`.
pub const DATABASE_URL_VAR: &str = "DATABASE_URL";

/// How long to wait for a server that does not answer, unless the URL says otherwise.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A database to migrate, with where its settings came from (for messages).
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    config: Config,
    origin: String,
}

impl DatabaseConfig {
    /// `DATABASE_URL` from the environment, else from a `.env` file in the current folder or
    /// one above it, else [`DEFAULT_DATABASE_URL`]. The process environment is not modified.
    pub fn from_env() -> Result<Self, MigrateError> {
        if let Ok(url) = std::env::var(DATABASE_URL_VAR) {
            return Self::parse(&url, "DATABASE_URL from the environment");
        }
        if let Some((url, path)) = url_from_dotenv() {
            let origin = format!("DATABASE_URL in {}", path.display());
            return Self::parse(&url, &origin);
        }
        Self::parse(DEFAULT_DATABASE_URL, "the default database URL")
    }

    /// A URL given explicitly.
    pub fn from_url(url: &str) -> Result<Self, MigrateError> {
        Self::parse(url, "the database URL")
    }

    /// A URL given explicitly, with where it came from (e.g. `--database-url`) for messages.
    pub fn from_url_with_origin(url: &str, origin: &str) -> Result<Self, MigrateError> {
        Self::parse(url, origin)
    }

    fn parse(url: &str, origin: &str) -> Result<Self, MigrateError> {
        let config: Config =
            url.parse()
                .map_err(|e: tokio_postgres::Error| MigrateError::BadUrl {
                    origin: origin.to_string(),
                    reason: error_chain(&e),
                })?;
        Ok(Self::with_origin(config, origin))
    }

    fn with_origin(mut config: Config, origin: &str) -> Self {
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
        }
        DatabaseConfig {
            config,
            origin: origin.to_string(),
        }
    }

    /// Another database on the same server, with the same settings (a tool's scratch
    /// database, or `postgres` to create one).
    pub fn with_database(&self, database: &str) -> DatabaseConfig {
        let mut config = self.config.clone();
        config.dbname(database);
        DatabaseConfig {
            config,
            origin: self.origin.clone(),
        }
    }

    /// The tokio-postgres configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Where the settings came from, e.g. "DATABASE_URL in /app/.env".
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The database's name (PostgreSQL's default: the user's name).
    pub fn database(&self) -> String {
        self.config
            .get_dbname()
            .map(str::to_string)
            .unwrap_or_else(|| self.user())
    }

    fn user(&self) -> String {
        self.config.get_user().unwrap_or("postgres").to_string()
    }

    /// `host:port`, never the password: this goes into messages.
    pub fn target(&self) -> String {
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(name)) => name.clone(),
            #[cfg(unix)]
            Some(Host::Unix(path)) => path.display().to_string(),
            None => "localhost".to_string(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        format!("{host}:{port}")
    }

    /// Connects; when the database does not exist, creates it through the server's
    /// `postgres` database and connects again. Returns whether this call created it (when
    /// several migrators race to create it, exactly one did).
    pub async fn connect_or_create(&self) -> Result<(Client, bool), MigrateError> {
        match connect(&self.config).await {
            Ok(client) => Ok((client, false)),
            Err(e) if e.code() == Some(&SqlState::INVALID_CATALOG_NAME) => {
                let created = self.create_database().await?;
                let client = connect(&self.config)
                    .await
                    .map_err(|e| self.connect_error(e))?;
                Ok((client, created))
            }
            Err(e) => Err(self.connect_error(e)),
        }
    }

    /// Connects without creating anything.
    pub async fn connect(&self) -> Result<Client, MigrateError> {
        connect(&self.config).await.map_err(|e| match e.code() {
            Some(&SqlState::INVALID_CATALOG_NAME) => MigrateError::DatabaseMissing {
                target: self.target(),
                database: self.database(),
            },
            _ => self.connect_error(e),
        })
    }

    async fn create_database(&self) -> Result<bool, MigrateError> {
        let database = self.database();
        let mut admin = self.config.clone();
        admin.dbname("postgres");
        let client = connect(&admin).await.map_err(|e| self.connect_error(e))?;
        let create = format!("CREATE DATABASE {}", quote_ident(&database));
        match client.batch_execute(&create).await {
            Ok(()) => Ok(true),
            // Another migrator created it a moment ago: that is what was wanted. Two creates
            // in flight at once end in a unique violation on pg_database instead of 42P04.
            Err(e)
                if e.code() == Some(&SqlState::DUPLICATE_DATABASE)
                    || e.code() == Some(&SqlState::UNIQUE_VIOLATION) =>
            {
                Ok(false)
            }
            Err(e) => Err(MigrateError::CreateDatabase {
                database,
                message: server_message(&e),
            }),
        }
    }

    fn connect_error(&self, e: tokio_postgres::Error) -> MigrateError {
        let target = format!("{} ({})", self.target(), self.origin);
        match e.as_db_error() {
            Some(db)
                if [
                    SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
                    SqlState::INVALID_PASSWORD,
                ]
                .contains(db.code()) =>
            {
                MigrateError::Authentication {
                    target,
                    user: self.user(),
                    message: db.message().to_string(),
                }
            }
            Some(db) => MigrateError::Connect {
                target,
                message: db.message().to_string(),
            },
            None if is_auth_setup_error(&e) => MigrateError::Authentication {
                target,
                user: self.user(),
                message: error_chain(&e),
            },
            None => MigrateError::Unreachable {
                target,
                reason: error_chain(&e),
            },
        }
    }
}

impl From<Config> for DatabaseConfig {
    fn from(config: Config) -> Self {
        Self::with_origin(config, "the given configuration")
    }
}

/// The nearest `.env` (this folder or one above, as dotenv tools look) that sets the URL.
fn url_from_dotenv() -> Option<(String, std::path::PathBuf)> {
    let cwd = std::env::current_dir().ok()?;
    let path = cwd
        .ancestors()
        .map(|dir| dir.join(".env"))
        .find(|p| p.is_file())?;
    let url = dotenvy::from_path_iter(&path)
        .ok()?
        .filter_map(Result::ok)
        .find(|(key, _)| key == DATABASE_URL_VAR)
        .map(|(_, value)| value)?;
    Some((url, path))
}

async fn connect(config: &Config) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        // Ends when the client is dropped; an error then concerns nobody.
        let _ = connection.await;
    });
    Ok(client)
}

/// A password the server asked for but the URL lacks is an authentication problem, not an
/// unreachable server, though tokio-postgres reports it without a SQLSTATE.
fn is_auth_setup_error(e: &tokio_postgres::Error) -> bool {
    let text = e.to_string();
    text.contains("password missing") || text.contains("authentication")
}

/// The error with its causes: tokio-postgres puts the useful part (e.g. "Connection
/// refused") in the source.
pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let part = c.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = c.source();
    }
    text
}

/// The server's message when there is one, else the error with its causes.
pub(crate) fn server_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("[{}] {}", db.code().code(), db.message()),
        None => error_chain(e),
    }
}

pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_names_host_and_port_but_not_the_password() {
        let c = DatabaseConfig::from_url("postgres://app:secret@db.internal:6543/qb").unwrap();
        assert_eq!(c.target(), "db.internal:6543");
        assert_eq!(c.database(), "qb");
        assert!(!c.target().contains("secret"));
    }

    #[test]
    fn a_malformed_url_names_its_origin() {
        let err = DatabaseConfig::from_url("postgres://x@h:notaport/db").unwrap_err();
        assert!(matches!(err, MigrateError::BadUrl { .. }), "{err:?}");
        assert!(err.to_string().starts_with("the database URL"), "{err}");
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_ident("qb"), "\"qb\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
