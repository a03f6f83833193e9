//! The schema as Rust code: `#[pg_enum]` enums, `#[table]` structs in the order the foreign
//! keys allow, and the `schema!` list, written so that the macros give back exactly the
//! schema that was read.

use super::rust_names::{self, RustName};
use crate::model::{
    ColumnDef, ColumnDefault, EnumDef, IndexDef, NullsOrder, OnDelete, PrimaryKey, Schema, SqlType,
    TableDef,
};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The Rust names chosen for one schema's SQL names.
pub(super) struct Names {
    /// Enum type name to its Rust type.
    enums: BTreeMap<String, RustName>,
    /// Enum type name to its labels' variants, in label order.
    variants: BTreeMap<String, Vec<RustName>>,
    /// Table name to its Rust type.
    tables: BTreeMap<String, RustName>,
    /// Table name to its columns' fields, in column order.
    fields: BTreeMap<String, Vec<(String, RustName)>>,
    /// What was renamed to keep Rust names distinct.
    pub notes: Vec<String>,
}

impl Names {
    pub(super) fn of(schema: &Schema) -> Names {
        let mut notes = Vec::new();
        // Enums and tables share Rust's type namespace in one module.
        let mut types: Vec<(String, RustName)> = schema
            .enums
            .iter()
            .map(|e| (e.name.to_string(), rust_names::type_name(&e.name)))
            .chain(
                schema
                    .tables
                    .iter()
                    .map(|t| (t.name.to_string(), rust_names::type_name(&t.name))),
            )
            .collect();
        notes.extend(rust_names::distinct(&mut types, "type"));
        let (enum_types, table_types) = types.split_at(schema.enums.len());
        let mut variants = BTreeMap::new();
        for e in schema.enums.iter() {
            let mut named: Vec<(String, RustName)> = e
                .labels
                .iter()
                .map(|l| (l.to_string(), rust_names::variant(l)))
                .collect();
            notes.extend(rust_names::distinct(
                &mut named,
                &format!("label of `{}`", e.name),
            ));
            variants.insert(
                e.name.to_string(),
                named.into_iter().map(|(_, n)| n).collect(),
            );
        }
        let mut fields = BTreeMap::new();
        for t in schema.tables.iter() {
            let mut named: Vec<(String, RustName)> = t
                .columns
                .iter()
                .map(|c| (c.name.to_string(), rust_names::field(&c.name)))
                .collect();
            notes.extend(rust_names::distinct(
                &mut named,
                &format!("column of `{}`", t.name),
            ));
            fields.insert(t.name.to_string(), named);
        }
        Names {
            enums: enum_types.iter().cloned().collect(),
            variants,
            tables: table_types.iter().cloned().collect(),
            fields,
            notes,
        }
    }

    fn table(&self, name: &str) -> &str {
        &self.tables[name].ident
    }

    fn field<'a>(&'a self, table: &str, column: &'a str) -> &'a str {
        self.fields[table]
            .iter()
            .find(|(sql, _)| sql == column)
            .map(|(_, n)| n.ident.as_str())
            .unwrap_or(column)
    }
}

/// The Rust source of the whole schema: one file.
pub(super) fn schema_file(schema: &Schema, names: &Names, origin: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "//! The schema {origin}, as Rust code.");
    let _ = writeln!(
        out,
        "//! Written by `pull`; from now on it is yours: change it, then `generate`.\n"
    );
    let _ = writeln!(
        out,
        "// Rows are read and written by the application, not by this crate's own programs."
    );
    let _ = writeln!(out, "#![allow(dead_code)]\n");
    // Only what is used: a schema without enums must build without warnings.
    let imports = match (schema.enums.is_empty(), schema.tables.is_empty()) {
        (false, false) => "{pg_enum, table}",
        (false, true) => "pg_enum",
        (true, false) => "table",
        (true, true) => "",
    };
    if !imports.is_empty() {
        let _ = writeln!(out, "use schema_core::{imports};\n");
    }
    for e in schema.enums.iter() {
        enum_item(&mut out, e, names);
        out.push('\n');
    }
    for t in schema.tables.iter() {
        table_item(&mut out, t, names);
        out.push('\n');
    }
    registry(&mut out, schema, names);
    out
}

fn enum_item(out: &mut String, e: &EnumDef, names: &Names) {
    let ty = &names.enums[e.name.as_ref()];
    match &ty.rename {
        Some(sql) => {
            let _ = writeln!(out, "#[pg_enum(name = {sql:?})]");
        }
        None => out.push_str("#[pg_enum]\n"),
    }
    let _ = writeln!(out, "pub enum {} {{", ty.ident);
    for variant in &names.variants[e.name.as_ref()] {
        if let Some(label) = &variant.rename {
            let _ = writeln!(out, "    #[pg_enum(rename = {label:?})]");
        }
        let _ = writeln!(out, "    {},", variant.ident);
    }
    out.push_str("}\n");
}

fn table_item(out: &mut String, t: &TableDef, names: &Names) {
    let ty = &names.tables[t.name.as_ref()];
    match &ty.rename {
        Some(sql) => {
            let _ = writeln!(out, "#[table(name = {sql:?})]");
        }
        None => out.push_str("#[table]\n"),
    }
    if let PrimaryKey::Composite(columns) = &t.primary_key {
        let fields: Vec<&str> = columns.iter().map(|c| names.field(&t.name, c)).collect();
        let _ = writeln!(out, "#[primary_key({})]", fields.join(", "));
    }
    for index in t.indexes.iter() {
        index_attr(out, t, index, names);
    }
    let _ = writeln!(out, "pub struct {} {{", ty.ident);
    for (c, (_, field)) in t.columns.iter().zip(&names.fields[t.name.as_ref()]) {
        column(out, t, c, field, names);
    }
    out.push_str("}\n");
}

