//! The registry rules that need the whole list: a reserved PostgreSQL schema, a name used
//! twice (tables, indexes and primary keys share one namespace, tables and enums another), a
//! column of an enum type that is not registered, a foreign key to a table that is not
//! registered or is registered after the table that points at it, or to a column that is
//! neither the key nor unique, a partition listed before its parent.
//!
//! They are written once, as a walk of `const fn`s, and run twice: `schema!` calls
//! [`check_schema`] in a `const` item and panics with the first violation (in the user's own
//! constant, so the build error shows the message and the `schema!` call), and
//! `registry::validate` calls [`violations`] at run time, which resumes the walk after each
//! violation to list them all. A schema the compiler accepts is not refused later, and the
//! words cannot differ with the place that caught them.

use super::relations::{
    items, relation_count, sort_relations, table_position, text, Relation, NONE,
};
use crate::migrate::LEDGER_SCHEMA;
use crate::model::{
    ConstraintKind, EnumDef, PrimaryKey, Schema, SqlType, TableDef, PARTITION_BY, PARTITION_OF,
};
use schema_rules::names::{self, COMPOSITE_KEY_SUFFIX, PRIMARY_KEY_SUFFIX};
use schema_rules::rules::{self, same, Violation};

/// A violation found by a rule below.
type Found<'a> = Option<Violation<&'a str>>;

/// The first violation of the ordered lists, for `schema!`'s constant. `R` is
/// [`relation_count`]`(tables)`, the size of the name index, which a `const fn` must know as
/// a generic parameter to hold it.
pub const fn check_schema<'a, const R: usize>(
    pg_schema: &'a str,
    enums: &'a [EnumDef],
    tables: &'a [TableDef],
) -> Found<'a> {
    if relation_count(tables) != R {
        panic!("schema!: internal error: the relation count does not match the list");
    }
    let mut sorted = [Relation::EMPTY; R];
    sort_relations(tables, &mut sorted);
    Walk::new(pg_schema, enums, tables, &sorted).next()
}

/// Every violation of a schema's lists, in the order the walk finds them.
pub(super) fn violations(schema: &Schema) -> Vec<Violation<String>> {
    let mut sorted = vec![Relation::EMPTY; relation_count(&schema.tables)];
    sort_relations(&schema.tables, &mut sorted);
    let mut walk = Walk::new(&schema.pg_schema, &schema.enums, &schema.tables, &sorted);
    let mut found = Vec::new();
    while let Some(violation) = walk.next() {
        found.push(violation.owned());
    }
    found
}

/// The rule a walk checks next.
#[derive(Clone, Copy)]
enum Step {
    PgSchema,
    /// The enum at this position, against the ones before it.
    Enum(usize),
    /// The relation at this position of the sorted index.
    Relation(usize),
    /// Check `at` of a table: 0 its name against the enums, then each column's enum type,
    /// then each foreign key.
    Table {
        table: usize,
        at: usize,
    },
    Done,
}

/// A walk over the lists that stops at each violation and resumes after it.
struct Walk<'a, 's> {
    pg_schema: &'a str,
    enums: &'a [EnumDef],
    tables: &'a [TableDef],
    sorted: &'s [Relation<'a>],
    step: Step,
}

impl<'a, 's> Walk<'a, 's> {
    const fn new(
        pg_schema: &'a str,
        enums: &'a [EnumDef],
        tables: &'a [TableDef],
        sorted: &'s [Relation<'a>],
    ) -> Self {
        Walk {
            pg_schema,
            enums,
            tables,
            sorted,
            step: Step::PgSchema,
        }
    }

    /// The next violation, or `None` when every rule has been checked.
    const fn next(&mut self) -> Found<'a> {
        loop {
            let found = match self.step {
                Step::PgSchema => {
                    self.step = Step::Enum(0);
                    rules::pg_schema(self.pg_schema, LEDGER_SCHEMA)
                }
                Step::Enum(e) if e < self.enums.len() => {
                    self.step = Step::Enum(e + 1);
                    enum_declared_before(self.enums, e)
                }
                Step::Enum(_) => {
                    self.step = Step::Relation(0);
                    None
                }
                Step::Relation(r) if r < self.sorted.len() => {
                    self.step = Step::Relation(r + 1);
                    relation_name(self.tables, self.sorted, r)
                }
                Step::Relation(_) => {
                    self.step = Step::Table { table: 0, at: 0 };
                    None
                }
                Step::Table { table, at } if table < self.tables.len() => {
                    let def = &self.tables[table];
                    let columns = items(&def.columns).len();
                    let keys = items(&def.foreign_keys).len();
                    self.step = if at < columns + keys {
                        Step::Table { table, at: at + 1 }
                    } else {
                        Step::Table {
                            table: table + 1,
                            at: 0,
                        }
                    };
                    if at == 0 {
                        match table_not_an_enum(self.enums, def) {
                            None => partition_after_parent(self.tables, table),
                            found => found,
                        }
                    } else if at <= columns {
                        column_enum(self.enums, def, at - 1)
                    } else {
                        foreign_key(self.tables, self.sorted, table, at - 1 - columns)
                    }
                }
                Step::Table { .. } => {
                    self.step = Step::Done;
                    None
                }
                Step::Done => return None,
            };
            if found.is_some() {
                return found;
            }
        }
    }
}

