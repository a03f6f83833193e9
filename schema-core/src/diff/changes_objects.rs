//! The changes of what migrations never make or set: extensions, views, free sequences,
//! triggers, rules, policies, row-level security, UNLOGGED tables, column collations,
//! INVALID indexes, NOT VALID and DEFERRABLE constraints, functions, domains, event triggers
//! and replica identities. A schema in code declares none of these but NOT VALID (checks and
//! foreign keys may say `not_valid`), so the other changes are the ones that remove them.

use super::changes_keys::describe_fk;
use super::schema_change::{ObjectKind, SchemaChange};
use crate::model::{Deferral, Name, Schema, TableDef, TableObjectDef};

pub(super) fn compare_objects(database: &Schema, code: &Schema, drifts: &mut Vec<SchemaChange>) {
    for e in code
        .extensions
        .iter()
        .filter(|e| !database.extensions.contains(e))
    {
        drifts.push(SchemaChange::CreateExtension {
            name: e.to_string(),
        });
    }
    for e in database
        .extensions
        .iter()
        .filter(|e| !code.extensions.contains(e))
    {
        drifts.push(SchemaChange::DropObject {
            kind: ObjectKind::Extension,
            table: None,
            name: e.to_string(),
            definition: String::new(),
        });
    }
    let views = |schema: &Schema, materialized: bool| -> Vec<Named> {
        (schema.views.iter())
            .filter(|v| v.materialized == materialized)
            .map(|v| {
                // A materialized view's indexes are compared with it.
                let indexes: String = v.indexes.iter().map(|i| format!("; {i}")).collect();
                Named::new(&v.name, format!("{}{indexes}", v.definition))
            })
            .collect()
    };
    for (kind, materialized) in [
        (ObjectKind::View, false),
        (ObjectKind::MaterializedView, true),
    ] {
        let (found, declared) = (views(database, materialized), views(code, materialized));
        compare_named(kind, None, found, declared, drifts);
    }
    let sequences = |schema: &Schema| -> Vec<Named> {
        (schema.sequences.iter())
            .map(|s| Named::new(&s.name, s.definition.as_deref().unwrap_or("").to_string()))
            .collect()
    };
    compare_named(
        ObjectKind::Sequence,
        None,
        sequences(database),
        sequences(code),
        drifts,
    );
    let objects: [(ObjectKind, &[TableObjectDef], &[TableObjectDef]); 3] = [
        (ObjectKind::Function, &database.functions, &code.functions),
        (ObjectKind::Domain, &database.domains, &code.domains),
        (
            ObjectKind::EventTrigger,
            &database.event_triggers,
            &code.event_triggers,
        ),
    ];
    for (kind, found, declared) in objects {
        compare_named(kind, None, of(found), of(declared), drifts);
    }
    for def in code.tables.iter() {
        if let Some(found) = database.table(&def.name) {
            compare_table_objects(def, found, drifts);
        }
    }
    super::changes_privileges::compare_privileges(database, code, drifts);
}

/// An object known by its name and its definition.
struct Named {
    name: String,
    definition: String,
}

impl Named {
    fn new(name: &str, definition: String) -> Self {
        Named {
            name: name.to_string(),
            definition,
        }
    }
}

fn of(objects: &[TableObjectDef]) -> Vec<Named> {
    (objects.iter())
        .map(|o| Named::new(&o.name, o.definition.to_string()))
        .collect()
}

/// Objects of one kind the database holds and the code does not (to drop), the code holds
/// and the database does not (a carried migration makes them), or both hold otherwise.
fn compare_named(
    kind: ObjectKind,
    table: Option<&str>,
    found: Vec<Named>,
    declared: Vec<Named>,
    drifts: &mut Vec<SchemaChange>,
) {
    for o in &found {
        match declared.iter().find(|d| d.name == o.name) {
            None => drifts.push(SchemaChange::DropObject {
                kind,
                table: table.map(str::to_string),
                name: o.name.clone(),
                definition: o.definition.clone(),
            }),
            Some(d) if d.definition != o.definition => drifts.push(SchemaChange::RestoreCarried {
                kind,
                table: table.map(str::to_string),
                name: d.name.clone(),
                definition: d.definition.clone(),
                differs: true,
            }),
            Some(_) => {}
        }
    }
    for d in declared
        .into_iter()
        .filter(|d| !found.iter().any(|o| o.name == d.name))
    {
        drifts.push(SchemaChange::RestoreCarried {
            kind,
            table: table.map(str::to_string),
            name: d.name,
            definition: d.definition,
            differs: false,
        });
    }
}

