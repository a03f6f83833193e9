//! What `verify` reports: each way the live database differs from the schema in code.

use std::fmt;

/// One difference between the live database and the schema in code. Every message says
/// what the database has and what the code declares, naming the object.
/// More kinds may be added, hence `non_exhaustive`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Drift {
    /// An enum type the code declares is not in the database.
    MissingEnum {
        /// The type's name.
        name: String,
        /// Its labels, in the order the code declares them.
        labels: Vec<String>,
    },
    /// The database has an enum type the code does not declare.
    ExtraEnum {
        /// The type's name.
        name: String,
        /// Its labels, in the database's order.
        labels: Vec<String>,
    },
    /// A label the code declares is not in the database's enum type.
    MissingEnumLabel {
        /// The enum type.
        enum_name: String,
        /// The missing label.
        label: String,
    },
    /// The database's enum type has a label the code does not declare.
    ExtraEnumLabel {
        /// The enum type.
        enum_name: String,
        /// The extra label.
        label: String,
    },
    /// The labels both sides share are in another order (the order is part of the type:
    /// it decides how values sort).
    EnumLabelOrder {
        /// The enum type.
        enum_name: String,
        /// All labels, in the code's order.
        expected: Vec<String>,
        /// All labels, in the database's order.
        found: Vec<String>,
    },
    /// A table the code declares is not in the database.
    MissingTable {
        /// The table's name.
        table: String,
    },
    /// The database has a table the code does not declare.
    ExtraTable {
        /// The table's name.
        table: String,
    },
    /// `expected` describes the column, e.g. `uuid NOT NULL DEFAULT gen_random_uuid()`.
    MissingColumn {
        /// The table.
        table: String,
        /// The missing column.
        column: String,
        /// The column as the code declares it.
        expected: String,
    },
    /// The database's table has a column the code does not declare.
    ExtraColumn {
        /// The table.
        table: String,
        /// The extra column.
        column: String,
        /// Its type, and `NOT NULL` when it is, e.g. `text NOT NULL`.
        found: String,
    },
    /// The column has another type.
    ColumnType {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The type in code, spelled as `format_type` spells it, e.g. `character varying(255)`.
        expected: String,
        /// The type in the database.
        found: String,
    },
    /// The column is nullable on one side and `NOT NULL` on the other.
    Nullability {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// True when the code allows NULL (so the database has `NOT NULL`).
        nullable_in_code: bool,
    },
    /// The column has another default, or a default on one side only.
    ColumnDefault {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The default in code, as SQL; `None` when the code declares none.
        expected: Option<String>,
        /// The default in the database, as `pg_get_expr` prints it; `None` when it has none.
        found: Option<String>,
    },
    /// The database's column is generated (`GENERATED ALWAYS AS (..) STORED`); the code
    /// declares an ordinary column, which no schema in code can make generated.
    GeneratedColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The generation expression, as `pg_get_expr` prints it.
        expression: String,
    },
    /// The table has no primary key.
    MissingPrimaryKey {
        /// The table.
        table: String,
        /// The primary key constraint's name in code.
        name: String,
        /// Its columns, in key order.
        columns: Vec<String>,
    },
    /// The table's primary key has another name or other columns.
    PrimaryKey {
        /// The table.
        table: String,
        /// The constraint's name in code.
        expected_name: String,
        /// Its columns in code, in key order.
        expected_columns: Vec<String>,
        /// The constraint's name in the database.
        found_name: String,
        /// Its columns in the database, in key order.
        found_columns: Vec<String>,
    },
    /// A foreign key the code declares is not in the database.
    MissingForeignKey {
        /// The table that holds the key.
        table: String,
        /// The constraint's name.
        name: String,
        /// The key in code, e.g. `FOREIGN KEY (user_id) REFERENCES users(id) ON UPDATE NO
        /// ACTION ON DELETE CASCADE`.
        expected: String,
    },
    /// The database has a foreign key the code does not declare.
    ExtraForeignKey {
        /// The table that holds the key.
        table: String,
        /// The constraint's name.
        name: String,
        /// The key in the database, spelled like [`Drift::MissingForeignKey`]'s `expected`.
        found: String,
    },
    /// Same key, another ON DELETE action; `expected`/`found` are e.g. `CASCADE`.
    ForeignKeyOnDelete {
        /// The table that holds the key.
        table: String,
        /// The constraint's name.
        name: String,
        /// The action in code.
        expected: String,
        /// The action in the database.
        found: String,
    },
    /// Same name, other columns, referenced table or ON UPDATE action.
    ForeignKey {
        /// The table that holds the key.
        table: String,
        /// The constraint's name.
        name: String,
        /// The key in code, spelled like [`Drift::MissingForeignKey`]'s `expected`.
        expected: String,
        /// The key in the database, spelled the same way.
        found: String,
    },
    /// `expected` describes the index, e.g. `UNIQUE btree (user_id, started_at DESC)`.
    MissingIndex {
        /// The indexed table.
        table: String,
        /// The index's name.
        name: String,
        /// The index in code.
        expected: String,
    },
    /// The database has an index the code does not declare (indexes that back a primary key
    /// or a constraint are not counted).
    ExtraIndex {
        /// The indexed table.
        table: String,
        /// The index's name.
        name: String,
        /// The index in the database, spelled like [`Drift::MissingIndex`]'s `expected`,
        /// with its `WHERE` predicate if partial.
        found: String,
    },
    /// Same name, but uniqueness, columns, direction, method or predicate differ.
    Index {
        /// The indexed table.
        table: String,
        /// The index's name.
        name: String,
        /// The index in code, spelled like [`Drift::MissingIndex`]'s `expected`.
        expected: String,
        /// The index in the database, spelled the same way.
        found: String,
    },
    /// A unique, check or exclusion constraint the code does not declare.
    ExtraConstraint {
        /// The table.
        table: String,
        /// The constraint's name.
        name: String,
        /// Its definition, as `pg_get_constraintdef` prints it.
        found: String,
    },
    /// A view, materialized view, sequence not owned by a column, trigger, rule, policy or
    /// extension that no migration makes; `table` names the table of a trigger, rule or
    /// policy, `found` is its definition.
    ExtraObject {
        /// What sort of object it is.
        kind: ObjectKind,
        /// The table a trigger, rule or policy belongs to; `None` for other kinds.
        table: Option<String>,
        /// The object's name.
        name: String,
        /// Its definition; empty for an extension or a sequence.
        found: String,
    },
    /// An extension the migrations install (`pgcrypto`) is not installed.
    MissingExtension {
        /// The extension's name.
        name: String,
    },
    /// Row-level security is enabled (`forced`: also for the table's owner); the code
    /// declares none, so queries may see fewer rows than they expect.
    RowLevelSecurity {
        /// The table.
        table: String,
        /// True when it is forced, so it applies to the table's owner too.
        forced: bool,
    },
    /// The table is `UNLOGGED`: emptied after a crash, never replicated.
    UnloggedTable {
        /// The table.
        table: String,
    },
    /// The column has a collation other than its type's default.
    ColumnCollation {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The collation's name.
        collation: String,
    },
    /// An index a failed `CREATE INDEX CONCURRENTLY` left behind: writes maintain it, queries
    /// never use it.
    InvalidIndex {
        /// The indexed table.
        table: String,
        /// The index's name.
        name: String,
    },
    /// A foreign key or check added `NOT VALID` and never validated: existing rows were not
    /// checked.
    ConstraintNotValid {
        /// The table.
        table: String,
        /// The constraint's name.
        name: String,
        /// Its definition, as `pg_get_constraintdef` prints it.
        definition: String,
    },
    /// A constraint made `DEFERRABLE`: checked at commit, not per statement, when deferred.
    ConstraintDeferrable {
        /// The table.
        table: String,
        /// The constraint's name.
        name: String,
        /// True when it is `INITIALLY DEFERRED`, so deferred unless a transaction says
        /// otherwise.
        initially_deferred: bool,
    },
}