/// Enum type names are one namespace.
const fn enum_declared_before(enums: &[EnumDef], e: usize) -> Found<'_> {
    let name = text(&enums[e].name);
    let mut other = 0;
    while other < e {
        if same(name, text(&enums[other].name)) {
            return Some(Violation::Duplicate {
                kind: "enum type",
                name,
                owner_kind: "",
                owner: "",
            });
        }
        other += 1;
    }
    None
}

/// Neighbours in the sorted index share a name; derived primary key names are recognised
/// by their suffix and looked up.
const fn relation_name<'a>(tables: &'a [TableDef], sorted: &[Relation<'a>], r: usize) -> Found<'a> {
    let relation = sorted[r];
    let name = relation.name;
    if r > 0 && same(name, sorted[r - 1].name) {
        let earlier = sorted[r - 1];
        if earlier.index == NONE && relation.index != NONE {
            return Some(Violation::NameTaken {
                kind: "index",
                name,
                taken_by: "the table",
                owner: name,
            });
        }
        return Some(Violation::Duplicate {
            kind: relation.kind(),
            name,
            owner_kind: "",
            owner: "",
        });
    }
    if names::ends_with(name, PRIMARY_KEY_SUFFIX) {
        let base = names::without_suffix(name, PRIMARY_KEY_SUFFIX.len());
        if let Some(at) = table_position(sorted, base) {
            if let PrimaryKey::Column(_) = tables[at].primary_key {
                return Some(primary_key_taken(relation, name, base));
            }
        }
    }
    if names::ends_with(name, COMPOSITE_KEY_SUFFIX) {
        let mut t = 0;
        while t < tables.len() {
            if let PrimaryKey::Composite(columns) = &tables[t].primary_key {
                let table = text(&tables[t].name);
                if names::is_composite_primary_key(name, table, items(columns)) {
                    return Some(primary_key_taken(relation, name, table));
                }
            }
            t += 1;
        }
    }
    None
}

const fn primary_key_taken<'a>(
    relation: Relation,
    name: &'a str,
    table: &'a str,
) -> Violation<&'a str> {
    Violation::NameTaken {
        kind: relation.kind(),
        name,
        taken_by: "the primary key of the table",
        owner: table,
    }
}

/// A table's row type and the enum types share one namespace.
const fn table_not_an_enum<'a>(enums: &[EnumDef], table: &'a TableDef) -> Found<'a> {
    let name = text(&table.name);
    if enum_registered(enums, name) {
        return Some(Violation::NameTaken {
            kind: "table",
            name,
            taken_by: "the enum type",
            owner: name,
        });
    }
    None
}

/// A partition comes after its parent, a partitioned table: the plan creates the tables in
/// the list's order, and a partition's columns may use what its parent's made (the sequence
/// of a `serial` column). Checked here for a parent named bare; a quoted name (which a
/// `const fn` does not unquote) by `validate`.
const fn partition_after_parent(tables: &[TableDef], index: usize) -> Found<'_> {
    let table = &tables[index];
    let Some(partition) = &table.partition else {
        return None;
    };
    let partition = text(partition);
    if !names::starts_with(partition, PARTITION_OF) {
        return None;
    }
    let (_, rest) = partition.split_at(PARTITION_OF.len());
    let bytes = rest.as_bytes();
    if !bytes.is_empty() && bytes[0] == b'"' {
        return None;
    }
    let mut end = 0;
    while end < bytes.len() && bytes[end] != b' ' {
        end += 1;
    }
    let (parent, _) = rest.split_at(end);
    let mut t = 0;
    while t < index {
        let other = &tables[t];
        if same(text(&other.name), parent) {
            if let Some(p) = &other.partition {
                if names::starts_with(text(p), PARTITION_BY) {
                    return None;
                }
            }
        }
        t += 1;
    }
    Some(Violation::PartitionParent {
        table: text(&table.name),
        parent,
    })
}

/// A column's enum type must be registered: the plan creates the types it lists.
const fn column_enum<'a>(enums: &[EnumDef], table: &'a TableDef, c: usize) -> Found<'a> {
    let column = &items(&table.columns)[c];
    if let SqlType::Enum(type_name) = &column.sql_type {
        if !enum_registered(enums, text(type_name)) {
            return Some(Violation::UnknownEnum {
                table: text(&table.name),
                column: text(&column.name),
                enum_name: text(type_name),
            });
        }
    }
    None
}

