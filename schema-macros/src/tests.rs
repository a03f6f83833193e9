//! Snapshots of what the macros expand to, read through `prettyplease`.

use quote::quote;

fn pretty(tokens: proc_macro2::TokenStream) -> String {
    let file: syn::File = syn::parse2(tokens).expect("expansion parses as a file");
    prettyplease::unparse(&file)
}

#[test]
fn table_expansion() {
    let out = crate::table_inner(
        quote!(name = "attempts"),
        quote! {
            #[index(name = "attempts_user_answered_at_idx", on(user_id, answered_at(desc)))]
            #[derive(Debug)]
            pub struct Attempt {
                #[primary_key]
                pub id: Uuid,
                #[foreign_key(references = User::id, on_delete = cascade)]
                pub user_id: Uuid,
                #[foreign_key(references = Choice::id, on_delete = set_null)]
                pub selected_choice_id: Option<Uuid>,
                #[column(default = 0)]
                pub time_spent_seconds: i32,
                #[column(default = now)]
                pub answered_at: DateTime<Utc>,
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn composite_key_expansion() {
    let out = crate::table_inner(
        quote!(name = "question_tags"),
        quote! {
            #[primary_key(question_id, tag_id)]
            pub struct QuestionTag {
                #[foreign_key(references = Question::id, on_delete = cascade)]
                pub question_id: Uuid,
                #[foreign_key(references = Tag::id, on_delete = cascade)]
                pub tag_id: Uuid,
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

/// Every attribute of the schema language beyond the defaults: the descriptor holds the
/// values the catalog reader reads from the database the migrations make.
#[test]
fn language_expansion() {
    let out = crate::table_inner(
        quote!(name = "orders"),
        quote! {
            #[unique(on(customer_id, placed_at), nulls_not_distinct)]
            #[check(name = "orders_total_positive", sql = "(total > (0)::numeric)")]
            #[index(name = "orders_note_trgm_idx", on(note(opclass = "gin_trgm_ops")), using = gin)]
            #[index(name = "orders_open_idx", on(placed_at(desc)), predicate = "(closed_at IS NULL)", include(total))]
            #[index(name = "orders_lower_ref_idx", on(sql = "lower(reference)"))]
            pub struct Order {
                #[primary_key(serial, name = "orders_id")]
                pub id: i64,
                #[foreign_key(references = Customer::id, on_delete = cascade, on_update = cascade, name = "orders_customer")]
                pub customer_id: i64,
                #[column(sql_type = "numeric(10, 2)")]
                pub total: Numeric,
                #[column(without_time_zone, default_sql = "CURRENT_TIMESTAMP")]
                pub placed_at: NaiveDateTime,
                #[column(sql_type = "timestamp", without_time_zone)]
                pub closed_at: Option<NaiveDateTime>,
                #[column(varchar, unique(name = "orders_reference_key"), collate = "C")]
                pub reference: String,
                #[column(identity = by_default)]
                pub position: i32,
                #[column(generated = "(total * (2)::numeric)", sql_type = "numeric")]
                pub doubled: Option<Numeric>,
                pub note: Option<String>,
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

/// A table with no key on purpose, and a composite key under a name of its own.
#[test]
fn keyless_and_named_key_expansion() {
    let out = crate::table_inner(
        quote!(name = "events", no_primary_key),
        quote! {
            pub struct Event {
                pub payload: Vec<u8>,
                pub peer: std::net::IpAddr,
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

/// A foreign key over two columns, on the struct: each column's type is checked against the
/// column it references.
#[test]
fn composite_foreign_key_expansion() {
    let out = crate::table_inner(
        quote!(name = "line_notes"),
        quote! {
            #[foreign_key(
                columns(order_id, line),
                references = OrderLine(order_id, line),
                on_delete = cascade,
                on_update = set_null
            )]
            pub struct LineNote {
                #[primary_key]
                pub id: Uuid,
                pub order_id: Option<i32>,
                pub line: Option<i16>,
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

/// Constraint names are unique within a table; a unique constraint's index shares the
/// indexes' namespace (a check's name does not).
#[test]
fn constraint_names_clash_with_each_other_and_with_indexes() {
    let out = crate::table_inner(
        quote!(name = "t"),
        quote! {
            #[unique(on(a), name = "t_a_key")]
            #[check(name = "t_a_key", sql = "(a > 0)")]
            #[check(name = "t_c_idx", sql = "(a < 9)")]
            #[index(name = "t_b_key", on(a))]
            #[index(name = "t_c_idx", on(b))]
            pub struct T {
                #[primary_key]
                pub id: Uuid,
                pub a: i32,
                #[column(unique(name = "t_b_key"))]
                pub b: i32,
            }
        },
    )
    .to_string();
    assert!(
        out.contains("the constraint `t_a_key` is declared twice in the table `t`"),
        "{out}"
    );
    assert!(
        out.contains("the index `t_b_key` is declared twice in the table `t`"),
        "{out}"
    );
    assert!(!out.contains("`t_c_idx` is declared twice"), "{out}");
}

#[test]
fn enum_expansion() {
    let out = crate::pg_enum_inner(
        quote!(name = "stripe_subscription_status"),
        quote! {
            #[derive(Serialize)]
            pub enum SubscriptionStatus {
                Incomplete,
                IncompleteExpired,
                #[pg_enum(rename = "past_due", renamed_from = "overdue")]
                PastDue,
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

/// A table with mistakes still emits the struct, its column consts and stand-in impls, next
/// to one error per mistake.
#[test]
fn table_with_errors_expansion() {
    let out = crate::table_inner(
        quote!(name = "posts"),
        quote! {
            pub struct Post {
                #[column(colour = "red")]
                pub id: Uuid,
                #[foreign_key(references = User::id)]
                pub user_id: Uuid,
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn enum_with_data_expansion() {
    let out = crate::pg_enum_inner(
        quote!(),
        quote! {
            pub enum Shape { Circle(f64), Point }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

/// `embed_migrations!` judges names by the runner's rule: migrations and downs are embedded,
/// tools' copies and other files left out, and a misnamed migration stops the build, saying
/// what to rename it to.
#[test]
fn embedded_files_are_chosen_by_the_runners_rule() {
    let dir = std::env::temp_dir().join(format!("schema-embed-macro-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["0000_a.sql", "0000_a.down.sql", "README.md", ".#0000_a.sql"] {
        std::fs::write(dir.join(name), "SELECT 1;").unwrap();
    }
    let path = dir.to_str().unwrap().to_string();
    let out = crate::embed::expand(quote!(#path)).to_string();
    assert!(
        out.contains("\"0000_a.sql\"") && out.contains("\"0000_a.down.sql\""),
        "{out}"
    );
    assert!(
        !out.contains("README") && !out.contains(".#0000_a.sql"),
        "{out}"
    );

    std::fs::write(dir.join("1_b.sql"), "SELECT 1;").unwrap();
    std::fs::write(dir.join("0002_c.SQL"), "SELECT 1;").unwrap();
    let out = crate::embed::expand(quote!(#path)).to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(out.contains("compile_error"), "{out}");
    assert!(out.contains("rename it to `0001_b.sql`"), "{out}");
    assert!(out.contains("rename it to `0002_c.sql`"), "{out}");
}
