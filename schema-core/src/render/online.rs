//! The online forms of statements (see [`crate::online`]): the same objects as the plain
//! forms of `ddl.rs`, reached under locks that let the table's writers through.

use super::ddl::{self, index_statement, Build, Validation};
use crate::plan::OnlineStatement;
use crate::sql::quote_ident as ident;

/// `schema` qualifies a referenced table, as in the plain form.
pub(super) fn statement(s: &OnlineStatement, schema: &str) -> String {
    match s {
        OnlineStatement::CreateIndex { table, index } => {
            index_statement(table, index, Build::Concurrently)
        }
        OnlineStatement::DropIndex(name) => {
            format!("DROP INDEX CONCURRENTLY IF EXISTS {};", ident(name))
        }
        OnlineStatement::AddForeignKeyNotValid {
            table,
            name,
            foreign_key,
        } => ddl::foreign_key(schema, table, name, foreign_key, Validation::Later),
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
        OnlineStatement::CreateConstraintIndex { table, constraint } => {
            let (nulls, key) = crate::sql::unique_key(&constraint.definition)
                .expect("online::split builds only unique constraints concurrently");
            format!(
                "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {} ON {} USING btree {key}{};",
                ident(&constraint.name),
                ident(table),
                if nulls { " NULLS NOT DISTINCT" } else { "" }
            )
        }
        OnlineStatement::AddUniqueUsingIndex { table, name } => format!(
            "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE USING INDEX {};",
            ident(table),
            ident(name),
            ident(name)
        ),
        OnlineStatement::ValidateConstraint { table, name } => format!(
            "ALTER TABLE {} VALIDATE CONSTRAINT {};",
            ident(table),
            ident(name)
        ),
    }
}
