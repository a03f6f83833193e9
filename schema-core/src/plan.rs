//! Statements: what a migration does, as data. The planner turns a schema (or, in
//! [`crate::diff`], a change of schema) into an ordered list of them; [`crate::render`]
//! turns each into SQL text.

use crate::model::{
    ColumnDef, ColumnDefault, EnumDef, ForeignKeyDef, IndexDef, Name, Schema, SqlType, TableDef,
};

/// Where a new enum label goes among the existing ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabelPosition {
    Before(Name),
    After(Name),
}

/// One DDL statement of a migration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Statement {
    CreateExtension(Name),
    /// `CREATE SCHEMA IF NOT EXISTS`, for a schema other than `public`.
    CreateSchema(Name),
    /// Makes the rest of the migration create and find its objects in this PostgreSQL schema
    /// (`SET search_path`), so a migration file applies the same through any client.
    UseSchema(Name),
    CreateEnum(EnumDef),
    DropEnum(Name),
    RenameEnum {
        from: Name,
        to: Name,
    },
    AddEnumLabel {
        enum_name: Name,
        label: Name,
        position: Option<LabelPosition>,
    },
    RenameEnumLabel {
        enum_name: Name,
        from: Name,
        to: Name,
    },
    /// Creates a table with its columns and primary key; foreign keys and indexes follow as
    /// statements of their own, so that tables can be created in any order.
    CreateTable(TableDef),
    DropTable(Name),
    RenameTable {
        from: Name,
        to: Name,
    },
    AddColumn {
        table: Name,
        column: ColumnDef,
    },
    DropColumn {
        table: Name,
        column: Name,
    },
    RenameColumn {
        table: Name,
        from: Name,
        to: Name,
    },
    /// `using` is the cast expression when PostgreSQL cannot convert the values implicitly.
    AlterColumnType {
        table: Name,
        column: Name,
        sql_type: SqlType,
        using: Option<String>,
    },
    SetNotNull {
        table: Name,
        column: Name,
    },
    DropNotNull {
        table: Name,
        column: Name,
    },
    SetDefault {
        table: Name,
        column: Name,
        default: ColumnDefault,
    },
    DropDefault {
        table: Name,
        column: Name,
    },
    /// Gives rows that hold NULL the column's default, so that NOT NULL can be set.
    FillNulls {
        table: Name,
        column: Name,
        default: ColumnDefault,
    },
    AddForeignKey {
        table: Name,
        foreign_key: ForeignKeyDef,
    },
    AddPrimaryKey {
        table: Name,
        name: String,
        columns: Vec<Name>,
    },
    DropConstraint {
        table: Name,
        name: String,
    },
    RenameConstraint {
        table: Name,
        from: String,
        to: String,
    },
    CreateIndex {
        table: Name,
        index: IndexDef,
    },
    DropIndex(Name),
    RenameIndex {
        from: Name,
        to: Name,
    },
    /// The online forms of changes to a table that already holds rows (see
    /// [`crate::online`]); rendered by `render::online`.
    Online(OnlineStatement),
}

/// A statement that changes a live table without holding a lock that blocks its writers for
/// the length of a scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OnlineStatement {
    /// `CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS`: outside a transaction only.
    CreateIndex { table: Name, index: IndexDef },
    /// `DROP INDEX CONCURRENTLY IF EXISTS`: outside a transaction only.
    DropIndex(Name),
    /// A foreign key under `name` (the conventional one, or a temporary one while an old key
    /// stays in force), checked for new rows only until validated.
    AddForeignKeyNotValid {
        table: Name,
        name: String,
        foreign_key: ForeignKeyDef,
    },
    /// `CHECK (column IS NOT NULL) NOT VALID`: lets `SET NOT NULL` skip its scan once validated.
    AddNotNullCheck {
        table: Name,
        column: Name,
        name: String,
    },
    /// `VALIDATE CONSTRAINT`: scans under SHARE UPDATE EXCLUSIVE, which lets writers through.
    ValidateConstraint { table: Name, name: String },
}

/// The extension every schema needs: `gen_random_uuid()` comes from pgcrypto on servers
/// older than 13, and drizzle-kit's initial migrations create it too.
pub const EXTENSION: &str = "pgcrypto";

/// Every statement that builds `schema` in an empty database, in an order that always
/// applies: the extension, the enums, the tables, then the foreign keys (so that tables may
/// reference each other in any order) and the indexes.
pub fn plan_create(schema: &Schema) -> Vec<Statement> {
    let mut plan = vec![Statement::CreateExtension(EXTENSION.into())];
    if !schema.is_public() {
        plan.push(Statement::CreateSchema(schema.pg_schema.clone()));
        plan.push(Statement::UseSchema(schema.pg_schema.clone()));
    }
    plan.extend(schema.enums.iter().cloned().map(Statement::CreateEnum));
    plan.extend(schema.tables.iter().cloned().map(Statement::CreateTable));
    // A foreign key to a column made unique by an index needs that index first (42830);
    // every other index follows the foreign keys, in the order drizzle-kit writes them.
    let referenced = |table: &str, index: &IndexDef| {
        index.unique
            && index.columns.len() == 1
            && schema.tables.iter().any(|t| {
                t.foreign_keys.iter().any(|fk| {
                    fk.references_table == table && fk.references_column == index.columns[0].name
                })
            })
    };
    for table in schema.tables.iter() {
        plan.extend(
            (table.indexes.iter())
                .filter(|index| referenced(&table.name, index))
                .map(|index| Statement::CreateIndex {
                    table: table.name.clone(),
                    index: index.clone(),
                }),
        );
    }
    for table in schema.tables.iter() {
        plan.extend(
            table
                .foreign_keys
                .iter()
                .map(|fk| Statement::AddForeignKey {
                    table: table.name.clone(),
                    foreign_key: fk.clone(),
                }),
        );
    }
    for table in schema.tables.iter() {
        plan.extend(
            (table.indexes.iter())
                .filter(|index| !referenced(&table.name, index))
                .map(|index| Statement::CreateIndex {
                    table: table.name.clone(),
                    index: index.clone(),
                }),
        );
    }
    plan
}
