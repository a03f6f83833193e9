//! The registry rules evaluated by the compiler: `schema!` calls [`check_schema`] in a
//! `const` item, so a broken rule fails the build with a message naming the table, the column
//! and what to write instead.
//!
//! Everything here is `const fn`, which rules out `format!`, `Deref` and iterators: names are
//! read out of `Cow::Borrowed` by pattern, compared byte by byte, and messages are assembled
//! in a fixed buffer.

use crate::model::{ColumnDef, EnumDef, ForeignKeyDef, Name, SqlType, TableDef};
use std::borrow::Cow;

/// Room for one error message; a longer one is cut, at a character boundary.
const MESSAGE_BYTES: usize = 512;

/// A message assembled at compile time.
pub struct Message {
    buf: [u8; MESSAGE_BYTES],
    len: usize,
}

impl Message {
    pub const fn new() -> Self {
        Message {
            buf: [0; MESSAGE_BYTES],
            len: 0,
        }
    }

    pub const fn push(mut self, text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() && self.len < MESSAGE_BYTES {
            self.buf[self.len] = bytes[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    pub const fn as_str(&self) -> &str {
        let mut len = self.len;
        // A cut in the middle of a multi-byte character is backed off to its start.
        while len > 0 {
            let (head, _) = self.buf.split_at(len);
            if let Ok(text) = std::str::from_utf8(head) {
                return text;
            }
            len -= 1;
        }
        ""
    }

    pub const fn fail(self) -> ! {
        panic!("{}", self.as_str())
    }
}

impl Default for Message {
    fn default() -> Self {
        Self::new()
    }
}

/// The text of a name held by a constant descriptor. Constants cannot hold heap data, so an
/// owned name (only possible at run time) reads as empty; run-time schemas go through
/// [`crate::registry::validate`] instead.
pub const fn text(name: &Name) -> &str {
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

/// Whether two strings are equal; `==` on `str` is not callable in a `const fn`.
pub const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Fails the build when the ordered lists break a registry rule: a name used twice, a column
/// of an enum type that is not registered, a foreign key to a table that is not registered
/// or is registered after the table that points at it.
///
/// `T` is `tables.len()`. The compiler's constant evaluator is slow (a few microseconds per
/// step), so tables are found through a sorted index instead of a scan: comparing every pair
/// of 200 tables took seconds of every build.
pub const fn check_schema<const T: usize>(enums: &[EnumDef], tables: &[TableDef]) {
    if tables.len() != T {
        panic!("schema!: internal error: the table count does not match the list");
    }
    let mut e = 0;
    while e < enums.len() {
        let name = text(&enums[e].name);
        let mut other = 0;
        while other < e {
            if same(name, text(&enums[other].name)) {
                Message::new()
                    .push("schema!: the enum type `")
                    .push(name)
                    .push("` is registered twice; list each enum once in `enums: [...]`")
                    .fail();
            }
            other += 1;
        }
        e += 1;
    }
    let sorted = sorted_by_name::<T>(tables);
    let mut rank = [0usize; T];
    let mut r = 0;
    while r < T {
        rank[sorted[r]] = r;
        r += 1;
    }
    let mut t = 0;
    while t < tables.len() {
        let table = &tables[t];
        let name = text(&table.name);
        // Ties sort by position, so an earlier table of the same name sorts just before.
        if rank[t] > 0 && same(name, text(&tables[sorted[rank[t] - 1]].name)) {
            Message::new()
                .push("schema!: the table `")
                .push(name)
                .push("` is registered twice; list each table once in `tables: [...]`")
                .fail();
        }
        let mut e = 0;
        while e < enums.len() {
            if same(name, text(&enums[e].name)) {
                Message::new()
                    .push("schema!: `")
                    .push(name)
                    .push("` names both a table and an enum type; PostgreSQL keeps both in one namespace, rename one of them")
                    .fail();
            }
            e += 1;
        }
        check_columns(enums, table);
        check_foreign_keys(tables, &sorted, t);
        t += 1;
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

/// Whether table `a` sorts before table `b`: by name, then by position.
const fn before(tables: &[TableDef], a: usize, b: usize) -> bool {
    let order = compare(text(&tables[a].name), text(&tables[b].name));
    order < 0 || (order == 0 && a < b)
}

/// The positions of `tables`, sorted by name: a heapsort, in one function because a `const fn`
/// (before Rust 1.83) cannot take `&mut`, and passing the array by value would copy it.
const fn sorted_by_name<const T: usize>(tables: &[TableDef]) -> [usize; T] {
    let mut order = [0usize; T];
    let mut i = 0;
    while i < T {
        order[i] = i;
        i += 1;
    }
    // First the heap is built (roots from the middle down), then its top is moved to the end
    // of a shrinking heap; each step sifts one root down.
    let (mut build, mut heap) = (T / 2, T);
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
            if child + 1 < heap && before(tables, order[child], order[child + 1]) {
                child += 1;
            }
            if !before(tables, order[root], order[child]) {
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
const fn position(tables: &[TableDef], sorted: &[usize], name: &str) -> Option<usize> {
    let (mut low, mut high) = (0, sorted.len());
    while low < high {
        let mid = (low + high) / 2;
        if compare(text(&tables[sorted[mid]].name), name) < 0 {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    if low < sorted.len() && same(text(&tables[sorted[low]].name), name) {
        Some(sorted[low])
    } else {
        None
    }
}

const fn check_columns(enums: &[EnumDef], table: &TableDef) {
    let columns: &[ColumnDef] = items(&table.columns);
    let mut c = 0;
    while c < columns.len() {
        if let SqlType::Enum(type_name) = &columns[c].sql_type {
            if !enum_registered(enums, text(type_name)) {
                Message::new()
                    .push("schema!: the column `")
                    .push(text(&table.name))
                    .push(".")
                    .push(text(&columns[c].name))
                    .push("` has the enum type `")
                    .push(text(type_name))
                    .push("`, which is not registered; add its Rust enum to `enums: [...]`")
                    .fail();
            }
        }
        c += 1;
    }
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
const fn check_foreign_keys(tables: &[TableDef], sorted: &[usize], index: usize) {
    let table = &tables[index];
    let keys: &[ForeignKeyDef] = items(&table.foreign_keys);
    let mut k = 0;
    while k < keys.len() {
        let target = text(&keys[k].references_table);
        let (found, later) = match position(tables, sorted, target) {
            Some(at) => (at <= index, at > index),
            None => (false, false),
        };
        if !found {
            let msg = Message::new()
                .push("schema!: the foreign key `")
                .push(text(&table.name))
                .push(".")
                .push(text(&keys[k].column))
                .push("` references the table `")
                .push(target);
            if later {
                msg.push("`, which is registered after it; move `")
                    .push(target)
                    .push("` before `")
                    .push(text(&table.name))
                    .push("` in `tables: [...]`")
                    .fail();
            } else {
                msg.push("`, which is not registered; add it to `tables: [...]` before `")
                    .push(text(&table.name))
                    .push("`")
                    .fail();
            }
        }
        k += 1;
    }
}
