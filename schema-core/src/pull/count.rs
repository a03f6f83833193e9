//! How much of a schema the schema language expresses, table by table: the lines `pull` would
//! refuse with, grouped by the table they are about and sorted by kind, so that a team (or a
//! benchmark over real schemas) can count what it could write as code today and what stops
//! the rest.

use super::coverage::{inexpressible, table as table_lines};
use crate::model::{Schema, TableDef};
use crate::registry::validate;
use std::collections::{BTreeMap, BTreeSet};

/// What `pull` can write of a schema, table by table. See [`coverage`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// What the schema language cannot express outside any table: extensions other than
    /// `pgcrypto`, views, sequences no column owns. They stop `pull`, but count against no
    /// table.
    pub schema_wide: Vec<String>,
    /// Every table of the schema, in the schema's order.
    pub tables: Vec<TableCoverage>,
}

/// One table: whether the schema language expresses it, and why not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableCoverage {
    /// The table's PostgreSQL name.
    pub name: String,
    /// What the code cannot express yet, one per object (a column's type, a foreign key's
    /// `ON UPDATE`, an index's `WHERE`...); empty when the table can be written as code.
    pub reasons: Vec<Reason>,
    /// The table's triggers, by name. A trigger is code the table carries (it calls a
    /// function), not part of the table's shape, so it does not count against the table.
    pub triggers: Vec<String>,
}

/// One thing of a table the schema language cannot express yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    /// The line `pull` prints for it, with the object's names.
    pub text: String,
    /// What sort of thing it is, without names or expressions (`type timestamp without time
    /// zone`, `foreign key: ON UPDATE cascade`, `index: WHERE`), to count across tables.
    pub kind: String,
}

impl TableCoverage {
    /// Whether the table's columns, keys, foreign keys, indexes and constraints can all be
    /// written as code.
    pub fn is_expressible(&self) -> bool {
        self.reasons.is_empty()
    }
}

impl Coverage {
    /// How many tables the schema language expresses.
    pub fn expressible(&self) -> usize {
        self.tables.iter().filter(|t| t.is_expressible()).count()
    }

    /// For each kind of [`Reason`], how many tables have at least one of that kind.
    pub fn kinds(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for table in &self.tables {
            let kinds: BTreeSet<&str> = table.reasons.iter().map(|r| r.kind.as_str()).collect();
            for kind in kinds {
                *counts.entry(kind.to_string()).or_insert(0) += 1;
            }
        }
        counts
    }
}

/// Per table of `schema`, whether the schema language expresses it and the reasons it does
/// not: the same findings with which [`write_project`](super::write_project) refuses a schema,
/// grouped by table, and the rules of the schema language `generate` checks (such as a
/// foreign key having its referenced column's type). A table counts as expressible when its
/// columns, keys, foreign keys, indexes and constraints all are; its triggers do not count
/// against it.
///
/// ```
/// let coverage = schema_core::pull::coverage(&schema_core::Schema::default());
/// assert_eq!(coverage.expressible(), 0);
/// ```
pub fn coverage(schema: &Schema) -> Coverage {
    let no_tables = Schema {
        tables: Vec::new().into(),
        ..schema.clone()
    };
    let tables = schema
        .tables
        .iter()
        .map(|t| {
            let mut reasons: Vec<Reason> = lines(schema, t)
                .into_iter()
                .map(|text| Reason {
                    kind: kind(t, &text),
                    text,
                })
                .collect();
            // The language's rules speak of what it can express; of a table it cannot,
            // they would only say the same again.
            if reasons.is_empty() {
                reasons = broken_rules(schema, t)
                    .into_iter()
                    .map(|text| Reason {
                        kind: rule_kind(&text),
                        text,
                    })
                    .collect();
            }
            TableCoverage {
                name: t.name.to_string(),
                reasons,
                triggers: t.triggers.iter().map(|o| o.name.to_string()).collect(),
            }
        })
        .collect();
    Coverage {
        schema_wide: inexpressible(&no_tables),
        tables: with_parents(schema, tables),
    }
}

