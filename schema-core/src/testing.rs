//! Databases of their own for tests: each [`TestDatabase`] is a fresh database on the
//! server named by `TEST_DATABASE_URL` (default: the local server), dropped when the value is
//! dropped, so tests run in parallel and leave nothing behind.
//!
//! The database is dropped on the test's own runtime, which must therefore be multi-threaded
//! (`#[tokio::test(flavor = "multi_thread")]`): a value dropped in synchronous code blocks one
//! worker while another drives the `DROP DATABASE`.
//!
//! [`TestDatabase::migrated`] gives a test a database with a migration folder applied: a
//! spare copy of a template database that is migrated once per server, taken by renaming it
//! (see [templates](self#templates) and [spares](self#spares)), or a copy made on the spot
//! when no spare is ready. [`TestDatabase::migrated_slowly`], or `SCHEMA_TEST_NO_TEMPLATE=1`,
//! runs the migrations on the test's own database instead.
//!
//! # Templates
//!
//! A template is a database named `schema_template_<key>`, the key a hash of every
//! migration's version, name and checksums, the ledger's format and the server's version:
//! a change to any of them builds a new template, the first time a test asks for it. It is
//! built under an advisory lock, so concurrent test processes build it once and share it
//! (a process waits at most [`TEMPLATE_LOCK_WAIT`] for another one building it). Once
//! built it accepts no connections, since PostgreSQL copies only a database nobody is
//! connected to. Templates are what a test run leaves on the server on purpose; those
//! unused for [`STALE_AFTER`] are dropped, with their spares, when another template is
//! built. [`drop_template`] and [`drop_all_templates`] drop them at once.
//!
//! # Spares
//!
//! Copying a template costs in proportion to its size (tens to hundreds of milliseconds),
//! renaming a database a few milliseconds. So each template keeps a small pool of ready
//! copies, `schema_spare_<key>_<suffix>` ([`SPARES_VAR`], default [`DEFAULT_SPARES`], at most
//! [`MAX_SPARES`]): a test takes one with `ALTER DATABASE .. RENAME TO` its own name, and
//! copies the template itself only when none is ready. After each test database it hands
//! out, a process refills the pool on a thread of its own (one process at a time per
//! template), so the copy's cost falls between tests rather than in one. A spare is copied
//! under a `schema_making_` name and renamed to its ready name only once complete, so a copy
//! cut off by the process's end is never handed out; the next refill drops it.
//!
//! Creating and dropping databases is destructive, so this refuses any server that is not on
//! this machine unless `SCHEMA_TEST_ALLOW_REMOTE=1` says otherwise.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio_postgres::config::Host;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Config, NoTls};

use crate::connection::{self, DatabaseConfig};
use crate::migrate::{MigrateError, Migrator};

mod keys;
mod refiller;
mod spares;
mod template;

pub use refiller::refills_settled;
pub use spares::{DEFAULT_SPARES, MAKING_PREFIX, MAX_SPARES, SPARES_VAR, SPARE_PREFIX};
pub use template::{STALE_AFTER, TEMPLATE_LOCK_WAIT, TEMPLATE_PREFIX};

/// The server tests use when `TEST_DATABASE_URL` is not set: the local PostgreSQL over TCP.
pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Set to `1` to have [`TestDatabase::migrated`] run the migrations on each test's database
/// instead of copying a template.
pub const NO_TEMPLATE_VAR: &str = "SCHEMA_TEST_NO_TEMPLATE";

