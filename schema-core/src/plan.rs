//! Statements: what a migration does, as data. The planner turns a schema (or, in
//! [`crate::diff`], a change of schema) into an ordered list of them; [`crate::render`]
//! turns each into SQL text.

use crate::model::{
    ColumnDef, ColumnDefault, ConstraintDef, EnumDef, ForeignKeyDef, Identity, IndexDef, Name,
    Schema, SqlType, TableDef,
};

/// Where a new enum label goes among the existing ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabelPosition {
    /// `BEFORE 'label'`: just before this existing label.
    Before(Name),
    /// `AFTER 'label'`: just after this existing label.
    After(Name),
}

/// How `ALTER COLUMN .. SET DATA TYPE` converts the values already in the column, spelled
/// by [`crate::sql::using`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Using {
    /// `USING "column"::new_type`.
    Cast,
    /// `USING "column"::text::new_type`: through the text form, as from one enum type to
    /// another, which PostgreSQL does not cast directly.
    ThroughText,
}

/// One DDL statement of a migration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Statement {
    /// `CREATE EXTENSION IF NOT EXISTS name;`.
    CreateExtension(Name),
    /// `CREATE SCHEMA IF NOT EXISTS`, for a schema other than `public`.
    CreateSchema(Name),
    /// Makes the rest of the migration create and find its objects in this PostgreSQL schema
    /// (`SET search_path`), so a migration file applies the same through any client.
    UseSchema(Name),
    /// `CREATE TYPE name AS ENUM('a', 'b', ..);`.
    CreateEnum(EnumDef),
    /// `DROP TYPE name;`.
    DropEnum(Name),
    /// `ALTER TYPE from RENAME TO to;`.
    RenameEnum {
        /// The enum's current name.
        from: Name,
        /// Its new name.
        to: Name,
    },
    /// `ALTER TYPE enum_name ADD VALUE 'label' [BEFORE|AFTER 'other'];`.
    AddEnumLabel {
        /// The enum that gains the label.
        enum_name: Name,
        /// The new label.
        label: Name,
        /// Where it goes; `None` appends it after the last label.
        position: Option<LabelPosition>,
    },
    /// `ALTER TYPE enum_name RENAME VALUE 'from' TO 'to';`.
    RenameEnumLabel {
        /// The enum whose label is renamed.
        enum_name: Name,
        /// The label's current text.
        from: Name,
        /// Its new text.
        to: Name,
    },
    /// Creates a table with its columns and primary key; foreign keys and indexes follow as
    /// statements of their own, so that tables can be created in any order.
    CreateTable(Box<TableDef>),
    /// `DROP TABLE name;`.
    DropTable(Name),
    /// `ALTER TABLE parent ATTACH PARTITION table FOR VALUES ..;`: the table, made with its
    /// own keys and indexes, becomes a partition (PostgreSQL adopts what matches the parent's
    /// and makes what is missing).
    AttachPartition {
        /// The partitioned table.
        parent: Name,
        /// The table that becomes its partition.
        table: Name,
        /// `FOR VALUES ..` or `DEFAULT`, as `pg_get_expr` prints it.
        bound: Name,
    },
    /// `ALTER TABLE parent DETACH PARTITION table;`: a table of its own again, rows kept.
    DetachPartition {
        /// The partitioned table.
        parent: Name,
        /// The partition.
        table: Name,
    },
    /// `ALTER TABLE from RENAME TO to;`.
    RenameTable {
        /// The table's current name.
        from: Name,
        /// Its new name.
        to: Name,
    },
    /// `ALTER SEQUENCE from RENAME TO to;`: a serial column's sequence follows its table or
    /// column to the name a fresh build gives it (PostgreSQL keeps the old one on a rename).
    RenameSequence {
        /// The sequence's current name.
        from: Name,
        /// Its new name.
        to: Name,
    },
    /// `ALTER TABLE table ADD COLUMN` with the column's type, default and NOT NULL.
    AddColumn {
        /// The table that gains the column.
        table: Name,
        /// The new column.
        column: ColumnDef,
    },
    /// `ALTER TABLE table DROP COLUMN column;`.
    DropColumn {
        /// The table that loses the column.
        table: Name,
        /// The column dropped.
        column: Name,
    },
    /// `ALTER TABLE table RENAME COLUMN from TO to;`.
    RenameColumn {
        /// The table that holds the column.
        table: Name,
        /// The column's current name.
        from: Name,
        /// Its new name.
        to: Name,
    },
    /// `ALTER TABLE table ALTER COLUMN column SET DATA TYPE sql_type [USING "column"::..];`,
    /// with `USING` when PostgreSQL cannot convert the values implicitly.
    AlterColumnType {
        /// The table that holds the column.
        table: Name,
        /// The column whose type changes.
        column: Name,
        /// The new type.
        sql_type: SqlType,
        /// How the values are cast to the new type; `None` when the implicit cast will do.
        using: Option<Using>,
    },
    /// `ALTER TABLE table ALTER COLUMN column SET NOT NULL;`.
    SetNotNull {
        /// The table that holds the column.
        table: Name,
        /// The column made NOT NULL.
        column: Name,
    },
    /// `ALTER TABLE table ALTER COLUMN column DROP NOT NULL;`.
    DropNotNull {
        /// The table that holds the column.
        table: Name,
        /// The column made nullable.
        column: Name,
    },
    /// `ALTER TABLE table ALTER COLUMN column SET DEFAULT default;`.
    SetDefault {
        /// The table that holds the column.
        table: Name,
        /// The column that gets the default.
        column: Name,
        /// The new default.
        default: ColumnDefault,
    },
    /// `ALTER TABLE table ALTER COLUMN column DROP DEFAULT;`.
    DropDefault {
        /// The table that holds the column.
        table: Name,
        /// The column that loses its default.
        column: Name,
    },
    /// Gives rows that hold NULL the column's default, so that NOT NULL can be set:
    /// `UPDATE table SET column = default WHERE column IS NULL;`.
    FillNulls {
        /// The table to update.
        table: Name,
        /// The column whose NULLs are filled.
        column: Name,
        /// The value written in their place.
        default: ColumnDefault,
    },
    /// `ALTER TABLE table ADD CONSTRAINT name FOREIGN KEY (column) REFERENCES other(column)
    /// ON DELETE action ON UPDATE no action;`, under the key's conventional name.
    AddForeignKey {
        /// The referencing table.
        table: Name,
        /// The key: its column, the referenced table and column, its `ON DELETE` action.
        foreign_key: ForeignKeyDef,
    },
    /// `ALTER TABLE table ADD CONSTRAINT name PRIMARY KEY(columns);`.
    AddPrimaryKey {
        /// The table that gains the key.
        table: Name,
        /// The constraint's name.
        name: String,
        /// The key's columns, in order.
        columns: Vec<Name>,
    },
    /// `ALTER TABLE table ADD CONSTRAINT name UNIQUE (..) | CHECK (..) ..;`, `NOT VALID`
    /// when the constraint says so.
    AddConstraint {
        /// The table that gains the constraint.
        table: Name,
        /// The constraint: its name, kind and definition.
        constraint: ConstraintDef,
    },
    /// `ALTER TABLE table ALTER COLUMN column ADD GENERATED .. AS IDENTITY;`.
    AddIdentity {
        /// The table that holds the column.
        table: Name,
        /// The column that becomes an identity column.
        column: Name,
        /// Always or by default.
        identity: Identity,
    },
    /// `ALTER TABLE table ALTER COLUMN column SET GENERATED ..;`: the same sequence, the
    /// other kind of identity.
    SetIdentity {
        /// The table that holds the column.
        table: Name,
        /// The identity column.
        column: Name,
        /// Its new kind.
        identity: Identity,
    },
    /// `ALTER TABLE table ALTER COLUMN column DROP IDENTITY;` (its sequence goes with it).
    DropIdentity {
        /// The table that holds the column.
        table: Name,
        /// The column that stops being an identity column.
        column: Name,
    },
    /// `ALTER TABLE table DROP CONSTRAINT name;`.
    DropConstraint {
        /// The table that holds the constraint.
        table: Name,
        /// The constraint dropped.
        name: String,
    },
    /// `ALTER TABLE table RENAME CONSTRAINT from TO to;`.
    RenameConstraint {
        /// The table that holds the constraint.
        table: Name,
        /// The constraint's current name.
        from: String,
        /// Its new name.
        to: String,
    },
    /// `CREATE [UNIQUE] INDEX name ON table USING btree (..);`.
    CreateIndex {
        /// The indexed table.
        table: Name,
        /// The index: its name, columns (with their order) and uniqueness.
        index: IndexDef,
    },
    /// `DROP INDEX name;`.
    DropIndex(Name),
    /// `ALTER INDEX from RENAME TO to;`.
    RenameIndex {
        /// The index's current name.
        from: Name,
        /// Its new name.
        to: Name,
    },
    /// `GRANT privileges ON table TO grantee;` (`PUBLIC` or a role).
    Grant {
        /// The table.
        table: Name,
        /// The role, or `PUBLIC`.
        grantee: Name,
        /// `SELECT`, `INSERT`, .. or `ALL`.
        privileges: Vec<Name>,
    },
    /// `REVOKE privileges ON table FROM grantee;`.
    Revoke {
        /// The table.
        table: Name,
        /// The role, or `PUBLIC`.
        grantee: Name,
        /// `SELECT`, `INSERT`, .. or `ALL`.
        privileges: Vec<Name>,
    },
    /// `ALTER TABLE table OWNER TO owner;`.
    SetOwner {
        /// The table.
        table: Name,
        /// The role that owns it from now on.
        owner: Name,
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
    CreateIndex {
        /// The indexed table.
        table: Name,
        /// The index: its name, columns (with their order) and uniqueness.
        index: IndexDef,
    },
    /// `DROP INDEX CONCURRENTLY IF EXISTS`: outside a transaction only.
    DropIndex(Name),
    /// A foreign key under `name` (the conventional one, or a temporary one while an old key
    /// stays in force), checked for new rows only until validated.
    /// Written as `ALTER TABLE table ADD CONSTRAINT name FOREIGN KEY .. NOT VALID;`.
    AddForeignKeyNotValid {
        /// The referencing table.
        table: Name,
        /// The constraint's name, which may differ from `foreign_key`'s.
        name: String,
        /// The key: its column, the referenced table and column, its `ON DELETE` action.
        foreign_key: ForeignKeyDef,
    },
    /// `CHECK (column IS NOT NULL) NOT VALID`: lets `SET NOT NULL` skip its scan once validated.
    /// Written as `ALTER TABLE table ADD CONSTRAINT name CHECK (column IS NOT NULL) NOT VALID;`.
    AddNotNullCheck {
        /// The table that holds the column.
        table: Name,
        /// The column the check covers.
        column: Name,
        /// The check constraint's name.
        name: String,
    },
    /// `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS name ON table (..)`: the index a unique
    /// constraint of that name is then added over; outside a transaction only.
    CreateConstraintIndex {
        /// The table the constraint is on.
        table: Name,
        /// The unique constraint (see [`crate::sql::unique_key`]).
        constraint: ConstraintDef,
    },
    /// `ALTER TABLE table ADD CONSTRAINT name UNIQUE USING INDEX name;`: a unique constraint
    /// over the index built for it `CONCURRENTLY`, without a scan.
    AddUniqueUsingIndex {
        /// The table that holds the index.
        table: Name,
        /// The constraint's name, also the index's.
        name: Name,
    },
    /// `ALTER TABLE table VALIDATE CONSTRAINT name;`: scans under SHARE UPDATE EXCLUSIVE, which
    /// lets writers through.
    ValidateConstraint {
        /// The table that holds the constraint.
        table: Name,
        /// The constraint validated.
        name: String,
    },
}

