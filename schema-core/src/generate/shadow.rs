//! Shadow databases: named so that a run killed before it could drop its own is cleaned up by
//! a later one. Each run holds, for its whole life, a session advisory lock on the maintenance
//! connection, keyed by a number that is also the last part of its shadow's name
//! (`schema_shadow_<pid>_<key>`). The lock goes with the session, so when the process dies
//! (killed, crashed, on any host) the lock is free; a later run drops the shadows whose lock it
//! can take, and never one whose run is alive, since that run still holds its lock.

use crate::connection::{self, ConnectError, DatabaseConfig};
use crate::migrate::MigrateError;
use std::hash::{BuildHasher, Hasher};
use tokio_postgres::Client;

/// The first part of every shadow database's name.
pub const SHADOW_PREFIX: &str = "schema_shadow_";

/// The first key of the advisory locks (`pg_try_advisory_lock(int, int)`, in the `postgres`
/// database) that keep a run's shadow; the second is the number its name ends with. Any
/// session that holds such a lock keeps the shadow of that name from being dropped.
pub const SHADOW_LOCK_CLASS: i32 = 0x7368_6477; // "shdw"
const LOCK_CLASS: i32 = SHADOW_LOCK_CLASS;

/// The shadow database of this run, whose lock the maintenance connection holds.
pub(super) struct Shadow {
    /// The database's name.
    pub name: String,
}

/// A shadow database made for one run, and the maintenance connection that keeps its lock
/// (and drops it in [`Opened::close`]).
pub(super) struct Opened {
    admin: Client,
    /// The shadow database's name.
    pub name: String,
    /// Shadow databases left by runs killed before they could drop them, dropped now.
    pub dropped_stale: Vec<String>,
}

/// Drops the shadows of killed runs (their lock is free), then creates this run's, locked
/// before it exists and for as long as the returned [`Opened`] lives.
pub(super) async fn open(server: &DatabaseConfig) -> Result<Opened, MigrateError> {
    let admin = server.with_database("postgres").connect().await?;
    let dropped_stale = drop_stale(&admin).await?;
    let name = claim(&admin).await?.name;
    connection::create_database(&admin, &name)
        .await
        .map_err(|source| ConnectError::CreateDatabase {
            database: name.clone(),
            source,
        })?;
    Ok(Opened {
        admin,
        name,
        dropped_stale,
    })
}

impl Opened {
    /// Drops the shadow database (FORCE ends any connection left to it); says what to do
    /// when it could not.
    pub(super) async fn close(self) -> Result<(), String> {
        connection::drop_database(&self.admin, &self.name)
            .await
            .map_err(|e| {
                format!(
                    "the shadow database `{}` could not be dropped ({e}); the next `--check` \
                     drops it, or drop it by hand",
                    self.name
                )
            })
    }
}

/// The key in a shadow's name, when the name is one this module gives.
fn key_of(name: &str) -> Option<i32> {
    let rest = name.strip_prefix(SHADOW_PREFIX)?;
    let (pid, key) = rest.split_once('_')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(pid) || !digits(key) {
        return None;
    }
    key.parse().ok()
}

/// Takes a key no live run holds and names this run's shadow after it; the lock is taken
/// before the database exists, so no other run can take it for a dead one's.
pub(super) async fn claim(admin: &Client) -> Result<Shadow, MigrateError> {
    let random = std::collections::hash_map::RandomState::new();
    for attempt in 0u32.. {
        let mut hasher = random.build_hasher();
        hasher.write_u32(attempt);
        hasher.write_u32(std::process::id());
        let key = (hasher.finish() & 0x7fff_ffff) as i32;
        if try_lock(admin, key).await? {
            return Ok(Shadow {
                name: format!("{SHADOW_PREFIX}{}_{key}", std::process::id()),
            });
        }
    }
    unreachable!("the loop only ends by returning")
}

/// Drops every shadow database whose run is gone (its lock is free); returns their names.
/// Best effort: a shadow that cannot be dropped (another owner) is left for its owner.
pub(super) async fn drop_stale(admin: &Client) -> Result<Vec<String>, MigrateError> {
    let rows = admin
        .query(
            "SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname",
            &[&SHADOW_PREFIX],
        )
        .await
        .map_err(|source| MigrateError::Database {
            during: "listing the shadow databases left by earlier runs".into(),
            source,
        })?;
    let mut dropped = Vec::new();
    for row in rows {
        let name: String = row.get(0);
        let Some(key) = key_of(&name) else {
            continue;
        };
        if !try_lock(admin, key).await? {
            continue;
        }
        let gone = crate::connection::drop_database(admin, &name).await;
        unlock(admin, key).await?;
        if gone.is_ok() {
            dropped.push(name);
        }
    }
    Ok(dropped)
}

async fn try_lock(admin: &Client, key: i32) -> Result<bool, MigrateError> {
    let row = admin
        .query_one("SELECT pg_try_advisory_lock($1, $2)", &[&LOCK_CLASS, &key])
        .await
        .map_err(|source| MigrateError::Database {
            during: "locking a shadow database's name".into(),
            source,
        })?;
    Ok(row.get(0))
}

async fn unlock(admin: &Client, key: i32) -> Result<(), MigrateError> {
    admin
        .query_one("SELECT pg_advisory_unlock($1, $2)", &[&LOCK_CLASS, &key])
        .await
        .map_err(|source| MigrateError::Database {
            during: "unlocking a shadow database's name".into(),
            source,
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_this_module_gives_have_a_key() {
        assert_eq!(key_of("schema_shadow_123_456"), Some(456));
        // The names of earlier versions (pid, counter, time) are left alone: their runs
        // held no lock, so whether they are alive cannot be told.
        assert_eq!(key_of("schema_shadow_123_0_1700000000000000000"), None);
        assert_eq!(key_of("schema_shadow_123_"), None);
        assert_eq!(key_of("schema_shadow_x_1"), None);
        assert_eq!(key_of("app"), None);
    }
}
