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
pub const fn check_schema(enums: &[EnumDef], tables: &[TableDef]) {
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
    let mut t = 0;
    while t < tables.len() {
        let table = &tables[t];
        let name = text(&table.name);
        let mut other = 0;
        while other < t {
            if same(name, text(&tables[other].name)) {
                Message::new()
                    .push("schema!: the table `")
                    .push(name)
                    .push("` is registered twice; list each table once in `tables: [...]`")
                    .fail();
            }
            other += 1;
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
        check_foreign_keys(tables, t);
        t += 1;
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
const fn check_foreign_keys(tables: &[TableDef], index: usize) {
    let table = &tables[index];
    let keys: &[ForeignKeyDef] = items(&table.foreign_keys);
    let mut k = 0;
    while k < keys.len() {
        let target = text(&keys[k].references_table);
        let mut found = false;
        let mut earlier = 0;
        while earlier <= index {
            if same(text(&tables[earlier].name), target) {
                found = true;
            }
            earlier += 1;
        }
        if !found {
            let mut later = false;
            let mut t = index + 1;
            while t < tables.len() {
                if same(text(&tables[t].name), target) {
                    later = true;
                }
                t += 1;
            }
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