pub use super::drift_objects::ObjectKind;

/// Everything `verify` found; clean when empty.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DriftReport {
    /// The schema that was compared (e.g. `public`).
    pub schema: String,
    /// Every difference found: enums, then tables in the code's order, then extra tables
    /// and other objects.
    pub drifts: Vec<Drift>,
}

impl DriftReport {
    /// True when the database matches the code exactly.
    pub fn is_clean(&self) -> bool {
        self.drifts.is_empty()
    }
}

impl fmt::Display for DriftReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_clean() {
            return write!(
                f,
                "schema `{}` matches the schema in code: no drift",
                self.schema
            );
        }
        writeln!(
            f,
            "schema `{}` differs from the schema in code in {} place(s):",
            self.schema,
            self.drifts.len()
        )?;
        for drift in &self.drifts {
            writeln!(f, "  - {drift}")?;
        }
        write!(
            f,
            "Apply the pending migrations (the `migrate` command). If none are pending, either \
             the code changed without a migration (the `generate` command writes it) or \
             the database was changed by hand: undo that change or declare it in code."
        )
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MISSING: &str = "is missing from the database";
        const EXTRA: &str = "exists in the database but not in code";
        match self {
            Drift::MissingEnum { name, labels } => {
                write!(f, "enum type `{name}` ({}) {MISSING}", labels.join(", "))
            }
            Drift::ExtraEnum { name, labels } => {
                write!(f, "enum type `{name}` ({}) {EXTRA}", labels.join(", "))
            }
            Drift::MissingEnumLabel { enum_name, label } => {
                write!(f, "enum type `{enum_name}`: label `{label}` {MISSING}")
            }
            Drift::ExtraEnumLabel { enum_name, label } => {
                write!(f, "enum type `{enum_name}`: label `{label}` {EXTRA}")
            }
            Drift::EnumLabelOrder {
                enum_name,
                expected,
                found,
            } => write!(
                f,
                "enum type `{enum_name}`: labels are ordered ({}) in the database, ({}) in code",
                found.join(", "),
                expected.join(", ")
            ),
            Drift::MissingTable { table } => write!(f, "table `{table}` {MISSING}"),
            Drift::ExtraTable { table } => write!(f, "table `{table}` {EXTRA}"),
            Drift::MissingColumn {
                table,
                column,
                expected,
            } => {
                write!(f, "column `{table}.{column}` ({expected}) {MISSING}")
            }
            Drift::ExtraColumn {
                table,
                column,
                found,
            } => {
                write!(f, "column `{table}.{column}` ({found}) {EXTRA}")
            }
            Drift::ColumnType {
                table,
                column,
                expected,
                found,
            } => write!(
                f,
                "column `{table}.{column}` has type `{found}` in the database, `{expected}` in code"
            ),
            Drift::Nullability {
                table,
                column,
                nullable_in_code,
            } => {
                let (db, code) = if *nullable_in_code {
                    ("NOT NULL", "nullable")
                } else {
                    ("nullable", "NOT NULL")
                };
                write!(
                    f,
                    "column `{table}.{column}` is {db} in the database, {code} in code"
                )
            }
            Drift::GeneratedColumn {
                table,
                column,
                expression,
            } => write!(
                f,
                "column `{table}.{column}` is generated in the database \
                 (GENERATED ALWAYS AS ({expression}) STORED), an ordinary column in code"
            ),
            Drift::ColumnDefault {
                table,
                column,
                expected,
                found,
            } => {
                let show = |d: &Option<String>| {
                    d.as_ref()
                        .map_or_else(|| "no default".to_string(), |d| format!("DEFAULT {d}"))
                };
                write!(
                    f,
                    "column `{table}.{column}` has {} in the database, {} in code",
                    show(found),
                    show(expected)
                )
            }
            Drift::MissingPrimaryKey {
                table,
                name,
                columns,
            } => write!(
                f,
                "table `{table}`: primary key `{name}` ({}) {MISSING}",
                columns.join(", ")
            ),
            Drift::PrimaryKey {
                table,
                expected_name,
                expected_columns,
                found_name,
                found_columns,
            } => write!(
                f,
                "table `{table}`: primary key is `{found_name}` ({}) in the database, \
                 `{expected_name}` ({}) in code",
                found_columns.join(", "),
                expected_columns.join(", ")
            ),
            Drift::MissingForeignKey {
                table,
                name,
                expected,
            } => {
                write!(
                    f,
                    "table `{table}`: foreign key `{name}` ({expected}) {MISSING}"
                )
            }
            Drift::ExtraForeignKey { table, name, found } => {
                write!(f, "table `{table}`: foreign key `{name}` ({found}) {EXTRA}")
            }
            Drift::ForeignKeyOnDelete {
                table,
                name,
                expected,
                found,
            } => write!(
                f,
                "table `{table}`: foreign key `{name}` is ON DELETE {found} in the database, \
                 ON DELETE {expected} in code"
            ),
            Drift::ForeignKey {
                table,
                name,
                expected,
                found,
            } => write!(
                f,
                "table `{table}`: foreign key `{name}` is `{found}` in the database, \
                 `{expected}` in code"
            ),
            Drift::MissingIndex {
                table,
                name,
                expected,
            } => {
                write!(f, "table `{table}`: index `{name}` ({expected}) {MISSING}")
            }
            Drift::ExtraIndex { table, name, found } => {
                write!(f, "table `{table}`: index `{name}` ({found}) {EXTRA}")
            }
            Drift::Index {
                table,
                name,
                expected,
                found,
            } => write!(
                f,
                "table `{table}`: index `{name}` is `{found}` in the database, `{expected}` in code"
            ),
            Drift::ExtraConstraint { table, name, found } => {
                write!(f, "table `{table}`: constraint `{name}` ({found}) {EXTRA}")
            }
            other => super::drift_objects::fmt(other, f),
        }
    }
}
