//! The sorted index of relation names (tables and indexes) the whole-list rules look names
//! up in, built by `const fn`s so that `schema!`'s constant and `validate` at run time use the
//! same one. The compiler's constant evaluator is slow (microseconds per step), so names are
//! found through this index instead of scans: comparing every pair of 200 tables took seconds
//! of every build.
//!
//! Everything here is `const fn`, which rules out `format!`, `Deref`, iterators and `?`:
//! names are read out of their `Cow` by pattern and compared byte by byte.

use crate::model::{Name, TableDef};
use schema_rules::rules::same;
use std::borrow::Cow;

/// The text of a name held by a descriptor; `Cow` cannot be dereferenced in a `const fn`.
pub(super) const fn text(name: &Name) -> &str {
    match name {
        Cow::Borrowed(s) => s,
        Cow::Owned(s) => s.as_str(),
    }
}

/// The items of a descriptor's list.
// `Cow` cannot be dereferenced in a `const fn`, so the `Cow` itself is taken.
#[allow(clippy::ptr_arg)]
pub(super) const fn items<'a, T: Clone>(list: &'a Cow<'static, [T]>) -> &'a [T] {
    match list {
        Cow::Borrowed(s) => s,
        Cow::Owned(v) => v.as_slice(),
    }
}

/// How many relations (tables and indexes) `tables` declare: the size of the sorted index,
/// which `schema!`'s constant must know as a generic parameter.
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
pub(super) struct Relation<'a> {
    pub(super) name: &'a str,
    /// [`hash`] of the name: the sort compares these integers, one step each, and names
    /// only where they are equal.
    hash: u64,
    pub(super) table: usize,
    pub(super) index: usize,
}

/// The `index` of a relation that is a table.
pub(super) const NONE: usize = usize::MAX;

impl Relation<'_> {
    /// A placeholder, overwritten by [`sort_relations`].
    pub(super) const EMPTY: Relation<'static> = Relation {
        name: "",
        hash: 0,
        table: 0,
        index: 0,
    };

    pub(super) const fn kind(&self) -> &'static str {
        if self.index == NONE {
            "table"
        } else {
            "index"
        }
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

/// Fills `order` (of [`relation_count`] entries) with every table and index, sorted by
/// [`before`]: a heapsort, in place, so that the constant evaluator copies no array.
pub(super) const fn sort_relations<'a>(tables: &'a [TableDef], order: &mut [Relation<'a>]) {
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
    if r != order.len() {
        panic!("the relation index is not the size of the list");
    }
    // First the heap is built (roots from the middle down), then its top is moved to the end
    // of a shrinking heap; each step sifts one root down.
    let (mut build, mut heap) = (order.len() / 2, order.len());
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
            return;
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
pub(super) const fn table_position(sorted: &[Relation], name: &str) -> Option<usize> {
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
