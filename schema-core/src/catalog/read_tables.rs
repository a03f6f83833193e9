//! The second stage of reading a catalog: the rows of tables, columns, constraints, indexes,
//! triggers, rules and policies normalized into the model's [`TableDef`]s.

use super::read_query::{get, Rows};
use super::spelling::{column_default, sql_type};
use super::CatalogError;
use crate::model::{
    ColumnDef, ConstraintDef, ConstraintKind, Deferral, ForeignKeyDef, Identity, IndexColumn,
    IndexDef, Name, NullsOrder, OnDelete, PrimaryKey, TableDef, TableObjectDef,
};
use schema_rules::names;
use std::collections::BTreeMap;
use tokio_postgres::Row;

/// `indoption` bits (see `pg_index.h`).
const INDOPTION_DESC: i16 = 0x0001;
const INDOPTION_NULLS_FIRST: i16 = 0x0002;

/// The schema's tables, sorted by name, each with its lists sorted by name.
pub(super) fn tables(schema: &str, rows: &Rows) -> Result<Vec<TableDef>, CatalogError> {
    let mut tables = tables_from_columns(schema, &rows.columns)?;
    add_constraints(&mut tables, &rows.constraints)?;
    add_indexes(&mut tables, &rows.indexes)?;
    let mut policies = objects(&rows.policies, "policies")?;
    let mut triggers = objects(&rows.triggers, "triggers")?;
    let mut rules = objects(&rows.rules, "rules")?;
    let mut out = Vec::with_capacity(tables.len());
    for (name, mut table) in tables {
        table.policies = policies.remove(&name).unwrap_or_default().into();
        table.triggers = triggers.remove(&name).unwrap_or_default().into();
        table.rules = rules.remove(&name).unwrap_or_default().into();
        table
            .constraints
            .to_mut()
            .sort_by(|a, b| a.name.cmp(&b.name));
        table
            .foreign_keys
            .to_mut()
            .sort_by_key(|fk| fk.constraint_name(&name));
        table.indexes.to_mut().sort_by(|a, b| a.name.cmp(&b.name));
        out.push(table);
    }
    Ok(out)
}

fn tables_from_columns(
    schema: &str,
    rows: &[Row],
) -> Result<BTreeMap<String, TableDef>, CatalogError> {
    const WHAT: &str = "columns";
    let mut tables = BTreeMap::new();
    for row in rows {
        let table_name: String = get(row, 0, WHAT)?;
        let table = tables
            .entry(table_name.clone())
            .or_insert_with(|| TableDef {
                name: table_name.into(),
                ..TableDef::BLANK
            });
        table.unlogged = get(row, 6, WHAT)?;
        table.row_security = get(row, 7, WHAT)?;
        table.force_row_security = get(row, 8, WHAT)?;
        table.partition = get::<Option<String>>(row, 12, WHAT)?.map(Name::from);
        table.replica_identity = get::<Option<String>>(row, 13, WHAT)?.map(Name::from);
        table.storage = get::<Option<String>>(row, 14, WHAT)?
            .filter(|s| !s.is_empty())
            .map(Name::from);
        table.comment = get::<Option<String>>(row, 15, WHAT)?.map(Name::from);
        // Rows arrive in attnum order (ORDER BY), which is the column order we keep.
        let Some(name) = get::<Option<String>>(row, 1, WHAT)? else {
            continue;
        };
        if let Some(comment) = get::<Option<String>>(row, 16, WHAT)? {
            table.column_comments.to_mut().push(TableObjectDef {
                name: name.clone().into(),
                definition: comment.into(),
            });
        }
        let ty = sql_type(
            &get::<String>(row, 2, WHAT)?,
            get::<Option<String>>(row, 10, WHAT)?,
        );
        let default = get::<Option<String>>(row, 4, WHAT)?.map(|d| column_default(&d, &ty, schema));
        table.columns.to_mut().push(ColumnDef {
            name: name.into(),
            nullable: !get::<bool>(row, 3, WHAT)?,
            default,
            renamed_from: None,
            collation: get::<Option<String>>(row, 5, WHAT)?.map(Name::from),
            generated: get::<Option<String>>(row, 9, WHAT)?.map(Name::from),
            identity: match get::<Option<String>>(row, 11, WHAT)?.as_deref() {
                Some("a") => Some(Identity::Always),
                Some("d") => Some(Identity::ByDefault),
                _ => None,
            },
            sql_type: ty,
        });
    }
    Ok(tables)
}

