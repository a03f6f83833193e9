//! One function per statement shape.

use crate::model::{
    ColumnDef, ColumnDefault, ConstraintDef, Deferral, ForeignKeyDef, IndexDef, PrimaryKey,
    SqlType, TableDef,
};
use crate::plan::{LabelPosition, Statement};
use crate::sql::{
    default, qualified_in, quote_ident as ident, quote_literal as literal, serial_default, sql_type,
};

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
        Statement::AttachPartition {
            parent,
            table,
            bound,
        } => format!(
            "ALTER TABLE {} ATTACH PARTITION {} {bound};",
            ident(parent),
            ident(table)
        ),
        Statement::DetachPartition { parent, table } => format!(
            "ALTER TABLE {} DETACH PARTITION {};",
            ident(parent),
            ident(table)
        ),
        Statement::RenameTable { from, to } => {
            format!("ALTER TABLE {} RENAME TO {};", ident(from), ident(to))
        }
        Statement::RenameSequence { from, to } => {
            format!("ALTER SEQUENCE {} RENAME TO {};", ident(from), ident(to))
        }
        Statement::AddColumn { table, column } => {
            format!(
                "ALTER TABLE {} ADD COLUMN {};",
                ident(table),
                column_definition(table, column, false)
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
        Statement::AddConstraint { table, constraint } => {
            add_constraint(table, constraint, Validation::Now)
        }
        Statement::AddIdentity {
            table,
            column,
            identity,
        } => alter_column(
            table,
            column,
            &format!("ADD GENERATED {} AS IDENTITY", identity.sql()),
        ),
        Statement::SetIdentity {
            table,
            column,
            identity,
        } => alter_column(table, column, &format!("SET GENERATED {}", identity.sql())),
        Statement::DropIdentity { table, column } => alter_column(table, column, "DROP IDENTITY"),
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
        Statement::Grant {
            table,
            grantee,
            privileges,
        } => format!(
            "GRANT {} ON {} TO {};",
            privilege_list(privileges),
            ident(table),
            role(grantee)
        ),
        Statement::Revoke {
            table,
            grantee,
            privileges,
        } => format!(
            "REVOKE {} ON {} FROM {};",
            privilege_list(privileges),
            ident(table),
            role(grantee)
        ),
        Statement::SetOwner { table, owner } => {
            format!("ALTER TABLE {} OWNER TO {};", ident(table), role(owner))
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

/// `"name" type [COLLATE c] [PRIMARY KEY] [DEFAULT x | GENERATED ..] [NOT NULL]`,
/// drizzle-kit's order of clauses. A column whose default takes the next value of the
/// sequence PostgreSQL makes for `serial` is written `serial`, which makes that sequence.
fn column_definition(table: &str, column: &ColumnDef, primary_key: bool) -> String {
    let serial = serial_type(table, column);
    let mut out = format!(
        "{} {}",
        ident(&column.name),
        serial.map_or_else(|| sql_type(&column.sql_type), str::to_string)
    );
    if let Some(collation) = &column.collation {
        out.push_str(" COLLATE ");
        out.push_str(&ident(collation));
    }
    if primary_key {
        out.push_str(" PRIMARY KEY");
    }
    match &column.default {
        Some(value) if serial.is_none() => {
            out.push_str(" DEFAULT ");
            out.push_str(&default(value));
        }
        _ => {}
    }
    if let Some(identity) = column.identity {
        out.push_str(&format!(" GENERATED {} AS IDENTITY", identity.sql()));
    }
    if let Some(expression) = &column.generated {
        out.push_str(&format!(" GENERATED ALWAYS AS ({expression}) STORED"));
    }
    if !column.nullable {
        out.push_str(" NOT NULL");
    }
    out
}

/// `smallserial`, `serial` or `bigserial` when the column is an integer whose default is the
/// next value of `<table>_<column>_seq`, the sequence such a type makes.
fn serial_type(table: &str, column: &ColumnDef) -> Option<&'static str> {
    let Some(ColumnDefault::Expr(text)) = &column.default else {
        return None;
    };
    let serial = match column.sql_type {
        SqlType::SmallInt => "smallserial",
        SqlType::Integer => "serial",
        SqlType::BigInt => "bigserial",
        _ => return None,
    };
    (**text == serial_default(table, &column.name)).then_some(serial)
}

/// Whether a table's primary key is declared inline, on its one column, under the name
/// PostgreSQL gives such a key.
fn inline_key(table: &TableDef) -> Option<&str> {
    match &table.primary_key {
        PrimaryKey::Column(c) if table.primary_key_name.is_none() => Some(c),
        _ => None,
    }
}

fn create_table(table: &TableDef) -> String {
    let inline_key = inline_key(table);
    let mut lines: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            format!(
                "\t{}",
                column_definition(&table.name, c, inline_key == Some(&*c.name))
            )
        })
        .collect();
    let key = table.primary_key_columns();
    if inline_key.is_none() && !key.is_empty() {
        lines.push(format!(
            "\tCONSTRAINT {} PRIMARY KEY({}){}",
            ident(&table.primary_key_name()),
            column_list(key.into_iter()),
            deferral(table.primary_key_deferrable)
        ));
    }
    // A constraint added NOT VALID is added after the table, as such: a CREATE TABLE cannot
    // say it.
    for c in table.constraints.iter().filter(|c| !c.not_valid) {
        lines.push(format!("\t{}", constraint_clause(c)));
    }
    // A partition is made as a table of its own and attached after (`plan::attach`).
    let partitioned = table
        .partition_key()
        .map(|key| format!(" PARTITION BY {key}"))
        .unwrap_or_default();
    format!(
        "CREATE {}TABLE {} (\n{}\n){partitioned};",
        if table.unlogged { "UNLOGGED " } else { "" },
        ident(&table.name),
        lines.join(",\n")
    )
}

