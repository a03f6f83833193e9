//! The registry rules that need the whole list, evaluated by the compiler: `schema!` calls
//! [`check_schema`] in a `const` item, so a broken rule fails the build with the same words
//! `registry::validate` would print at run time (both come from `schema_rules::rules`).
//!
//! The check returns the violation and `schema!` panics with its message in the user's own
//! `const` item, so the build error shows the message and the `schema!` call, not the body
//! of this module.
//!
//! Everything here is `const fn`, which rules out `format!`, `Deref`, iterators and `?`:
//! names are read out of `Cow::Borrowed` by pattern and compared byte by byte.

use crate::migrate::LEDGER_SCHEMA;
use crate::model::{EnumDef, Name, PrimaryKey, SqlType, TableDef};
use schema_rules::names::{self, COMPOSITE_KEY_SUFFIX, PRIMARY_KEY_SUFFIX};
use schema_rules::rules::{self, same, Violation};
use std::borrow::Cow;

/// A violation found by a check below.
type Found<'a> = Option<Violation<&'a str>>;

/// `?` for [`Found`], which a `const fn` cannot use.
macro_rules! check {
    ($found:expr) => {
        if let Some(violation) = $found {
            return Some(violation);
        }
    };
}

/// The text of a name held by a constant descriptor. Constants cannot hold heap data, so an
/// owned name (only possible at run time) reads as empty; run-time schemas go through
/// [`crate::registry::validate`] instead.
const fn text(name: &Name) -> &str {
    match name {
        Cow::Borrowed(s) => s,
        Cow::Owned(_) => "",
    }
}

// `Cow` cannot be dereferenced in a `const fn`, so the `Cow` itself is taken.
#[allow(clippy::ptr_arg)]
const fn items<'a, T: Clone>(list: &'a Cow<'static, [T]>) -> &'a [T] {
    match list {
        Cow::Borrowed(s) => s,
        Cow::Owned(_) => &[],
    }
}

/// How many relations (tables and indexes) `tables` declare: the size of the sorted index
/// [`check_schema`] builds, which a `const fn` must know as a generic parameter.
pub const fn relation_count(tables: &[TableDef]) -> usize {
    let (mut count, mut t) = (tables.len(), 0);
    while t < tables.len() {
        count += items(&tables[t].indexes).len();
        t += 1;
    }
    count
}

/// A relation: a table (`index == NONE`) or one of its indexes, with its name, read once
/// (the sort compares names thousands of times, and each step of the evaluator counts).
#[derive(Clone, Copy)]
struct Relation<'a> {
    name: &'a str,
    /// [`hash`] of the name: the sort compares these integers, one step each, and names
    /// only where they are equal.
    hash: u64,
    table: usize,
    index: usize,
}

const NONE: usize = usize::MAX;

impl Relation<'_> {
    const fn kind(&self) -> &'static str {
        if self.index == NONE {
            "table"
        } else {
            "index"
        }
    }
}

/// Fails the build when the ordered lists break a registry rule: a reserved PostgreSQL
/// schema, a name used twice (tables, indexes and primary keys share one namespace, tables
/// and enums another), a column of an enum type that is not registered, a foreign key to a
/// table that is not registered or is registered after the table that points at it, or to
/// a column that is neither the key nor unique.
///
/// `R` is [`relation_count`]. The compiler's constant evaluator is slow (microseconds per
/// step), so names are found through one sorted index instead of scans: comparing every pair
/// of 200 tables took seconds of every build.
pub const fn check_schema<'a, const R: usize>(
    pg_schema: &'a str,
    enums: &'a [EnumDef],
    tables: &'a [TableDef],
) -> Found<'a> {
    if relation_count(tables) != R {
        panic!("schema!: internal error: the relation count does not match the list");
    }
    check!(rules::pg_schema(pg_schema, LEDGER_SCHEMA));
    check!(check_enums(enums));
    let sorted = sorted_relations::<R>(tables);
    check!(check_relation_names(tables, &sorted));
    let mut t = 0;
    while t < tables.len() {
        check!(check_not_an_enum(enums, &tables[t]));
        check!(check_columns(enums, &tables[t]));
        check!(check_foreign_keys(tables, &sorted, t));
        t += 1;
    }
    None
}

const fn check_enums(enums: &[EnumDef]) -> Found<'_> {
    let mut e = 0;
    while e < enums.len() {
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
        e += 1;
    }
    None
}

