//! SQL text for carried objects (see [`crate::model::Schema::with_carried_from`]): the
//! statements that make each one as PostgreSQL printed it, and the ones that remove it, for
//! the carried migrations `pull` writes. A definition read from the catalog is already SQL
//! (`pg_get_functiondef`, `pg_get_triggerdef`, `pg_get_viewdef`...); only the words around it
//! are written here.

use crate::model::{Name, SequenceDef, TableObjectDef, ViewDef};
use crate::sql::quote_ident as ident;

/// One carried object or setting, borrowed from a schema.
#[derive(Clone, Copy, Debug)]
pub enum Carried<'a> {
    /// An extension, by name.
    Extension(&'a Name),
    /// A sequence no column owns.
    Sequence(&'a SequenceDef),
    /// A domain: name, and base type with default and constraints.
    Domain(&'a TableObjectDef),
    /// A function, procedure or aggregate, by signature (`touch()`).
    Function(&'a TableObjectDef),
    /// A view or materialized view.
    View(&'a ViewDef),
    /// A trigger of the table.
    Trigger(&'a str, &'a TableObjectDef),
    /// A rewrite rule of the table.
    Rule(&'a str, &'a TableObjectDef),
    /// A row-level security policy of the table.
    Policy(&'a str, &'a TableObjectDef),
    /// `ENABLE ROW LEVEL SECURITY` on the table, and `FORCE` with it when true.
    RowSecurity(&'a str, bool),
    /// A replica identity other than the primary key (`FULL`, `NOTHING`, `USING INDEX ..`).
    ReplicaIdentity(&'a str, &'a Name),
    /// An `UNLOGGED` table.
    Unlogged(&'a str),
    /// Storage parameters of the table (`fillfactor=90`).
    Storage(&'a str, &'a Name),
    /// A comment on the table.
    TableComment(&'a str, &'a Name),
    /// A comment on a column of the table: the column's name and the comment.
    ColumnComment(&'a str, &'a TableObjectDef),
    /// An event trigger (database-wide).
    EventTrigger(&'a TableObjectDef),
}

impl Carried<'_> {
    /// What the object is, for a report: `function \`touch()\``.
    pub fn describe(&self) -> String {
        match self {
            Carried::Extension(n) => format!("extension `{n}`"),
            Carried::Sequence(s) => format!("sequence `{}` (owned by no column)", s.name),
            Carried::Domain(d) => format!("domain `{}`", d.name),
            Carried::Function(f) if is_aggregate(f) => format!("aggregate `{}`", f.name),
            Carried::Function(f) => format!("function `{}`", f.name),
            Carried::View(v) if v.materialized => format!("materialized view `{}`", v.name),
            Carried::View(v) => format!("view `{}`", v.name),
            Carried::Trigger(t, o) => format!("trigger `{}` of table `{t}`", o.name),
            Carried::Rule(t, o) => format!("rule `{}` of table `{t}`", o.name),
            Carried::Policy(t, o) => format!("policy `{}` of table `{t}`", o.name),
            Carried::RowSecurity(t, _) => format!("row-level security of table `{t}`"),
            Carried::ReplicaIdentity(t, i) => format!("REPLICA IDENTITY {i} of table `{t}`"),
            Carried::Unlogged(t) => format!("UNLOGGED table `{t}`"),
            Carried::Storage(t, p) => format!("storage parameters ({p}) of table `{t}`"),
            Carried::TableComment(t, _) => format!("comment on table `{t}`"),
            Carried::ColumnComment(t, c) => format!("comment on column `{t}.{}`", c.name),
            Carried::EventTrigger(o) => format!("event trigger `{}`", o.name),
        }
    }

    /// The statement(s) that make it, each ending with `;`.
    pub fn create(&self) -> Vec<String> {
        match self {
            Carried::Extension(n) => vec![format!("CREATE EXTENSION IF NOT EXISTS {};", ident(n))],
            Carried::Sequence(s) => vec![format!(
                "CREATE SEQUENCE {}{};",
                ident(&s.name),
                s.definition
                    .as_ref()
                    .map(|d| format!(" {d}"))
                    .unwrap_or_default()
            )],
            Carried::Domain(d) => vec![format!(
                "CREATE DOMAIN {} AS {};",
                ident(&d.name),
                d.definition
            )],
            Carried::Function(f) | Carried::EventTrigger(f) if f.definition.is_empty() => {
                Vec::new()
            }
            Carried::Function(f) => vec![terminated(&f.definition)],
            Carried::View(v) => std::iter::once(format!(
                "CREATE {}VIEW {} AS\n{}",
                if v.materialized { "MATERIALIZED " } else { "" },
                ident(&v.name),
                terminated(&v.definition)
            ))
            .chain(v.indexes.iter().map(|i| terminated(i)))
            .collect(),
            Carried::Trigger(_, o) | Carried::Rule(_, o) => vec![terminated(&o.definition)],
            Carried::Policy(t, o) => vec![format!(
                "CREATE POLICY {} ON {} AS {};",
                ident(&o.name),
                ident(t),
                o.definition
            )],
            Carried::RowSecurity(t, forced) => {
                let mut out = vec![format!(
                    "ALTER TABLE {} ENABLE ROW LEVEL SECURITY;",
                    ident(t)
                )];
                if *forced {
                    out.push(format!(
                        "ALTER TABLE {} FORCE ROW LEVEL SECURITY;",
                        ident(t)
                    ));
                }
                out
            }
            Carried::ReplicaIdentity(t, i) => {
                vec![format!("ALTER TABLE {} REPLICA IDENTITY {i};", ident(t))]
            }
            Carried::Unlogged(t) => vec![format!("ALTER TABLE {} SET UNLOGGED;", ident(t))],
            Carried::Storage(t, p) => vec![format!("ALTER TABLE {} SET ({p});", ident(t))],
            Carried::TableComment(t, c) => vec![format!(
                "COMMENT ON TABLE {} IS {};",
                ident(t),
                crate::sql::quote_literal(c)
            )],
            Carried::ColumnComment(t, c) => vec![format!(
                "COMMENT ON COLUMN {}.{} IS {};",
                ident(t),
                ident(&c.name),
                crate::sql::quote_literal(&c.definition)
            )],
            Carried::EventTrigger(o) => vec![format!(
                "CREATE EVENT TRIGGER {} {}();",
                ident(&o.name),
                o.definition
            )],
        }
    }

    /// The statement(s) that remove it again, each ending with `;`.
    pub fn drop(&self) -> Vec<String> {
        let one = |s: String| vec![s];
        match self {
            Carried::Extension(n) => one(format!("DROP EXTENSION IF EXISTS {};", ident(n))),
            Carried::Sequence(s) => one(format!("DROP SEQUENCE {};", ident(&s.name))),
            Carried::Domain(d) => one(format!("DROP DOMAIN {};", ident(&d.name))),
            Carried::Function(f) => {
                let (name, args) = f.name.split_once('(').unwrap_or((&f.name, ")"));
                let kind = if is_aggregate(f) {
                    "AGGREGATE"
                } else if f.definition.contains("CREATE OR REPLACE PROCEDURE") {
                    "PROCEDURE"
                } else {
                    "FUNCTION"
                };
                one(format!("DROP {kind} {}({args};", ident(name)))
            }
            Carried::View(v) => one(format!(
                "DROP {}VIEW {};",
                if v.materialized { "MATERIALIZED " } else { "" },
                ident(&v.name)
            )),
            Carried::Trigger(t, o) => {
                one(format!("DROP TRIGGER {} ON {};", ident(&o.name), ident(t)))
            }
            Carried::Rule(t, o) => one(format!("DROP RULE {} ON {};", ident(&o.name), ident(t))),
            Carried::Policy(t, o) => {
                one(format!("DROP POLICY {} ON {};", ident(&o.name), ident(t)))
            }
            Carried::RowSecurity(t, forced) => {
                let mut out = Vec::new();
                if *forced {
                    out.push(format!(
                        "ALTER TABLE {} NO FORCE ROW LEVEL SECURITY;",
                        ident(t)
                    ));
                }
                out.push(format!(
                    "ALTER TABLE {} DISABLE ROW LEVEL SECURITY;",
                    ident(t)
                ));
                out
            }
            Carried::ReplicaIdentity(t, _) => one(format!(
                "ALTER TABLE {} REPLICA IDENTITY DEFAULT;",
                ident(t)
            )),
            Carried::Unlogged(t) => one(format!("ALTER TABLE {} SET LOGGED;", ident(t))),
            Carried::Storage(t, p) => {
                let names: Vec<&str> = (p.split(", "))
                    .map(|o| o.split('=').next().unwrap_or(o))
                    .collect();
                one(format!(
                    "ALTER TABLE {} RESET ({});",
                    ident(t),
                    names.join(", ")
                ))
            }
            Carried::TableComment(t, _) => one(format!("COMMENT ON TABLE {} IS NULL;", ident(t))),
            Carried::ColumnComment(t, c) => one(format!(
                "COMMENT ON COLUMN {}.{} IS NULL;",
                ident(t),
                ident(&c.name)
            )),
            Carried::EventTrigger(o) => one(format!("DROP EVENT TRIGGER {};", ident(&o.name))),
        }
    }
}

/// An aggregate's definition is the `CREATE AGGREGATE` the catalog reader builds.
fn is_aggregate(f: &TableObjectDef) -> bool {
    f.definition.starts_with("CREATE AGGREGATE")
}

/// The definition with one `;` at its end (`pg_get_viewdef` and `pg_get_ruledef` print one,
/// `pg_get_functiondef` and `pg_get_triggerdef` do not).
fn terminated(definition: &str) -> String {
    let body = definition.trim_end().trim_end_matches(';').trim_end();
    format!("{body};")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(name: &'static str, definition: &'static str) -> TableObjectDef {
        TableObjectDef {
            name: name.into(),
            definition: definition.into(),
        }
    }

    #[test]
    fn each_kind_is_made_and_removed_by_name() {
        let f = object(
            "touch()",
            "CREATE OR REPLACE FUNCTION public.touch()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$BEGIN RETURN NEW; END$function$\n",
        );
        let touch = Carried::Function(&f);
        assert!(touch.create()[0].ends_with("$function$;"));
        assert_eq!(touch.drop(), ["DROP FUNCTION \"touch\"();"]);
        let v = ViewDef {
            name: "Recent".into(),
            materialized: true,
            definition: " SELECT 1 AS one;".into(),
            indexes: Default::default(),
        };
        assert_eq!(
            Carried::View(&v).create(),
            ["CREATE MATERIALIZED VIEW \"Recent\" AS\n SELECT 1 AS one;"]
        );
        let p = object("own", "PERMISSIVE FOR ALL TO public USING ((id = 1))");
        assert_eq!(
            Carried::Policy("t", &p).create(),
            ["CREATE POLICY \"own\" ON \"t\" AS PERMISSIVE FOR ALL TO public USING ((id = 1));"]
        );
        assert_eq!(
            Carried::RowSecurity("t", true).drop(),
            [
                "ALTER TABLE \"t\" NO FORCE ROW LEVEL SECURITY;",
                "ALTER TABLE \"t\" DISABLE ROW LEVEL SECURITY;"
            ]
        );
    }
}