/// A partition is written only with the table it is a partition of: one whose parent the
/// schema language cannot express is not expressible either.
fn with_parents(schema: &Schema, mut tables: Vec<TableCoverage>) -> Vec<TableCoverage> {
    let stopped: BTreeSet<String> = tables
        .iter()
        .filter(|t| !t.is_expressible())
        .map(|t| t.name.clone())
        .collect();
    for (t, coverage) in schema.tables.iter().zip(tables.iter_mut()) {
        if let Some((parent, _)) = t.partition_of().filter(|(p, _)| stopped.contains(p)) {
            coverage.reasons.push(Reason {
                text: format!(
                    "table `{}`: partition of `{parent}`, which cannot be written",
                    t.name
                ),
                kind: "partition of a table that cannot be written".into(),
            });
        }
    }
    tables
}

/// `pull`'s lines for the table, its triggers left out.
fn lines(schema: &Schema, t: &TableDef) -> Vec<String> {
    let without_triggers = TableDef {
        triggers: Vec::new().into(),
        ..t.clone()
    };
    let mut out = Vec::new();
    table_lines(schema, &without_triggers, &mut out);
    out
}

/// The schema language's rules (those `generate` checks) that table `t` breaks, e.g. a foreign
/// key of another type than the column it references: checked with the tables its foreign
/// keys reference, and without what those tables break on their own.
fn broken_rules(schema: &Schema, t: &TableDef) -> Vec<String> {
    let referenced: Vec<TableDef> = schema
        .tables
        .iter()
        .filter(|o| o.name != t.name && targets(t).iter().any(|r| *r == *o.name))
        .map(|o| TableDef {
            foreign_keys: Vec::new().into(),
            ..o.clone()
        })
        .collect();
    let of = |tables: Vec<TableDef>| Schema {
        pg_schema: schema.pg_schema.clone(),
        enums: schema.enums.clone(),
        ..Schema::new(Vec::new().into(), tables.into())
    };
    let before = validate(&of(referenced.clone())).err().unwrap_or_default();
    let mut with = referenced;
    with.push(TableDef {
        triggers: Vec::new().into(),
        ..t.clone()
    });
    validate(&of(with))
        .err()
        .unwrap_or_default()
        .into_iter()
        .filter(|v| !before.contains(v))
        .map(|v| v.to_string())
        .collect()
}

/// The kind of a broken rule: the rule itself, where its wording gives it after the case
/// (`...; a foreign key has the type of the column it references`).
fn rule_kind(text: &str) -> String {
    let rule = text.rsplit_once("; ").map_or(text, |(_, rule)| rule);
    format!("rule: {}", without_quoted_names(rule))
}

/// The tables `t`'s foreign keys reference and the table it is a partition of, itself left
/// out.
fn targets(t: &TableDef) -> Vec<String> {
    t.foreign_keys
        .iter()
        .map(|fk| fk.references_table.to_string())
        .chain(t.partition_of().map(|(parent, _)| parent))
        .filter(|r| *r != *t.name)
        .collect()
}