fn compare_table_objects(def: &TableDef, found: &TableDef, drifts: &mut Vec<SchemaChange>) {
    let table = || def.name.to_string();
    if found.unlogged && !def.unlogged {
        drifts.push(SchemaChange::SetLogged { table: table() });
    }
    if let Some(identity) = found
        .replica_identity
        .as_ref()
        .filter(|i| def.replica_identity.as_ref() != Some(*i))
    {
        drifts.push(SchemaChange::ResetReplicaIdentity {
            table: table(),
            identity: identity.to_string(),
        });
    }
    let security = (found.row_security, found.force_row_security);
    if (security.0 || security.1) && security != (def.row_security, def.force_row_security) {
        drifts.push(SchemaChange::DisableRowLevelSecurity {
            table: table(),
            forced: found.force_row_security,
        });
    }
    let replica = def
        .replica_identity
        .as_ref()
        .map(|i| format!("REPLICA IDENTITY {i}"));
    let settings = [
        (
            def.unlogged && !found.unlogged,
            Some("UNLOGGED".to_string()),
        ),
        (
            def.row_security && !found.row_security,
            Some("ENABLE ROW LEVEL SECURITY".to_string()),
        ),
        (
            def.force_row_security && !found.force_row_security,
            Some("FORCE ROW LEVEL SECURITY".to_string()),
        ),
        (
            def.replica_identity.is_some() && found.replica_identity != def.replica_identity,
            replica,
        ),
    ];
    for (missing, name) in settings {
        if let (true, Some(name)) = (missing, name) {
            drifts.push(SchemaChange::RestoreCarried {
                kind: ObjectKind::Setting,
                table: Some(table()),
                name,
                definition: String::new(),
                differs: false,
            });
        }
    }
    let storage = |t: &TableDef| -> Vec<Named> {
        (t.storage.iter())
            .map(|p| Named::new("storage parameters", p.to_string()))
            .collect()
    };
    compare_named(
        ObjectKind::Setting,
        Some(&def.name),
        storage(found),
        storage(def),
        drifts,
    );
    let comments = |t: &TableDef| -> Vec<Named> {
        (t.comment.iter())
            .map(|c| Named::new(&t.name, c.to_string()))
            .chain(of(&t.column_comments))
            .collect()
    };
    compare_named(
        ObjectKind::Comment,
        Some(&def.name),
        comments(found),
        comments(def),
        drifts,
    );
    let objects: [(ObjectKind, &[TableObjectDef], &[TableObjectDef]); 3] = [
        (ObjectKind::Policy, &found.policies, &def.policies),
        (ObjectKind::Trigger, &found.triggers, &def.triggers),
        (ObjectKind::Rule, &found.rules, &def.rules),
    ];
    for (kind, list, declared) in objects {
        compare_named(kind, Some(&def.name), of(list), of(declared), drifts);
    }
    // Only columns the code declares: an extra column is reported whole already.
    for column in found.columns.iter() {
        let declared = def.column(&column.name);
        if let (Some(collation), Some(declared)) = (&column.collation, declared) {
            if declared.collation.as_ref() != Some(collation) {
                drifts.push(SchemaChange::ResetColumnCollation {
                    table: table(),
                    column: column.name.to_string(),
                    collation: collation.to_string(),
                });
            }
        }
    }
    for index in found.indexes.iter().filter(|i| i.invalid) {
        drifts.push(SchemaChange::RebuildIndex {
            table: table(),
            name: index.name.to_string(),
        });
    }
    // NOT VALID as the code declares it: neither validated behind its back nor left
    // unchecked where the code wants every row checked.
    let declared = constraint_states(def);
    let declared_not_valid = |name: &str| declared.iter().any(|k| k.name == name && k.not_valid);
    let found_states = constraint_states(found);
    for k in declared.iter().filter(|k| k.not_valid) {
        let validated = !found_states.iter().any(|f| f.name == k.name && f.not_valid);
        if validated && has_constraint(found, &k.name, &k.definition) {
            drifts.push(SchemaChange::AddNotValid {
                table: table(),
                name: k.name.clone(),
                definition: k.definition.clone(),
            });
        }
    }
    for k in found_states {
        if k.not_valid && !declared_not_valid(&k.name) {
            drifts.push(SchemaChange::ValidateConstraint {
                table: table(),
                name: k.name.clone(),
                definition: format!("{} NOT VALID", k.definition),
            });
        }
        if let Some(deferral) = k.deferrable {
            drifts.push(SchemaChange::SetNotDeferrable {
                table: table(),
                name: k.name,
                initially_deferred: deferral == Deferral::InitiallyDeferred,
            });
        }
    }
}

/// Whether the table has a foreign key, check, unique or exclusion constraint of that name
/// and definition (one of another definition is told as changed already).
fn has_constraint(table: &TableDef, name: &str, definition: &str) -> bool {
    (table.constraints.iter()).any(|c| c.name == name && c.definition == definition)
        || (table.foreign_keys.iter())
            .any(|fk| fk.constraint_name(&table.name) == name && describe_fk(fk) == definition)
}

/// A constraint's name, definition and the states a migration never gives it.
struct ConstraintState {
    name: String,
    definition: String,
    not_valid: bool,
    deferrable: Option<Deferral>,
}

/// Every constraint of the table that is NOT VALID or DEFERRABLE, of any kind, sorted by
/// name.
fn constraint_states(table: &TableDef) -> Vec<ConstraintState> {
    let mut states = Vec::new();
    if !table.primary_key_columns().is_empty() {
        states.push(ConstraintState {
            name: table.primary_key_name(),
            definition: String::new(),
            not_valid: false,
            deferrable: table.primary_key_deferrable,
        });
    }
    for fk in table.foreign_keys.iter() {
        states.push(ConstraintState {
            name: fk.constraint_name(&table.name),
            definition: describe_fk(fk),
            not_valid: fk.not_valid,
            deferrable: fk.deferrable,
        });
    }
    for k in table.constraints.iter() {
        states.push(ConstraintState {
            name: Name::to_string(&k.name),
            definition: k.definition.to_string(),
            not_valid: k.not_valid,
            deferrable: k.deferrable,
        });
    }
    states.retain(|k| k.not_valid || k.deferrable.is_some());
    states.sort_by(|a, b| a.name.cmp(&b.name));
    states
}
