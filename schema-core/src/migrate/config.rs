//! Which database to migrate: `DATABASE_URL` from the environment or a `.env` file, else the
//! libpq variables, else the program's default; TLS as libpq's `sslmode` means it; and a
//! connection that creates the database when it does not exist yet.

use std::time::Duration;

use tokio_postgres::config::Host;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Config};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::error::MigrateError;
use super::tls::{SslMode, TlsSettings};

/// The variable read from the environment and from `.env`.
pub const DATABASE_URL_VAR: &str = "DATABASE_URL";

/// How long to wait for a server that does not answer, unless the URL says otherwise.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A database to migrate, with where its settings came from (for messages).
#[derive(Clone)]
pub struct DatabaseConfig {
    config: Config,
    tls: TlsSettings,
    connector: MakeRustlsConnect,
    origin: String,
}

impl std::fmt::Debug for DatabaseConfig {
    // Never the password: this may be printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("target", &self.target())
            .field("database", &self.database())
            .field("tls", &self.tls)
            .field("origin", &self.origin)
            .finish()
    }
}

impl DatabaseConfig {
    /// `DATABASE_URL` from the environment, else from a `.env` file in the current folder or
    /// one above it, else the libpq variables (see [`DatabaseConfig::from_libpq_env`]). The
    /// process environment is not modified.
    pub fn from_env() -> Result<Self, MigrateError> {
        Self::from_env_or(None)
    }

    /// As [`DatabaseConfig::from_env`], with `default_url` used when neither `DATABASE_URL`
    /// nor any of `PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE` is set.
    pub fn from_env_or(default_url: Option<&str>) -> Result<Self, MigrateError> {
        if let Ok(url) = std::env::var(DATABASE_URL_VAR) {
            return Self::parse(&url, "DATABASE_URL from the environment");
        }
        if let Some((url, path)) = url_from_dotenv() {
            let origin = format!("DATABASE_URL in {}", path.display());
            return Self::parse(&url, &origin);
        }
        let names_a_server = ["PGHOST", "PGPORT", "PGUSER", "PGDATABASE"]
            .iter()
            .any(|var| env_var(var).is_some());
        match default_url {
            Some(url) if !names_a_server => Self::parse(url, "the program's default database URL"),
            _ => Self::from_libpq_env(),
        }
    }

    /// The libpq variables `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`,
    /// `PGSSLMODE`, `PGSSLROOTCERT`, `PGAPPNAME` and `PGCONNECT_TIMEOUT`, with libpq's
    /// defaults for what is unset (localhost, 5432, the login name, a database named like the
    /// user).
    pub fn from_libpq_env() -> Result<Self, MigrateError> {
        let origin = "the PG* environment variables (DATABASE_URL is not set)";
        let mut config = Config::new();
        for host in env_var("PGHOST")
            .as_deref()
            .unwrap_or("localhost")
            .split(',')
        {
            config.host(host);
        }
        if let Some(port) = env_var("PGPORT") {
            let port = port.parse().map_err(|_| MigrateError::BadUrl {
                origin: origin.into(),
                reason: format!("PGPORT `{port}` is not a port number"),
            })?;
            config.port(port);
        }
        let user = env_var("PGUSER")
            .or_else(|| env_var("USER"))
            .unwrap_or_else(|| "postgres".into());
        config.dbname(env_var("PGDATABASE").as_deref().unwrap_or(&user));
        config.user(&user);
        if let Some(name) = env_var("PGAPPNAME") {
            config.application_name(&name);
        }
        if let Some(seconds) = env_var("PGCONNECT_TIMEOUT").and_then(|s| s.parse().ok()) {
            config.connect_timeout(Duration::from_secs(seconds));
        }
        Self::build(config, TlsParams::default(), origin)
    }

    /// A URL given explicitly.
    pub fn from_url(url: &str) -> Result<Self, MigrateError> {
        Self::parse(url, "the database URL")
    }

    /// A URL given explicitly, with where it came from (e.g. `--database-url`) for messages.
    pub fn from_url_with_origin(url: &str, origin: &str) -> Result<Self, MigrateError> {
        Self::parse(url, origin)
    }

