//! The registry rules checked at run time, for schemas built by hand or read from a
//! snapshot, where the compiler has not seen them. A superset of the `const` checks: all
//! problems are collected, so a user fixes them in one pass.

use crate::model::{
    ColumnDefault, EnumDef, OnDelete, PrimaryKey, Schema, SqlType, TableDef, MAX_IDENTIFIER_BYTES,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One broken rule of a schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// A name is longer than PostgreSQL keeps (63 bytes).
    #[error("{kind} `{name}` is {bytes} bytes long; PostgreSQL would cut it to {MAX_IDENTIFIER_BYTES} bytes silently, so choose a shorter name")]
    NameTooLong {
        /// What the name names, e.g. `column` or `index`.
        kind: &'static str,
        /// The name, in full.
        name: String,
        /// Its length in bytes (UTF-8), not characters.
        bytes: usize,
    },
    /// The PostgreSQL schema named in `schema!` is empty, starts with `pg_`, is
    /// `information_schema` or is the migration ledger's.
    #[error("the PostgreSQL schema `{name}` {reason}; choose another name in `schema!`")]
    ReservedSchema {
        /// The schema's name.
        name: String,
        /// Why it cannot be used, e.g. `is where the migration ledger is kept`.
        reason: &'static str,
    },
    /// Two enum types, tables, labels of one enum, columns of one table, indexes or
    /// relations (tables, indexes and primary key indexes share one namespace) have the same
    /// name.
    #[error("{kind} `{name}` is declared twice{place}; each name may be used once")]
    Duplicate {
        /// What the name names, e.g. `table` or `label`.
        kind: &'static str,
        /// The name declared twice.
        name: String,
        /// Where, after a space: `` in table `users` ``; empty for a schema-wide name.
        place: String,
    },
    /// A column has an enum type the schema does not list.
    #[error("the column `{table}.{column}` has the enum type `{enum_name}`, which is not registered; add it to the schema's enums")]
    UnknownEnum {
        /// The column's table.
        table: String,
        /// The column.
        column: String,
        /// The enum type it names.
        enum_name: String,
    },
    /// A foreign key references a table the schema does not list.
    #[error("the foreign key `{table}.{column}` references the table `{target}`, which is not registered; register it before `{table}`")]
    UnknownTable {
        /// The referencing table.
        table: String,
        /// The referencing column.
        column: String,
        /// The referenced table.
        target: String,
    },
    /// A foreign key references a table listed after its own: tables are created in the
    /// order they are listed.
    #[error("the foreign key `{table}.{column}` references the table `{target}`, which is registered after `{table}`; move `{target}` earlier")]
    TableRegisteredLater {
        /// The referencing table.
        table: String,
        /// The referencing column.
        column: String,
        /// The referenced table.
        target: String,
    },
    /// A primary key, index or foreign key names a column its table does not have.
    #[error(
        "{what} of table `{table}` names the column `{column}`, which the table does not have"
    )]
    MissingColumn {
        /// The table that lacks the column (for a foreign key, the referenced one).
        table: String,
        /// What names the column, e.g. `` the index `users_email_uq` ``.
        what: String,
        /// The column named.
        column: String,
    },
    /// A foreign key is `ON DELETE SET NULL` on a `NOT NULL` column.
    #[error("the foreign key `{table}.{column}` has ON DELETE SET NULL but the column is NOT NULL; make the column nullable or choose another action")]
    SetNullOnNotNull {
        /// The referencing table.
        table: String,
        /// The referencing column.
        column: String,
    },
    /// A foreign key is `ON DELETE SET DEFAULT` on a column without a default.
    #[error("the foreign key `{table}.{column}` has ON DELETE SET DEFAULT but the column has no default; give it one or choose another action")]
    SetDefaultWithoutDefault {
        /// The referencing table.
        table: String,
        /// The referencing column.
        column: String,
    },
    /// A foreign key column's type differs from the type of the column it references.
    #[error("the foreign key `{table}.{column}` is {found} but `{target}.{target_column}` is {expected}; a foreign key has the type of the column it references")]
    ForeignKeyType {
        /// The referencing table.
        table: String,
        /// The referencing column.
        column: String,
        /// Its SQL type, e.g. `integer`.
        found: String,
        /// The referenced table.
        target: String,
        /// The referenced column.
        target_column: String,
        /// The referenced column's SQL type, e.g. `uuid`.
        expected: String,
    },
    /// A foreign key references a column that is neither the table's one-column primary key
    /// nor covered by a one-column unique index, so PostgreSQL would refuse it.
    #[error("the foreign key `{table}.{column}` references `{target}.{target_column}`, which is neither the primary key nor a one-column unique index of `{target}`")]
    ReferencedNotUnique {
        /// The referencing table.
        table: String,
        /// The referencing column.
        column: String,
        /// The referenced table.
        target: String,
        /// The referenced column.
        target_column: String,
    },
    /// A primary key column is declared nullable.
    #[error(
        "the primary key column `{table}.{column}` is nullable; primary key columns are NOT NULL"
    )]
    NullablePrimaryKey {
        /// The table.
        table: String,
        /// The nullable column.
        column: String,
    },
    /// A composite primary key or an index lists no columns.
    #[error("{what} of table `{table}` has no columns")]
    Empty {
        /// The table.
        table: String,
        /// What is empty: `the primary key` or `` the index `users_email_uq` ``.
        what: String,
    },
    /// A column's default is not a value of its type: another kind of value, a label its enum
    /// lacks, a number out of range, or text longer than the varchar.
    #[error("the default of `{table}.{column}` does not fit its type {sql_type}")]
    DefaultType {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The column's SQL type, e.g. `smallint`.
        sql_type: String,
    },
    /// A column is `varchar(0)`, which PostgreSQL refuses.
    #[error("the column `{table}.{column}` is varchar(0); a varchar holds at least one character")]
    ZeroLengthVarchar {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
}