/// Neighbours in the sorted index share a name; derived primary key names are recognised
/// by their suffix and looked up.
const fn check_relation_names<'a>(tables: &'a [TableDef], sorted: &[Relation<'a>]) -> Found<'a> {
    let mut r = 0;
    while r < sorted.len() {
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
        r += 1;
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

/// Byte order of two names: negative, zero or positive.
const fn compare(a: &str, b: &str) -> i32 {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return a[i] as i32 - b[i] as i32;
        }
        i += 1;
    }
    a.len() as i32 - b.len() as i32
}

/// FNV-1a: a name's bytes folded into an integer, so that equal names sort together without
/// comparing strings at every step of the sort.
const fn hash(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let (mut h, mut i) = (0xcbf2_9ce4_8422_2325_u64, 0);
    while i < bytes.len() {
        h = (h ^ bytes[i] as u64).wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    h
}

/// Whether `a` sorts before `b`: by hash, then name, then tables before indexes, then by
/// position, so the first entry of a name is the earliest table of that name if there is one.
const fn before(a: Relation, b: Relation) -> bool {
    if a.hash != b.hash {
        return a.hash < b.hash;
    }
    let order = compare(a.name, b.name);
    if order != 0 {
        return order < 0;
    }
    let (a_index, b_index) = (a.index != NONE, b.index != NONE);
    if a_index != b_index {
        return !a_index;
    }
    a.table < b.table || (a.table == b.table && a.index < b.index)
}

/// Every table and index, sorted by [`before`]: a heapsort, in one function because passing the
/// array to a helper by value would copy it.
const fn sorted_relations<const R: usize>(tables: &[TableDef]) -> [Relation<'_>; R] {
    let mut order = [Relation {
        name: "",
        hash: 0,
        table: 0,
        index: 0,
    }; R];
    let (mut r, mut t) = (0, 0);
    while t < tables.len() {
        order[r] = Relation {
            name: text(&tables[t].name),
            hash: hash(text(&tables[t].name)),
            table: t,
            index: NONE,
        };
        r += 1;
        let mut i = 0;
        let indexes = items(&tables[t].indexes);
        while i < indexes.len() {
            order[r] = Relation {
                name: text(&indexes[i].name),
                hash: hash(text(&indexes[i].name)),
                table: t,
                index: i,
            };
            r += 1;
            i += 1;
        }
        t += 1;
    }
    // First the heap is built (roots from the middle down), then its top is moved to the end
    // of a shrinking heap; each step sifts one root down.
    let (mut build, mut heap) = (R / 2, R);
    loop {
        let mut root = if build > 0 {
            build -= 1;
            build
        } else if heap > 1 {
            heap -= 1;
            let top = order[0];
            order[0] = order[heap];
            order[heap] = top;
            0
        } else {
            return order;
        };
        loop {
            let mut child = 2 * root + 1;
            if child >= heap {
                break;
            }
            if child + 1 < heap && before(order[child], order[child + 1]) {
                child += 1;
            }
            if !before(order[root], order[child]) {
                break;
            }
            let swap = order[root];
            order[root] = order[child];
            order[child] = swap;
            root = child;
        }
    }
}

/// The first position (in registration order) of a table named `name`, if any.
const fn table_position(sorted: &[Relation], name: &str) -> Option<usize> {
    let key = hash(name);
    let (mut low, mut high) = (0, sorted.len());
    while low < high {
        let mid = (low + high) / 2;
        let at = sorted[mid];
        if at.hash < key || (at.hash == key && compare(at.name, name) < 0) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    if low < sorted.len() && sorted[low].index == NONE && same(sorted[low].name, name) {
        Some(sorted[low].table)
    } else {
        None
    }
}

/// A table's row type and the enum types share one namespace.
const fn check_not_an_enum<'a>(enums: &[EnumDef], table: &'a TableDef) -> Found<'a> {
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

const fn check_columns<'a>(enums: &[EnumDef], table: &'a TableDef) -> Found<'a> {
    let columns = items(&table.columns);
    let mut c = 0;
    while c < columns.len() {
        if let SqlType::Enum(type_name) = &columns[c].sql_type {
            if !enum_registered(enums, text(type_name)) {
                return Some(Violation::UnknownEnum {
                    table: text(&table.name),
                    column: text(&columns[c].name),
                    enum_name: text(type_name),
                });
            }
        }
        c += 1;
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

/// A foreign key may point at the table itself or at one registered before it: the plan
/// creates tables in registration order, so the order of the list is the order of creation.
/// It must point at the key or at a column with a one-column unique index.
const fn check_foreign_keys<'a>(
    tables: &'a [TableDef],
    sorted: &[Relation],
    index: usize,
) -> Found<'a> {
    let table = &tables[index];
    let keys = items(&table.foreign_keys);
    let mut k = 0;
    while k < keys.len() {
        let (name, column) = (text(&table.name), text(&keys[k].column));
        let target = text(&keys[k].references_table);
        let at = match table_position(sorted, target) {
            Some(at) if at <= index => at,
            Some(_) => {
                return Some(Violation::TableRegisteredLater {
                    table: name,
                    column,
                    target,
                })
            }
            None => {
                return Some(Violation::UnknownTable {
                    table: name,
                    column,
                    target,
                })
            }
        };
        let target_column = text(&keys[k].references_column);
        let (is_key, is_unique) = referenced_is_unique(&tables[at], target_column);
        check!(rules::referenced_unique(
            name,
            column,
            target,
            target_column,
            is_key,
            is_unique
        ));
        k += 1;
    }
    None
}

/// Whether `column` is the table's one-column primary key, and whether a one-column unique
/// index covers it.
const fn referenced_is_unique(table: &TableDef, column: &str) -> (bool, bool) {
    let is_key = match &table.primary_key {
        PrimaryKey::Column(key) => same(text(key), column),
        PrimaryKey::Composite(_) => false,
    };
    let indexes = items(&table.indexes);
    let mut i = 0;
    while i < indexes.len() {
        let keys = items(&indexes[i].columns);
        if indexes[i].unique && keys.len() == 1 && same(text(&keys[0].name), column) {
            return (is_key, true);
        }
        i += 1;
    }
    (is_key, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IndexColumn, IndexDef};

    const fn key_table(name: &'static str, primary_key: PrimaryKey) -> TableDef {
        TableDef {
            name: Cow::Borrowed(name),
            columns: Cow::Borrowed(&[]),
            primary_key,
            foreign_keys: Cow::Borrowed(&[]),
            indexes: Cow::Borrowed(&[]),
            renamed_from: None,
            ..crate::model::TableDef::BLANK
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
            include: std::borrow::Cow::Borrowed(&[]),
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
                ..crate::model::TableDef::BLANK
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
}