/// `CONSTRAINT "name" UNIQUE (..) [DEFERRABLE ..]`: a unique, check or exclusion constraint
/// by its definition as PostgreSQL prints it.
fn constraint_clause(c: &ConstraintDef) -> String {
    format!(
        "CONSTRAINT {} {}{}",
        ident(&c.name),
        c.definition,
        deferral(c.deferrable)
    )
}

/// `ALTER TABLE .. ADD CONSTRAINT "name" ..`, `NOT VALID` when the constraint says so or
/// when it is validated later.
pub(super) fn add_constraint(table: &str, c: &ConstraintDef, validation: Validation) -> String {
    let later = c.not_valid || validation == Validation::Later;
    format!(
        "ALTER TABLE {} ADD {}{};",
        ident(table),
        constraint_clause(c),
        if later { " NOT VALID" } else { "" }
    )
}

fn deferral(d: Option<Deferral>) -> &'static str {
    match d {
        None => "",
        Some(Deferral::InitiallyImmediate) => " DEFERRABLE",
        Some(Deferral::InitiallyDeferred) => " DEFERRABLE INITIALLY DEFERRED",
    }
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
    let later = fk.not_valid || validation == Validation::Later;
    format!(
        "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {}({}) ON DELETE {} ON UPDATE {}{}{};",
        ident(table),
        ident(name),
        column_list(fk.columns().into_iter()),
        qualified_in(schema, &fk.references_table),
        column_list(fk.references_columns().into_iter()),
        fk.on_delete.sql(),
        fk.on_update.sql(),
        deferral(fk.deferrable),
        if later { " NOT VALID" } else { "" }
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
            // An expression key is held as PostgreSQL prints it, parenthesized where needed.
            let mut col = if c.expression {
                c.name.to_string()
            } else {
                ident(&c.name)
            };
            if let Some(opclass) = &c.opclass {
                col.push(' ');
                col.push_str(opclass);
            }
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
    let include = if index.include.is_empty() {
        String::new()
    } else {
        format!(
            " INCLUDE ({})",
            column_list(index.include.iter().map(|c| &**c))
        )
    };
    let predicate = index
        .predicate
        .as_ref()
        .map(|p| format!(" WHERE {p}"))
        .unwrap_or_default();
    format!(
        "CREATE {}INDEX {}{} ON {} USING {} ({}){include}{predicate};",
        if index.unique { "UNIQUE " } else { "" },
        if build == Build::Concurrently {
            "CONCURRENTLY IF NOT EXISTS "
        } else {
            ""
        },
        ident(&index.name),
        ident(table),
        index.method(),
        columns.join(",")
    )
}

/// Privileges as `GRANT` lists them; a name outside the known ones is quoted out of the SQL.
fn privilege_list(privileges: &[crate::model::Name]) -> String {
    privileges
        .iter()
        .map(|p| {
            if p.bytes().all(|b| b.is_ascii_alphabetic()) {
                p.to_ascii_uppercase()
            } else {
                ident(p)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A grantee or owner: `PUBLIC` bare (quoted it would be a role named so), a role quoted.
fn role(name: &str) -> String {
    if name == crate::model::PUBLIC_GRANTEE {
        name.to_string()
    } else {
        ident(name)
    }
}
