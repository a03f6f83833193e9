//! Spare copies of a template, made ahead of time so that a test takes one by renaming it (a
//! change to the catalog, a few milliseconds) instead of waiting for `CREATE DATABASE ..
//! TEMPLATE`, whose cost follows the template's size.
//!
//! A spare is built under a name of its own, `schema_making_<key>_<suffix>`, and renamed to
//! its ready name, `schema_spare_<key>_<suffix>`, only once the copy has committed; a test
//! takes only ready names, so a build cut off half-way is never handed out. Spares accept no
//! connections, so nothing keeps a rename from going through. Claimers race by renaming: the
//! first rename of a spare wins, the others find it gone and try the next one.
//!
//! One process at a time refills a template's spares, under an advisory lock named after the
//! template; it counts the ready ones and makes the rest up to the pool's size. Since only the
//! lock's holder builds, a `schema_making_` database of the template found by the holder is a
//! build whose process ended before renaming it, and is dropped.

use std::time::Duration;

use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

use super::keys::{lock_key, TEMPLATE_PREFIX};
use super::TestDbError;
use crate::connection;
use crate::sql::quote_ident;

/// The prefix of every ready spare's name: `schema_spare_<template key>_<suffix>`.
pub const SPARE_PREFIX: &str = "schema_spare_";

/// The prefix of a spare still being copied: `schema_making_<template key>_<suffix>`.
pub const MAKING_PREFIX: &str = "schema_making_";

/// How many ready spares each template keeps (`0` turns the pool off); at most [`MAX_SPARES`].
pub const SPARES_VAR: &str = "SCHEMA_TEST_SPARES";

/// Ready spares per template when [`SPARES_VAR`] is not set.
pub const DEFAULT_SPARES: usize = 2;

/// The largest pool [`SPARES_VAR`] may ask for: every spare is a full copy on the server.
pub const MAX_SPARES: usize = 8;

/// The first key of the advisory lock a refill holds (the second is the template's hash, as
/// for the template's own lock, whose first key differs).
const POOL_LOCK_CLASS: i32 = 0x7363_6870; // "schp"

/// How long a claim's rename waits for a lock on the spare (held by a concurrent claim of the
/// same spare for milliseconds, or by a drop) before trying the next spare.
const CLAIM_LOCK_WAIT: Duration = Duration::from_secs(2);

/// The pool's size from [`SPARES_VAR`].
pub(super) fn pool_size() -> Result<usize, TestDbError> {
    parse_pool_size(std::env::var(SPARES_VAR).ok())
}

fn parse_pool_size(value: Option<String>) -> Result<usize, TestDbError> {
    let Some(value) = value else {
        return Ok(DEFAULT_SPARES);
    };
    match value.trim().parse::<usize>() {
        Ok(n) if n <= MAX_SPARES => Ok(n),
        _ => Err(TestDbError::BadSpares { value }),
    }
}

/// The template's key: its name without [`TEMPLATE_PREFIX`].
fn key(template: &str) -> &str {
    template.strip_prefix(TEMPLATE_PREFIX).unwrap_or(template)
}

/// What every ready spare of `template` is named with at the start.
pub(super) fn ready_prefix(template: &str) -> String {
    format!("{SPARE_PREFIX}{}_", key(template))
}

/// What every spare of `template` still being built is named with at the start.
fn making_prefix(template: &str) -> String {
    format!("{MAKING_PREFIX}{}_", key(template))
}

/// The names of the databases starting with `prefix`, in random order, so concurrent
/// claimers start from different spares.
async fn named(admin: &Client, prefix: &str) -> Result<Vec<String>, tokio_postgres::Error> {
    let rows = admin
        .query(
            "SELECT datname::text FROM pg_database WHERE starts_with(datname, $1) \
             ORDER BY random()",
            &[&prefix],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.get(0)).collect())
}

/// Renames a ready spare of `template` to `name` and opens it to connections, in one
/// transaction; `false` when there was no spare to take.
pub(super) async fn claim(admin: &Client, template: &str, name: &str) -> Result<bool, TestDbError> {
    let spares = named(admin, &ready_prefix(template))
        .await
        .map_err(|source| TestDbError::Create {
            name: name.to_string(),
            source,
        })?;
    let new = quote_ident(name);
    for spare in spares {
        let taken = admin
            .batch_execute(&format!(
                "SET LOCAL lock_timeout = '{}ms';\n\
                 ALTER DATABASE {} RENAME TO {new};\n\
                 ALTER DATABASE {new} WITH ALLOW_CONNECTIONS true",
                CLAIM_LOCK_WAIT.as_millis(),
                quote_ident(&spare),
            ))
            .await;
        match taken {
            Ok(()) => return Ok(true),
            // Taken (or dropped) by someone else first, held past the wait, or made by another
            // user, whose spares only they may rename: the next one.
            Err(e)
                if [
                    SqlState::UNDEFINED_DATABASE,
                    SqlState::LOCK_NOT_AVAILABLE,
                    SqlState::OBJECT_IN_USE,
                    SqlState::INSUFFICIENT_PRIVILEGE,
                ]
                .iter()
                .any(|code| e.code() == Some(code)) => {}
            Err(source) => {
                return Err(TestDbError::Create {
                    name: name.to_string(),
                    source,
                })
            }
        }
    }
    Ok(false)
}

