//! Which database to migrate: `DATABASE_URL` from the environment or a `.env` file, else the
//! libpq variables, else the program's default, else nothing (the library never guesses a
//! database); TLS as libpq's `sslmode` means it; how long to wait for the server
//! (`connect_timeout`); and whether a missing database may be created. Connecting is in
//! `connect.rs`.

use std::time::Duration;

use tokio_postgres::config::Host;
use tokio_postgres::Config;

use super::conninfo::TakenParams;
use super::error::ConnectError;
use super::tls::{Connector, SslMode, TlsSettings};

/// The variable read from the environment and from `.env`.
pub const DATABASE_URL_VAR: &str = "DATABASE_URL";

/// How long a connection may take, from the socket's connect to the end of authentication,
/// unless `connect_timeout` or `PGCONNECT_TIMEOUT` says otherwise. libpq waits forever by
/// default; a migrator that hangs on a server that accepted the connection and never answers
/// blocks a deploy with no word, so it gives up after this.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The libpq variables that name a server or a database: when none of them (nor
/// `DATABASE_URL`) is set, no database is chosen.
const NAMING_VARS: [&str; 5] = ["PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE"];

/// A database to migrate, with where its settings came from (for messages).
#[derive(Clone)]
pub struct DatabaseConfig {
    pub(super) config: Config,
    tls: TlsSettings,
    pub(super) connector: Connector,
    origin: String,
    /// `None`: wait as long as the operating system does (`connect_timeout=0`).
    connect_timeout: Option<Duration>,
    create_missing: bool,
}

impl std::fmt::Debug for DatabaseConfig {
    // Never the password: this may be printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("target", &self.target())
            .field("database", &self.database())
            .field("tls", &self.tls)
            .field("origin", &self.origin)
            .field("connect_timeout", &self.connect_timeout)
            .field("create_missing", &self.create_missing)
            .finish()
    }
}

impl DatabaseConfig {
    /// `DATABASE_URL` from the environment, else from a `.env` file in the current folder or
    /// one above it, else the libpq variables (see [`DatabaseConfig::from_libpq_env`]). The
    /// process environment is not modified. An empty variable counts as unset, as libpq
    /// treats its own. With none of them set this refuses ([`ConnectError::NoDatabase`])
    /// rather than guess a database.
    pub fn from_env() -> Result<Self, ConnectError> {
        Self::from_env_or(None)
    }

    /// As [`DatabaseConfig::from_env`], with `default_url` used when neither `DATABASE_URL`
    /// nor any of `PGHOST`, `PGHOSTADDR`, `PGPORT`, `PGUSER`, `PGDATABASE` is set. The default
    /// is the program's own database, so it is created when missing
    /// ([`DatabaseConfig::create_database`]); a database named by the environment is not.
    pub fn from_env_or(default_url: Option<&str>) -> Result<Self, ConnectError> {
        if let Some(url) = env_var(DATABASE_URL_VAR).filter(|url| !url.trim().is_empty()) {
            return Self::parse(&url, "DATABASE_URL from the environment");
        }
        if let Some((url, path)) = url_from_dotenv() {
            let origin = format!("DATABASE_URL in {}", path.display());
            return Self::parse(&url, &origin);
        }
        let names_a_server = NAMING_VARS.iter().any(|var| env_var(var).is_some());
        match default_url {
            Some(url) if !names_a_server => {
                Ok(Self::parse(url, "the program's default database URL")?.create_database(true))
            }
            _ => Self::from_libpq_env(),
        }
    }

