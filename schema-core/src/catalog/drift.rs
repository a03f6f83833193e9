//! What `verify` reports: each way the live database differs from the schema in code.

use std::fmt;

/// One difference between the live database and the schema in code. Every message says
/// what the database has and what the code declares, naming the object.
/// More kinds may be added, hence `non_exhaustive`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Drift {
    MissingEnum {
        name: String,
        labels: Vec<String>,
    },
    ExtraEnum {
        name: String,
        labels: Vec<String>,
    },
    MissingEnumLabel {
        enum_name: String,
        label: String,
    },
    ExtraEnumLabel {
        enum_name: String,
        label: String,
    },
    /// The labels both sides share are in another order (the order is part of the type:
    /// it decides how values sort).
    EnumLabelOrder {
        enum_name: String,
        expected: Vec<String>,
        found: Vec<String>,
    },
    MissingTable {
        table: String,
    },
    ExtraTable {
        table: String,
    },
    /// `expected` describes the column, e.g. `uuid NOT NULL DEFAULT gen_random_uuid()`.
    MissingColumn {
        table: String,
        column: String,
        expected: String,
    },
    ExtraColumn {
        table: String,
        column: String,
        found: String,
    },
    ColumnType {
        table: String,
        column: String,
        expected: String,
        found: String,
    },
    Nullability {
        table: String,
        column: String,
        nullable_in_code: bool,
    },
    ColumnDefault {
        table: String,
        column: String,
        expected: Option<String>,
        found: Option<String>,
    },
    MissingPrimaryKey {
        table: String,
        name: String,
        columns: Vec<String>,
    },
    /// The table's primary key has another name or other columns.
    PrimaryKey {
        table: String,
        expected_name: String,
        expected_columns: Vec<String>,
        found_name: String,
        found_columns: Vec<String>,
    },
    MissingForeignKey {
        table: String,
        name: String,
        expected: String,
    },
    ExtraForeignKey {
        table: String,
        name: String,
        found: String,
    },
    /// Same key, another ON DELETE action; `expected`/`found` are e.g. `CASCADE`.
    ForeignKeyOnDelete {
        table: String,
        name: String,
        expected: String,
        found: String,
    },
    /// Same name, other columns, referenced table or ON UPDATE action.
    ForeignKey {
        table: String,
        name: String,
        expected: String,
        found: String,
    },
    /// `expected` describes the index, e.g. `UNIQUE btree (user_id, started_at DESC)`.
    MissingIndex {
        table: String,
        name: String,
        expected: String,
    },
    ExtraIndex {
        table: String,
        name: String,
        found: String,
    },
    /// Same name, but uniqueness, columns, direction, method or predicate differ.
    Index {
        table: String,
        name: String,
        expected: String,
        found: String,
    },
    /// A unique, check or exclusion constraint the code does not declare.
    ExtraConstraint {
        table: String,
        name: String,
        found: String,
    },
    /// A view, materialized view, sequence not owned by a column, trigger, rule, policy or
    /// extension that no migration makes; `table` names the table of a trigger, rule or
    /// policy, `found` is its definition.
    ExtraObject {
        kind: ObjectKind,
        table: Option<String>,
        name: String,
        found: String,
    },
    /// An extension the migrations install (`pgcrypto`) is not installed.
    MissingExtension {
        name: String,
    },
    /// Row-level security is enabled (`forced`: also for the table's owner); the code
    /// declares none, so queries may see fewer rows than they expect.
    RowLevelSecurity {
        table: String,
        forced: bool,
    },
    /// The table is `UNLOGGED`: emptied after a crash, never replicated.
    UnloggedTable {
        table: String,
    },
    /// The column has a collation other than its type's default.
    ColumnCollation {
        table: String,
        column: String,
        collation: String,
    },
    /// An index a failed `CREATE INDEX CONCURRENTLY` left behind: writes maintain it, queries
    /// never use it.
    InvalidIndex {
        table: String,
        name: String,
    },
    /// A foreign key or check added `NOT VALID` and never validated: existing rows were not
    /// checked.
    ConstraintNotValid {
        table: String,
        name: String,
        definition: String,
    },
    /// A constraint made `DEFERRABLE`: checked at commit, not per statement, when deferred.
    ConstraintDeferrable {
        table: String,
        name: String,
        initially_deferred: bool,
    },
}

pub use super::drift_objects::ObjectKind;

/// Everything `verify` found; clean when empty.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DriftReport {
    /// The schema that was compared (e.g. `public`).
    pub schema: String,
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