/// The extension every schema needs: `gen_random_uuid()` comes from pgcrypto on servers
/// older than 13, and drizzle-kit's initial migrations create it too.
pub const EXTENSION: &str = "pgcrypto";

/// Every statement that builds `schema` in an empty database, in an order that always
/// applies: the extension (and the PostgreSQL schema), then [`Creation`]'s order.
pub fn plan_create(schema: &Schema) -> Vec<Statement> {
    let mut plan = vec![Statement::CreateExtension(EXTENSION.into())];
    if !schema.is_public() {
        plan.push(Statement::CreateSchema(schema.pg_schema.clone()));
        plan.push(Statement::UseSchema(schema.pg_schema.clone()));
    }
    plan.extend(
        Creation::of(schema.enums.iter(), schema.tables.iter())
            .drawing_from(&schema.sequences)
            .into_statements(),
    );
    plan
}

/// What creating a set of enums and tables takes, by phase: the one plan of table creation,
/// for a whole schema ([`plan_create`]) and for the tables a change adds ([`crate::diff`],
/// which puts each phase among its own). In order: the types, the tables (with their
/// columns and primary keys), then [`keys_and_indexes`], so that tables may reference each
/// other in any order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Creation {
    /// `CREATE TYPE` of each enum.
    pub types: Vec<Statement>,
    /// `CREATE TABLE` of each table.
    pub tables: Vec<Statement>,
    /// The tables' foreign keys.
    pub foreign_keys: Vec<Statement>,
    /// The tables' indexes.
    pub indexes: Vec<Statement>,
    /// `ATTACH PARTITION` of each partition, once it has its keys and indexes.
    pub partitions: Vec<Statement>,
}

