//! What `pull` carries instead of writing it as code: the objects the schema language does
//! not declare, in two carried migrations around the initial one. Before the tables go what
//! they may need (extensions, free sequences their defaults draw from, domains their columns
//! have, functions their expressions call); after them the rest (other functions, views,
//! triggers, rules, policies and table settings), since those may name the tables.

use crate::model::{Schema, TableDef};
use crate::render::Carried;

/// The extension the migrations install themselves; never carried.
const OWN_EXTENSION: &str = "pgcrypto";

/// The carried objects of `schema`, split into those that go before the tables and those
/// that go after them, each list in the order its statements run.
pub(super) fn split(schema: &Schema) -> (Vec<Carried<'_>>, Vec<Carried<'_>>) {
    let mut before = Vec::new();
    let mut after = Vec::new();
    for e in schema.extensions.iter().filter(|e| *e != OWN_EXTENSION) {
        before.push(Carried::Extension(e));
    }
    before.extend(schema.sequences.iter().map(Carried::Sequence));
    before.extend(schema.domains.iter().map(Carried::Domain));
    let expressions = table_expressions(schema);
    // Aggregates after the functions they are built of.
    let mut functions: Vec<_> = schema.functions.iter().collect();
    functions.sort_by_key(|f| f.definition.starts_with("CREATE AGGREGATE"));
    for f in functions {
        let name = f.name.split('(').next().unwrap_or_default();
        let called = expressions.iter().any(|e| calls(e, name));
        if called {
            before.push(Carried::Function(f));
        } else {
            after.push(Carried::Function(f));
        }
    }
    after.extend(views_in_order(schema).into_iter().map(Carried::View));
    for t in schema.tables.iter() {
        table(t, &mut after);
    }
    after.extend(schema.event_triggers.iter().map(Carried::EventTrigger));
    (before, after)
}

fn table<'a>(t: &'a TableDef, out: &mut Vec<Carried<'a>>) {
    let name: &str = &t.name;
    if t.unlogged {
        out.push(Carried::Unlogged(name));
    }
    if let Some(identity) = &t.replica_identity {
        out.push(Carried::ReplicaIdentity(name, identity));
    }
    if let Some(storage) = &t.storage {
        out.push(Carried::Storage(name, storage));
    }
    if let Some(comment) = &t.comment {
        out.push(Carried::TableComment(name, comment));
    }
    out.extend(
        t.column_comments
            .iter()
            .map(|c| Carried::ColumnComment(name, c)),
    );
    out.extend(t.triggers.iter().map(|o| Carried::Trigger(name, o)));
    out.extend(t.rules.iter().map(|o| Carried::Rule(name, o)));
    if t.row_security || t.force_row_security {
        out.push(Carried::RowSecurity(name, t.force_row_security));
    }
    out.extend(t.policies.iter().map(|o| Carried::Policy(name, o)));
}

/// Every SQL expression of the tables: defaults, generated columns, checks, index keys and
/// predicates.
fn table_expressions(schema: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for t in schema.tables.iter() {
        for c in t.columns.iter() {
            if let Some(crate::model::ColumnDefault::Expr(e)) = &c.default {
                out.push(e.to_string());
            }
            out.extend(c.generated.iter().map(|g| g.to_string()));
        }
        out.extend(t.constraints.iter().map(|k| k.definition.to_string()));
        for i in t.indexes.iter() {
            out.extend(i.predicate.iter().map(|p| p.to_string()));
            out.extend(
                (i.columns.iter())
                    .filter(|k| k.expression)
                    .map(|k| k.name.to_string()),
            );
        }
    }
    out
}

/// Whether `expression` calls the function `name` (`name(` after a character that cannot end
/// another identifier).
fn calls(expression: &str, name: &str) -> bool {
    let needle = format!("{name}(");
    expression.match_indices(&needle).any(|(at, _)| {
        let before = expression[..at].chars().next_back();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// The views, each after the views its query names (a cycle keeps the reader's order).
fn views_in_order(schema: &Schema) -> Vec<&crate::model::ViewDef> {
    let mut pending: Vec<_> = schema.views.iter().collect();
    let mut done: Vec<&crate::model::ViewDef> = Vec::new();
    let names = |definition: &str, name: &str| {
        definition
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|word| word == name)
    };
    while !pending.is_empty() {
        let ready = pending.iter().position(|v| {
            !pending
                .iter()
                .any(|other| other.name != v.name && names(&v.definition, &other.name))
        });
        done.push(pending.remove(ready.unwrap_or(0)));
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{TableObjectDef, ViewDef};
    use std::borrow::Cow;

    #[test]
    fn functions_an_expression_calls_go_first_views_after_the_views_they_name() {
        let mut schema = Schema::default();
        let f = |name: &'static str| TableObjectDef {
            name: name.into(),
            definition: Cow::Owned(format!("CREATE OR REPLACE FUNCTION {name} ...")),
        };
        schema.functions = vec![f("next_code()"), f("touch()")].into();
        let mut t = TableDef {
            name: "t".into(),
            ..TableDef::BLANK
        };
        t.constraints = vec![crate::model::ConstraintDef {
            name: "c".into(),
            kind: crate::model::ConstraintKind::Check,
            definition: "CHECK ((code = next_code()))".into(),
            not_valid: false,
            deferrable: None,
        }]
        .into();
        schema.tables = vec![t].into();
        let view = |name: &'static str, definition: &'static str| ViewDef {
            name: name.into(),
            materialized: false,
            definition: definition.into(),
            indexes: Default::default(),
        };
        schema.views = vec![
            view("b", " SELECT * FROM a;"),
            view("a", " SELECT 1 AS one;"),
        ]
        .into();
        let (before, after) = split(&schema);
        let names = |list: &[Carried]| list.iter().map(|c| c.describe()).collect::<Vec<_>>();
        assert_eq!(names(&before), ["function `next_code()`"]);
        assert_eq!(
            names(&after),
            ["function `touch()`", "view `a`", "view `b`"]
        );
    }
}
