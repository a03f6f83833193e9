//! One function per statement shape.

use crate::model::{ColumnDef, ForeignKeyDef, IndexDef, PrimaryKey, TableDef};
use crate::plan::{LabelPosition, Statement};
use crate::sql::{default, qualified_in, quote_ident as ident, quote_literal as literal, sql_type};

/// The plain (not online) statements; online ones are `online.rs`'s.
pub(super) fn statement_in(s: &Statement, schema: &str) -> String {
    let qualified = |name: &str| qualified_in(schema, name);
    match s {
        Statement::CreateExtension(name) => {
            format!("CREATE EXTENSION IF NOT EXISTS {};", ident(name))
        }
        Statement::CreateSchema(name) => format!("CREATE SCHEMA IF NOT EXISTS {};", ident(name)),
        Statement::UseSchema(name) => format!("SET search_path TO {};", ident(name)),
        Statement::CreateEnum(e) => {
            let labels: Vec<String> = e.labels.iter().map(|l| literal(l)).collect();
            format!(
                "CREATE TYPE {} AS ENUM({});",
                qualified(&e.name),
                labels.join(", ")
            )
        }
        Statement::DropEnum(name) => format!("DROP TYPE {};", qualified(name)),
        Statement::RenameEnum { from, to } => {
            format!("ALTER TYPE {} RENAME TO {};", qualified(from), ident(to))
        }
        Statement::AddEnumLabel {
            enum_name,
            label,
            position,
        } => {
            let place = match position {
                Some(LabelPosition::Before(l)) => format!(" BEFORE {}", literal(l)),
                Some(LabelPosition::After(l)) => format!(" AFTER {}", literal(l)),
                None => String::new(),
            };
            format!(
                "ALTER TYPE {} ADD VALUE {}{place};",
                qualified(enum_name),
                literal(label)
            )
        }
        Statement::RenameEnumLabel {
            enum_name,
            from,
            to,
        } => format!(
            "ALTER TYPE {} RENAME VALUE {} TO {};",
            qualified(enum_name),
            literal(from),
            literal(to)
        ),
        Statement::CreateTable(table) => create_table(table),
        Statement::DropTable(name) => format!("DROP TABLE {};", ident(name)),
        Statement::RenameTable { from, to } => {
            format!("ALTER TABLE {} RENAME TO {};", ident(from), ident(to))
        }
        Statement::AddColumn { table, column } => {
            format!(
                "ALTER TABLE {} ADD COLUMN {};",
                ident(table),
                column_definition(column, false)
            )
        }
        Statement::DropColumn { table, column } => {
            format!(
                "ALTER TABLE {} DROP COLUMN {};",
                ident(table),
                ident(column)
            )
        }
        Statement::RenameColumn { table, from, to } => format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {};",
            ident(table),
            ident(from),
            ident(to)
        ),
        Statement::AlterColumnType {
            table,
            column,
            sql_type: ty,
            using,
        } => {
            let using = using
                .map(|u| format!(" USING {}", crate::sql::using(column, u, ty)))
                .unwrap_or_default();
            alter_column(
                table,
                column,
                &format!("SET DATA TYPE {}{using}", sql_type(ty)),
            )
        }
        Statement::SetNotNull { table, column } => alter_column(table, column, "SET NOT NULL"),
        Statement::DropNotNull { table, column } => alter_column(table, column, "DROP NOT NULL"),
        Statement::SetDefault {
            table,
            column,
            default: value,
        } => alter_column(table, column, &format!("SET DEFAULT {}", default(value))),
        Statement::DropDefault { table, column } => alter_column(table, column, "DROP DEFAULT"),
        Statement::AddForeignKey { table, foreign_key } => {
            add_foreign_key(schema, table, foreign_key)
        }
        Statement::AddPrimaryKey {
            table,
            name,
            columns,
        } => format!(
            "ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY({});",
            ident(table),
            ident(name),
            column_list(columns.iter().map(|c| &**c))
        ),
        Statement::DropConstraint { table, name } => {
            format!(
                "ALTER TABLE {} DROP CONSTRAINT {};",
                ident(table),
                ident(name)
            )
        }
        Statement::RenameConstraint { table, from, to } => format!(
            "ALTER TABLE {} RENAME CONSTRAINT {} TO {};",
            ident(table),
            ident(from),
            ident(to)
        ),
        Statement::CreateIndex { table, index } => create_index(table, index),
        Statement::DropIndex(name) => format!("DROP INDEX {};", ident(name)),
        Statement::RenameIndex { from, to } => {
            format!("ALTER INDEX {} RENAME TO {};", ident(from), ident(to))
        }
        Statement::Online(_) => {
            unreachable!("render::statement_in sends online statements to online.rs")
        }
        Statement::FillNulls {
            table,
            column,
            default: value,
        } => format!(
            "UPDATE {} SET {} = {} WHERE {} IS NULL;",
            ident(table),
            ident(column),
            default(value),
            ident(column)
        ),
    }
}