fn index_attr(out: &mut String, t: &TableDef, index: &IndexDef, names: &Names) {
    let keys: Vec<String> = index
        .columns
        .iter()
        .map(|k| {
            let field = names.field(&t.name, &k.name).to_string();
            let mut order = Vec::new();
            if k.desc {
                order.push("desc");
            }
            match (k.desc, k.nulls) {
                (false, Some(NullsOrder::First)) => order.push("nulls_first"),
                (true, Some(NullsOrder::Last)) => order.push("nulls_last"),
                _ => {}
            }
            if order.is_empty() {
                field
            } else {
                format!("{field}({})", order.join(", "))
            }
        })
        .collect();
    let _ = writeln!(
        out,
        "#[{}(name = {:?}, on({}))]",
        if index.unique {
            "unique_index"
        } else {
            "index"
        },
        index.name,
        keys.join(", ")
    );
}

fn column(out: &mut String, t: &TableDef, c: &ColumnDef, field: &RustName, names: &Names) {
    if let PrimaryKey::Column(key) = &t.primary_key {
        if *key == c.name {
            let generated = c.sql_type == SqlType::Uuid
                && matches!(c.default, Some(ColumnDefault::GenRandomUuid));
            out.push_str(if generated {
                "    #[primary_key]\n"
            } else {
                "    #[primary_key(natural)]\n"
            });
        }
    }
    if let Some(fk) = t.foreign_keys.iter().find(|fk| fk.column == c.name) {
        let _ = writeln!(
            out,
            "    #[foreign_key(references = {}::{}, on_delete = {})]",
            names.table(&fk.references_table),
            names.field(&fk.references_table, &fk.references_column),
            on_delete(fk.on_delete)
        );
    }
    let mut settings = Vec::new();
    if let Some(sql) = &field.rename {
        settings.push(format!("name = {sql:?}"));
    }
    if let SqlType::Varchar(n) = c.sql_type {
        settings.push(format!("varchar = {n}"));
    }
    if let Some(default) = c.default.as_ref().and_then(default_value) {
        settings.push(format!("default = {default}"));
    }
    if !settings.is_empty() {
        let _ = writeln!(out, "    #[column({})]", settings.join(", "));
    }
    let ty = rust_type(&c.sql_type, names);
    let ty = if c.nullable {
        format!("Option<{ty}>")
    } else {
        ty
    };
    let _ = writeln!(out, "    pub {}: {ty},", field.ident);
}

fn on_delete(action: OnDelete) -> &'static str {
    match action {
        OnDelete::Cascade => "cascade",
        OnDelete::Restrict => "restrict",
        OnDelete::SetNull => "set_null",
        OnDelete::SetDefault => "set_default",
        OnDelete::NoAction => "no_action",
    }
}

/// The `default = ..` of a column; none for the key's `gen_random_uuid()`, which
/// `#[primary_key]` writes by itself.
fn default_value(default: &ColumnDefault) -> Option<String> {
    Some(match default {
        ColumnDefault::Now => "now".into(),
        ColumnDefault::GenRandomUuid => return None,
        ColumnDefault::Bool(b) => b.to_string(),
        ColumnDefault::Int(i) => i.to_string(),
        ColumnDefault::Float(f) => f.to_string(),
        // The attribute takes a label as the database spells it, like any text.
        ColumnDefault::Text(s) | ColumnDefault::EnumLabel(s) => format!("{s:?}"),
        // `coverage` refuses a schema with one before any code is written.
        ColumnDefault::Expr(e) => format!("{e:?}"),
    })
}

fn rust_type(ty: &SqlType, names: &Names) -> String {
    match ty {
        SqlType::Uuid => "uuid::Uuid".into(),
        SqlType::Text | SqlType::Varchar(_) => "String".into(),
        SqlType::Boolean => "bool".into(),
        SqlType::SmallInt => "i16".into(),
        SqlType::Integer => "i32".into(),
        SqlType::BigInt => "i64".into(),
        SqlType::Real => "f32".into(),
        SqlType::DoublePrecision => "f64".into(),
        SqlType::TimestampTz => "chrono::DateTime<chrono::Utc>".into(),
        SqlType::Jsonb => "serde_json::Value".into(),
        SqlType::Enum(name) => names.enums[name.as_ref()].ident.clone(),
        // `coverage` refuses a schema with one before any code is written.
        SqlType::Other(name) => name.to_string(),
    }
}

fn registry(out: &mut String, schema: &Schema, names: &Names) {
    let enums: Vec<&str> = schema
        .enums
        .iter()
        .map(|e| names.enums[e.name.as_ref()].ident.as_str())
        .collect();
    let tables: Vec<&str> = schema.tables.iter().map(|t| names.table(&t.name)).collect();
    out.push_str("/// The enums and tables, each table after those its foreign keys reference.\n");
    out.push_str("pub const SCHEMA: schema_core::Schema = schema_core::schema! {\n");
    if !schema.is_public() {
        let _ = writeln!(out, "    schema: {:?},", schema.pg_schema);
    }
    let _ = writeln!(out, "    enums: [{}],", enums.join(", "));
    let _ = writeln!(out, "    tables: [{}],", tables.join(", "));
    out.push_str("};\n");
}