impl Creation {
    /// The same statements, where a column whose default draws from a sequence no column owns
    /// (`sequences`, made by a carried migration) but has the name a `serial` column's would
    /// have keeps that sequence: its default is spelled so that it is not written `serial`
    /// (which would make a second, owned sequence). PostgreSQL prints both spellings back
    /// alike, so the model and the snapshot are untouched.
    pub fn drawing_from(mut self, sequences: &[crate::model::SequenceDef]) -> Self {
        if sequences.is_empty() {
            return self;
        }
        for statement in &mut self.tables {
            let Statement::CreateTable(table) = statement else {
                continue;
            };
            let name = table.name.clone();
            for column in table.columns.to_mut() {
                let serial = schema_rules::sql::serial_default(&name, &column.name);
                let owned = schema_rules::names::owned_sequence(&name, &column.name);
                let free = sequences.iter().find(|s| s.name == owned);
                let draws =
                    matches!(&column.default, Some(ColumnDefault::Expr(e)) if **e == serial);
                if let (Some(sequence), true) = (free, draws) {
                    column.default = Some(ColumnDefault::Expr(
                        format!(
                            "nextval({}::regclass)",
                            schema_rules::sql::quote_literal(&schema_rules::sql::quote_ident(
                                &sequence.name
                            ))
                        )
                        .into(),
                    ));
                }
            }
        }
        self
    }

