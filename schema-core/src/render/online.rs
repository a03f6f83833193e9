//! The online forms of statements (see [`crate::online`]): the same objects as the plain
//! forms of `ddl.rs`, reached under locks that let the table's writers through.

use super::ddl::{add_foreign_key, create_index};
use crate::plan::OnlineStatement;
use crate::sql::quote_ident as ident;

/// `schema` qualifies a referenced table, as in the plain form.
pub(super) fn statement(s: &OnlineStatement, schema: &str) -> String {
    match s {
        OnlineStatement::CreateIndex { table, index } => {
            // The plain form's text after `INDEX`, so both give the same `pg_indexes.indexdef`.
            let plain = create_index(table, index);
            let rest = plain
                .split_once("INDEX ")
                .map(|(_, rest)| rest)
                .unwrap_or(&plain);
            format!(
                "CREATE {}INDEX CONCURRENTLY IF NOT EXISTS {rest}",
                if index.unique { "UNIQUE " } else { "" }
            )
        }
        OnlineStatement::DropIndex(name) => {
            format!("DROP INDEX CONCURRENTLY IF EXISTS {};", ident(name))
        }
        OnlineStatement::AddForeignKeyNotValid {
            table,
            name,
            foreign_key,
        } => {
            let plain = add_foreign_key(schema, table, foreign_key);
            let conventional = ident(&foreign_key.constraint_name(table));
            let named = plain.replacen(&conventional, &ident(name), 1);
            format!("{} NOT VALID;", named.trim_end_matches(';'))
        }
        OnlineStatement::AddNotNullCheck {
            table,
            column,
            name,
        } => format!(
            "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID;",
            ident(table),
            ident(name),
            ident(column)
        ),
        OnlineStatement::ValidateConstraint { table, name } => format!(
            "ALTER TABLE {} VALIDATE CONSTRAINT {};",
            ident(table),
            ident(name)
        ),
    }
}