const fn enum_registered(enums: &[EnumDef], name: &str) -> bool {
    let mut e = 0;
    while e < enums.len() {
        if same(text(&enums[e].name), name) {
            return true;
        }
        e += 1;
    }
    false
}

/// A foreign key may point at any table of the list, before or after its own (the plan
/// creates every table before any foreign key, so tables that reference each other in a
/// cycle can be listed too). It must point at the key or at a column with a one-column unique index. (A referenced
/// column the target lacks is a fact about the one key, reported as such by `validate` and,
/// for `#[table]` structs, by the compiler.)
const fn foreign_key<'a>(
    tables: &'a [TableDef],
    sorted: &[Relation],
    index: usize,
    k: usize,
) -> Found<'a> {
    let table = &tables[index];
    let key = &items(&table.foreign_keys)[k];
    let (name, column) = (text(&table.name), text(&key.column));
    let target = text(&key.references_table);
    let at = match table_position(sorted, target) {
        Some(at) => at,
        None => {
            return Some(Violation::UnknownTable {
                table: name,
                column,
                target,
            })
        }
    };
    // A key of several columns needs a unique constraint or index over the same columns,
    // which the server checks when the key is added.
    if !items(&key.more_references).is_empty() {
        return None;
    }
    let target_column = text(&key.references_column);
    if !has_column(&tables[at], target_column) {
        return None;
    }
    let (is_key, is_unique) = referenced_is_unique(&tables[at], target_column);
    rules::referenced_unique(name, column, target, target_column, is_key, is_unique)
}

const fn has_column(table: &TableDef, name: &str) -> bool {
    let columns = items(&table.columns);
    let mut c = 0;
    while c < columns.len() {
        if same(text(&columns[c].name), name) {
            return true;
        }
        c += 1;
    }
    false
}

/// Whether `column` is the table's one-column primary key, and whether a one-column unique
/// index (not a partial one) or unique constraint covers it.
const fn referenced_is_unique(table: &TableDef, column: &str) -> (bool, bool) {
    let is_key = match &table.primary_key {
        PrimaryKey::Column(key) => same(text(key), column),
        PrimaryKey::Composite(keys) => {
            let keys = items(keys);
            keys.len() == 1 && same(text(&keys[0]), column)
        }
    };
    let indexes = items(&table.indexes);
    let mut i = 0;
    while i < indexes.len() {
        let keys = items(&indexes[i].columns);
        if indexes[i].unique
            && indexes[i].predicate.is_none()
            && keys.len() == 1
            && !keys[0].expression
            && same(text(&keys[0].name), column)
        {
            return (is_key, true);
        }
        i += 1;
    }
    let constraints = items(&table.constraints);
    let mut c = 0;
    while c < constraints.len() {
        if matches!(constraints[c].kind, ConstraintKind::Unique)
            && unique_on(
                text(&constraints[c].definition).as_bytes(),
                column.as_bytes(),
            )
        {
            return (is_key, true);
        }
        c += 1;
    }
    (is_key, false)
}

/// Whether a unique constraint's definition as PostgreSQL prints it is over `column` alone:
/// `UNIQUE (column)`, `UNIQUE ("Column")`, `UNIQUE NULLS NOT DISTINCT (column)`.
const fn unique_on(definition: &[u8], column: &[u8]) -> bool {
    let at = match strip(definition, 0, b"UNIQUE ") {
        Some(at) => match strip(definition, at, b"NULLS NOT DISTINCT ") {
            Some(after) => after,
            None => at,
        },
        None => return false,
    };
    let Some(at) = strip(definition, at, b"(") else {
        return false;
    };
    let quoted = at < definition.len() && definition[at] == b'"';
    let at = if quoted { at + 1 } else { at };
    let Some(at) = strip(definition, at, column) else {
        return false;
    };
    let at = if quoted {
        match strip(definition, at, b"\"") {
            Some(at) => at,
            None => return false,
        }
    } else {
        at
    };
    at + 1 == definition.len() && definition[at] == b')'
}