    /// The statements that create `enums` and `tables`, by phase, each phase in the order
    /// given (and a table's keys and indexes in the table's order).
    pub fn of<'a>(
        enums: impl IntoIterator<Item = &'a EnumDef>,
        tables: impl IntoIterator<Item = &'a TableDef>,
    ) -> Self {
        let mut creation = Creation {
            types: enums
                .into_iter()
                .cloned()
                .map(Statement::CreateEnum)
                .collect(),
            ..Creation::default()
        };
        for table in tables {
            creation
                .tables
                .push(Statement::CreateTable(Box::new(table.clone())));
            creation.partitions.extend(attach(table));
            creation
                .foreign_keys
                .extend(
                    table
                        .foreign_keys
                        .iter()
                        .map(|fk| Statement::AddForeignKey {
                            table: table.name.clone(),
                            foreign_key: fk.clone(),
                        }),
                );
            creation
                .indexes
                .extend(table.indexes.iter().map(|index| Statement::CreateIndex {
                    table: table.name.clone(),
                    index: index.clone(),
                }));
            // A CREATE TABLE cannot add a constraint NOT VALID; such a one follows it.
            creation
                .indexes
                .extend((table.constraints.iter()).filter(|c| c.not_valid).map(|c| {
                    Statement::AddConstraint {
                        table: table.name.clone(),
                        constraint: c.clone(),
                    }
                }));
        }
        creation
    }

    /// The statements in the order that always applies.
    pub fn into_statements(self) -> Vec<Statement> {
        let mut out = self.types;
        out.extend(self.tables);
        out.extend(keys_and_indexes(self.foreign_keys, self.indexes));
        out.extend(self.partitions);
        out
    }
}

/// `ATTACH PARTITION` of a table that is a partition. A partition is made as a table of its
/// own, with the keys and indexes it declares, and attached last: PostgreSQL then adopts its
/// index where the parent has one that matches (its primary key) instead of making another,
/// so the partition holds what it declares, under its names, as `pg_dump` makes it too.
pub fn attach(table: &TableDef) -> Option<Statement> {
    let (parent, bound) = table.partition_of()?;
    Some(Statement::AttachPartition {
        parent: parent.into(),
        table: table.name.clone(),
        bound: bound.to_string().into(),
    })
}

