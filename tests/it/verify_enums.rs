//! `verify` against real databases: enum types and labels missing, extra or out of order.

use crate::verify_fixture as fixture;

use fixture::{drifts_after, labels, s, sql_with};
use schema_core::diff::SchemaChange;

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_enum_label_is_reported() {
    let report = fixture::verify(&sql_with("'happy', 'calm', 'sad'", "'happy', 'calm'"), "").await;
    assert_eq!(
        report.drifts,
        vec![SchemaChange::AddEnumLabel {
            enum_name: s("mood"),
            label: s("sad"),
        }]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_extra_enum_label_is_reported() {
    let drifts = drifts_after("ALTER TYPE mood ADD VALUE 'angry' BEFORE 'calm'").await;
    assert_eq!(
        drifts,
        vec![SchemaChange::RemoveEnumLabel {
            enum_name: s("mood"),
            label: s("angry"),
        }]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn enum_labels_out_of_order_are_reported() {
    let report = fixture::verify(
        &sql_with("'low', 'mid', 'high'", "'low', 'high', 'mid'"),
        "",
    )
    .await;
    assert_eq!(
        report.drifts,
        vec![SchemaChange::ReorderEnumLabels {
            enum_name: s("level"),
            to: labels(&["low", "mid", "high"]),
            from: labels(&["low", "high", "mid"]),
        }]
    );
    assert_eq!(
        report.drifts[0].to_string(),
        "reorder the labels of enum type `level` from (low, high, mid) to (low, mid, high)"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_enum_type_is_reported_with_the_column_it_took_along() {
    // Dropping a type in use needs CASCADE, which drops the columns of that type too.
    let drifts = drifts_after("DROP TYPE channel CASCADE").await;
    assert_eq!(
        drifts,
        vec![
            SchemaChange::CreateEnum {
                name: s("channel"),
                labels: labels(&["email", "sms"]),
            },
            SchemaChange::AddColumn {
                table: s("post_labels"),
                column: s("channel"),
                definition: s("channel NOT NULL"),
            },
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_extra_enum_type_is_reported() {
    let drifts = drifts_after("CREATE TYPE color AS ENUM ('red', 'blue')").await;
    assert_eq!(
        drifts,
        vec![SchemaChange::DropEnum {
            name: s("color"),
            labels: labels(&["red", "blue"]),
        }]
    );
}