/// The position after `part` when `bytes` holds it at `at`.
const fn strip(bytes: &[u8], at: usize, part: &[u8]) -> Option<usize> {
    if at + part.len() > bytes.len() {
        return None;
    }
    let mut i = 0;
    while i < part.len() {
        if bytes[at + i] != part[i] {
            return None;
        }
        i += 1;
    }
    Some(at + part.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Name;
    use crate::model::{IndexColumn, IndexDef};
    use std::borrow::Cow;

    const fn key_table(name: &'static str, primary_key: PrimaryKey) -> TableDef {
        TableDef {
            name: Cow::Borrowed(name),
            columns: Cow::Borrowed(&[]),
            primary_key,
            foreign_keys: Cow::Borrowed(&[]),
            indexes: Cow::Borrowed(&[]),
            renamed_from: None,
            ..TableDef::BLANK
        }
    }

    fn found(tables: &'static [TableDef]) -> Option<String> {
        const R: usize = 3;
        assert_eq!(relation_count(tables), R);
        check_schema::<R>("public", &[], tables).map(|v| v.to_string())
    }

    // Other tables' derived key names are recognised without being built.
    #[test]
    fn a_relation_named_like_another_tables_key_is_found() {
        static COMPOSITE: [Name; 2] = [Cow::Borrowed("a"), Cow::Borrowed("b")];
        static INDEX_COLUMNS: [IndexColumn; 1] = [IndexColumn::asc(Cow::Borrowed("a"))];
        static INDEXES: [IndexDef; 1] = [IndexDef {
            name: Cow::Borrowed("pairs_a_b_pk"),
            unique: false,
            columns: Cow::Borrowed(&INDEX_COLUMNS),
            method: None,
            predicate: None,
            include: Cow::Borrowed(&[]),
            invalid: false,
        }];
        static TABLES: [TableDef; 2] = [
            key_table("pairs", PrimaryKey::Composite(Cow::Borrowed(&COMPOSITE))),
            TableDef {
                name: Cow::Borrowed("notes"),
                columns: Cow::Borrowed(&[]),
                primary_key: PrimaryKey::Column(Cow::Borrowed("id")),
                foreign_keys: Cow::Borrowed(&[]),
                indexes: Cow::Borrowed(&INDEXES),
                renamed_from: None,
                ..TableDef::BLANK
            },
        ];
        assert_eq!(
            found(&TABLES).as_deref(),
            Some(
                "the index `pairs_a_b_pk` is already the name of the primary key of the table \
                 `pairs`: PostgreSQL keeps both in one namespace, so rename the index"
            )
        );

        static NAMED_LIKE_A_KEY: [TableDef; 3] = [
            key_table("users", PrimaryKey::Column(Cow::Borrowed("id"))),
            key_table("users_pkey", PrimaryKey::Column(Cow::Borrowed("id"))),
            key_table("other", PrimaryKey::Column(Cow::Borrowed("id"))),
        ];
        let message = found(&NAMED_LIKE_A_KEY).unwrap();
        assert!(message.starts_with("the table `users_pkey` is already the name of the primary key of the table `users`"), "{message}");

        static DISTINCT: [TableDef; 3] = [
            key_table("users", PrimaryKey::Column(Cow::Borrowed("id"))),
            key_table("users_pkeys", PrimaryKey::Column(Cow::Borrowed("id"))),
            key_table("pk", PrimaryKey::Column(Cow::Borrowed("id"))),
        ];
        assert_eq!(found(&DISTINCT), None);
    }

    /// `schema!` stops at the first violation; `validate` walks the same rules on, to list
    /// them all, and reads owned names (a snapshot's) as the constant reads borrowed ones.
    #[test]
    fn the_run_time_walk_resumes_after_each_violation() {
        static TABLES: [TableDef; 3] = [
            key_table("users", PrimaryKey::Column(Cow::Borrowed("id"))),
            key_table("users", PrimaryKey::Column(Cow::Borrowed("id"))),
            key_table("users_pkey", PrimaryKey::Column(Cow::Borrowed("id"))),
        ];
        let borrowed = Schema {
            pg_schema: Cow::Borrowed("pg_app"),
            enums: Cow::Borrowed(&[]),
            tables: Cow::Borrowed(&TABLES),
            ..Schema::default()
        };
        // In the order of the name index (by hash), the same on every run.
        let all: Vec<String> = violations(&borrowed)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            all,
            [
                "the PostgreSQL schema `pg_app` starts with `pg_`, which PostgreSQL reserves; \
                 choose another name in `schema!`",
                "the table `users_pkey` is already the name of the primary key of the table \
                 `users`: PostgreSQL keeps both in one namespace, so rename the table",
                "the table `users` is declared twice; each table needs a name of its own",
            ]
        );
        let first = check_schema::<3>("pg_app", &[], &TABLES).map(|v| v.to_string());
        assert_eq!(first.as_deref(), Some(&*all[0]));

        let owned = Schema {
            pg_schema: Cow::Owned("pg_app".to_string()),
            enums: Cow::Owned(Vec::new()),
            tables: Cow::Owned(
                TABLES
                    .iter()
                    .map(|t| TableDef {
                        name: Cow::Owned(t.name.to_string()),
                        ..t.clone()
                    })
                    .collect(),
            ),
            ..Schema::default()
        };
        let owned: Vec<String> = violations(&owned).iter().map(ToString::to_string).collect();
        assert_eq!(owned, all);
    }
}