    /// The libpq variables `PGHOST`, `PGHOSTADDR`, `PGPORT`, `PGUSER`, `PGPASSWORD`,
    /// `PGDATABASE`, `PGSSLMODE`, `PGSSLROOTCERT`, `PGAPPNAME` and `PGCONNECT_TIMEOUT`, with
    /// libpq's defaults for what is unset (localhost, 5432, the login name `$USER`, a
    /// database named like the user). Refuses when none of `PGHOST`, `PGHOSTADDR`, `PGPORT`,
    /// `PGUSER`, `PGDATABASE` is set, and when no user name is known.
    pub fn from_libpq_env() -> Result<Self, ConnectError> {
        if !NAMING_VARS.iter().any(|var| env_var(var).is_some()) {
            return Err(ConnectError::NoDatabase);
        }
        let origin = "the PG* environment variables (DATABASE_URL is not set)";
        let bad = |reason: String| ConnectError::BadUrl {
            origin: origin.into(),
            reason,
        };
        let mut config = Config::new();
        for host in env_var("PGHOST")
            .or_else(|| env_var("PGHOSTADDR"))
            .as_deref()
            .unwrap_or("localhost")
            .split(',')
        {
            config.host(host);
        }
        if let Some(port) = env_var("PGPORT") {
            let port = port
                .parse()
                .map_err(|_| bad(format!("PGPORT `{port}` is not a port number")))?;
            config.port(port);
        }
        let user = env_var("PGUSER")
            .or_else(|| env_var("USER"))
            .ok_or_else(|| {
                bad(
                    "no user name: PGUSER is not set, nor USER (the login name libpq would use)"
                        .into(),
                )
            })?;
        config.dbname(env_var("PGDATABASE").as_deref().unwrap_or(&user));
        config.user(&user);
        if let Some(name) = env_var("PGAPPNAME") {
            config.application_name(&name);
        }
        Self::build(config, TakenParams::default(), origin)
    }

    /// A URL given explicitly.
    pub fn from_url(url: &str) -> Result<Self, ConnectError> {
        Self::parse(url, "the database URL")
    }

    /// A URL given explicitly, with where it came from (e.g. `--database-url`) for messages.
    pub fn from_url_with_origin(url: &str, origin: &str) -> Result<Self, ConnectError> {
        Self::parse(url, origin)
    }

    /// Whether [`Migrator::run`](crate::migrate::Migrator::run) creates the database when it does not
    /// exist (through the server's `postgres` database; the user needs CREATEDB). Off unless
    /// asked, so that a mistyped name is an error rather than a new empty database; on for
    /// the program's default database of [`DatabaseConfig::from_env_or`].
    pub fn create_database(mut self, create: bool) -> Self {
        self.create_missing = create;
        self
    }

    /// Whether a run creates the database when it is missing.
    pub fn creates_missing_database(&self) -> bool {
        self.create_missing
    }

    /// How long a connection may take, authentication included; `None` when
    /// `connect_timeout=0` asked to wait as long as the operating system does.
    pub fn connect_timeout(&self) -> Option<Duration> {
        self.connect_timeout
    }

    /// A URL (`postgres://..`) or a libpq key=value string. `sslmode`, `sslrootcert` and
    /// `connect_timeout` are read here; what the URL leaves out of the password, `sslmode`,
    /// `sslrootcert` and `connect_timeout` comes from `PGPASSWORD`, `PGSSLMODE`,
    /// `PGSSLROOTCERT` and `PGCONNECT_TIMEOUT`, as libpq does.
    fn parse(url: &str, origin: &str) -> Result<Self, ConnectError> {
        if let Some(authority) = url
            .strip_prefix("postgres://")
            .or_else(|| url.strip_prefix("postgresql://"))
            .map(|rest| rest.split(['/', '?']).next().unwrap_or(rest))
        {
            // `u:p@ss@host` would be read as the host `ss@host`, and messages would print
            // part of the password as the server's name.
            if authority.matches('@').count() > 1 {
                return Err(ConnectError::BadUrl {
                    origin: origin.to_string(),
                    reason: "the user name or password holds an `@`: write it as %40".into(),
                });
            }
        }
        let (rest, taken) = TakenParams::take_from(url).map_err(|reason| ConnectError::BadUrl {
            origin: origin.to_string(),
            reason,
        })?;
        let config: Config = rest.parse().map_err(|source| ConnectError::UrlSyntax {
            origin: origin.to_string(),
            source,
        })?;
        Self::build(config, taken, origin)
    }

