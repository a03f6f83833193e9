//! The registry rules checked at run time, for schemas built by hand or read from a
//! snapshot, where the compiler has not seen them: the rules of the whole list, walked by the
//! same `const fn`s as `schema!`'s check (`list_rules`), and the rules about one item that
//! the macros check when a `#[table]` or `#[pg_enum]` expands. All problems are collected, so
//! a user fixes them in one pass.

use super::list_rules;
use crate::model::{ColumnDef, ColumnDefault, EnumDef, ForeignKeyDef, OnDelete, PrimaryKey};
use crate::model::{Schema, SqlType, TableDef};
use schema_rules::rules::{self, Violation};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One broken rule of a schema. The words are `schema_rules`', the same the compiler prints
/// for a schema declared with the macros.
pub type RegistryError = Violation<String>;

/// Checks every registry rule of a schema and returns all the problems found, so a user
/// fixes them in one pass.
pub fn validate(schema: &Schema) -> Result<(), Vec<RegistryError>> {
    let mut errors = Errors(list_rules::violations(schema));
    errors.0.extend(super::grant_rules::violations(schema));
    check_enums(&schema.enums, &mut errors);
    let enums: BTreeMap<&str, &EnumDef> = schema.enums.iter().map(|e| (&*e.name, e)).collect();
    // Where each table name first appears: a foreign key finds its target without a scan,
    // which made validation quadratic in the number of tables.
    let mut positions = HashMap::with_capacity(schema.tables.len());
    for (at, table) in schema.tables.iter().enumerate() {
        positions.entry(&*table.name).or_insert(at);
    }
    for (position, table) in schema.tables.iter().enumerate() {
        errors.rule(rules::identifier("table", &table.name));
        check_columns(table, &enums, &mut errors);
        check_primary_key(table, &mut errors);
        check_indexes(table, &mut errors);
        check_foreign_keys(schema, &positions, position, &mut errors);
        check_partition(schema, &positions, position, &mut errors);
    }
    if errors.0.is_empty() {
        Ok(())
    } else {
        Err(errors.0)
    }
}

/// The violations found so far, kept with owned names.
struct Errors(Vec<RegistryError>);

impl Errors {
    fn push(&mut self, violation: Violation<&str>) {
        self.0.push(violation.owned());
    }

    fn rule(&mut self, violation: Option<Violation<&str>>) {
        if let Some(violation) = violation {
            self.push(violation);
        }
    }
}

fn check_enums(enums: &[EnumDef], errors: &mut Errors) {
    for e in enums {
        errors.rule(rules::identifier("enum type", &e.name));
        errors.rule(rules::enum_name(&e.name));
        let mut labels = BTreeSet::new();
        for label in e.labels.iter() {
            errors.rule(rules::identifier("enum label", label));
            if !labels.insert(&**label) {
                errors.push(duplicate("label", label, "enum type", &e.name));
            }
        }
    }
}

fn duplicate<'a>(
    kind: &'static str,
    name: &'a str,
    owner_kind: &'static str,
    owner: &'a str,
) -> Violation<&'a str> {
    Violation::Duplicate {
        kind,
        name,
        owner_kind,
        owner,
    }
}

fn check_columns(table: &TableDef, enums: &BTreeMap<&str, &EnumDef>, errors: &mut Errors) {
    let mut names = BTreeSet::new();
    for column in table.columns.iter() {
        errors.rule(rules::identifier("column", &column.name));
        errors.rule(rules::column_name(&table.name, &column.name));
        if !names.insert(&*column.name) {
            errors.push(duplicate("column", &column.name, "table", &table.name));
        }
        // An unregistered enum type is a rule of the whole list.
        let enum_def = match &column.sql_type {
            SqlType::Enum(name) => enums.get(&**name).copied(),
            SqlType::Varchar(0) => {
                errors.push(Violation::ZeroLengthVarchar {
                    table: &table.name,
                    column: &column.name,
                });
                None
            }
            _ => None,
        };
        if let Some(default) = &column.default {
            if !default_fits(default, &column.sql_type, enum_def) {
                let sql_type = match &column.sql_type {
                    SqlType::Varchar(n) => format!("varchar({n})"),
                    other => crate::sql::type_name(other).to_string(),
                };
                errors.push(Violation::DefaultType {
                    table: &table.name,
                    column: &column.name,
                    sql_type: &sql_type,
                });
            }
        }
    }
}

/// `numeric` and `numeric(p,s)`, which take an integer or a decimal default.
fn is_numeric(name: &str) -> bool {
    name == "numeric" || name.starts_with("numeric(")
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
        // now() casts to every date and time type.
        ColumnDefault::Now => match ty {
            SqlType::TimestampTz => true,
            SqlType::Other(name) => ["timestamp", "date", "time"]
                .iter()
                .any(|t| name.starts_with(t)),
            _ => false,
        },
        ColumnDefault::GenRandomUuid => *ty == SqlType::Uuid,
        ColumnDefault::Bool(_) => *ty == SqlType::Boolean,
        ColumnDefault::Int(n) => match ty {
            SqlType::SmallInt => i16::try_from(*n).is_ok(),
            SqlType::Integer => i32::try_from(*n).is_ok(),
            SqlType::BigInt | SqlType::Real | SqlType::DoublePrecision => true,
            SqlType::Other(name) => is_numeric(name),
            _ => false,
        },
        ColumnDefault::Float(text) => {
            (matches!(ty, SqlType::Real | SqlType::DoublePrecision)
                || matches!(ty, SqlType::Other(name) if is_numeric(name)))
                && is_decimal(text)
        }
        ColumnDefault::Text(text) => match ty {
            SqlType::Varchar(n) => text.chars().count() <= *n as usize,
            // `text`, bare `varchar` and `char(n)` (whose length the server enforces).
            other => crate::sql::string_default_cast(other).is_some(),
        },
        // An expression (`#[column(default_sql = "..")]`) is judged by the server.
        ColumnDefault::Expr(_) => true,
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

fn check_primary_key(table: &TableDef, errors: &mut Errors) {
    let columns: Vec<&str> = match &table.primary_key {
        PrimaryKey::Column(c) => vec![c],
        PrimaryKey::Composite(cols) => cols.iter().map(|c| &**c).collect(),
    };
    // A table without a primary key says so in code (`#[table(no_primary_key)]`), which
    // the macro checks; a database may hold one.
    if columns.is_empty() {
        return;
    }
    let name = table.primary_key_name();
    errors.rule(rules::identifier("primary key constraint", &name));
    for column in columns {
        match table.column(column) {
            None => errors.push(missing(table, "the primary key", column)),
            Some(c) if c.nullable => errors.push(Violation::NullablePrimaryKey {
                table: &table.name,
                column,
            }),
            Some(_) => {}
        }
    }
}

fn missing<'a>(table: &'a TableDef, what: &'a str, column: &'a str) -> Violation<&'a str> {
    Violation::MissingColumn {
        table: &table.name,
        what,
        column,
    }
}

