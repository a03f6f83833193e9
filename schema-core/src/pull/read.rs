//! Reading the database for `pull`: the model of one PostgreSQL schema, without the tables other
//! tools keep their history in, and with the tables in an order the foreign keys allow.

use super::PullError;
use crate::catalog;
use crate::connection::DatabaseConfig;
use crate::model::{Schema, TableDef};

/// The schema `pg_schema` of the database, and the bookkeeping tables left out of it.
pub(super) async fn read(
    db: &DatabaseConfig,
    pg_schema: &str,
) -> Result<(Schema, Vec<String>), PullError> {
    let client = db.connect().await?;
    let mut schema = catalog::read_with_bookkeeping(&client, pg_schema).await?;
    let (kept, left): (Vec<TableDef>, Vec<TableDef>) = schema
        .tables
        .iter()
        .cloned()
        .partition(|t| !catalog::is_bookkeeping(&t.name));
    schema.tables = ordered(kept)?.into();
    Ok((
        schema,
        left.into_iter().map(|t| t.name.to_string()).collect(),
    ))
}

/// The tables, each after the tables its foreign keys reference where a cycle of keys does
/// not prevent it (readers find a table's targets above it), otherwise in the reader's order;
/// a partition after the table it is a partition of.
fn ordered(mut pending: Vec<TableDef>) -> Result<Vec<TableDef>, PullError> {
    let mut done: Vec<TableDef> = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let ready = pending.iter().position(|t| {
            let parent_done = t
                .partition_of()
                .is_none_or(|(parent, _)| !pending.iter().any(|p| p.name == *parent));
            parent_done
                && t.foreign_keys.iter().all(|fk| {
                    fk.references_table == t.name
                        || done.iter().any(|d| d.name == fk.references_table)
                        || !pending.iter().any(|p| p.name == fk.references_table)
                })
        });
        match ready {
            Some(i) => done.push(pending.remove(i)),
            // Tables in a cycle of foreign keys keep the reader's order: the list may hold a
            // key to a table listed later.
            None => done.push(pending.remove(0)),
        }
    }
    Ok(done)
}