    fn build(mut config: Config, taken: TakenParams, origin: &str) -> Result<Self, ConnectError> {
        let bad = |reason: String| ConnectError::BadUrl {
            origin: origin.to_string(),
            reason,
        };
        if config.get_password().is_none() {
            if let Some(password) = env_var("PGPASSWORD") {
                config.password(password);
            }
        }
        let mode_text = taken.mode.or_else(|| env_var("PGSSLMODE"));
        let mode = match mode_text.as_deref() {
            None => SslMode::Prefer,
            Some(text) => SslMode::parse(text).ok_or_else(|| {
                bad(format!(
                    "sslmode `{text}` is not one of disable, allow, prefer, require, \
                     verify-ca, verify-full"
                ))
            })?,
        };
        let connect_timeout = match taken.connect_timeout {
            Some(text) => parse_timeout(&text).map_err(|()| {
                bad(format!(
                    "connect_timeout `{text}` is not a number of seconds"
                ))
            })?,
            None => match env_var("PGCONNECT_TIMEOUT") {
                Some(text) => parse_timeout(&text).map_err(|()| {
                    bad(format!(
                        "PGCONNECT_TIMEOUT `{text}` is not a number of seconds"
                    ))
                })?,
                None => Some(DEFAULT_CONNECT_TIMEOUT),
            },
        };
        let tls = TlsSettings {
            mode,
            root_cert: taken
                .root_cert
                .or_else(|| env_var("PGSSLROOTCERT"))
                .map(Into::into),
        };
        config.ssl_mode(mode.transport());
        let connector = tls.connector().map_err(|source| ConnectError::Tls {
            origin: origin.to_string(),
            source,
        })?;
        Ok(Self::with_origin(
            config,
            origin,
            tls,
            connector,
            connect_timeout,
        ))
    }

    fn with_origin(
        mut config: Config,
        origin: &str,
        tls: TlsSettings,
        connector: Connector,
        connect_timeout: Option<Duration>,
    ) -> Self {
        // tokio-postgres bounds each socket connect with it; the whole exchange, TLS and
        // authentication included, is bounded in `connect.rs`.
        if let Some(timeout) = connect_timeout {
            config.connect_timeout(timeout);
        }
        DatabaseConfig {
            config,
            tls,
            connector,
            origin: origin.to_string(),
            connect_timeout,
            create_missing: false,
        }
    }

    /// Another database on the same server, with the same settings (a tool's scratch
    /// database, or `postgres` to create one).
    pub fn with_database(&self, database: &str) -> DatabaseConfig {
        let mut other = self.clone();
        other.config.dbname(database);
        other
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

    pub(super) fn user(&self) -> String {
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

    /// The TLS connector connections are made with (a cancel request uses it too).
    pub(crate) fn connector(&self) -> &Connector {
        &self.connector
    }
}

impl From<Config> for DatabaseConfig {
    /// The configuration's own `connect_timeout`, else [`DEFAULT_CONNECT_TIMEOUT`]; TLS as
    /// `sslmode=prefer` without certificate checks.
    fn from(config: Config) -> Self {
        let tls = TlsSettings::default();
        let connector = tls
            .connector()
            .expect("TLS without certificate checks needs no file and cannot fail");
        let timeout = config
            .get_connect_timeout()
            .copied()
            .unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        Self::with_origin(
            config,
            "the given configuration",
            tls,
            connector,
            Some(timeout),
        )
    }
}

/// libpq's reading of `connect_timeout`: whole seconds; 0 or less waits forever.
fn parse_timeout(text: &str) -> Result<Option<Duration>, ()> {
    let seconds: i64 = text.trim().parse().map_err(|_| ())?;
    Ok((seconds > 0).then(|| Duration::from_secs(seconds as u64)))
}

/// The nearest `.env` (this folder or one above, as dotenv tools look) that sets the URL to
/// something (an empty value counts as unset, as in the environment).
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
        .map(|(_, value)| value)
        .filter(|value| !value.trim().is_empty())?;
    Some((url, path))
}

/// A variable of the environment; empty counts as unset, as libpq reads its own.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
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
    fn connect_timeout_is_read_from_urls_and_key_value_strings_as_libpq_reads_it() {
        let url = DatabaseConfig::from_url("postgres://h/db?connect_timeout=3").unwrap();
        assert_eq!(url.connect_timeout(), Some(Duration::from_secs(3)));
        let kv = DatabaseConfig::from_url("host=h connect_timeout = 7 dbname=db").unwrap();
        assert_eq!(kv.connect_timeout(), Some(Duration::from_secs(7)));
        assert_eq!(
            kv.config().get_connect_timeout(),
            Some(&Duration::from_secs(7))
        );
        let forever = DatabaseConfig::from_url("postgres://h/db?connect_timeout=0").unwrap();
        assert_eq!(forever.connect_timeout(), None);
        let err = DatabaseConfig::from_url("postgres://h/db?connect_timeout=soon").unwrap_err();
        assert!(err.to_string().contains("connect_timeout `soon`"), "{err}");
    }

