//! Databases of their own for tests: each [`TestDatabase`] is a fresh database on the
//! server named by `TEST_DATABASE_URL` (default: the local server), dropped when the value is
//! dropped, so tests run in parallel and leave nothing behind.
//!
//! The database is dropped on the test's own runtime, which must therefore be multi-threaded
//! (`#[tokio::test(flavor = "multi_thread")]`): a value dropped in synchronous code blocks one
//! worker while another drives the `DROP DATABASE`.
//!
//! Creating and dropping databases is destructive, so this refuses any server that is not on
//! this machine unless `SCHEMA_TEST_ALLOW_REMOTE=1` says otherwise.

use std::sync::atomic::{AtomicU32, Ordering};
use tokio_postgres::config::Host;
use tokio_postgres::{Config, NoTls};

/// The server tests use when `TEST_DATABASE_URL` is not set: the local PostgreSQL over TCP.
pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

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
        let runtime = tokio::runtime::Handle::current();
        if runtime.runtime_flavor() != tokio::runtime::RuntimeFlavor::MultiThread {
            return Err(TestDbError::NeedsMultiThreadRuntime);
        }
        let admin = admin_config()?;
        let name = format!(
            "schema_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        );
        let client = connect(&admin).await?;
        client
            .batch_execute(&format!(
                "CREATE DATABASE {}",
                crate::sql::quote_ident(&name)
            ))
            .await
            .map_err(|source| TestDbError::Create {
                name: name.clone(),
                source,
            })?;
        let mut config = admin.clone();
        config.dbname(&name);
        Ok(TestDatabase {
            name,
            admin,
            config,
            runtime,
        })
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
            client
                .batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    crate::sql::quote_ident(&name)
                ))
                .await
                .ok()
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
