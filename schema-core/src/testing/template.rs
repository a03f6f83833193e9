//! Template databases: a migration folder applied once per server, then copied for each test
//! with `CREATE DATABASE .. TEMPLATE`, which costs about the same whatever the history.
//!
//! A template is named `schema_template_<key>`, the key a hash of what decides its content:
//! every migration's version, name and checksums, the ledger's format and the server's
//! version. A change to any of them names a new template, so a template is never updated in
//! place. PostgreSQL refuses to copy a database anyone is connected to, so a finished
//! template accepts no connections at all (`ALLOW_CONNECTIONS false`); the copies are built
//! from it by the server alone. Concurrent test processes build each template once, under
//! an advisory lock named after it, and templates nobody has used for [`STALE_AFTER`] are
//! dropped, with their spares (see `spares.rs`), when another one is built.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Config};

use super::keys::lock_key;
pub use super::keys::TEMPLATE_PREFIX;
use super::{spares, TestDbError};
use crate::connection::{self, DatabaseConfig};
use crate::migrate::Migrator;
use crate::sql::{quote_ident, quote_literal};

/// How long a test waits for another process that is building the same template.
pub const TEMPLATE_LOCK_WAIT: Duration = Duration::from_secs(120);

/// A template unused for this long is dropped the next time a template is built.
pub const STALE_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// The first key of the advisory locks on templates (the second is the template's hash), so
/// they cannot meet the migration lock, which is a single `bigint` key.
const LOCK_CLASS: i32 = 0x7363_6874; // "scht"

/// The comment a template carries: when a test process last copied it, in Unix seconds.
const USED_PREFIX: &str = "schema test template, last used ";

/// Templates this process has marked as used, so each is marked once per process.
static TOUCHED: Mutex<Option<HashSet<String>>> = Mutex::new(None);

/// The template's name for `migrator`'s migrations on the server `admin` is connected to.
pub(super) async fn name(admin: &Client, migrator: &Migrator) -> Result<String, TestDbError> {
    let version: String = admin
        .query_one("SELECT current_setting('server_version_num')", &[])
        .await
        .map_err(|source| TestDbError::Template {
            template: TEMPLATE_PREFIX.to_string() + "…",
            during: "reading the server's version",
            source,
        })?
        .get(0);
    let mut hash = Sha256::new();
    hash.update(b"ledger\0");
    hash.update(crate::migrate::ledger_format().as_bytes());
    hash.update(b"\0server\0");
    hash.update(version.as_bytes());
    for m in migrator.migrations() {
        hash.update(
            format!(
                "\0{}\0{}\0{}\0{}\0{}",
                m.version,
                m.name,
                m.checksum,
                m.transactional,
                m.down_checksum.as_deref().unwrap_or("")
            )
            .as_bytes(),
        );
    }
    Ok(format!(
        "{TEMPLATE_PREFIX}{}",
        &hex::encode(hash.finalize())[..32]
    ))
}

/// Makes sure the template `name` exists, ready to copy: built by this call (under the
/// template's lock) or found built by another process.
pub(super) async fn ensure(
    admin: &Client,
    admin_config: &Config,
    name: &str,
    migrator: &Migrator,
) -> Result<(), TestDbError> {
    if is_ready(admin, name).await? {
        touch(admin, name).await;
        return Ok(());
    }
    lock(admin, name).await?;
    let built = build_locked(admin, admin_config, name, migrator).await;
    let unlocked = unlock(admin, name).await;
    built?;
    unlocked.map_err(failed(name, "releasing the template's lock"))?;
    Ok(())
}

async fn build_locked(
    admin: &Client,
    admin_config: &Config,
    name: &str,
    migrator: &Migrator,
) -> Result<(), TestDbError> {
    // Another process may have built it while this one waited.
    if is_ready(admin, name).await? {
        touch(admin, name).await;
        return Ok(());
    }
    let quoted = quote_ident(name);
    // Left half-built by a process that stopped while building it.
    connection::drop_database(admin, name)
        .await
        .map_err(failed(name, "dropping a half-built template"))?;
    connection::create_database(admin, name)
        .await
        .map_err(failed(name, "creating the template"))?;
    let mut config = admin_config.clone();
    config.dbname(name);
    if let Err(e) = migrator.run(&DatabaseConfig::from(config)).await {
        let _ = connection::drop_database(admin, name).await;
        return Err(TestDbError::Migrate {
            database: name.to_string(),
            source: Box::new(e),
        });
    }
    // The run's connection is closed, but its backend may not have exited yet; none may stay,
    // and none may come: a database with a connection on it cannot be copied.
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {quoted} WITH ALLOW_CONNECTIONS false IS_TEMPLATE true;\n\
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = {};\n\
             COMMENT ON DATABASE {quoted} IS {}",
            quote_literal(name),
            quote_literal(&format!("{USED_PREFIX}{}", unix_now()))
        ))
        .await
        .map_err(failed(name, "marking the template ready"))?;
    drop_stale(admin, name).await;
    Ok(())
}

