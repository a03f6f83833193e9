//! The schema as Rust code: `#[pg_enum]` enums, `#[table]` structs in the order the foreign
//! keys allow, and the `schema!` list, written so that the macros give back exactly the
//! schema that was read.

use super::rust_names::{self, RustName};
use crate::model::{
    ColumnDef, ColumnDefault, ConstraintDef, ConstraintKind, EnumDef, ForeignKeyDef, Identity,
    IndexDef, NullsOrder, OnDelete, PrimaryKey, Schema, SqlType, TableDef,
};
use crate::sql::serial_default;
use heck::ToSnakeCase;
use schema_rules::names;
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

    pub(super) fn table(&self, name: &str) -> &str {
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

/// A schema with more tables than this is written one module per table, so that a reader
/// (and an editor) finds each table in a file of its own.
pub(super) const TABLES_PER_FILE: usize = 20;

/// The Rust sources of the schema, each with its path in the crate: `src/lib.rs` alone for a
/// small schema; for a larger one, `src/lib.rs` with the `schema!` list, `src/enums.rs`, and a
/// module per table.
pub(super) fn sources(schema: &Schema, names: &Names, origin: &str) -> Vec<(String, String)> {
    if schema.tables.len() <= TABLES_PER_FILE {
        return vec![("src/lib.rs".into(), schema_file(schema, names, origin))];
    }
    let mut out = Vec::new();
    let mut lib = header(origin);
    if !schema.enums.is_empty() {
        lib.push_str("mod enums;\npub use enums::*;\n");
        let mut enums = String::from("//! The enum types.\n\nuse schema_core::pg_enum;\n\n");
        for (i, e) in schema.enums.iter().enumerate() {
            if i > 0 {
                enums.push('\n');
            }
            enum_item(&mut enums, e, names);
        }
        out.push(("src/enums.rs".to_string(), enums));
    }
    for t in schema.tables.iter() {
        let module = rust_names::field(&names.table(&t.name).to_snake_case()).ident;
        let file = module.trim_start_matches("r#");
        let _ = writeln!(lib, "mod {module};\npub use {module}::*;");
        let mut text = format!(
            "//! The table `{}`.\n\n#[allow(unused_imports)]\nuse crate::*;\nuse schema_core::table;\n\n",
            t.name
        );
        table_item(&mut text, t, names);
        out.push((format!("src/{file}.rs"), text));
    }
    lib.push('\n');
    registry(&mut lib, schema, names);
    out.insert(0, ("src/lib.rs".to_string(), lib));
    out
}

/// The crate's doc comment and attributes.
fn header(origin: &str) -> String {
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
    out
}

/// The Rust source of the whole schema: one file.
pub(super) fn schema_file(schema: &Schema, names: &Names, origin: &str) -> String {
    let mut out = header(origin);
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
    let mut args = Vec::new();
    if let Some(sql) = &ty.rename {
        args.push(format!("name = {sql:?}"));
    }
    let key = t.primary_key_columns();
    if key.is_empty() {
        args.push("no_primary_key".into());
    }
    if let Some(key) = t.partition_key() {
        args.push(format!("partition_by = {key:?}"));
    }
    if let Some((parent, bound)) = t.partition_of() {
        args.push(format!("partition_of = {parent:?}"));
        let values = bound.strip_prefix("FOR VALUES ").unwrap_or(bound);
        args.push(format!("for_values = {values:?}"));
    }
    if args.is_empty() {
        out.push_str("#[table]\n");
    } else {
        let _ = writeln!(out, "#[table({})]", args.join(", "));
    }
    if let PrimaryKey::Composite(columns) = &t.primary_key {
        if !columns.is_empty() {
            let mut parts: Vec<String> = columns
                .iter()
                .map(|c| names.field(&t.name, c).to_string())
                .collect();
            if let Some(name) = &t.primary_key_name {
                parts.push(format!("name = {name:?}"));
            }
            let _ = writeln!(out, "#[primary_key({})]", parts.join(", "));
        }
    }
    for index in t.indexes.iter() {
        index_attr(out, t, index, names);
    }
    for c in t.constraints.iter() {
        if column_unique(t, c).is_none() {
            constraint_attr(out, t, c, names);
        }
    }
    for fk in t
        .foreign_keys
        .iter()
        .filter(|fk| !fk.more_columns.is_empty())
    {
        let fields: Vec<&str> = (fk.columns().into_iter())
            .map(|c| names.field(&t.name, c))
            .collect();
        let targets: Vec<&str> = (fk.references_columns().into_iter())
            .map(|c| names.field(&fk.references_table, c))
            .collect();
        let mut args = vec![
            format!("columns({})", fields.join(", ")),
            format!(
                "references = {}({})",
                names.table(&fk.references_table),
                targets.join(", ")
            ),
        ];
        args.extend(key_actions(fk));
        let _ = writeln!(out, "#[foreign_key({})]", args.join(", "));
    }
    let _ = writeln!(out, "pub struct {} {{", ty.ident);
    for (c, (_, field)) in t.columns.iter().zip(&names.fields[t.name.as_ref()]) {
        column(out, t, c, field, names);
    }
    out.push_str("}\n");
}

/// A unique constraint of one column under the derived name, written on its field as
/// `#[column(unique)]`: the column's name, and whether NULLs are not distinct.
fn column_unique(t: &TableDef, c: &ConstraintDef) -> Option<(String, bool)> {
    let (nulls, columns) = unique_columns(c)?;
    let [column] = columns.as_slice() else {
        return None;
    };
    (c.name == names::unique_constraint(&t.name, [column.as_str()]))
        .then(|| (column.clone(), nulls))
}

/// The columns of a unique constraint's definition (`UNIQUE (a, "B")`), unquoted.
fn unique_columns(c: &ConstraintDef) -> Option<(bool, Vec<String>)> {
    if c.kind != ConstraintKind::Unique {
        return None;
    }
    let (nulls, key) = crate::sql::unique_key(&c.definition)?;
    let inner = &key[1..key.len() - 1];
    Some((nulls, crate::sql::printed_identifiers(inner, ", ")?))
}

/// `#[unique(..)]` or `#[check(..)]` on the struct.
fn constraint_attr(out: &mut String, t: &TableDef, c: &ConstraintDef, names: &Names) {
    match c.kind {
        ConstraintKind::Unique => {
            let Some((nulls, columns)) = unique_columns(c) else {
                return; // `coverage` lists it
            };
            let fields: Vec<&str> = columns
                .iter()
                .map(|col| names.field(&t.name, col))
                .collect();
            let mut parts = vec![format!("on({})", fields.join(", "))];
            if c.name != names::unique_constraint(&t.name, columns.iter().map(|s| s.as_str())) {
                parts.push(format!("name = {:?}", c.name));
            }
            if nulls {
                parts.push("nulls_not_distinct".into());
            }
            let _ = writeln!(out, "#[unique({})]", parts.join(", "));
        }
        ConstraintKind::Check => {
            if let Some(sql) = check_expression(&c.definition) {
                let not_valid = if c.not_valid { ", not_valid" } else { "" };
                let _ = writeln!(
                    out,
                    "#[check(name = {:?}, sql = {sql:?}{not_valid})]",
                    c.name
                );
            }
        }
        _ => {}
    }
}

/// The expression of `CHECK (<expression>)`, as PostgreSQL prints it; `None` for a
/// definition with more (`NO INHERIT`).
pub(super) fn check_expression(definition: &str) -> Option<&str> {
    definition.strip_prefix("CHECK (")?.strip_suffix(')')
}

fn index_attr(out: &mut String, t: &TableDef, index: &IndexDef, names: &Names) {
    let keys: Vec<String> = index
        .columns
        .iter()
        .map(|k| {
            let field = if k.expression {
                format!("sql = {:?}", k.name)
            } else {
                names.field(&t.name, &k.name).to_string()
            };
            let mut order = Vec::new();
            let opclass;
            if let Some(class) = &k.opclass {
                opclass = format!("opclass = {class:?}");
                order.push(opclass.as_str());
            }
            if k.desc {
                order.push("desc");
            }
            match (k.desc, k.nulls) {
                (false, Some(NullsOrder::First)) => order.push("nulls_first"),
                (true, Some(NullsOrder::Last)) => order.push("nulls_last"),
                _ => {}
            }
            match (order.is_empty(), k.expression) {
                (true, _) => field,
                // An expression key's order follows it: `on(sql = "..", desc)`.
                (false, true) => format!("{field}, {}", order.join(", ")),
                (false, false) => format!("{field}({})", order.join(", ")),
            }
        })
        .collect();
    let mut args = vec![
        format!("name = {:?}", index.name),
        format!("on({})", keys.join(", ")),
    ];
    if let Some(method) = &index.method {
        args.push(format!("using = {method}"));
    }
    if !index.include.is_empty() {
        let fields: Vec<&str> = (index.include.iter())
            .map(|c| names.field(&t.name, c))
            .collect();
        args.push(format!("include({})", fields.join(", ")));
    }
    if let Some(predicate) = &index.predicate {
        args.push(format!("predicate = {predicate:?}"));
    }
    let _ = writeln!(
        out,
        "#[{}({})]",
        if index.unique {
            "unique_index"
        } else {
            "index"
        },
        args.join(", ")
    );
}

fn column(out: &mut String, t: &TableDef, c: &ColumnDef, field: &RustName, names: &Names) {
    let serial = c.identity.is_none()
        && matches!(
            c.sql_type,
            SqlType::SmallInt | SqlType::Integer | SqlType::BigInt
        )
        && matches!(&c.default, Some(ColumnDefault::Expr(e)) if **e == serial_default(&t.name, &c.name));
    let identity = c.identity.map(|i| match i {
        Identity::Always => "identity",
        Identity::ByDefault => "identity = by_default",
    });
    let mut key_args = Vec::new();
    let is_key = matches!(&t.primary_key, PrimaryKey::Column(key) if *key == c.name);
    if is_key {
        let uuid_key =
            c.sql_type == SqlType::Uuid && matches!(c.default, Some(ColumnDefault::GenRandomUuid));
        if serial {
            key_args.push("serial".to_string());
        } else if let Some(identity) = identity {
            key_args.push(identity.to_string());
        } else if !uuid_key {
            key_args.push("natural".to_string());
        }
        if let Some(name) = &t.primary_key_name {
            key_args.push(format!("name = {name:?}"));
        }
        if key_args.is_empty() {
            out.push_str("    #[primary_key]\n");
        } else {
            let _ = writeln!(out, "    #[primary_key({})]", key_args.join(", "));
        }
    }
    if let Some(fk) = t
        .foreign_keys
        .iter()
        .find(|fk| fk.column == c.name && fk.more_columns.is_empty())
    {
        let mut args = vec![format!(
            "references = {}::{}",
            names.table(&fk.references_table),
            names.field(&fk.references_table, &fk.references_column)
        )];
        args.extend(key_actions(fk));
        let _ = writeln!(out, "    #[foreign_key({})]", args.join(", "));
    }
    let (rust, written_type) = rust_type(&c.sql_type, names);
    let mut settings = Vec::new();
    if let Some(sql) = &field.rename {
        settings.push(format!("name = {sql:?}"));
    }
    match (&c.sql_type, written_type) {
        (SqlType::Varchar(n), _) => settings.push(format!("varchar = {n}")),
        (SqlType::Other(name), _) if **name == *"character varying" => {
            settings.push("varchar".into())
        }
        (SqlType::Other(name), WrittenType::ByName) => {
            settings.push(format!("sql_type = {name:?}"))
        }
        _ => {}
    }
    if let SqlType::Other(name) = &c.sql_type {
        if schema_rules::types::is_without_time_zone(name) {
            settings.push("without_time_zone".into());
        }
    }
    if !is_key {
        if serial {
            settings.push("serial".into());
        } else if let Some(identity) = identity {
            settings.push(identity.into());
        }
    }
    match &c.default {
        _ if serial => {}
        Some(ColumnDefault::GenRandomUuid) if is_key => {}
        Some(ColumnDefault::Expr(e)) => settings.push(format!("default_sql = {e:?}")),
        Some(ColumnDefault::GenRandomUuid) => {
            settings.push("default_sql = \"gen_random_uuid()\"".into())
        }
        Some(d) => settings.push(format!("default = {}", default_value(d))),
        None => {}
    }
    if let Some(expression) = &c.generated {
        settings.push(format!("generated = {expression:?}"));
    }
    if let Some(collation) = &c.collation {
        settings.push(format!("collate = {collation:?}"));
    }
    if let Some(unique) = t
        .constraints
        .iter()
        .filter_map(|k| column_unique(t, k))
        .find(|(column, _)| *column == *c.name)
    {
        settings.push(if unique.1 {
            "unique(nulls_not_distinct)".into()
        } else {
            "unique".into()
        });
    }
    if let (SqlType::Other(name), WrittenType::ByName) = (&c.sql_type, written_type) {
        if rust == "String" && !decodes_as_text(name) {
            let _ = writeln!(
                out,
                "    // `{name}` does not decode into a String: before reading rows, give this field \
                 a type that implements FromSql for it."
            );
        }
    }
    if !settings.is_empty() {
        let _ = writeln!(out, "    #[column({})]", settings.join(", "));
    }
    let ty = if c.nullable {
        format!("Option<{rust}>")
    } else {
        rust
    };
    let _ = writeln!(out, "    pub {}: {ty},", field.ident);
}

/// `on_delete = ..`, and `on_update`, `name` and `not_valid` where they are not the
/// defaults.
fn key_actions(fk: &ForeignKeyDef) -> Vec<String> {
    let mut args = vec![format!("on_delete = {}", action(fk.on_delete))];
    if fk.on_update != OnDelete::NoAction {
        args.push(format!("on_update = {}", action(fk.on_update)));
    }
    if let Some(name) = &fk.name {
        args.push(format!("name = {name:?}"));
    }
    if fk.not_valid {
        args.push("not_valid".into());
    }
    args
}

fn action(action: OnDelete) -> &'static str {
    match action {
        OnDelete::Cascade => "cascade",
        OnDelete::Restrict => "restrict",
        OnDelete::SetNull => "set_null",
        OnDelete::SetDefault => "set_default",
        OnDelete::NoAction => "no_action",
    }
}

