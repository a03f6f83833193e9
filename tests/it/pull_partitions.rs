//! `pull` on a database made by hand with a partitioned table, its partitions (one of them
//! the DEFAULT one) and `NOT VALID` constraints: the crate it writes adopts the original
//! (the catalog proves it is the initial migration's schema) and verifies it clean, and an
//! empty database migrated by it is the original to `pg_dump --schema-only`'s eye. Slow:
//! builds the crate.

use crate::pull::schema_dump;
use crate::support::cargo_crate::{self, Ran};
use schema_core::pull::{Dependency, PullOptions};
use schema_core::testing::TestDatabase;

const DDL: &str = "
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL
);
ALTER TABLE customers ADD CONSTRAINT customers_name_set CHECK (name <> '') NOT VALID;
CREATE TABLE payments (
    id bigserial NOT NULL,
    customer_id bigint NOT NULL,
    paid_at timestamptz NOT NULL,
    amount integer NOT NULL,
    CONSTRAINT payments_pkey PRIMARY KEY (paid_at, id)
) PARTITION BY RANGE (paid_at);
CREATE TABLE payments_2024 PARTITION OF payments
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE payments_rest PARTITION OF payments DEFAULT;
CREATE INDEX payments_2024_customer_idx ON payments_2024 (customer_id);
CREATE TABLE refunds (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL
);
ALTER TABLE refunds ADD CONSTRAINT refunds_customer_id_customers_id_fk FOREIGN KEY (customer_id)
    REFERENCES customers (id) ON DELETE CASCADE NOT VALID;
";

#[tokio::test(flavor = "multi_thread")]
async fn partitions_and_not_valid_constraints_are_pulled_adopted_and_rebuilt_identically() {
    let original = TestDatabase::create().await.unwrap();
    original
        .connect()
        .await
        .unwrap()
        .batch_execute(DDL)
        .await
        .unwrap();
    let dir = cargo_crate::crate_dir("pull-partitions");
    let _ = std::fs::remove_dir_all(&dir);
    let options = PullOptions {
        out: dir.clone(),
        schema_core: Dependency::Path(cargo_crate::schema_core_path()),
        force: false,
    };
    let db = schema_core::DatabaseConfig::from_url(&original.url()).unwrap();
    let report = schema_core::pull::pull(&db, "public", &options)
        .await
        .expect("pull");
    cargo_crate::lock_like_the_checkout(&dir);
    let code = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    for expected in [
        "#[table(partition_by = \"RANGE (paid_at)\")]",
        "#[table(name = \"payments_2024\", partition_of = \"payments\", for_values = \"FROM ('2024-01-01 00:00:00+00') TO ('2025-01-01 00:00:00+00')\")]",
        "partition_of = \"payments\", for_values = \"DEFAULT\"",
        "#[check(name = \"customers_name_set\", sql = \"(name <> ''::text)\", not_valid)]",
        "on_delete = cascade, not_valid)]",
    ] {
        assert!(code.contains(expected), "`{expected}` in:\n{code}\n{report}");
    }
    let target = cargo_crate::target_dir().join("user-crates");
    let steps = [
        "cargo run --quiet --bin migrate -- adopt --through 0000",
        "cargo run --quiet --bin migrate -- verify",
    ];
    let ran: Vec<Ran> = steps
        .iter()
        .map(|s| cargo_crate::run(&dir, s, &original.url(), &target))
        .collect();
    for r in &ran {
        assert!(r.ok, "{}\n--- src/lib.rs ---\n{code}", r.log);
    }
    let rebuilt = TestDatabase::create().await.unwrap();
    let ran = cargo_crate::run(
        &dir,
        "cargo run --quiet --bin migrate",
        &rebuilt.url(),
        &target,
    );
    assert!(ran.ok, "{}\n--- src/lib.rs ---\n{code}", ran.log);
    assert_eq!(schema_dump(&original.url()), schema_dump(&rebuilt.url()));
}