/// Waits for the template's lock, at most [`TEMPLATE_LOCK_WAIT`].
async fn lock(admin: &Client, name: &str) -> Result<(), TestDbError> {
    admin
        .batch_execute(&format!(
            "SET lock_timeout = '{}ms'",
            TEMPLATE_LOCK_WAIT.as_millis()
        ))
        .await
        .map_err(failed(name, "setting lock_timeout"))?;
    let locked = admin
        .query_one(
            "SELECT pg_advisory_lock($1, $2)",
            &[&LOCK_CLASS, &lock_key(name)],
        )
        .await;
    match locked {
        Ok(_) => Ok(()),
        Err(e) if e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) => {
            Err(TestDbError::TemplateLockTimeout {
                template: name.to_string(),
                waited: TEMPLATE_LOCK_WAIT,
            })
        }
        Err(e) => Err(failed(name, "waiting for the template's lock")(e)),
    }
}

/// Built, and closed to connections.
async fn is_ready(admin: &Client, name: &str) -> Result<bool, TestDbError> {
    let row = admin
        .query_opt(
            "SELECT datistemplate AND NOT datallowconn FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .await
        .map_err(failed(name, "looking for the template"))?;
    Ok(row.is_some_and(|r| r.get(0)))
}

/// Marks the template as used now, once per process: that keeps it from being dropped as
/// stale. Best effort: two processes marking it at once may see the server refuse one.
async fn touch(admin: &Client, name: &str) {
    {
        let mut touched = TOUCHED.lock().unwrap_or_else(|p| p.into_inner());
        if !touched
            .get_or_insert_with(HashSet::new)
            .insert(name.to_string())
        {
            return;
        }
    }
    let _ = admin
        .batch_execute(&format!(
            "COMMENT ON DATABASE {} IS {}",
            quote_ident(name),
            quote_literal(&format!("{USED_PREFIX}{}", unix_now()))
        ))
        .await;
}

/// Drops the templates other than `keep` that nobody has used for [`STALE_AFTER`], and
/// half-built ones nobody is building, each with its spares; and the spares whose template
/// is gone. A template whose lock another process holds, or whose spares another process is
/// refilling, is left alone. Best effort: what cannot be dropped now is tried again later.
async fn drop_stale(admin: &Client, keep: &str) {
    let Ok(rows) = admin
        .query(
            "SELECT datname::text, datistemplate AND NOT datallowconn, \
                    coalesce(shobj_description(oid, 'pg_database'), '') \
             FROM pg_database WHERE starts_with(datname, $1) AND datname <> $2",
            &[&TEMPLATE_PREFIX, &keep],
        )
        .await
    else {
        return;
    };
    let now = unix_now();
    for row in rows {
        let name: String = row.get(0);
        let ready: bool = row.get(1);
        let comment: String = row.get(2);
        let last_used = comment
            .strip_prefix(USED_PREFIX)
            .and_then(|t| t.parse::<u64>().ok());
        let stale = match last_used {
            Some(t) => now.saturating_sub(t) > STALE_AFTER.as_secs(),
            None => !ready,
        };
        if !stale || !try_lock(admin, &name).await {
            continue;
        }
        if spares::try_drop_all(admin, &name)
            .await
            .is_ok_and(|dropped| dropped)
        {
            let _ = drop_unlocked(admin, &name).await;
        }
        let _ = unlock(admin, &name).await;
    }
    if let Ok(orphaned) = spares::orphaned_templates(admin).await {
        for template in orphaned {
            let _ = spares::try_drop_all(admin, &template).await;
        }
    }
}

/// Drops the template `name` and its spares, waiting (at most [`TEMPLATE_LOCK_WAIT`]) for a
/// build or a refill of them under way.
pub(super) async fn drop_with_spares(admin: &Client, name: &str) -> Result<(), TestDbError> {
    lock(admin, name).await?;
    let dropped = async {
        spares::drop_all_locked(admin, name)
            .await
            .map_err(failed(name, "dropping its spares"))?;
        let dropped = drop_unlocked(admin, name)
            .await
            .map_err(failed(name, "dropping it"));
        let unlocked = spares::unlock(admin, name)
            .await
            .map_err(failed(name, "releasing its spares' lock"));
        dropped.and(unlocked)
    }
    .await;
    let unlocked = unlock(admin, name)
        .await
        .map_err(failed(name, "releasing the template's lock"));
    dropped.and(unlocked)
}

/// Drops the template `name`, whose lock the caller holds.
async fn drop_unlocked(admin: &Client, name: &str) -> Result<(), tokio_postgres::Error> {
    let quoted = quote_ident(name);
    // A template cannot be dropped; and DROP DATABASE runs alone, outside a transaction.
    match admin
        .batch_execute(&format!("ALTER DATABASE {quoted} WITH IS_TEMPLATE false"))
        .await
    {
        Err(e) if e.code() == Some(&SqlState::UNDEFINED_DATABASE) => return Ok(()),
        other => other?,
    }
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {quoted}"))
        .await
}

async fn try_lock(admin: &Client, name: &str) -> bool {
    admin
        .query_one(
            "SELECT pg_try_advisory_lock($1, $2)",
            &[&LOCK_CLASS, &lock_key(name)],
        )
        .await
        .is_ok_and(|r| r.get::<_, bool>(0))
}

async fn unlock(admin: &Client, name: &str) -> Result<(), tokio_postgres::Error> {
    admin
        .query_one(
            "SELECT pg_advisory_unlock($1, $2)",
            &[&LOCK_CLASS, &lock_key(name)],
        )
        .await
        .map(|_| ())
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn failed<'a>(
    name: &'a str,
    during: &'static str,
) -> impl FnOnce(tokio_postgres::Error) -> TestDbError + 'a {
    move |source| TestDbError::Template {
        template: name.to_string(),
        during,
        source,
    }
}