/// The namespace must be a name PostgreSQL keeps as written and lets a user create, and not the
/// one the runner keeps its ledger in.
fn check_pg_schema(name: &str, errors: &mut Vec<RegistryError>) {
    long("PostgreSQL schema", name, errors);
    let reason = if name.is_empty() {
        Some("is empty")
    } else if name.starts_with("pg_") {
        Some("starts with `pg_`, which PostgreSQL reserves")
    } else if name == crate::migrate::LEDGER_SCHEMA {
        Some("is where the migration ledger is kept")
    } else if name == "information_schema" {
        Some("is PostgreSQL's own")
    } else {
        None
    };
    if let Some(reason) = reason {
        errors.push(RegistryError::ReservedSchema {
            name: name.to_string(),
            reason,
        });
    }
}

/// Checks every registry rule of a schema and returns all the problems found.
pub fn validate(schema: &Schema) -> Result<(), Vec<RegistryError>> {
    let mut errors = Vec::new();
    check_pg_schema(&schema.pg_schema, &mut errors);
    check_enums(&schema.enums, &mut errors);
    let enums: BTreeMap<&str, &EnumDef> = schema.enums.iter().map(|e| (&*e.name, e)).collect();
    let mut relations = BTreeSet::new();
    // Where each table name first appears: a foreign key finds its target without a scan,
    // which made validation quadratic in the number of tables.
    let mut positions = HashMap::with_capacity(schema.tables.len());
    for (at, table) in schema.tables.iter().enumerate() {
        positions.entry(&*table.name).or_insert(at);
    }
    for (position, table) in schema.tables.iter().enumerate() {
        long("table", &table.name, &mut errors);
        if enums.contains_key(&*table.name) || !relations.insert(table.name.to_string()) {
            errors.push(duplicate("table", &table.name, ""));
        }
        check_columns(table, &enums, &mut errors);
        check_primary_key(table, &mut relations, &mut errors);
        check_indexes(table, &mut relations, &mut errors);
        check_foreign_keys(schema, &positions, position, &mut errors);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn duplicate(kind: &'static str, name: &str, place: &str) -> RegistryError {
    RegistryError::Duplicate {
        kind,
        name: name.to_string(),
        place: place.to_string(),
    }
}

fn long(kind: &'static str, name: &str, errors: &mut Vec<RegistryError>) {
    if name.len() > MAX_IDENTIFIER_BYTES {
        errors.push(RegistryError::NameTooLong {
            kind,
            name: name.to_string(),
            bytes: name.len(),
        });
    }
}

fn check_enums(enums: &[EnumDef], errors: &mut Vec<RegistryError>) {
    let mut names = BTreeSet::new();
    for e in enums {
        long("enum type", &e.name, errors);
        if !names.insert(&*e.name) {
            errors.push(duplicate("enum type", &e.name, ""));
        }
        let mut labels = BTreeSet::new();
        for label in e.labels.iter() {
            long("enum label", label, errors);
            if !labels.insert(&**label) {
                errors.push(duplicate("label", label, &format!(" in enum `{}`", e.name)));
            }
        }
    }
}

fn check_columns(
    table: &TableDef,
    enums: &BTreeMap<&str, &EnumDef>,
    errors: &mut Vec<RegistryError>,
) {
    let mut names = BTreeSet::new();
    for column in table.columns.iter() {
        long("column", &column.name, errors);
        if !names.insert(&*column.name) {
            let place = format!(" in table `{}`", table.name);
            errors.push(duplicate("column", &column.name, &place));
        }
        let enum_def = match &column.sql_type {
            SqlType::Enum(name) => match enums.get(&**name) {
                Some(def) => Some(*def),
                None => {
                    errors.push(RegistryError::UnknownEnum {
                        table: table.name.to_string(),
                        column: column.name.to_string(),
                        enum_name: name.to_string(),
                    });
                    None
                }
            },
            SqlType::Varchar(0) => {
                errors.push(RegistryError::ZeroLengthVarchar {
                    table: table.name.to_string(),
                    column: column.name.to_string(),
                });
                None
            }
            _ => None,
        };
        if let Some(default) = &column.default {
            if !default_fits(default, &column.sql_type, enum_def) {
                errors.push(RegistryError::DefaultType {
                    table: table.name.to_string(),
                    column: column.name.to_string(),
                    sql_type: crate::render::sql_type(&column.sql_type),
                });
            }
        }
    }
}

/// `-`, digits, `.`, digits: the one form PostgreSQL prints back as written.
pub(crate) fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn default_fits(default: &ColumnDefault, ty: &SqlType, enum_def: Option<&EnumDef>) -> bool {
    match default {
        ColumnDefault::Now => *ty == SqlType::TimestampTz,
        ColumnDefault::GenRandomUuid => *ty == SqlType::Uuid,
        ColumnDefault::Bool(_) => *ty == SqlType::Boolean,
        ColumnDefault::Int(n) => match ty {
            SqlType::SmallInt => i16::try_from(*n).is_ok(),
            SqlType::Integer => i32::try_from(*n).is_ok(),
            SqlType::BigInt | SqlType::Real | SqlType::DoublePrecision => true,
            _ => false,
        },
        ColumnDefault::Float(text) => {
            matches!(ty, SqlType::Real | SqlType::DoublePrecision) && is_decimal(text)
        }
        ColumnDefault::Text(text) => match ty {
            SqlType::Text => true,
            SqlType::Varchar(n) => text.chars().count() <= *n as usize,
            _ => false,
        },
        // An unregistered enum is reported on its own; its default is not judged twice.
        ColumnDefault::EnumLabel(label) => match ty {
            SqlType::Enum(_) => match enum_def {
                Some(e) => e.labels.iter().any(|l| l == label),
                None => true,
            },
            _ => false,
        },
    }
}

fn check_primary_key(
    table: &TableDef,
    relations: &mut BTreeSet<String>,
    errors: &mut Vec<RegistryError>,
) {
    let columns: Vec<&str> = match &table.primary_key {
        PrimaryKey::Column(c) => vec![c],
        PrimaryKey::Composite(cols) => cols.iter().map(|c| &**c).collect(),
    };
    if columns.is_empty() {
        errors.push(RegistryError::Empty {
            table: table.name.to_string(),
            what: "the primary key".into(),
        });
    }
    let name = table.primary_key_name();
    long("primary key constraint", &name, errors);
    // The key's index lives among the schema's relations, beside tables and other indexes.
    if !relations.insert(name.clone()) {
        errors.push(duplicate("relation", &name, " (primary key index)"));
    }
    for column in columns {
        match table.column(column) {
            None => errors.push(missing(table, "the primary key", column)),
            Some(c) if c.nullable => errors.push(RegistryError::NullablePrimaryKey {
                table: table.name.to_string(),
                column: column.to_string(),
            }),
            Some(_) => {}
        }
    }
}

fn missing(table: &TableDef, what: &str, column: &str) -> RegistryError {
    RegistryError::MissingColumn {
        table: table.name.to_string(),
        what: what.to_string(),
        column: column.to_string(),
    }
}

fn check_indexes(
    table: &TableDef,
    relations: &mut BTreeSet<String>,
    errors: &mut Vec<RegistryError>,
) {
    for index in table.indexes.iter() {
        long("index", &index.name, errors);
        if !relations.insert(index.name.to_string()) {
            errors.push(duplicate("index", &index.name, ""));
        }
        let what = format!("the index `{}`", index.name);
        if index.columns.is_empty() {
            errors.push(RegistryError::Empty {
                table: table.name.to_string(),
                what: what.clone(),
            });
        }
        let mut seen = BTreeSet::new();
        for column in index.columns.iter() {
            if table.column(&column.name).is_none() {
                errors.push(missing(table, &what, &column.name));
            }
            if !seen.insert(&*column.name) {
                errors.push(duplicate("column", &column.name, &format!(" in {what}")));
            }
        }
    }
}

fn check_foreign_keys(
    schema: &Schema,
    positions: &HashMap<&str, usize>,
    position: usize,
    errors: &mut Vec<RegistryError>,
) {
    let table = &schema.tables[position];
    for fk in table.foreign_keys.iter() {
        long(
            "foreign key constraint",
            &fk.constraint_name(&table.name),
            errors,
        );
        let (t, c) = (table.name.to_string(), fk.column.to_string());
        let Some(column) = table.column(&fk.column) else {
            errors.push(missing(table, "a foreign key", &fk.column));
            continue;
        };
        if fk.on_delete == OnDelete::SetNull && !column.nullable {
            errors.push(RegistryError::SetNullOnNotNull {
                table: t.clone(),
                column: c.clone(),
            });
        }
        if fk.on_delete == OnDelete::SetDefault && column.default.is_none() {
            errors.push(RegistryError::SetDefaultWithoutDefault {
                table: t.clone(),
                column: c.clone(),
            });
        }
        let target = match positions.get(&*fk.references_table).copied() {
            None => {
                let target = fk.references_table.to_string();
                errors.push(RegistryError::UnknownTable {
                    table: t,
                    column: c,
                    target,
                });
                continue;
            }
            Some(at) if at > position => {
                let target = fk.references_table.to_string();
                errors.push(RegistryError::TableRegisteredLater {
                    table: t,
                    column: c,
                    target,
                });
                continue;
            }
            Some(at) => &schema.tables[at],
        };
        check_reference(table, column, fk, target, errors);
    }
}

fn check_reference(
    table: &TableDef,
    column: &crate::model::ColumnDef,
    fk: &crate::model::ForeignKeyDef,
    target: &TableDef,
    errors: &mut Vec<RegistryError>,
) {
    let Some(referenced) = target.column(&fk.references_column) else {
        let what = format!("the foreign key `{}.{}`", table.name, fk.column);
        errors.push(RegistryError::MissingColumn {
            table: target.name.to_string(),
            what,
            column: fk.references_column.to_string(),
        });
        return;
    };
    if referenced.sql_type != column.sql_type {
        errors.push(RegistryError::ForeignKeyType {
            table: table.name.to_string(),
            column: fk.column.to_string(),
            found: crate::render::sql_type(&column.sql_type),
            target: target.name.to_string(),
            target_column: fk.references_column.to_string(),
            expected: crate::render::sql_type(&referenced.sql_type),
        });
    }
    let is_key = target.primary_key == crate::model::PrimaryKey::Column(referenced.name.clone());
    let is_unique = target
        .indexes
        .iter()
        .any(|i| i.unique && i.columns.len() == 1 && i.columns[0].name == fk.references_column);
    if !is_key && !is_unique {
        errors.push(RegistryError::ReferencedNotUnique {
            table: table.name.to_string(),
            column: fk.column.to_string(),
            target: target.name.to_string(),
            target_column: fk.references_column.to_string(),
        });
    }
}
