//! The registry rules checked at run time, for schemas built by hand or read from a
//! snapshot, where the compiler has not seen them. A superset of the `const` checks: all
//! problems are collected, so a user fixes them in one pass.

use crate::migrate::LEDGER_SCHEMA;
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
    let mut errors = Errors(Vec::new());
    errors.rule(rules::pg_schema(&schema.pg_schema, LEDGER_SCHEMA));
    check_enums(&schema.enums, &mut errors);
    let enums: BTreeMap<&str, &EnumDef> = schema.enums.iter().map(|e| (&*e.name, e)).collect();
    let mut relations = Relations::default();
    // Where each table name first appears: a foreign key finds its target without a scan,
    // which made validation quadratic in the number of tables.
    let mut positions = HashMap::with_capacity(schema.tables.len());
    for (at, table) in schema.tables.iter().enumerate() {
        positions.entry(&*table.name).or_insert(at);
    }
    for (position, table) in schema.tables.iter().enumerate() {
        errors.rule(rules::identifier("table", &table.name));
        if enums.contains_key(&*table.name) {
            errors.push(Violation::NameTaken {
                kind: "table",
                name: &table.name,
                taken_by: "the enum type",
                owner: &table.name,
            });
        }
        relations.add(&table.name, Relation::Table, &mut errors);
        check_columns(table, &enums, &mut errors);
        check_primary_key(table, &mut relations, &mut errors);
        check_indexes(table, &mut relations, &mut errors);
        check_foreign_keys(schema, &positions, position, &mut errors);
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

/// What holds a relation name: tables, indexes and key constraints (whose index has the
/// constraint's name) share one namespace.
#[derive(Clone)]
enum Relation {
    Table,
    Index,
    PrimaryKey { table: String },
}

impl Relation {
    fn kind(&self) -> &'static str {
        match self {
            Relation::Table => "table",
            Relation::Index => "index",
            Relation::PrimaryKey { .. } => "primary key constraint",
        }
    }
}

#[derive(Default)]
struct Relations(HashMap<String, Relation>);

impl Relations {
    /// Records `name`, or reports the clash with the relation that has it. The one to rename
    /// is the one the user wrote: an index before a table or key, a table before a key.
    fn add(&mut self, name: &str, relation: Relation, errors: &mut Errors) {
        let Some(other) = self.0.get(name).cloned() else {
            self.0.insert(name.to_string(), relation);
            return;
        };
        let (renamed, taker) = match (&relation, &other) {
            (Relation::Index, _) | (Relation::Table, Relation::PrimaryKey { .. }) => {
                (&relation, &other)
            }
            _ => (&other, &relation),
        };
        if renamed.kind() == taker.kind() {
            errors.push(duplicate(renamed.kind(), name, "", ""));
            return;
        }
        let (taken_by, owner) = match taker {
            Relation::PrimaryKey { table } => ("the primary key of the table", table.as_str()),
            _ => ("the table", name),
        };
        errors.push(Violation::NameTaken {
            kind: renamed.kind(),
            name,
            taken_by,
            owner,
        });
    }
}

fn check_enums(enums: &[EnumDef], errors: &mut Errors) {
    let mut names = BTreeSet::new();
    for e in enums {
        errors.rule(rules::identifier("enum type", &e.name));
        errors.rule(rules::enum_name(&e.name));
        if !names.insert(&*e.name) {
            errors.push(duplicate("enum type", &e.name, "", ""));
        }
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
        let enum_def = match &column.sql_type {
            SqlType::Enum(name) => match enums.get(&**name) {
                Some(def) => Some(*def),
                None => {
                    errors.push(Violation::UnknownEnum {
                        table: &table.name,
                        column: &column.name,
                        enum_name: name,
                    });
                    None
                }
            },
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
        // An expression is what a database can hold, never what the code declares.
        ColumnDefault::Expr(_) => false,
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

fn check_primary_key(table: &TableDef, relations: &mut Relations, errors: &mut Errors) {
    let columns: Vec<&str> = match &table.primary_key {
        PrimaryKey::Column(c) => vec![c],
        PrimaryKey::Composite(cols) => cols.iter().map(|c| &**c).collect(),
    };
    if columns.is_empty() {
        errors.push(Violation::Empty {
            table: &table.name,
            what: "the primary key",
        });
    }
    let name = table.primary_key_name();
    errors.rule(rules::identifier("primary key constraint", &name));
    let key = Relation::PrimaryKey {
        table: table.name.to_string(),
    };
    relations.add(&name, key, errors);
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

fn check_indexes(table: &TableDef, relations: &mut Relations, errors: &mut Errors) {
    for index in table.indexes.iter() {
        errors.rule(rules::identifier("index", &index.name));
        relations.add(&index.name, Relation::Index, errors);
        let what = format!("the index `{}`", index.name);
        if index.columns.is_empty() {
            errors.push(Violation::Empty {
                table: &table.name,
                what: &what,
            });
        }
        let mut seen = BTreeSet::new();
        for column in index.columns.iter() {
            if table.column(&column.name).is_none() {
                errors.push(missing(table, &what, &column.name));
            }
            if !seen.insert(&*column.name) {
                errors.push(duplicate("column", &column.name, "index", &index.name));
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
        errors.rule(rules::foreign_key_name(t, c, target, &fk.references_column));
        let Some(column) = table.column(c) else {
            errors.push(missing(table, "a foreign key", c));
            continue;
        };
        match fk.on_delete {
            OnDelete::SetNull => errors.rule(rules::set_null(t, c, column.nullable)),
            OnDelete::SetDefault => errors.rule(rules::set_default(t, c, column.default.is_some())),
            _ => {}
        }
        let target = match positions.get(target).copied() {
            None => {
                errors.push(Violation::UnknownTable {
                    table: t,
                    column: c,
                    target,
                });
                continue;
            }
            Some(at) if at > position => {
                errors.push(Violation::TableRegisteredLater {
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
    if referenced.sql_type != column.sql_type {
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
    let is_key = target.primary_key == PrimaryKey::Column(referenced.name.clone());
    let is_unique = target
        .indexes
        .iter()
        .any(|i| i.unique && i.columns.len() == 1 && i.columns[0].name == fk.references_column);
    errors.rule(rules::referenced_unique(
        &table.name,
        &fk.column,
        &target.name,
        &fk.references_column,
        is_key,
        is_unique,
    ));
}