/// Set to `1` to let tests create and drop databases on a server that is not local.
pub const ALLOW_REMOTE_VAR: &str = "SCHEMA_TEST_ALLOW_REMOTE";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// How long dropping a test database may take before it is reported and left behind.
const DROP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Why a test database could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TestDbError {
    /// `TEST_DATABASE_URL` cannot be read as a connection string; holds the parse error.
    #[error("TEST_DATABASE_URL is not a valid PostgreSQL URL")]
    BadUrl(#[source] tokio_postgres::Error),
    /// The server is not on this machine and `SCHEMA_TEST_ALLOW_REMOTE=1` is not set.
    #[error(
        "refusing to create or drop databases on `{host}`, which is not this machine; \
         set {ALLOW_REMOTE_VAR}=1 to allow it"
    )]
    RemoteServer {
        /// The server's host name, as the URL gives it.
        host: String,
    },
    /// The admin connection to the server failed.
    #[error("cannot reach the test PostgreSQL server at {url}")]
    Connect {
        /// The admin URL: `TEST_DATABASE_URL`, or [`DEFAULT_ADMIN_URL`].
        url: String,
        /// Why the connection failed.
        #[source]
        source: tokio_postgres::Error,
    },
    /// The test runs on a single-threaded runtime, on which dropping the database would
    /// block the only thread that could drive the drop.
    #[error(
        "a test database is dropped by blocking on the test's runtime, which must be \
         multi-threaded: write #[tokio::test(flavor = \"multi_thread\")]"
    )]
    NeedsMultiThreadRuntime,
    /// Another test process has held the template's lock for longer than
    /// [`TEMPLATE_LOCK_WAIT`] (it builds the same template, or it hangs).
    #[error(
        "waited {} s for the lock on template database `{template}`, which another test \
         process is building; if none is running, a session still holds the lock: \
         SELECT pid FROM pg_locks WHERE locktype = 'advisory'",
        waited.as_secs()
    )]
    TemplateLockTimeout {
        /// The template database's name.
        template: String,
        /// How long this process waited.
        waited: Duration,
    },
    /// Preparing the template database failed.
    #[error("cannot prepare template database `{template}`: failed {during}")]
    Template {
        /// The template database's name.
        template: String,
        /// What was being done.
        during: &'static str,
        /// The server's error.
        #[source]
        source: tokio_postgres::Error,
    },
    /// The migrations failed on a template or a test database.
    #[error("cannot migrate `{database}`: {source}")]
    Migrate {
        /// The database the migrations ran on.
        database: String,
        /// The run's error.
        #[source]
        source: Box<MigrateError>,
    },
    /// [`SPARES_VAR`] is not a number from 0 to [`MAX_SPARES`].
    #[error("{SPARES_VAR}={value:?} is not a number of spares from 0 to {MAX_SPARES}")]
    BadSpares {
        /// The variable's value.
        value: String,
    },
    /// `CREATE DATABASE` failed.
    #[error("cannot create test database `{name}`")]
    Create {
        /// The database's generated name.
        name: String,
        /// The server's error.
        #[source]
        source: tokio_postgres::Error,
    },
}

/// A database that exists for as long as this value does.
pub struct TestDatabase {
    name: String,
    admin: Config,
    config: Config,
    runtime: tokio::runtime::Handle,
}

impl TestDatabase {
    /// Creates a fresh, empty database with a unique name.
    pub async fn create() -> Result<Self, TestDbError> {
        Self::create_from(None, None).await
    }

    /// A database with `migrator`'s migrations applied: a ready spare copy of the template
    /// for those migrations on this server, or a copy made now when none is ready (the
    /// template built first if there is none; see [the module](self)).
    /// With `SCHEMA_TEST_NO_TEMPLATE=1` this is [`TestDatabase::migrated_slowly`].
    ///
    /// ```no_run
    /// # async fn t() -> Result<(), Box<dyn std::error::Error>> {
    /// use schema_core::migrate::Migrator;
    /// use schema_core::testing::TestDatabase;
    ///
    /// let migrator = Migrator::from_dir("migrations")?;
    /// let db = TestDatabase::migrated(&migrator).await?;
    /// let client = db.connect().await?;
    /// # Ok(()) }
    /// ```
    pub async fn migrated(migrator: &Migrator) -> Result<Self, TestDbError> {
        if std::env::var(NO_TEMPLATE_VAR).is_ok_and(|v| v == "1") {
            return Self::migrated_slowly(migrator).await;
        }
        // Refused before a template is built for nothing.
        let runtime = test_runtime()?;
        let spares = spares::pool_size()?;
        let admin_config = admin_config()?;
        let admin = connect(&admin_config).await?;
        let template = template::name(&admin, migrator).await?;
        // A template dropped as stale between the check and the copy is built again.
        let mut tries = 0;
        let db = loop {
            tries += 1;
            template::ensure(&admin, &admin_config, &template, migrator).await?;
            let name = new_name();
            if spares > 0 && spares::claim(&admin, &template, &name).await? {
                break Self::named(name, &admin_config, runtime);
            }
            match Self::create_from(Some(&template), Some(&admin)).await {
                Err(TestDbError::Create { source, .. })
                    if tries < 3 && source.code() == Some(&SqlState::UNDEFINED_DATABASE) => {}
                other => break other?,
            }
        };
        if spares > 0 {
            refiller::request(&admin_config, &template, spares);
        }
        Ok(db)
    }