fn add_constraints(
    tables: &mut BTreeMap<String, TableDef>,
    rows: &[Row],
) -> Result<(), CatalogError> {
    const WHAT: &str = "constraints";
    for row in rows {
        let table_name: String = get(row, 0, WHAT)?;
        let Some(table) = tables.get_mut(&table_name) else {
            continue; // created between the queries
        };
        let name: String = get(row, 1, WHAT)?;
        let code: i8 = get(row, 2, WHAT)?;
        let columns: Vec<String> = get(row, 4, WHAT)?;
        let not_valid = !get::<bool>(row, 9, WHAT)?;
        let deferrable = deferral(get(row, 10, WHAT)?, get(row, 11, WHAT)?);
        match code as u8 {
            b'p' => {
                table.primary_key = primary_key(&table_name, &name, &columns);
                if table.primary_key_name() != name {
                    table.primary_key_name = Some(name.into());
                }
                table.primary_key_deferrable = deferrable;
            }
            b'f' => {
                let action = |idx: usize| -> Result<OnDelete, CatalogError> {
                    let code: i8 = get(row, idx, WHAT)?;
                    action(code).ok_or_else(|| CatalogError::Unexpected {
                        what: format!(
                            "referential action code `{}` on foreign key `{name}`",
                            code as u8 as char
                        ),
                    })
                };
                let referenced: Vec<String> = get(row, 6, WHAT)?;
                let mut fk = ForeignKeyDef::new(
                    first(&columns),
                    get::<Option<String>>(row, 5, WHAT)?
                        .unwrap_or_default()
                        .into(),
                    first(&referenced),
                    action(7)?,
                );
                fk.on_update = action(8)?;
                fk.more_columns = rest(&columns);
                fk.more_references = rest(&referenced);
                fk.not_valid = not_valid;
                fk.deferrable = deferrable;
                if fk.constraint_name(&table_name) != name {
                    fk.name = Some(name.into());
                }
                table.foreign_keys.to_mut().push(fk);
            }
            other => {
                let kind = match other {
                    b'u' => ConstraintKind::Unique,
                    b'c' => ConstraintKind::Check,
                    b'x' => ConstraintKind::Exclusion,
                    _ => ConstraintKind::Other,
                };
                table.constraints.to_mut().push(ConstraintDef {
                    name: name.into(),
                    kind,
                    definition: bare_definition(&get::<String>(row, 3, WHAT)?).into(),
                    not_valid,
                    deferrable,
                });
            }
        }
    }
    Ok(())
}

/// The primary key as the model holds it: by the naming contract's form when the name
/// follows it, so that a database made by the migrations reads as the code declares it.
fn primary_key(table: &str, name: &str, columns: &[String]) -> PrimaryKey {
    let composite = || PrimaryKey::Composite(columns.iter().cloned().map(Name::from).collect());
    match columns {
        [only] if name == names::primary_key(table) => PrimaryKey::Column(only.clone().into()),
        [only] if name != names::composite_primary_key(table, [only.as_str()]) => {
            PrimaryKey::Column(only.clone().into())
        }
        _ => composite(),
    }
}

/// `pg_get_constraintdef` without the `DEFERRABLE`, `INITIALLY DEFERRED` and `NOT VALID`
/// it appends: the model holds those as fields of their own.
fn bare_definition(definition: &str) -> String {
    let mut text = definition;
    for suffix in [" NOT VALID", " INITIALLY DEFERRED", " DEFERRABLE"] {
        text = text.strip_suffix(suffix).unwrap_or(text);
    }
    text.to_string()
}

