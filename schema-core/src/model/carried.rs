//! Carried objects: what the schema language does not declare (functions, triggers, views,
//! domains, free sequences, extensions, policies, rules, row-level security, replica
//! identity, UNLOGGED, storage parameters, comments) but a hand-written migration marked `-- schema:carried` makes. Their
//! definitions, as the server prints them, live in the snapshots from that migration on, so
//! that the schema a project expects is the code's plus the carried objects of its last
//! snapshot. The code never holds them itself: they are merged in where the code is compared
//! with a snapshot or a database.

use super::{Schema, TableDef};

impl Schema {
    /// This schema (from code) with the carried objects of `from` (the last snapshot): the
    /// schema-wide ones, and each table's, matched by name or, for a table renamed in code,
    /// by its previous name. A table the code no longer has takes its objects with it, as
    /// `DROP TABLE` does.
    pub fn with_carried_from(mut self, from: &Schema) -> Schema {
        if !from.carries_anything() {
            return self;
        }
        self.extensions = from.extensions.clone();
        self.views = from.views.clone();
        self.sequences = from.sequences.clone();
        self.functions = from.functions.clone();
        self.domains = from.domains.clone();
        self.event_triggers = from.event_triggers.clone();
        for table in self.tables.to_mut() {
            let source = from.table(&table.name).or_else(|| {
                let old = table.renamed_from.as_deref()?;
                from.table(old)
            });
            if let Some(source) = source {
                carry_table(table, source);
            }
        }
        self
    }

    /// This schema with no carried object: what the schema in code declares.
    pub fn without_carried(&self) -> Schema {
        let mut schema = self.clone();
        schema.extensions = Default::default();
        schema.views = Default::default();
        schema.sequences = Default::default();
        schema.functions = Default::default();
        schema.domains = Default::default();
        schema.event_triggers = Default::default();
        for table in schema.tables.to_mut() {
            carry_table(table, &TableDef::BLANK);
        }
        schema
    }

    /// Whether the schema holds any carried object (a schema from code never does).
    pub fn carries_anything(&self) -> bool {
        self.carried_count() > 0
    }

    /// How many carried objects and settings the schema holds.
    pub fn carried_count(&self) -> usize {
        let tables: usize = (self.tables.iter())
            .map(|t| {
                t.policies.len()
                    + t.triggers.len()
                    + t.rules.len()
                    + usize::from(t.row_security)
                    + usize::from(t.force_row_security)
                    + usize::from(t.unlogged)
                    + usize::from(t.replica_identity.is_some())
                    + usize::from(t.storage.is_some())
                    + usize::from(t.comment.is_some())
                    + t.column_comments.len()
            })
            .sum();
        self.extensions.len()
            + self.views.len()
            + self.sequences.len()
            + self.functions.len()
            + self.domains.len()
            + self.event_triggers.len()
            + tables
    }
}

/// Gives `table` the carried objects of `source` (none for `TableDef::BLANK`).
fn carry_table(table: &mut TableDef, source: &TableDef) {
    table.policies = source.policies.clone();
    table.triggers = source.triggers.clone();
    table.rules = source.rules.clone();
    table.row_security = source.row_security;
    table.force_row_security = source.force_row_security;
    table.unlogged = source.unlogged;
    table.replica_identity = source.replica_identity.clone();
    table.storage = source.storage.clone();
    table.comment = source.comment.clone();
    // A column dropped in code takes its comment with it.
    table.column_comments = (source.column_comments.iter())
        .filter(|c| table.columns.iter().any(|col| col.name == c.name))
        .cloned()
        .collect::<Vec<_>>()
        .into();
}

#[cfg(test)]
mod tests {
    use super::super::{ColumnDef, PrimaryKey, SqlType, TableObjectDef};
    use super::*;
    use std::borrow::Cow;

    fn table(name: &'static str) -> TableDef {
        TableDef {
            name: name.into(),
            columns: vec![ColumnDef::new("id".into(), SqlType::Uuid)].into(),
            primary_key: PrimaryKey::Column("id".into()),
            ..TableDef::BLANK
        }
    }

    fn trigger(name: &'static str) -> TableObjectDef {
        TableObjectDef {
            name: name.into(),
            definition: Cow::Owned(format!("CREATE TRIGGER {name} ...")),
        }
    }

    #[test]
    fn carried_objects_follow_tables_by_name_and_by_rename_and_go_with_a_dropped_one() {
        let mut snapshot = Schema::new(
            Cow::Borrowed(&[]),
            vec![table("a"), table("old_b"), table("gone")].into(),
        );
        snapshot.functions = vec![trigger("touch()")].into();
        for t in snapshot.tables.to_mut() {
            t.triggers = vec![trigger("touch")].into();
        }
        let mut renamed = table("b");
        renamed.renamed_from = Some("old_b".into());
        let code = Schema::new(Cow::Borrowed(&[]), vec![table("a"), renamed].into());
        let merged = code.clone().with_carried_from(&snapshot);
        assert_eq!(merged.functions, snapshot.functions);
        assert_eq!(merged.tables.len(), 2);
        assert!(merged.tables.iter().all(|t| t.triggers.len() == 1));
        assert!(!code.carries_anything());
        assert!(merged.carries_anything());
        assert_eq!(merged.without_carried(), code);
    }
}