    /// The name of the template database [`TestDatabase::migrated`] copies for `migrator`
    /// on the test server (whether or not it is built yet).
    pub async fn template_name(migrator: &Migrator) -> Result<String, TestDbError> {
        let admin = connect(&admin_config()?).await?;
        template::name(&admin, migrator).await
    }

    /// A database with `migrator`'s migrations applied by running them on it: what
    /// [`TestDatabase::migrated`] does without a template, for a test that wants the run
    /// itself.
    pub async fn migrated_slowly(migrator: &Migrator) -> Result<Self, TestDbError> {
        let db = Self::create().await?;
        migrator
            .run(&DatabaseConfig::from(db.config.clone()))
            .await
            .map_err(|e| TestDbError::Migrate {
                database: db.name.clone(),
                source: Box::new(e),
            })?;
        Ok(db)
    }

    /// A new database, a copy of `template` when given, created through `admin_client` (or a
    /// connection of its own).
    async fn create_from(
        template: Option<&str>,
        admin_client: Option<&tokio_postgres::Client>,
    ) -> Result<Self, TestDbError> {
        let runtime = test_runtime()?;
        let admin = admin_config()?;
        let name = new_name();
        let own;
        let client = match admin_client {
            Some(client) => client,
            None => {
                own = connect(&admin).await?;
                &own
            }
        };
        match template {
            Some(template) => connection::copy_database(client, &name, template).await,
            None => connection::create_database(client, &name).await,
        }
        .map_err(|source| TestDbError::Create {
            name: name.clone(),
            source,
        })?;
        Ok(Self::named(name, &admin, runtime))
    }