    /// A URL (`postgres://..`) or a libpq key=value string. `sslmode` and `sslrootcert` are
    /// read here; what the URL leaves out of the password, `sslmode` and `sslrootcert` comes
    /// from `PGPASSWORD`, `PGSSLMODE` and `PGSSLROOTCERT`, as libpq does.
    fn parse(url: &str, origin: &str) -> Result<Self, MigrateError> {
        if let Some(authority) = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .map(|rest| rest.split(['/', '?']).next().unwrap_or(rest))
        {
            // `u:p@ss@host` would be read as the host `ss@host`, and messages would print
            // part of the password as the server's name.
            if authority.matches('@').count() > 1 {
                return Err(MigrateError::BadUrl {
                    origin: origin.to_string(),
                    reason: "the user name or password holds an `@`: write it as %40".into(),
                });
            }
        }
        let (rest, tls) = TlsParams::take_from(url);
        let config: Config = rest.parse().map_err(|source| MigrateError::UrlSyntax {
            origin: origin.to_string(),
            source,
        })?;
        Self::build(config, tls, origin)
    }

    fn build(mut config: Config, tls: TlsParams, origin: &str) -> Result<Self, MigrateError> {
        if config.get_password().is_none() {
            if let Some(password) = env_var("PGPASSWORD") {
                config.password(password);
            }
        }
        let mode_text = tls.mode.or_else(|| env_var("PGSSLMODE"));
        let mode = match mode_text.as_deref() {
            None => SslMode::Prefer,
            Some(text) => SslMode::parse(text).ok_or_else(|| MigrateError::BadUrl {
                origin: origin.to_string(),
                reason: format!(
                    "sslmode `{text}` is not one of disable, allow, prefer, require, \
                     verify-ca, verify-full"
                ),
            })?,
        };
        let tls = TlsSettings {
            mode,
            root_cert: tls
                .root_cert
                .or_else(|| env_var("PGSSLROOTCERT"))
                .map(Into::into),
        };
        config.ssl_mode(mode.transport());
        let connector = tls.connector().map_err(|source| MigrateError::Tls {
            origin: origin.to_string(),
            source,
        })?;
        Ok(Self::with_origin(config, origin, tls, connector))
    }

    fn with_origin(
        mut config: Config,
        origin: &str,
        tls: TlsSettings,
        connector: MakeRustlsConnect,
    ) -> Self {
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
        }
        DatabaseConfig {
            config,
            tls,
            connector,
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
            tls: self.tls.clone(),
            connector: self.connector.clone(),
            origin: self.origin.clone(),
        }
    }

    /// The tokio-postgres configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The TLS settings (`sslmode`, `sslrootcert`).
    pub fn tls(&self) -> &TlsSettings {
        &self.tls
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
        match connect(&self.config, &self.connector).await {
            Ok(client) => Ok((client, false)),
            Err(e) if e.code() == Some(&SqlState::INVALID_CATALOG_NAME) => {
                let created = self.create_database().await?;
                let client = connect(&self.config, &self.connector)
                    .await
                    .map_err(|e| self.connect_error(e))?;
                Ok((client, created))
            }
            Err(e) => Err(self.connect_error(e)),
        }
    }

    /// The TLS connector connections are made with (a cancel request uses it too).
    pub(crate) fn connector(&self) -> &MakeRustlsConnect {
        &self.connector
    }

    /// Connects without creating anything.
    pub async fn connect(&self) -> Result<Client, MigrateError> {
        connect(&self.config, &self.connector)
            .await
            .map_err(|e| match e.code() {
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
        let client = connect(&admin, &self.connector)
            .await
            .map_err(|e| self.connect_error(e))?;
        let create = format!("CREATE DATABASE {}", crate::sql::quote_ident(&database));
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
            Err(source) => Err(MigrateError::CreateDatabase { database, source }),
        }
    }

    fn connect_error(&self, e: tokio_postgres::Error) -> MigrateError {
        let target = format!("{} ({})", self.target(), self.origin);
        match e.code() {
            Some(code)
                if [
                    SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
                    SqlState::INVALID_PASSWORD,
                ]
                .contains(code) =>
            {
                MigrateError::Authentication {
                    target,
                    user: self.user(),
                    source: e,
                }
            }
            Some(_) => MigrateError::Connect { target, source: e },
            None if is_tls_error(&e) => MigrateError::TlsHandshake { target, source: e },
            None if is_auth_setup_error(&e) => MigrateError::Authentication {
                target,
                user: self.user(),
                source: e,
            },
            None => MigrateError::Unreachable { target, source: e },
        }
    }
}