/// The kind of one of `pull`'s lines about table `t`: the line without the object's names,
/// and without the expressions that differ from one object to the next.
fn kind(t: &TableDef, line: &str) -> String {
    let table = format!("table `{}`", t.name);
    let column = format!("`{}.", t.name);
    let rest = if let Some(rest) = line.strip_prefix(&table) {
        rest
    } else if line.starts_with(&column) {
        // "`table.column`: ..." (a column name may hold a dot; its line ends the quote with "`: ").
        line.find("`: ").map_or(line, |at| &line[at + 1..])
    } else {
        line
    };
    let mut kind = without_quoted_names(rest);
    kind = kind.trim_start_matches([':', ' ']).to_string();
    if kind.ends_with("the migrations do not make it)") {
        return "type from the database (a domain, composite or extension type)".into();
    }
    for (head, keep) in [
        ("type ", None),
        ("default nextval(", Some("default nextval(..)")),
        ("generated as ", Some("generated column")),
        ("index: WHERE", Some("index: WHERE")),
        ("index: expression key", Some("index: expression key")),
        ("constraint (", None),
    ] {
        if !kind.starts_with(head) {
            continue;
        }
        return match (head, keep) {
            (_, Some(keep)) => keep.to_string(),
            // A type's length, precision or time-zone digits vary by column; its name does not.
            ("type ", None) => without_parentheses(&kind),
            // `constraint (CHECK ((views >= 0)))`: its sort, without its expression.
            _ => {
                let definition = &kind[head.len()..];
                let sort: String = definition
                    .split_whitespace()
                    .take_while(|w| !w.starts_with('('))
                    .collect::<Vec<_>>()
                    .join(" ");
                format!("constraint {sort}")
            }
        };
    }
    kind
}