    #[cfg(feature = "tls")]
    #[test]
    fn a_key_value_string_with_spaces_around_equals_signs_is_read() {
        let c = DatabaseConfig::from_url(
            "host=db.internal port = 6543 sslmode = require dbname= 'q b'",
        )
        .unwrap();
        assert_eq!(c.target(), "db.internal:6543");
        assert_eq!(c.database(), "q b");
        assert_eq!(c.tls().mode, SslMode::Require);
        let err = DatabaseConfig::from_url("host=h sslmode").unwrap_err();
        assert!(matches!(err, ConnectError::BadUrl { .. }), "{err:?}");
        assert!(
            err.to_string().contains("`sslmode` is not followed by `=`"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_database_is_created_only_when_asked() {
        let c = DatabaseConfig::from_url("postgres://h/db").unwrap();
        assert!(!c.creates_missing_database());
        assert!(c.create_database(true).creates_missing_database());
    }
    #[test]
    fn a_malformed_url_names_its_origin() {
        let err = DatabaseConfig::from_url("postgres://x@h:notaport/db").unwrap_err();
        assert!(matches!(err, ConnectError::UrlSyntax { .. }), "{err:?}");
        assert!(err.to_string().starts_with("the database URL"), "{err}");
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
        let ConnectError::UrlSyntax { source, .. } = &err else {
            panic!("{err:?}");
        };
        let cause = std::error::Error::source(&err).expect("a source");
        assert!(cause.is::<tokio_postgres::Error>());
        let chain = crate::errors::error_chain(&err);
        let parser = source.to_string();
        assert!(chain.starts_with("the database URL is not a valid PostgreSQL URL: "));
        assert_eq!(chain.matches(parser.as_str()).count(), 1, "{chain}");
    }

    #[cfg(feature = "tls")]
    #[test]
    fn an_unreadable_root_certificate_is_a_tls_error_with_its_chain() {
        let err =
            DatabaseConfig::from_url("postgres://h/db?sslmode=verify-ca&sslrootcert=/no/ca.pem")
                .unwrap_err();
        let cause = std::error::Error::source(&err).expect("a source");
        assert!(cause.is::<super::super::tls::TlsError>());
        let chain = crate::errors::error_chain(&err);
        assert_eq!(chain.matches("/no/ca.pem").count(), 1, "{chain}");
        assert!(
            chain.starts_with("the TLS settings of the database URL cannot be used: "),
            "{chain}"
        );
    }

    #[cfg(not(feature = "tls"))]
    #[test]
    fn without_tls_a_mode_that_requires_it_is_refused_naming_the_feature() {
        let err = DatabaseConfig::from_url("postgres://h/db?sslmode=require").unwrap_err();
        let chain = crate::error_chain(&err);
        assert!(
            chain.contains("enable schema-core's `tls` feature"),
            "{chain}"
        );
        assert!(err.help().contains("`tls` feature"), "{}", err.help());
        let plain = DatabaseConfig::from_url("postgres://h/db?sslmode=prefer").unwrap();
        assert_eq!(plain.tls().mode, SslMode::Prefer);
    }

    #[test]
    fn the_debug_form_holds_no_password() {
        let c = DatabaseConfig::from_url("postgres://app:s3cret@db:5432/qb").unwrap();
        assert!(!format!("{c:?}").contains("s3cret"));
    }
}