/// Tops the spares of `template` up to `size`, unless another session is doing it. Stops at
/// the first failure (the template dropped meanwhile, say): a refill is an optimisation, and
/// the next claim copies the template when no spare is ready.
pub(super) async fn refill(
    admin: &Client,
    template: &str,
    size: usize,
) -> Result<(), tokio_postgres::Error> {
    let locked: bool = admin
        .query_one(
            "SELECT pg_try_advisory_lock($1, $2)",
            &[&POOL_LOCK_CLASS, &lock_key(template)],
        )
        .await?
        .get(0);
    if !locked {
        return Ok(());
    }
    let filled = fill_locked(admin, template, size).await;
    let unlocked = admin
        .query_one(
            "SELECT pg_advisory_unlock($1, $2)",
            &[&POOL_LOCK_CLASS, &lock_key(template)],
        )
        .await;
    filled?;
    unlocked.map(|_| ())
}

async fn fill_locked(
    admin: &Client,
    template: &str,
    size: usize,
) -> Result<(), tokio_postgres::Error> {
    for leftover in named(admin, &making_prefix(template)).await? {
        connection::drop_database(admin, &leftover).await?;
    }
    let ready = named(admin, &ready_prefix(template)).await?.len();
    for _ in ready..size {
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let suffix = &suffix[..8];
        let making = format!("{}{suffix}", making_prefix(template));
        let spare = format!("{}{suffix}", ready_prefix(template));
        admin
            .batch_execute(&format!(
                "CREATE DATABASE {} TEMPLATE {} ALLOW_CONNECTIONS false",
                quote_ident(&making),
                quote_ident(template)
            ))
            .await?;
        admin
            .batch_execute(&format!(
                "ALTER DATABASE {} RENAME TO {}",
                quote_ident(&making),
                quote_ident(&spare)
            ))
            .await?;
    }
    Ok(())
}

/// Drops every spare of `template`, ready or being built, waiting (within the session's
/// `lock_timeout`) for a refill under way to finish first. The caller releases the lock.
pub(super) async fn drop_all_locked(
    admin: &Client,
    template: &str,
) -> Result<(), tokio_postgres::Error> {
    admin
        .query_one(
            "SELECT pg_advisory_lock($1, $2)",
            &[&POOL_LOCK_CLASS, &lock_key(template)],
        )
        .await?;
    drop_spares(admin, template).await
}

/// Drops every spare of `template` if no refill holds its lock; `false` when one does.
pub(super) async fn try_drop_all(
    admin: &Client,
    template: &str,
) -> Result<bool, tokio_postgres::Error> {
    let locked: bool = admin
        .query_one(
            "SELECT pg_try_advisory_lock($1, $2)",
            &[&POOL_LOCK_CLASS, &lock_key(template)],
        )
        .await?
        .get(0);
    if !locked {
        return Ok(false);
    }
    let dropped = drop_spares(admin, template).await;
    unlock(admin, template).await?;
    dropped.map(|()| true)
}

/// Releases the refill lock on `template`'s spares.
pub(super) async fn unlock(admin: &Client, template: &str) -> Result<(), tokio_postgres::Error> {
    admin
        .query_one(
            "SELECT pg_advisory_unlock($1, $2)",
            &[&POOL_LOCK_CLASS, &lock_key(template)],
        )
        .await
        .map(|_| ())
}

async fn drop_spares(admin: &Client, template: &str) -> Result<(), tokio_postgres::Error> {
    for prefix in [ready_prefix(template), making_prefix(template)] {
        for spare in named(admin, &prefix).await? {
            connection::drop_database(admin, &spare).await?;
        }
    }
    Ok(())
}

/// The templates that spares on the server were copied from but that exist no more: their
/// spares are of no use to anyone.
pub(super) async fn orphaned_templates(
    admin: &Client,
) -> Result<Vec<String>, tokio_postgres::Error> {
    let rows = admin
        .query(
            "SELECT DISTINCT $3 || substring(datname FROM '^(?:' || $1 || '|' || $2 || ')(.*)_[^_]*$') \
             FROM pg_database WHERE starts_with(datname, $1) OR starts_with(datname, $2) \
             EXCEPT SELECT datname::text FROM pg_database",
            &[&SPARE_PREFIX, &MAKING_PREFIX, &TEMPLATE_PREFIX],
        )
        .await?;
    Ok(rows.into_iter().filter_map(|r| r.get(0)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_size_is_a_small_number_or_the_default() {
        let size = |v: Option<&str>| parse_pool_size(v.map(str::to_string));
        assert_eq!(size(None).unwrap(), DEFAULT_SPARES);
        assert_eq!(size(Some("0")).unwrap(), 0);
        assert_eq!(size(Some(" 4 ")).unwrap(), 4);
        for bad in ["9", "-1", "two", ""] {
            let err = size(Some(bad)).unwrap_err();
            assert!(matches!(&err, TestDbError::BadSpares { value } if value == bad));
            assert!(err.to_string().contains(SPARES_VAR), "{err}");
        }
    }

    #[test]
    fn spares_are_named_after_their_template_and_fit_a_database_name() {
        let template = format!("{TEMPLATE_PREFIX}{}", "0123456789abcdef".repeat(2));
        let ready = ready_prefix(&template);
        let making = making_prefix(&template);
        assert_eq!(
            ready,
            format!("{SPARE_PREFIX}{}_", "0123456789abcdef".repeat(2))
        );
        assert!(!making.starts_with(&ready) && !ready.starts_with(&making));
        // PostgreSQL cuts names at 63 bytes, which would lose the suffix.
        assert!(making.len() + 8 <= 63 && ready.len() + 8 <= 63);
    }
}
