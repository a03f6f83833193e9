use chrono::{DateTime, Utc};
use schema_core::model::ColumnDefault;
use schema_core::{pg_enum, table, OnDelete, PgEnum, Table};
use uuid::Uuid;

#[pg_enum(name = "node_state", renamed_from = "node_status")]
pub enum State {
    Fresh,
    #[pg_enum(rename = "in_use", renamed_from = "used")]
    Busy,
}

#[table(name = "nodes", renamed_from = "tree_nodes")]
pub struct Node {
    #[primary_key]
    pub id: Uuid,
    // A key to the same table, written with `Self`.
    #[foreign_key(references = Self::id, on_delete = set_null)]
    pub parent_id: Option<Uuid>,
    #[column(default = "fresh")]
    pub state: State,
    #[column(default = "fresh")]
    pub maybe_state: Option<State>,
    #[column(default = -1)]
    pub depth: i16,
    #[column(default = true)]
    pub visible: bool,
    #[column(default = "untitled", name = "title", renamed_from = "label")]
    pub heading: String,
    #[column(default = now)]
    pub created_at: DateTime<Utc>,
}

#[table(name = "external_refs")]
pub struct ExternalRef {
    #[primary_key(natural)]
    #[column(varchar = 255)]
    pub id: String,
    #[foreign_key(references = Node::id, on_delete = no_action)]
    pub node_id: Uuid,
}

#[table(name = "node_links")]
#[primary_key(from_id, to_id)]
pub struct NodeLink {
    #[foreign_key(references = Node::id, on_delete = restrict)]
    pub from_id: Uuid,
    #[foreign_key(references = Node::id, on_delete = cascade)]
    pub to_id: Uuid,
}

// SET DEFAULT needs a default on the referencing column.
#[table(name = "external_notes")]
pub struct ExternalNote {
    #[primary_key]
    pub id: Uuid,
    #[foreign_key(references = ExternalRef::id, on_delete = set_default)]
    #[column(varchar = 255, default = "unknown")]
    pub ref_id: String,
}

fn main() {
    let note = ExternalNote::TABLE;
    assert_eq!(note.foreign_keys[0].on_delete, OnDelete::SetDefault);
    assert_eq!(State::ENUM.name, "node_state");
    assert_eq!(State::Busy.label(), "in_use");
    assert_eq!(State::ENUM.renamed_labels[0].from, "used");
    let node = Node::TABLE;
    let state = node.column("state").unwrap();
    assert_eq!(state.default, Some(ColumnDefault::EnumLabel("fresh".into())));
    let title = node.column("title").unwrap();
    assert_eq!(title.default, Some(ColumnDefault::Text("untitled".into())));
    assert_eq!(Node::TABLE.foreign_keys[0].references_table, "nodes");
    assert_eq!(NodeLink::TABLE.primary_key_name(), "node_links_from_id_to_id_pk");
}