/// Foreign keys and indexes added in one migration, in the order that applies: first the
/// unique indexes a foreign key relies on (a key to a column made unique by an index needs
/// that index, or fails with 42830), then the foreign keys, then every other index, in the
/// order drizzle-kit writes them. Statements of other kinds are kept, with the indexes.
pub fn keys_and_indexes(foreign_keys: Vec<Statement>, indexes: Vec<Statement>) -> Vec<Statement> {
    let relied_on = |s: &Statement| {
        matches!(s, Statement::CreateIndex { table, index }
            if index.unique && index.columns.len() == 1
                && foreign_keys.iter().any(|fk| matches!(fk,
                    Statement::AddForeignKey { foreign_key, .. }
                        if foreign_key.references_table == *table
                            && foreign_key.references_column == index.columns[0].name)))
    };
    let (mut out, rest): (Vec<_>, Vec<_>) = indexes.into_iter().partition(relied_on);
    out.extend(foreign_keys);
    out.extend(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IndexColumn, OnDelete, PrimaryKey};
    use std::borrow::Cow;

    fn column(name: &'static str, sql_type: SqlType) -> ColumnDef {
        ColumnDef {
            name: name.into(),
            sql_type,
            nullable: false,
            default: None,
            renamed_from: None,
            collation: None,
            generated: None,
            identity: None,
        }
    }

    fn index(name: &'static str, column: &'static str, unique: bool) -> IndexDef {
        IndexDef {
            name: name.into(),
            unique,
            columns: vec![IndexColumn {
                name: column.into(),
                desc: false,
                nulls: None,
                opclass: None,
                expression: false,
            }]
            .into(),
            method: None,
            predicate: None,
            include: std::borrow::Cow::Borrowed(&[]),
            invalid: false,
        }
    }

    /// `posts.author_code` references `authors.code`, unique by an index of `authors`
    /// declared after `posts`: the index comes before the key, the other index after it.
    fn schema() -> Schema {
        let posts = TableDef {
            name: "posts".into(),
            columns: vec![
                column("id", SqlType::Integer),
                column("author_code", SqlType::Text),
                column("state", SqlType::Enum("state".into())),
            ]
            .into(),
            primary_key: PrimaryKey::Column("id".into()),
            foreign_keys: vec![ForeignKeyDef {
                column: "author_code".into(),
                references_table: "authors".into(),
                references_column: "code".into(),
                on_delete: OnDelete::Cascade,
                ..crate::model::ForeignKeyDef::new(
                    std::borrow::Cow::Borrowed(""),
                    std::borrow::Cow::Borrowed(""),
                    std::borrow::Cow::Borrowed(""),
                    OnDelete::Cascade,
                )
            }]
            .into(),
            indexes: vec![index("posts_state_idx", "state", false)].into(),
            renamed_from: None,
            ..crate::model::TableDef::BLANK
        };
        let authors = TableDef {
            name: "authors".into(),
            columns: vec![
                column("id", SqlType::Integer),
                column("code", SqlType::Text),
            ]
            .into(),
            primary_key: PrimaryKey::Column("id".into()),
            foreign_keys: Cow::Borrowed(&[]),
            indexes: vec![index("authors_code_key", "code", true)].into(),
            renamed_from: None,
            ..crate::model::TableDef::BLANK
        };
        let state = EnumDef {
            name: "state".into(),
            labels: vec!["draft".into(), "published".into()].into(),
            renamed_from: None,
            renamed_labels: Cow::Borrowed(&[]),
        };
        Schema::new(vec![state].into(), vec![posts, authors].into())
    }

    fn kinds(statements: &[Statement]) -> Vec<String> {
        statements
            .iter()
            .map(|s| match s {
                Statement::CreateExtension(_) => "extension".to_string(),
                Statement::CreateEnum(e) => format!("type {}", e.name),
                Statement::CreateTable(t) => format!("table {}", t.name),
                Statement::AddForeignKey { table, .. } => format!("fk {table}"),
                Statement::CreateIndex { index, .. } => format!("index {}", index.name),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn types_tables_relied_on_indexes_keys_then_other_indexes() {
        assert_eq!(
            kinds(&plan_create(&schema())),
            [
                "extension",
                "type state",
                "table posts",
                "table authors",
                "index authors_code_key",
                "fk posts",
                "index posts_state_idx",
            ]
        );
    }

    /// A change that adds every table creates them as `plan_create` does: one plan.
    #[cfg(feature = "dev")]
    #[test]
    fn the_diff_creates_new_tables_as_plan_create_does() {
        let change = crate::diff::diff(&Schema::default(), &schema());
        assert_eq!(change.statements, plan_create(&schema())[1..]);
    }
}