impl From<Config> for DatabaseConfig {
    fn from(config: Config) -> Self {
        let tls = TlsSettings::default();
        let connector = tls
            .connector()
            .expect("TLS without certificate checks needs no file and cannot fail");
        Self::with_origin(config, "the given configuration", tls, connector)
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

async fn connect(
    config: &Config,
    tls: &MakeRustlsConnect,
) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(tls.clone()).await?;
    tokio::spawn(async move {
        // Ends when the client is dropped; an error then concerns nobody.
        let _ = connection.await;
    });
    Ok(client)
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `sslmode` and `sslrootcert` taken out of a URL or key=value string before tokio-postgres
/// reads it: it knows neither `verify-ca`/`verify-full` nor `sslrootcert`.
#[derive(Default)]
struct TlsParams {
    mode: Option<String>,
    root_cert: Option<String>,
}

impl TlsParams {
    fn take_from(url: &str) -> (String, TlsParams) {
        let mut params = TlsParams::default();
        let mut keep = |key: &str, value: String| match key {
            "sslmode" => {
                params.mode = Some(value);
                false
            }
            "sslrootcert" => {
                params.root_cert = Some(value);
                false
            }
            _ => true,
        };
        let rest = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            match url.split_once('?') {
                None => url.to_string(),
                Some((base, query)) => {
                    let kept: Vec<&str> = query
                        .split('&')
                        .filter(|pair| {
                            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                            keep(key, percent_decode(value))
                        })
                        .collect();
                    if kept.is_empty() {
                        base.to_string()
                    } else {
                        format!("{base}?{}", kept.join("&"))
                    }
                }
            }
        } else {
            url.split_whitespace()
                .filter(|pair| {
                    let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                    keep(key.trim(), value.trim_matches('\'').to_string())
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        (rest, params)
    }
}

fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A certificate the client would not trust, or a server that speaks no TLS when it was
/// required: rustls's error somewhere among the causes, or tokio-postgres's own refusal.
fn is_tls_error(e: &tokio_postgres::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
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

/// A password the server asked for but the URL lacks is an authentication problem, not an
/// unreachable server, though tokio-postgres reports it without a SQLSTATE.
fn is_auth_setup_error(e: &tokio_postgres::Error) -> bool {
    let text = e.to_string();
    text.contains("password missing") || text.contains("authentication")
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
        assert!(matches!(err, MigrateError::UrlSyntax { .. }), "{err:?}");
        assert!(err.to_string().starts_with("the database URL"), "{err}");
    }

    #[test]
    fn tls_parameters_are_taken_out_of_urls_and_key_value_strings() {
        let (rest, tls) = TlsParams::take_from(
            "postgres://u:p%40ss@h/db?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&application_name=x",
        );
        assert_eq!(rest, "postgres://u:p%40ss@h/db?application_name=x");
        assert_eq!(tls.mode.as_deref(), Some("verify-full"));
        assert_eq!(tls.root_cert.as_deref(), Some("/etc/ca.pem"));
        let (rest, tls) = TlsParams::take_from("host=h sslmode=require dbname=d");
        assert_eq!(rest, "host=h dbname=d");
        assert_eq!(tls.mode.as_deref(), Some("require"));
    }

    #[test]
    fn an_unknown_sslmode_is_refused_with_the_accepted_ones() {
        let err = DatabaseConfig::from_url("postgres://h/db?sslmode=strict").unwrap_err();
        assert!(err.to_string().contains("verify-full"), "{err}");
    }

    #[test]
    fn an_at_sign_in_the_password_is_refused_without_printing_it() {
        let err = DatabaseConfig::from_url("postgres://app:p@ss@db/qb").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("%40") && !text.contains("ss@db"), "{text}");
    }

    #[test]
    fn an_unparsable_url_keeps_the_parser_error_as_its_source() {
        let err = DatabaseConfig::from_url("postgres://h:notaport/db").unwrap_err();
        let MigrateError::UrlSyntax { source, .. } = &err else {
            panic!("{err:?}");
        };
        let cause = std::error::Error::source(&err).expect("a source");
        assert!(cause.is::<tokio_postgres::Error>());
        let chain = crate::error_chain(&err);
        let parser = source.to_string();
        assert!(chain.starts_with("the database URL is not a valid PostgreSQL URL: "));
        assert_eq!(chain.matches(parser.as_str()).count(), 1, "{chain}");
    }

    #[test]
    fn an_unreadable_root_certificate_is_a_tls_error_with_its_chain() {
        let err =
            DatabaseConfig::from_url("postgres://h/db?sslmode=verify-ca&sslrootcert=/no/ca.pem")
                .unwrap_err();
        let cause = std::error::Error::source(&err).expect("a source");
        assert!(cause.is::<super::super::tls::TlsError>());
        let chain = crate::error_chain(&err);
        assert_eq!(chain.matches("/no/ca.pem").count(), 1, "{chain}");
        assert!(
            chain.starts_with("the TLS settings of the database URL cannot be used: "),
            "{chain}"
        );
    }

    #[test]
    fn the_debug_form_holds_no_password() {
        let c = DatabaseConfig::from_url("postgres://app:s3cret@db:5432/qb").unwrap();
        assert!(!format!("{c:?}").contains("s3cret"));
    }
}