fn check_indexes(table: &TableDef, errors: &mut Errors) {
    for index in table.indexes.iter() {
        errors.rule(rules::identifier("index", &index.name));
        let what = format!("the index `{}`", index.name);
        if index.columns.is_empty() {
            errors.push(Violation::Empty {
                table: &table.name,
                what: &what,
            });
        }
        let mut seen = BTreeSet::new();
        // An expression key names columns inside its expression, which the server checks.
        for column in index.columns.iter().filter(|c| !c.expression) {
            if table.column(&column.name).is_none() {
                errors.push(missing(table, &what, &column.name));
            }
            if !seen.insert(&*column.name) {
                errors.push(duplicate("column", &column.name, "index", &index.name));
            }
        }
        for column in index.include.iter() {
            if table.column(column).is_none() {
                errors.push(missing(table, &what, column));
            }
        }
    }
}

fn check_foreign_keys(
    schema: &Schema,
    positions: &HashMap<&str, usize>,
    position: usize,
    errors: &mut Errors,
) {
    let table = &schema.tables[position];
    for fk in table.foreign_keys.iter() {
        let (t, c) = (&*table.name, &*fk.column);
        let target = &*fk.references_table;
        match &fk.name {
            Some(name) => errors.rule(rules::identifier("foreign key constraint", name)),
            None => errors.rule(rules::foreign_key_name(t, c, target, &fk.references_column)),
        }
        let Some(column) = table.column(c) else {
            errors.push(missing(table, "a foreign key", c));
            continue;
        };
        match fk.on_delete {
            OnDelete::SetNull => errors.rule(rules::set_null(t, c, column.nullable)),
            OnDelete::SetDefault => errors.rule(rules::set_default(t, c, column.default.is_some())),
            _ => {}
        }
        // A target not registered, or registered later, is a rule of the whole list.
        let target = match positions.get(target).copied() {
            Some(at) if at <= position => &schema.tables[at],
            _ => continue,
        };
        check_reference(table, column, fk, target, errors);
    }
}

/// A partition comes after its parent, a partitioned table: its `CREATE TABLE` may use what
/// the parent's made (the sequence of a `serial` column). A parent named bare is checked by
/// the list's walk (`list_rules`, which `schema!` runs too); a quoted one here.
fn check_partition(
    schema: &Schema,
    positions: &HashMap<&str, usize>,
    position: usize,
    errors: &mut Errors,
) {
    let table = &schema.tables[position];
    let quoted = (table.partition.as_deref())
        .is_some_and(|p| p.starts_with(&format!("{}\"", crate::model::PARTITION_OF)));
    let Some((parent, _)) = table.partition_of().filter(|_| quoted) else {
        return;
    };
    let partitioned = match positions.get(parent.as_str()) {
        Some(&at) if at < position => schema.tables[at].partition_key().is_some(),
        _ => false,
    };
    if !partitioned {
        errors.push(Violation::PartitionParent {
            table: &table.name,
            parent: &parent,
        });
    }
}

/// Character types of any length, which PostgreSQL compares with each other: a key of
/// `varchar(128)` may reference a `varchar(64)` or `text` column (both are `String` in Rust).
fn is_character(ty: &SqlType) -> bool {
    match ty {
        SqlType::Text | SqlType::Varchar(_) => true,
        SqlType::Other(name) => name.starts_with("character"),
        _ => false,
    }
}

/// The referenced column exists and has the key's type (character types of any length count
/// as one); whether it is unique is a rule of the whole list.
fn check_reference(
    table: &TableDef,
    column: &ColumnDef,
    fk: &ForeignKeyDef,
    target: &TableDef,
    errors: &mut Errors,
) {
    let Some(referenced) = target.column(&fk.references_column) else {
        let what = format!("the foreign key `{}.{}`", table.name, fk.column);
        errors.push(Violation::MissingColumn {
            table: &target.name,
            what: &what,
            column: &fk.references_column,
        });
        return;
    };
    if referenced.sql_type != column.sql_type
        && !(is_character(&referenced.sql_type) && is_character(&column.sql_type))
    {
        let found = crate::sql::sql_type(&column.sql_type);
        let expected = crate::sql::sql_type(&referenced.sql_type);
        errors.push(Violation::ForeignKeyType {
            table: &table.name,
            column: &fk.column,
            found: &found,
            target: &target.name,
            target_column: &fk.references_column,
            expected: &expected,
        });
    }
}