/// The `default = ..` of a column whose default has a form of its own.
fn default_value(default: &ColumnDefault) -> String {
    match default {
        ColumnDefault::Now => "now".into(),
        ColumnDefault::Bool(b) => b.to_string(),
        ColumnDefault::Int(i) => i.to_string(),
        ColumnDefault::Float(f) => f.to_string(),
        // The attribute takes a label as the database spells it, like any text.
        ColumnDefault::Text(s) | ColumnDefault::EnumLabel(s) => format!("{s:?}"),
        ColumnDefault::GenRandomUuid | ColumnDefault::Expr(_) => {
            unreachable!("written as `default_sql`")
        }
    }
}

/// Whether a field's Rust type says its SQL type, or the column says it by name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum WrittenType {
    /// The Rust type maps to the SQL type (`i32` is `integer`).
    ByRustType,
    /// `#[column(sql_type = "..")]`, the field of a Rust type that reads it.
    ByName,
}

/// The Rust type of a column of `ty`. A type without a Rust type of its own here (a type from
/// an extension) is named by `sql_type`, and its field is a `String` until the application
/// picks a type that decodes it. `numeric`, `inet`, `cidr` and `macaddr` get the types of
/// schema-core's `decimal` and `network` features, which the pulled manifest turns on.
fn rust_type(ty: &SqlType, names: &Names) -> (String, WrittenType) {
    use WrittenType::*;
    let rust = match ty {
        SqlType::Uuid => "uuid::Uuid",
        SqlType::Text | SqlType::Varchar(_) => "String",
        SqlType::Boolean => "bool",
        SqlType::SmallInt => "i16",
        SqlType::Integer => "i32",
        SqlType::BigInt => "i64",
        SqlType::Real => "f32",
        SqlType::DoublePrecision => "f64",
        SqlType::TimestampTz => "chrono::DateTime<chrono::Utc>",
        SqlType::Jsonb => "serde_json::Value",
        SqlType::Enum(name) => return (names.enums[name.as_ref()].ident.clone(), ByRustType),
        SqlType::Other(name) => return other_rust_type(name, names),
    };
    (rust.to_string(), ByRustType)
}

