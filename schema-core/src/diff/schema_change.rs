//! The typed difference between two schemas: each [`SchemaChange`] is one change that brings
//! a schema (`from`) to another (`to`), and its `Display` is the one wording of that change,
//! whether `generate` writes it (the last snapshot to the code) or `verify` reports it as
//! drift (the live database to the code).

use std::fmt;

/// One change from one schema to another. Fields named `from` hold what the first schema
/// has, `to` what the second has; a `definition` is the object's as the schema that has it
/// describes it. More kinds may be added, hence `non_exhaustive`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SchemaChange {
    /// Create an enum type.
    CreateEnum {
        /// The type's name.
        name: String,
        /// Its labels, in order.
        labels: Vec<String>,
    },
    /// Drop an enum type the target does not have.
    DropEnum {
        /// The type's name.
        name: String,
        /// Its labels, in order.
        labels: Vec<String>,
    },
    /// Add a label to an enum type.
    AddEnumLabel {
        /// The enum type.
        enum_name: String,
        /// The label.
        label: String,
    },
    /// Remove a label the target does not have from an enum type.
    RemoveEnumLabel {
        /// The enum type.
        enum_name: String,
        /// The label.
        label: String,
    },
    /// Put the labels both sides share in another order (the order is part of the type: it
    /// decides how values sort).
    ReorderEnumLabels {
        /// The enum type.
        enum_name: String,
        /// All labels, in the first schema's order.
        from: Vec<String>,
        /// All labels, in the target's order.
        to: Vec<String>,
    },
    /// Create a table.
    CreateTable {
        /// The table's name.
        table: String,
    },
    /// Drop a table the target does not have.
    DropTable {
        /// The table's name.
        table: String,
    },
    /// Add a column; `definition` is e.g. `uuid NOT NULL DEFAULT gen_random_uuid()`.
    AddColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// Its type, `NOT NULL` and default.
        definition: String,
    },
    /// Drop a column the target does not have; `definition` is e.g. `text NOT NULL`.
    DropColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// Its type, `NOT NULL` and generation expression.
        definition: String,
    },
    /// Change a column's type, spelled as `format_type` spells it (`character varying(255)`).
    AlterColumnType {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The type it has.
        from: String,
        /// The type it gets.
        to: String,
    },
    /// Make a nullable column `NOT NULL`.
    SetNotNull {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// Make a `NOT NULL` column nullable.
    DropNotNull {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// Change, set or drop a column's default, spelled as `pg_get_expr` prints it.
    AlterColumnDefault {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The default it has; `None` for none.
        from: Option<String>,
        /// The default it gets; `None` for none.
        to: Option<String>,
    },
    /// Make a generated column (`GENERATED ALWAYS AS (..) STORED`) an ordinary one.
    DropColumnExpression {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The generation expression, as `pg_get_expr` prints it.
        expression: String,
    },
    /// Add the table's primary key.
    AddPrimaryKey {
        /// The table.
        table: String,
        /// The constraint's name.
        name: String,
        /// Its columns, in key order.
        columns: Vec<String>,
    },
    /// Give the table's primary key another name or other columns.
    AlterPrimaryKey {
        /// The table.
        table: String,
        /// The constraint's name now.
        from_name: String,
        /// Its columns now, in key order.
        from_columns: Vec<String>,
        /// The constraint's name in the target.
        to_name: String,
        /// Its columns in the target, in key order.
        to_columns: Vec<String>,
    },
    /// Add a foreign key; `definition` is e.g. `FOREIGN KEY (user_id) REFERENCES users(id)
    /// ON UPDATE NO ACTION ON DELETE CASCADE`.
    AddForeignKey {
        /// The table that holds the key.
        table: String,
        /// The constraint's name.
        name: String,
        /// The key, spelled as above.
        definition: String,
    },
    /// Drop a foreign key the target does not have.
    DropForeignKey {
        /// The table that holds the key.
        table: String,
        /// The constraint's name.
        name: String,
        /// The key, spelled like [`SchemaChange::AddForeignKey`]'s.
        definition: String,
    },
    /// Change a foreign key's ON DELETE action; `from`/`to` are e.g. `CASCADE`.
    AlterForeignKeyOnDelete {
        /// The table that holds the key.
        table: String,
        /// The constraint's name.
        name: String,
        /// The action now.
        from: String,
        /// The action in the target.
        to: String,
    },
    /// Give a foreign key other columns, another referenced table or ON UPDATE action.
    AlterForeignKey {
        /// The table that holds the key.
        table: String,
        /// The constraint's name.
        name: String,
        /// The key now, spelled like [`SchemaChange::AddForeignKey`]'s.
        from: String,
        /// The key in the target.
        to: String,
    },
    /// Create an index; `definition` is e.g. `UNIQUE btree (user_id, started_at DESC)`.
    CreateIndex {
        /// The indexed table.
        table: String,
        /// The index's name.
        name: String,
        /// The index, spelled as above.
        definition: String,
    },
    /// Drop an index the target does not have (indexes that back a primary key or a
    /// constraint go with it).
    DropIndex {
        /// The indexed table.
        table: String,
        /// The index's name.
        name: String,
        /// The index, spelled like [`SchemaChange::CreateIndex`]'s, with its `WHERE`
        /// predicate if partial.
        definition: String,
    },
    /// Give an index another uniqueness, keys, direction, method or predicate.
    AlterIndex {
        /// The indexed table.
        table: String,
        /// The index's name.
        name: String,
        /// The index now, spelled like [`SchemaChange::CreateIndex`]'s.
        from: String,
        /// The index in the target.
        to: String,
    },
    /// Drop a unique, check or exclusion constraint the target does not have.
    DropConstraint {
        /// The table.
        table: String,
        /// The constraint's name.
        name: String,
        /// Its definition, as `pg_get_constraintdef` prints it.
        definition: String,
    },
    /// Drop a view, materialized view, sequence no column owns, trigger, rule, policy or
    /// extension the target does not have; `table` names the table of a trigger, rule or
    /// policy.
    DropObject {
        /// What sort of object it is.
        kind: ObjectKind,
        /// The table a trigger, rule or policy belongs to; `None` for other kinds.
        table: Option<String>,
        /// The object's name.
        name: String,
        /// Its definition; empty for an extension or a sequence.
        definition: String,
    },
    /// Make an object or set a table setting that a carried migration makes (see
    /// [`crate::model::Schema::with_carried_from`]) and the first schema lacks, or holds with
    /// another definition.
    RestoreCarried {
        /// What sort of object it is.
        kind: ObjectKind,
        /// The table a trigger, rule, policy or setting belongs to; `None` for other kinds.
        table: Option<String>,
        /// The object's name (a setting's SQL, e.g. `ENABLE ROW LEVEL SECURITY`).
        name: String,
        /// Its definition as the carried migration makes it; empty for a setting.
        definition: String,
        /// True when the first schema holds it with another definition.
        differs: bool,
    },
    /// Install an extension (the migrations install `pgcrypto`).
    CreateExtension {
        /// The extension's name.
        name: String,
    },
    /// Disable row-level security (`forced`: it is also forced on the table's owner).
    DisableRowLevelSecurity {
        /// The table.
        table: String,
        /// True when it is forced, so it applies to the table's owner too.
        forced: bool,
    },
    /// Make an `UNLOGGED` table (emptied after a crash, never replicated) logged.
    SetLogged {
        /// The table.
        table: String,
    },
    /// Add a unique, check or exclusion constraint the target declares.
    AddConstraint {
        /// The table.
        table: String,
        /// The constraint's name.
        name: String,
        /// Its definition, as `pg_get_constraintdef` prints it.
        definition: String,
    },
    /// Make a column an identity column, another kind of one, or a plain one.
    AlterColumnIdentity {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// `ALWAYS`, `BY DEFAULT`, or `None` for no identity, in the target.
        to: Option<&'static str>,
        /// The same, where the change starts.
        from: Option<&'static str>,
    },
    /// Give a column another collation, or generate it from another expression.
    AlterColumnDefinition {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// What differs: `collation` or `generation expression`.
        what: &'static str,
        /// Its value in the target, as PostgreSQL prints it; `none` for none.
        to: String,
        /// Its value where the change starts.
        from: String,
    },
    /// Partition a table otherwise, or make it a partition of another (or neither).
    AlterPartitioning {
        /// The table.
        table: String,
        /// `PARTITION BY ..` or `PARTITION OF ..` in the target; `none` for a plain table.
        to: String,
        /// The same, where the change starts.
        from: String,
    },
    /// Give a table its default replica identity (the primary key) back.
    ResetReplicaIdentity {
        /// The table.
        table: String,
        /// What it has: `FULL`, `NOTHING` or `USING INDEX ..`.
        identity: String,
    },
    /// Give a column its type's default collation back.
    ResetColumnCollation {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The collation it has.
        collation: String,
    },
    /// Build again an index a failed `CREATE INDEX CONCURRENTLY` left INVALID: writes
    /// maintain it, queries never use it.
    RebuildIndex {
        /// The indexed table.
        table: String,
        /// The index's name.
        name: String,
    },
    /// Validate a foreign key or check added `NOT VALID`: existing rows were not checked.
    ValidateConstraint {
        /// The table.
        table: String,
        /// The constraint's name.
        name: String,
        /// Its definition, ending in `NOT VALID`.
        definition: String,
    },
    /// Drop a validated foreign key or check and add it again `NOT VALID`, as the target
    /// declares it (`not_valid`).
    AddNotValid {
        /// The table.
        table: String,
        /// The constraint's name.
        name: String,
        /// Its definition, without `NOT VALID`.
        definition: String,
    },
    /// Grant privileges on a table to a role (or `PUBLIC`).
    Grant {
        /// The table.
        table: String,
        /// The role, or `PUBLIC`.
        grantee: String,
        /// `SELECT`, `INSERT`, .. or `ALL`.
        privileges: Vec<String>,
    },
    /// Revoke privileges on a table the target does not grant.
    Revoke {
        /// The table.
        table: String,
        /// The role, or `PUBLIC`.
        grantee: String,
        /// `SELECT`, `INSERT`, .. or `ALL`.
        privileges: Vec<String>,
    },
    /// Give a table another owner.
    SetOwner {
        /// The table.
        table: String,
        /// The owner in the target.
        to: String,
        /// The owner where the change starts; `None` for the role that runs the migrations.
        from: Option<String>,
    },
    /// Make a `DEFERRABLE` constraint `NOT DEFERRABLE`: checked per statement again.
    SetNotDeferrable {
        /// The table.
        table: String,
        /// The constraint's name.
        name: String,
        /// True when it is `INITIALLY DEFERRED`.
        initially_deferred: bool,
    },
}

/// What kind of object a [`SchemaChange::DropObject`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    /// A view.
    View,
    /// A materialized view.
    MaterializedView,
    /// A sequence no column owns.
    Sequence,
    /// A trigger on a table.
    Trigger,
    /// A rewrite rule on a table.
    Rule,
    /// A row-level security policy on a table.
    Policy,
    /// An extension other than `pgcrypto` and the built-in `plpgsql`.
    Extension,
    /// A function or procedure of the schema (not an extension's).
    Function,
    /// A domain of the schema.
    Domain,
    /// An event trigger (database-wide).
    EventTrigger,
    /// A table's setting: row-level security, UNLOGGED, a replica identity, storage
    /// parameters.
    Setting,
    /// A comment on a table (named by the table) or on a column (named by the column).
    Comment,
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ObjectKind::View => "view",
            ObjectKind::MaterializedView => "materialized view",
            ObjectKind::Sequence => "sequence",
            ObjectKind::Trigger => "trigger",
            ObjectKind::Rule => "rule",
            ObjectKind::Policy => "policy",
            ObjectKind::Extension => "extension",
            ObjectKind::Function => "function",
            ObjectKind::Domain => "domain",
            ObjectKind::EventTrigger => "event trigger",
            ObjectKind::Setting => "setting",
            ObjectKind::Comment => "comment",
        })
    }
}

