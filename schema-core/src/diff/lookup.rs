//! Tables by name. `Schema::table` scans the list, which is fine once but makes a diff that
//! looks up every table quadratic (a 1,000-table diff spent most of its time there).

use crate::model::{Schema, TableDef};
use std::collections::HashMap;

/// The tables of one schema, found by name in constant time.
pub(super) struct Tables<'a>(HashMap<&'a str, &'a TableDef>);

impl<'a> Tables<'a> {
    pub(super) fn of(schema: &'a Schema) -> Self {
        let mut map = HashMap::with_capacity(schema.tables.len());
        for t in schema.tables.iter() {
            // The first of a repeated name wins, as with `Schema::table`.
            map.entry(&*t.name).or_insert(t);
        }
        Tables(map)
    }

    pub(super) fn get(&self, name: &str) -> Option<&'a TableDef> {
        self.0.get(name).copied()
    }

    pub(super) fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
}