fn deferral(deferrable: bool, deferred: bool) -> Option<Deferral> {
    match (deferrable, deferred) {
        (false, _) => None,
        (true, false) => Some(Deferral::InitiallyImmediate),
        (true, true) => Some(Deferral::InitiallyDeferred),
    }
}

/// From `confdeltype` / `confupdtype`.
fn action(code: i8) -> Option<OnDelete> {
    Some(match code as u8 {
        b'a' => OnDelete::NoAction,
        b'r' => OnDelete::Restrict,
        b'c' => OnDelete::Cascade,
        b'n' => OnDelete::SetNull,
        b'd' => OnDelete::SetDefault,
        _ => return None,
    })
}

fn first(names: &[String]) -> Name {
    names.first().cloned().unwrap_or_default().into()
}

fn rest(names: &[String]) -> crate::model::List<Name> {
    names.iter().skip(1).cloned().map(Name::from).collect()
}

fn add_indexes(tables: &mut BTreeMap<String, TableDef>, rows: &[Row]) -> Result<(), CatalogError> {
    const WHAT: &str = "indexes";
    for row in rows {
        let table_name: String = get(row, 0, WHAT)?;
        let Some(table) = tables.get_mut(&table_name) else {
            continue;
        };
        let exprs: Vec<String> = get(row, 7, WHAT)?;
        let options: Vec<i16> = get(row, 8, WHAT)?;
        let opclasses: Vec<String> = get(row, 11, WHAT)?;
        let expression: Vec<bool> = get(row, 13, WHAT)?;
        let columns: Vec<IndexColumn> = exprs
            .into_iter()
            .enumerate()
            .map(|(k, name)| {
                let option = options.get(k).copied().unwrap_or(0);
                let desc = option & INDOPTION_DESC != 0;
                let nulls_first = option & INDOPTION_NULLS_FIRST != 0;
                let opclass = opclasses.get(k).filter(|o| !o.is_empty()).cloned();
                IndexColumn {
                    name: name.into(),
                    desc,
                    // Only a NULLs order other than the direction's default is spelled.
                    nulls: (nulls_first != desc).then_some(if nulls_first {
                        NullsOrder::First
                    } else {
                        NullsOrder::Last
                    }),
                    opclass: opclass.map(Name::from),
                    expression: expression.get(k).copied().unwrap_or(false),
                }
            })
            .collect();
        let method: String = get(row, 6, WHAT)?;
        let index = IndexDef {
            name: get::<String>(row, 1, WHAT)?.into(),
            unique: get(row, 3, WHAT)?,
            columns: columns.into(),
            method: (method != "btree").then(|| method.into()),
            predicate: get::<Option<String>>(row, 9, WHAT)?.map(Name::from),
            include: get::<Vec<String>>(row, 12, WHAT)?
                .into_iter()
                .map(Name::from)
                .collect(),
            invalid: !get::<bool>(row, 10, WHAT)?,
        };
        let primary: bool = get(row, 4, WHAT)?;
        let backs_constraint: bool = get(row, 5, WHAT)?;
        if primary {
            // Every primary key has its index; only one that stores or sorts otherwise is
            // worth holding.
            let plain =
                index.include.is_empty() && index.columns.iter().all(|k| k.opclass.is_none());
            if !plain {
                table.primary_key_index = Some(Box::new(index));
            }
        } else if !backs_constraint {
            // The index of a unique or exclusion constraint goes with the constraint.
            table.indexes.to_mut().push(index);
        }
    }
    Ok(())
}

/// Triggers, rules or policies (the rows of one of those queries) by table, sorted by name.
fn objects(
    rows: &[Row],
    what: &'static str,
) -> Result<BTreeMap<String, Vec<TableObjectDef>>, CatalogError> {
    let mut by_table: BTreeMap<String, Vec<TableObjectDef>> = BTreeMap::new();
    for row in rows {
        by_table
            .entry(get(row, 0, what)?)
            .or_default()
            .push(TableObjectDef {
                name: get::<String>(row, 1, what)?.into(),
                definition: get::<String>(row, 2, what)?.into(),
            });
    }
    for list in by_table.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(by_table)
}