impl SchemaChange {
    /// Whether `generate` can write this change: the kinds a schema in code declares. The
    /// others (views, triggers, collations...) are told, never planned.
    pub fn can_be_generated(&self) -> bool {
        use SchemaChange as C;
        // A table attached to a parent, detached, or moved to other bounds is written;
        // partitioning a table that exists (or differently) is not: PostgreSQL cannot.
        if let C::AlterPartitioning { to, from, .. } = self {
            let partitioned = |p: &str| p.starts_with(crate::model::PARTITION_BY);
            return !partitioned(to) && !partitioned(from);
        }
        !matches!(
            self,
            C::AlterColumnDefinition { .. }
                | C::ResetReplicaIdentity { .. }
                | C::DropObject { .. }
                | C::RestoreCarried { .. }
                | C::DisableRowLevelSecurity { .. }
                | C::SetLogged { .. }
                | C::ResetColumnCollation { .. }
                | C::RebuildIndex { .. }
                | C::SetNotDeferrable { .. }
                | C::DropColumnExpression { .. }
        )
    }
}

impl SchemaChange {
    /// Whether the change is to objects and settings only carried migrations make (see
    /// [`crate::model::Schema::with_carried_from`]): between two snapshots it is the work of
    /// such a migration, never a change `generate` refuses.
    pub fn is_carried(&self) -> bool {
        use SchemaChange as C;
        matches!(
            self,
            C::DropObject { .. }
                | C::RestoreCarried { .. }
                | C::DisableRowLevelSecurity { .. }
                | C::SetLogged { .. }
                | C::ResetReplicaIdentity { .. }
        )
    }
}