/// `s` without its `` `quoted` `` names, spaces collapsed.
fn without_quoted_names(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut quoted = false;
    for c in s.chars() {
        if c == '`' {
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    // "index `i`: WHERE" becomes "index: WHERE", not "index : WHERE".
    out.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" :", ":")
}

/// `s` without its parenthesized parts: `timestamp(3) without time zone` becomes
/// `timestamp without time zone`.
fn without_parentheses(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        ColumnDef, ColumnDefault, ForeignKeyDef, OnDelete, PrimaryKey, SqlType, TableObjectDef,
    };

    fn column(name: &'static str, sql_type: SqlType) -> ColumnDef {
        ColumnDef::new(name.into(), sql_type)
    }

    fn table(name: &'static str, columns: Vec<ColumnDef>) -> TableDef {
        TableDef {
            name: name.into(),
            columns: columns.into(),
            primary_key: PrimaryKey::Column("id".into()),
            ..TableDef::BLANK
        }
    }

    fn schema(tables: Vec<TableDef>) -> Schema {
        Schema {
            tables: tables.into(),
            ..Schema::default()
        }
    }

    #[test]
    fn a_table_is_expressible_when_pull_has_nothing_to_say_about_it_but_what_it_carries() {
        let mut plain = table("plain", vec![column("id", SqlType::BigInt)]);
        plain.triggers = vec![TableObjectDef {
            name: "touch".into(),
            definition: "CREATE TRIGGER touch ...".into(),
        }]
        .into();
        let mut dated = table(
            "dated",
            vec![
                column("id", SqlType::BigInt),
                column(
                    "at",
                    SqlType::Other("timestamp(3) without time zone".into()),
                ),
            ],
        );
        dated.columns.to_mut()[1].default = Some(ColumnDefault::Expr("CURRENT_TIMESTAMP".into()));
        let mut cache = table("cache", vec![column("id", SqlType::BigInt)]);
        cache.unlogged = true;
        let coverage = coverage(&schema(vec![plain, dated, cache]));
        // A trigger and UNLOGGED are carried by a migration, not written as code.
        assert_eq!(coverage.expressible(), 3);
        assert_eq!(coverage.tables[0].triggers, ["touch"]);
        assert!(
            coverage.tables[1].is_expressible(),
            "{:?}",
            coverage.tables[1]
        );
    }

    #[test]
    fn kinds_leave_out_names_and_expressions_and_count_tables_once() {
        let mut t = table("t", vec![column("id", SqlType::BigInt)]);
        let deferrable = |on_delete| ForeignKeyDef {
            deferrable: Some(crate::model::Deferral::InitiallyDeferred),
            ..ForeignKeyDef::new("id".into(), "t".into(), "id".into(), on_delete)
        };
        t.foreign_keys = vec![
            deferrable(OnDelete::Cascade),
            deferrable(OnDelete::Restrict),
        ]
        .into();
        let coverage = coverage(&schema(vec![t]));
        let kinds = coverage.kinds();
        assert_eq!(kinds.get("foreign key: DEFERRABLE"), Some(&1), "{kinds:?}");
    }

    /// `not_valid` writes a NOT VALID foreign key or check.
    #[test]
    fn not_valid_keys_and_checks_are_expressible() {
        let mut t = table("t", vec![column("id", SqlType::BigInt)]);
        t.foreign_keys = vec![ForeignKeyDef {
            not_valid: true,
            ..ForeignKeyDef::new("id".into(), "t".into(), "id".into(), OnDelete::Cascade)
        }]
        .into();
        t.constraints = vec![crate::model::ConstraintDef {
            name: "t_id_positive".into(),
            kind: crate::model::ConstraintKind::Check,
            definition: "CHECK ((id > 0))".into(),
            not_valid: true,
            deferrable: None,
        }]
        .into();
        let coverage = coverage(&schema(vec![t]));
        assert_eq!(coverage.expressible(), 1, "{coverage:?}");
    }

    /// Every table is created before any foreign key, so keys may form a cycle.
    #[test]
    fn tables_whose_foreign_keys_form_a_cycle_are_expressible() {
        let fk = |t: TableDef, to: &'static str| TableDef {
            foreign_keys: vec![ForeignKeyDef::new(
                "id".into(),
                to.into(),
                "id".into(),
                OnDelete::Cascade,
            )]
            .into(),
            ..t
        };
        let id = || vec![column("id", SqlType::BigInt)];
        let coverage = coverage(&schema(vec![
            fk(table("store", id()), "staff"),
            fk(table("staff", id()), "store"),
            fk(table("payment", id()), "staff"),
            fk(table("tree", id()), "tree"),
        ]));
        assert_eq!(coverage.expressible(), 4, "{coverage:?}");
    }

    #[test]
    fn a_table_that_breaks_a_rule_of_the_language_is_not_expressible() {
        let app = table("app", vec![column("id", SqlType::BigInt)]);
        let integration = TableDef {
            foreign_keys: vec![ForeignKeyDef::new(
                "app_id".into(),
                "app".into(),
                "id".into(),
                OnDelete::Cascade,
            )]
            .into(),
            ..table(
                "integration",
                vec![
                    column("id", SqlType::BigInt),
                    column("app_id", SqlType::Integer),
                ],
            )
        };
        let coverage = coverage(&schema(vec![app, integration]));
        assert!(coverage.tables[0].is_expressible());
        let reasons = &coverage.tables[1].reasons;
        assert_eq!(reasons.len(), 1, "{reasons:?}");
        assert!(reasons[0].text.contains("integer"), "{reasons:?}");
        assert_eq!(
            reasons[0].kind,
            "rule: a foreign key has the type of the column it references"
        );
    }

    #[test]
    fn kinds_of_indexes_constraints_and_types() {
        let t = table("t", vec![column("id", SqlType::BigInt)]);
        for (line, expected) in [
            ("table `t`: index `t_a`: WHERE (a IS NULL)", "index: WHERE"),
            (
                "table `t`: index `t_a`: expression key lower(a)",
                "index: expression key",
            ),
            ("table `t`: index `t_a`: USING gin", "index: USING gin"),
            (
                "table `t`: constraint `c` (CHECK ((a > 0)))",
                "constraint CHECK",
            ),
            (
                "table `t`: constraint `u` (UNIQUE (a, b))",
                "constraint UNIQUE",
            ),
            ("`t.a.b`: type numeric(10,2)", "type numeric"),
            (
                "`t.id`: default nextval('t_id_seq'::regclass)",
                "default nextval(..)",
            ),
            ("table `t` has no primary key", "has no primary key"),
            ("table `t`: primary key named `pk_t`", "primary key named"),
        ] {
            assert_eq!(kind(&t, line), expected, "{line}");
        }
    }
}