fn alter_column(table: &str, column: &str, action: &str) -> String {
    format!(
        "ALTER TABLE {} ALTER COLUMN {} {action};",
        ident(table),
        ident(column)
    )
}

fn column_list<'a>(columns: impl Iterator<Item = &'a str>) -> String {
    columns.map(ident).collect::<Vec<_>>().join(",")
}

/// `"name" type [PRIMARY KEY] [DEFAULT x] [NOT NULL]`, drizzle-kit's order of clauses.
fn column_definition(column: &ColumnDef, primary_key: bool) -> String {
    let mut out = format!("{} {}", ident(&column.name), sql_type(&column.sql_type));
    if primary_key {
        out.push_str(" PRIMARY KEY");
    }
    if let Some(value) = &column.default {
        out.push_str(" DEFAULT ");
        out.push_str(&default(value));
    }
    if !column.nullable {
        out.push_str(" NOT NULL");
    }
    out
}

fn create_table(table: &TableDef) -> String {
    let inline_key = match &table.primary_key {
        PrimaryKey::Column(c) => Some(c),
        PrimaryKey::Composite(_) => None,
    };
    let mut lines: Vec<String> = table
        .columns
        .iter()
        .map(|c| format!("\t{}", column_definition(c, inline_key == Some(&c.name))))
        .collect();
    if let PrimaryKey::Composite(columns) = &table.primary_key {
        lines.push(format!(
            "\tCONSTRAINT {} PRIMARY KEY({})",
            ident(&table.primary_key_name()),
            column_list(columns.iter().map(|c| &**c))
        ));
    }
    format!(
        "CREATE TABLE {} (\n{}\n);",
        ident(&table.name),
        lines.join(",\n")
    )
}

pub(super) fn add_foreign_key(schema: &str, table: &str, fk: &ForeignKeyDef) -> String {
    foreign_key(
        schema,
        table,
        &fk.constraint_name(table),
        fk,
        Validation::Now,
    )
}

/// Whether a new constraint checks the rows already there as it is added.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Validation {
    /// Checked at once, under the lock the `ALTER TABLE` takes.
    Now,
    /// `NOT VALID`: only new rows are checked; `VALIDATE CONSTRAINT` checks the rest later.
    Later,
}

/// `ALTER TABLE .. ADD CONSTRAINT name FOREIGN KEY ..`, `NOT VALID` when validated later.
pub(super) fn foreign_key(
    schema: &str,
    table: &str,
    name: &str,
    fk: &ForeignKeyDef,
    validation: Validation,
) -> String {
    format!(
        "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {}({}) ON DELETE {} ON UPDATE no action{};",
        ident(table),
        ident(name),
        ident(&fk.column),
        qualified_in(schema, &fk.references_table),
        ident(&fk.references_column),
        fk.on_delete.sql(),
        if validation == Validation::Later { " NOT VALID" } else { "" }
    )
}

/// A key is written as `pg_get_indexdef` prints it: `DESC` for PostgreSQL's plain descending
/// order (NULLs first), and a NULLS clause only where it differs from the direction's default.
pub(super) fn create_index(table: &str, index: &IndexDef) -> String {
    index_statement(table, index, Build::Locked)
}

/// How an index is built.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Build {
    /// In one pass, blocking the table's writers for its length.
    Locked,
    /// `CONCURRENTLY IF NOT EXISTS`: writers go on; safe to repeat after an interruption.
    Concurrently,
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY IF NOT EXISTS] name ON table USING btree (..)`: the
/// same text after the name either way, so both give the same `pg_indexes.indexdef`.
pub(super) fn index_statement(table: &str, index: &IndexDef, build: Build) -> String {
    let columns: Vec<String> = index
        .columns
        .iter()
        .map(|c| {
            let mut col = ident(&c.name);
            if c.desc {
                col.push_str(" DESC");
            }
            if let Some(nulls) = c.nulls_clause() {
                col.push(' ');
                col.push_str(nulls);
            }
            col
        })
        .collect();
    format!(
        "CREATE {}INDEX {}{} ON {} USING btree ({});",
        if index.unique { "UNIQUE " } else { "" },
        if build == Build::Concurrently {
            "CONCURRENTLY IF NOT EXISTS "
        } else {
            ""
        },
        ident(&index.name),
        ident(table),
        columns.join(",")
    )
}