/// A grantee as a change names it: `PUBLIC` bare, a role quoted.
fn role(grantee: &str) -> String {
    if grantee == crate::model::PUBLIC_GRANTEE {
        grantee.to_string()
    } else {
        format!("role `{grantee}`")
    }
}

/// The last words of a change that removes what the target does not have.
const NOT_IN_TARGET: &str = "the code does not have it";

impl fmt::Display for SchemaChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SchemaChange as C;
        match self {
            C::CreateEnum { name, labels } => {
                write!(f, "create enum type `{name}` ({})", labels.join(", "))
            }
            C::DropEnum { name, labels } => write!(
                f,
                "drop enum type `{name}` ({}): {NOT_IN_TARGET}",
                labels.join(", ")
            ),
            C::AddEnumLabel { enum_name, label } => {
                write!(f, "add label `{label}` to enum type `{enum_name}`")
            }
            C::RemoveEnumLabel { enum_name, label } => write!(
                f,
                "remove label `{label}` from enum type `{enum_name}`: {NOT_IN_TARGET}"
            ),
            C::ReorderEnumLabels {
                enum_name,
                from,
                to,
            } => write!(
                f,
                "reorder the labels of enum type `{enum_name}` from ({}) to ({})",
                from.join(", "),
                to.join(", ")
            ),
            C::CreateTable { table } => write!(f, "create table `{table}`"),
            C::DropTable { table } => write!(f, "drop table `{table}`: {NOT_IN_TARGET}"),
            C::AddColumn {
                table,
                column,
                definition,
            } => write!(f, "add column `{table}.{column}` ({definition})"),
            C::DropColumn {
                table,
                column,
                definition,
            } => write!(
                f,
                "drop column `{table}.{column}` ({definition}): {NOT_IN_TARGET}"
            ),
            C::AlterColumnType {
                table,
                column,
                from,
                to,
            } => write!(
                f,
                "change the type of column `{table}.{column}` from `{from}` to `{to}`"
            ),
            C::SetNotNull { table, column } => {
                write!(
                    f,
                    "make column `{table}.{column}` NOT NULL (it is nullable)"
                )
            }
            C::DropNotNull { table, column } => {
                write!(
                    f,
                    "make column `{table}.{column}` nullable (it is NOT NULL)"
                )
            }
            C::AlterColumnDefault {
                table,
                column,
                from,
                to,
            } => {
                let show = |d: &Option<String>| {
                    d.as_ref()
                        .map_or_else(|| "no default".to_string(), |d| format!("DEFAULT {d}"))
                };
                write!(
                    f,
                    "change the default of column `{table}.{column}` from {} to {}",
                    show(from),
                    show(to)
                )
            }
            C::DropColumnExpression {
                table,
                column,
                expression,
            } => write!(
                f,
                "make column `{table}.{column}` an ordinary column: it is generated \
                 (GENERATED ALWAYS AS ({expression}) STORED)"
            ),
            C::AddPrimaryKey {
                table,
                name,
                columns,
            } => write!(
                f,
                "add primary key `{name}` ({}) to table `{table}`",
                columns.join(", ")
            ),
            C::AlterPrimaryKey {
                table,
                from_name,
                from_columns,
                to_name,
                to_columns,
            } => write!(
                f,
                "change the primary key of table `{table}` from `{from_name}` ({}) to \
                 `{to_name}` ({})",
                from_columns.join(", "),
                to_columns.join(", ")
            ),
            C::AddForeignKey {
                table,
                name,
                definition,
            } => write!(
                f,
                "add foreign key `{name}` ({definition}) to table `{table}`"
            ),
            C::DropForeignKey {
                table,
                name,
                definition,
            } => write!(
                f,
                "drop foreign key `{name}` ({definition}) of table `{table}`: {NOT_IN_TARGET}"
            ),
            C::AlterForeignKeyOnDelete {
                table,
                name,
                from,
                to,
            } => write!(
                f,
                "change foreign key `{name}` of table `{table}` from ON DELETE {from} to \
                 ON DELETE {to}"
            ),
            C::AlterForeignKey {
                table,
                name,
                from,
                to,
            } => write!(
                f,
                "change foreign key `{name}` of table `{table}` from `{from}` to `{to}`"
            ),
            C::CreateIndex {
                table,
                name,
                definition,
            } => write!(f, "create index `{name}` on table `{table}` ({definition})"),
            C::DropIndex {
                table,
                name,
                definition,
            } => write!(
                f,
                "drop index `{name}` ({definition}) of table `{table}`: {NOT_IN_TARGET}"
            ),
            C::AlterIndex {
                table,
                name,
                from,
                to,
            } => write!(
                f,
                "change index `{name}` of table `{table}` from `{from}` to `{to}`"
            ),
            C::DropConstraint {
                table,
                name,
                definition,
            } => write!(
                f,
                "drop constraint `{name}` ({definition}) of table `{table}`: {NOT_IN_TARGET}"
            ),
            C::DropObject {
                kind,
                table,
                name,
                definition,
            } => {
                write!(f, "drop {kind} `{name}`")?;
                if !definition.is_empty() {
                    write!(f, " ({definition})")?;
                }
                if let Some(table) = table {
                    write!(f, " of table `{table}`")?;
                }
                write!(f, ": {NOT_IN_TARGET}, no migration makes it")
            }
            C::RestoreCarried {
                kind: ObjectKind::Setting,
                table,
                name,
                definition,
                ..
            } => {
                write!(f, "set {name}")?;
                if !definition.is_empty() {
                    write!(f, " ({definition})")?;
                }
                write!(
                    f,
                    " on table `{}`: a carried migration sets it, and it is not set so",
                    table.as_deref().unwrap_or_default()
                )
            }
            C::RestoreCarried {
                kind,
                table,
                name,
                definition,
                differs,
            } => {
                let on = table
                    .as_ref()
                    .map(|t| format!(" of table `{t}`"))
                    .unwrap_or_default();
                if *differs {
                    write!(
                        f,
                        "give {kind} `{name}`{on} the definition a carried migration makes \
                         ({definition}): it has another"
                    )
                } else {
                    write!(f, "create {kind} `{name}`")?;
                    if !definition.is_empty() {
                        write!(f, " ({definition})")?;
                    }
                    write!(f, "{on}: a carried migration makes it, and it is missing")
                }
            }
            C::CreateExtension { name } => write!(
                f,
                "create extension `{name}`, which the migrations install (CREATE EXTENSION IF \
                 NOT EXISTS {})",
                crate::sql::quote_ident(name)
            ),
            C::DisableRowLevelSecurity { table, forced } => write!(
                f,
                "disable row-level security on table `{table}` (it is {}; the code declares \
                 none)",
                if *forced {
                    "enabled and forced"
                } else {
                    "enabled"
                }
            ),
            C::Grant {
                table,
                grantee,
                privileges,
            } => write!(
                f,
                "grant {} on table `{table}` to {}",
                privileges.join(", "),
                role(grantee)
            ),
            C::Revoke {
                table,
                grantee,
                privileges,
            } => write!(
                f,
                "revoke {} on table `{table}` from {}: the code does not grant it",
                privileges.join(", "),
                role(grantee)
            ),
            C::SetOwner { table, to, from } => {
                write!(f, "make role `{to}` the owner of table `{table}`")?;
                match from {
                    Some(from) => write!(f, " (it is owned by `{from}`)"),
                    None => Ok(()),
                }
            }
            C::SetLogged { table } => write!(
                f,
                "make table `{table}` logged: it is UNLOGGED (emptied after a crash, not \
                 replicated)"
            ),
            C::AddConstraint {
                table,
                name,
                definition,
            } => write!(
                f,
                "add constraint `{name}` ({definition}) to table `{table}`"
            ),
            C::AlterColumnIdentity {
                table,
                column,
                to,
                from,
            } => {
                let word = |i: &Option<&str>| match i {
                    Some(kind) => format!("GENERATED {kind} AS IDENTITY"),
                    None => "no identity".to_string(),
                };
                write!(
                    f,
                    "make column `{table}.{column}` {} instead of {}",
                    word(to),
                    word(from)
                )
            }
            C::AlterColumnDefinition {
                table,
                column,
                what,
                to,
                from,
            } => write!(
                f,
                "change the {what} of column `{table}.{column}` to {to} from {from}"
            ),
            C::AlterPartitioning { table, to, from } => {
                write!(
                    f,
                    "change the partitioning of table `{table}` to {to} from {from}"
                )?;
                if !self.can_be_generated() {
                    f.write_str(
                        ": PostgreSQL cannot partition a table that exists or change its \
                         partition key; create the new table and move the rows over in a \
                         custom migration",
                    )?;
                }
                Ok(())
            }
            C::ResetReplicaIdentity { table, identity } => write!(
                f,
                "give table `{table}` its default replica identity (its primary key) instead of \
                 REPLICA IDENTITY {identity}: no migration sets it"
            ),
            C::ResetColumnCollation {
                table,
                column,
                collation,
            } => write!(
                f,
                "give column `{table}.{column}` its type's default collation instead of \
                 collation `{collation}`"
            ),
            C::RebuildIndex { table, name } => write!(
                f,
                "rebuild index `{name}` of table `{table}`: it is INVALID (what a failed \
                 CREATE INDEX CONCURRENTLY leaves) and queries do not use it; drop it and \
                 create it again"
            ),
            C::ValidateConstraint {
                table,
                name,
                definition,
            } => write!(
                f,
                "validate constraint `{name}` ({definition}) of table `{table}`: existing rows \
                 were never checked (ALTER TABLE .. VALIDATE CONSTRAINT checks them)"
            ),
            C::AddNotValid {
                table,
                name,
                definition,
            } => write!(
                f,
                "add constraint `{name}` ({definition}) of table `{table}` again NOT VALID, as \
                 the code declares it (`not_valid`): it is validated (to keep it validated, take \
                 `not_valid` off the code)"
            ),
            C::SetNotDeferrable {
                table,
                name,
                initially_deferred,
            } => write!(
                f,
                "make constraint `{name}` of table `{table}` NOT DEFERRABLE: it is DEFERRABLE{}",
                if *initially_deferred {
                    " INITIALLY DEFERRED"
                } else {
                    ""
                }
            ),
        }
    }
}