/// Whether tokio-postgres decodes the type into a `String` (its text types, `citext`).
fn decodes_as_text(name: &str) -> bool {
    name.starts_with("character") || matches!(name, "citext" | "name" | "bpchar")
}

fn other_rust_type(name: &str, names: &Names) -> (String, WrittenType) {
    use WrittenType::*;
    let own = match name {
        "character varying" => Some("String"),
        "timestamp without time zone" => Some("chrono::NaiveDateTime"),
        "date" => Some("chrono::NaiveDate"),
        "time without time zone" => Some("chrono::NaiveTime"),
        "bytea" => Some("Vec<u8>"),
        _ => None,
    };
    if let Some(rust) = own {
        return (rust.to_string(), ByRustType);
    }
    // `numeric(p,s)` keeps its precision by name; a bare `numeric` is what `Decimal` maps to.
    if let Some((rust, _)) = super::features::typed(name) {
        let written = if name.contains('(') {
            ByName
        } else {
            ByRustType
        };
        return (rust.to_string(), written);
    }
    let rust = if let Some(element) = name.strip_suffix("[]") {
        let inner = match element {
            "text" | "character varying" => "String".to_string(),
            "uuid" => "uuid::Uuid".into(),
            "integer" => "i32".into(),
            "bigint" => "i64".into(),
            "smallint" => "i16".into(),
            "boolean" => "bool".into(),
            "real" => "f32".into(),
            "double precision" => "f64".into(),
            "jsonb" | "json" => "serde_json::Value".into(),
            e if names.enums.contains_key(e) => names.enums[e].ident.clone(),
            _ => "String".into(),
        };
        format!("Vec<{inner}>")
    } else if name.starts_with("timestamp(") && name.ends_with("without time zone") {
        "chrono::NaiveDateTime".into()
    } else if name.starts_with("timestamp(") {
        "chrono::DateTime<chrono::Utc>".into()
    } else if name == "json" {
        "serde_json::Value".into()
    } else {
        "String".into()
    };
    (rust, ByName)
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
    out.push_str(&super::grants::lines(schema, |t| names.table(t)));
    out.push_str("};\n");
}