    /// The value for the database `name`, which exists.
    fn named(name: String, admin: &Config, runtime: tokio::runtime::Handle) -> Self {
        let mut config = admin.clone();
        config.dbname(&name);
        TestDatabase {
            name,
            admin: admin.clone(),
            config,
            runtime,
        }
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A connection configuration for this database.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A `postgres://` URL for this database, for code that takes a URL (or a child process).
    pub fn url(&self) -> String {
        let base = admin_url();
        match url_without_dbname(&base) {
            Some(prefix) => format!("{prefix}/{}", self.name),
            None => format!("{base} dbname={}", self.name),
        }
    }

    /// Opens a new connection to this database; the connection task is spawned on the
    /// current tokio runtime.
    pub async fn connect(&self) -> Result<tokio_postgres::Client, TestDbError> {
        connect(&self.config).await
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let name = self.name.clone();
        let dropped = async move {
            let client = connect(&admin).await.ok()?;
            connection::drop_database(&client, &name).await.ok()
        };
        // The drop runs as a task on the test's runtime; this thread only waits for it, so the
        // runtime's workers stay free to drive it whether the value is dropped in the test's
        // body, in a task, or on a plain thread.
        let (sent, received) = std::sync::mpsc::channel();
        self.runtime.spawn(async move {
            let _ = sent.send(dropped.await);
        });
        let wait = || received.recv_timeout(DROP_TIMEOUT).ok().flatten();
        let done = match tokio::runtime::Handle::try_current() {
            Ok(_) => tokio::task::block_in_place(wait),
            Err(_) => wait(),
        };
        if done.is_none() {
            eprintln!("warning: could not drop test database `{}`", self.name);
        }
    }
}

/// Drops the template database `name` (see [`TestDatabase::template_name`]) with its spares,
/// waiting at most [`TEMPLATE_LOCK_WAIT`] for a build or a refill of them under way.
pub async fn drop_template(name: &str) -> Result<(), TestDbError> {
    let admin = connect(&admin_config()?).await?;
    template::drop_with_spares(&admin, name).await
}

/// Drops every template database on the test server and every spare, whatever migrations
/// they hold: the clean-up of what tests leave on a server on purpose. Returns the templates
/// dropped.
pub async fn drop_all_templates() -> Result<Vec<String>, TestDbError> {
    let admin = connect(&admin_config()?).await?;
    let rows = admin
        .query(
            "SELECT datname::text FROM pg_database WHERE starts_with(datname, $1) \
             UNION SELECT $1 || substring(datname FROM '^(?:' || $2 || '|' || $3 || ')(.*)_[^_]*$') \
             FROM pg_database WHERE starts_with(datname, $2) OR starts_with(datname, $3)",
            &[&TEMPLATE_PREFIX, &SPARE_PREFIX, &MAKING_PREFIX],
        )
        .await
        .map_err(|source| TestDbError::Template {
            template: TEMPLATE_PREFIX.to_string() + "…",
            during: "listing the templates",
            source,
        })?;
    let mut dropped = Vec::new();
    // A name that only looks like a spare's gives no template (NULL) and is left alone.
    for name in rows
        .into_iter()
        .filter_map(|row| row.get::<_, Option<String>>(0))
    {
        template::drop_with_spares(&admin, &name).await?;
        dropped.push(name);
    }
    Ok(dropped)
}

/// A database name no other test database has: the process, a counter and the clock.
fn new_name() -> String {
    format!(
        "schema_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    )
}

/// The test's runtime, which must be multi-threaded (see [`TestDbError::NeedsMultiThreadRuntime`]).
fn test_runtime() -> Result<tokio::runtime::Handle, TestDbError> {
    let runtime = tokio::runtime::Handle::current();
    if runtime.runtime_flavor() != tokio::runtime::RuntimeFlavor::MultiThread {
        return Err(TestDbError::NeedsMultiThreadRuntime);
    }
    Ok(runtime)
}

/// The URL of the server tests run against.
pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_string())
}

fn admin_config() -> Result<Config, TestDbError> {
    let config: Config = admin_url().parse().map_err(TestDbError::BadUrl)?;
    let allow_remote = std::env::var(ALLOW_REMOTE_VAR).is_ok_and(|v| v == "1");
    if !allow_remote {
        for host in config.get_hosts() {
            if let Host::Tcp(name) = host {
                if !is_local(name) {
                    return Err(TestDbError::RemoteServer { host: name.clone() });
                }
            }
        }
    }
    Ok(config)
}

/// Whether a host name or address is this machine: loopback, or a unix socket directory.
pub fn is_local(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") || host.starts_with('/') {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

fn url_without_dbname(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))?;
    let path_start = rest.find('/')? + (url.len() - rest.len());
    Some(&url[..path_start])
}

async fn connect(config: &Config) -> Result<tokio_postgres::Client, TestDbError> {
    let (client, connection) =
        config
            .connect(NoTls)
            .await
            .map_err(|source| TestDbError::Connect {
                url: admin_url(),
                source,
            })?;
    tokio::spawn(async move {
        // The connection ends when the client is dropped; its error then is not interesting.
        let _ = connection.await;
    });
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_hosts_are_recognised() {
        assert!(is_local("localhost"));
        assert!(is_local("127.0.0.1"));
        assert!(is_local("::1"));
        assert!(is_local("[::1]"));
        assert!(is_local("/var/run/postgresql"));
        assert!(!is_local("db.example.com"));
        assert!(!is_local("10.0.0.5"));
    }

    #[test]
    fn url_prefix_drops_the_database_and_query() {
        assert_eq!(
            url_without_dbname("postgres://postgres@127.0.0.1:5432/postgres"),
            Some("postgres://postgres@127.0.0.1:5432")
        );
        assert_eq!(url_without_dbname("host=/tmp user=postgres"), None);
    }
}
