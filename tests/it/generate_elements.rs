//! The elements real schemas hold beyond the question bank (serial and identity keys, any
//! SQL type, expression defaults, unique and check constraints, named and ON UPDATE foreign
//! keys, partial, gin and INCLUDE indexes with operator classes, a table without a primary
//! key), each added, changed and dropped on a table that holds rows, through `generate` and
//! the runner: every step reaches the catalog of a fresh build, its downs give back the
//! catalog before it, and the changes to live tables take the online forms.

use crate::support::build::*;
use schema_core::catalog;
use schema_core::files::journal::MigrationsDir;
use schema_core::generate::{check, generate, GenerateOptions, Generated};
use schema_core::migrate::{Migrator, RevertOptions};
use schema_core::model::*;
use schema_core::testing::TestDatabase;
use schema_core::DatabaseConfig;
use tokio_postgres::Client;

fn other(name: &str, ty: &str) -> ColumnDef {
    col(name, SqlType::Other(ty.to_string().into()))
}

fn expr(c: ColumnDef, e: &str) -> ColumnDef {
    def(c, ColumnDefault::Expr(e.to_string().into()))
}

fn unique(name: &str, definition: &str) -> ConstraintDef {
    ConstraintDef {
        name: name.to_string().into(),
        kind: ConstraintKind::Unique,
        definition: definition.to_string().into(),
        not_valid: false,
        deferrable: None,
    }
}

fn check_constraint(name: &str, definition: &str) -> ConstraintDef {
    ConstraintDef {
        kind: ConstraintKind::Check,
        ..unique(name, definition)
    }
}

/// Shops with an identity key, items with a serial key, a numeric price, a timestamp
/// without time zone defaulting to CURRENT_TIMESTAMP and a text array.
fn base() -> Schema {
    let mut shops = table(
        "shops",
        vec![
            col("id", SqlType::BigInt),
            other("name", "character varying"),
        ],
    );
    shops.columns.to_mut()[0].identity = Some(Identity::Always);
    let items = fk(
        table(
            "items",
            vec![
                expr(
                    col("id", SqlType::Integer),
                    "nextval('items_id_seq'::regclass)",
                ),
                col("shop_id", SqlType::BigInt),
                col("sku", SqlType::Text),
                def(other("price", "numeric(10,2)"), ColumnDefault::Int(0)),
                expr(
                    other("created_at", "timestamp(3) without time zone"),
                    "CURRENT_TIMESTAMP",
                ),
                expr(other("tags", "text[]"), "'{}'::text[]"),
                null(other("deleted_at", "timestamp without time zone")),
            ],
        ),
        "shop_id",
        "shops",
        OnDelete::Cascade,
    );
    Schema {
        tables: vec![shops, items].into(),
        ..Default::default()
    }
}

fn items(s: &mut Schema) -> &mut TableDef {
    table_mut(s, "items")
}

/// Every element added to the loaded tables.
fn added() -> Schema {
    let mut s = base();
    col_mut(table_mut(&mut s, "shops"), "id").identity = Some(Identity::ByDefault);
    let t = items(&mut s);
    t.constraints = vec![
        check_constraint("items_price_check", "CHECK ((price >= (0)::numeric))"),
        unique("items_sku_unique", "UNIQUE (sku)"),
    ]
    .into();
    let fk = &mut t.foreign_keys.to_mut()[0];
    fk.on_update = OnDelete::Cascade;
    fk.name = Some("items_shop_fkey".into());
    t.primary_key_name = Some("items_pk".into());
    let mut live = IndexDef::new(
        "items_live_idx".into(),
        false,
        vec![IndexColumn::asc("shop_id".into())].into(),
    );
    live.predicate = Some("(deleted_at IS NULL)".into());
    live.include = vec![Name::from("sku")].into();
    let mut tags = IndexDef::new(
        "items_tags_idx".into(),
        false,
        vec![IndexColumn::asc("tags".into())].into(),
    );
    tags.method = Some("gin".into());
    let mut sku = IndexDef::new(
        "items_sku_lower_idx".into(),
        false,
        vec![IndexColumn {
            opclass: Some("text_pattern_ops".into()),
            expression: true,
            ..IndexColumn::asc("lower(sku)".into())
        }]
        .into(),
    );
    sku.method = None;
    t.indexes = vec![live, tags, sku].into();
    let mut log = table("audit_log", vec![col("at", SqlType::TimestampTz)]);
    log.primary_key = PrimaryKey::Composite(Vec::new().into());
    s.tables.to_mut().push(log);
    s
}

/// Each element changed.
fn changed() -> Schema {
    let mut s = added();
    let t = items(&mut s);
    t.constraints = vec![
        check_constraint("items_price_check", "CHECK ((price > (0)::numeric))"),
        unique("items_sku_unique", "UNIQUE NULLS NOT DISTINCT (sku)"),
    ]
    .into();
    t.foreign_keys.to_mut()[0].on_update = OnDelete::NoAction;
    t.indexes.to_mut()[0].predicate = Some("(deleted_at IS NOT NULL)".into());
    col_mut(t, "created_at").default = Some(ColumnDefault::Expr("now()".into()));
    s
}

/// Each element dropped again.
fn dropped() -> Schema {
    let mut s = changed();
    col_mut(table_mut(&mut s, "shops"), "id").identity = None;
    let t = items(&mut s);
    t.constraints = Vec::new().into();
    t.indexes = Vec::new().into();
    t.foreign_keys.to_mut()[0].name = None;
    t.primary_key_name = None;
    s
}

fn options(name: &str) -> GenerateOptions {
    GenerateOptions {
        name: Some(name.into()),
        allow_destructive: true,
        ..Default::default()
    }
}

async fn migrate(dir: &MigrationsDir, client: &Client) {
    if let Err(e) = Migrator::from_dir(dir.root())
        .unwrap()
        .run_on_client(client)
        .await
    {
        panic!("applying {} failed: {e}", dir.root().display());
    }
}

/// A database built from nothing for `schema`, through a migrations folder of its own.
async fn fresh(schema: &Schema) -> Schema {
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = MigrationsDir::new(tmp.path());
    generate(schema, &dir, &options("initial")).unwrap();
    migrate(&dir, &client).await;
    catalog::read(&client, "public").await.unwrap()
}

/// Each step generated on the loaded tables and applied: it reaches the catalog of a fresh
/// build, a second run writes nothing, and its downs, one at a time, give back the catalog
/// before it. Returns the files of each step.
async fn walk(
    dir: &MigrationsDir,
    client: &Client,
    config: &DatabaseConfig,
    steps: Vec<(&str, Schema)>,
) -> Vec<String> {
    let mut written = Vec::new();
    let mut before = catalog::read(client, "public").await.unwrap();
    for (step, schema) in steps {
        let first = Migrator::from_dir(dir.root()).unwrap().migrations().len();
        let generated = generate(&schema, dir, &options(step)).unwrap();
        let files = crate::support::written_sql(dir, &generated).join("\n");
        written.push(files.clone());
        migrate(dir, client).await;
        let migrated = catalog::read(client, "public").await.unwrap();
        let built = fresh(&schema).await;
        assert!(
            migrated == built,
            "{step}: migrated (left) and fresh (right) differ:\n{}",
            catalog::compare(&migrated, &built)
        );
        assert_eq!(
            generate(&schema, dir, &options("again")).unwrap(),
            Generated::UpToDate,
            "{step}: a second run writes nothing"
        );
        assert_eq!(check(&schema, dir).unwrap(), Vec::<String>::new(), "{step}");

        // The step's downs, one at a time, give back the catalog before it.
        let migrator = Migrator::from_dir(dir.root()).unwrap();
        for _ in first..migrator.migrations().len() {
            let revert = RevertOptions {
                allow_destructive: true,
                ..RevertOptions::default()
            };
            if let Err(e) = migrator.revert(config, &revert).await {
                let downs: Vec<String> = (migrator.downs().iter())
                    .map(|d| format!("-- {}\n{}", d.name, d.sql))
                    .collect();
                panic!(
                    "{step}: revert failed: {e}\n{}\n{}",
                    e.help(),
                    downs.join("\n")
                );
            }
        }
        let reverted = catalog::read(client, "public").await.unwrap();
        assert!(
            reverted == before,
            "{step}: reverted (left) and before (right) differ:\n{}",
            catalog::compare(&reverted, &before)
        );
        migrate(dir, client).await;
        before = catalog::read(client, "public").await.unwrap();
        assert!(before == migrated, "{step}: applied again");
    }
    written
}

#[tokio::test(flavor = "multi_thread")]
async fn each_element_is_added_changed_and_dropped_on_a_loaded_table_and_reverted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = MigrationsDir::new(tmp.path());
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    let config = DatabaseConfig::from(db.config().clone());

    generate(&base(), &dir, &options("initial")).unwrap();
    let initial = dir.sql("0000_initial").unwrap();
    for expected in [
        "\"id\" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY NOT NULL",
        "\"id\" serial PRIMARY KEY NOT NULL",
        "\"price\" numeric(10,2) DEFAULT 0 NOT NULL",
        "\"created_at\" timestamp(3) without time zone DEFAULT CURRENT_TIMESTAMP NOT NULL",
        "\"tags\" text[] DEFAULT '{}'::text[] NOT NULL",
    ] {
        assert!(initial.contains(expected), "`{expected}` in:\n{initial}");
    }
    migrate(&dir, &client).await;
    assert_eq!(
        catalog::read(&client, "public").await.unwrap(),
        fresh(&base()).await
    );
    client
        .batch_execute(
            "INSERT INTO shops (name) VALUES ('one');
             INSERT INTO items (shop_id, sku, price, tags)
               SELECT 1, 'sku-' || g, g, ARRAY['a'] FROM generate_series(1, 500) g;",
        )
        .await
        .unwrap();

    let written = walk(
        &dir,
        &client,
        &config,
        vec![
            ("added", added()),
            ("changed", changed()),
            ("dropped", dropped()),
        ],
    )
    .await;
    let files = &written[0];
    // On the live table: the check NOT VALID then validated, the unique constraint
    // over an index built concurrently, the indexes built concurrently.
    for expected in [
            "ADD CONSTRAINT \"items_price_check\" CHECK ((price >= (0)::numeric)) NOT VALID;",
            "VALIDATE CONSTRAINT \"items_price_check\";",
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"items_sku_unique\" ON \"items\" USING btree (sku);",
            "ADD CONSTRAINT \"items_sku_unique\" UNIQUE USING INDEX \"items_sku_unique\";",
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS \"items_live_idx\" ON \"items\" USING btree (\"shop_id\") INCLUDE (\"sku\") WHERE (deleted_at IS NULL);",
            "USING gin (\"tags\")",
            "USING btree (lower(sku) text_pattern_ops)",
            "ALTER COLUMN \"id\" SET GENERATED BY DEFAULT;",
            "RENAME CONSTRAINT \"items_pkey\" TO \"items_pk\";",
            "ON DELETE cascade ON UPDATE cascade",
            "CREATE TABLE \"audit_log\" (\n\t\"at\" timestamp with time zone NOT NULL\n);",
        ] {
            assert!(files.contains(expected), "added: `{expected}` in:\n{files}");
        }
    assert!(!files.contains("PRIMARY KEY()"), "{files}");
    let rows: i64 = client
        .query_one("SELECT count(*) FROM items", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 500, "no row lost on the way");
}

/// `verify` speaks of each element: a database without the constraint, with another
/// identity or without the partitioning the code has is reported, not read as clean.
#[tokio::test(flavor = "multi_thread")]
async fn verify_reports_each_element_the_database_lacks() {
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = MigrationsDir::new(tmp.path());
    generate(&base(), &dir, &options("initial")).unwrap();
    migrate(&dir, &client).await;
    let found = catalog::read(&client, "public").await.unwrap();
    let lines: Vec<String> = schema_core::diff::changes(&found, &added())
        .iter()
        .map(|c| c.to_string())
        .collect();
    for expected in [
        "add constraint `items_price_check` (CHECK ((price >= (0)::numeric))) to table `items`",
        "add constraint `items_sku_unique` (UNIQUE (sku)) to table `items`",
        "make column `shops.id` GENERATED BY DEFAULT AS IDENTITY instead of GENERATED ALWAYS AS IDENTITY",
    ] {
        assert!(
            lines.iter().any(|l| l == expected),
            "`{expected}` in {lines:#?}"
        );
    }
    assert!(
        lines.iter().any(|l| l.contains("items_live_idx")),
        "{lines:#?}"
    );
}

/// A unique constraint added to a live table and a foreign key to its column in the same
/// change: the key needs the constraint first, so the constraint stays in the transaction
/// (listed as a hazard) instead of being built concurrently after the key.
#[tokio::test(flavor = "multi_thread")]
async fn a_foreign_key_to_a_new_unique_constraint_on_a_live_table_applies() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = MigrationsDir::new(tmp.path());
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    generate(&base(), &dir, &options("initial")).unwrap();
    migrate(&dir, &client).await;
    client
        .batch_execute(
            "INSERT INTO shops (name) VALUES ('one');
             INSERT INTO items (shop_id, sku) SELECT 1, 'sku-' || g FROM generate_series(1, 50) g;",
        )
        .await
        .unwrap();
    let mut next = base();
    items(&mut next).constraints = vec![unique("items_sku_unique", "UNIQUE (sku)")].into();
    let notes = fk_to(
        table("notes", vec![uuid_pk(), col("sku", SqlType::Text)]),
        "sku",
        "items",
        "sku",
        OnDelete::Cascade,
    );
    next.tables.to_mut().push(notes);
    let report = schema_core::generate::generate_report(&next, &dir, &options("notes")).unwrap();
    let hazards: Vec<&str> = report.hazards.iter().map(|(_, h)| h.work).collect();
    assert_eq!(
        hazards,
        ["scanned to build the constraint's unique index"],
        "{report}"
    );
    let files = crate::support::written_sql(&dir, &report.generated).join("\n");
    let constraint = files
        .find("ADD CONSTRAINT \"items_sku_unique\" UNIQUE (sku);")
        .unwrap_or_else(|| panic!("{files}"));
    let key = files.find("FOREIGN KEY (\"sku\")").unwrap();
    assert!(constraint < key, "{files}");
    migrate(&dir, &client).await;
    let migrated = catalog::read(&client, "public").await.unwrap();
    let built = fresh(&next).await;
    assert!(migrated == built, "{}", catalog::compare(&migrated, &built));
}

/// The tables of `base()`, migrated and loaded with rows, in a database of their own.
async fn loaded_base(dir: &MigrationsDir) -> (TestDatabase, Client, DatabaseConfig) {
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    let config = DatabaseConfig::from(db.config().clone());
    generate(&base(), dir, &options("initial")).unwrap();
    migrate(dir, &client).await;
    client
        .batch_execute(
            "INSERT INTO shops (name) VALUES ('one');
             INSERT INTO items (shop_id, sku, price) SELECT 1, 'sku-' || g, g
               FROM generate_series(1, 200) g;",
        )
        .await
        .unwrap();
    (db, client, config)
}

/// `base()` with a check added NOT VALID and its foreign key declared NOT VALID.
fn not_valid() -> Schema {
    let mut s = base();
    let t = items(&mut s);
    t.constraints = vec![ConstraintDef {
        not_valid: true,
        ..check_constraint("items_price_check", "CHECK ((price >= (0)::numeric))")
    }]
    .into();
    t.foreign_keys.to_mut()[0].not_valid = true;
    s
}

/// `not_valid` is added as such (the key dropped and added again NOT VALID), taking it off
/// validates in place, and each step's down gives back the catalog before it.
#[tokio::test(flavor = "multi_thread")]
async fn not_valid_checks_and_keys_are_added_validated_and_dropped_on_a_loaded_table() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = MigrationsDir::new(tmp.path());
    let (_db, client, config) = loaded_base(&dir).await;
    let mut validated = not_valid();
    let t = items(&mut validated);
    t.constraints.to_mut()[0].not_valid = false;
    t.foreign_keys.to_mut()[0].not_valid = false;
    let written = walk(
        &dir,
        &client,
        &config,
        vec![
            ("not_valid", not_valid()),
            ("validated", validated),
            ("dropped", base()),
        ],
    )
    .await;
    let added = &written[0];
    for expected in [
        "ADD CONSTRAINT \"items_price_check\" CHECK ((price >= (0)::numeric)) NOT VALID;",
        "ALTER TABLE \"items\" DROP CONSTRAINT \"items_shop_id_shops_id_fk\";",
        "ON DELETE cascade ON UPDATE no action NOT VALID;",
    ] {
        assert!(added.contains(expected), "`{expected}` in:\n{added}");
    }
    assert!(!added.contains("VALIDATE"), "{added}");
    let validated = &written[1];
    for expected in [
        "ALTER TABLE \"items\" VALIDATE CONSTRAINT \"items_price_check\";",
        "ALTER TABLE \"items\" VALIDATE CONSTRAINT \"items_shop_id_shops_id_fk\";",
    ] {
        assert!(
            validated.contains(expected),
            "`{expected}` in:\n{validated}"
        );
    }
    assert!(!validated.contains("DROP CONSTRAINT"), "{validated}");
}

/// `verify` reports a constraint the code declares NOT VALID that was validated, and one the
/// database holds NOT VALID that the code declares valid; nothing when both say NOT VALID.
#[tokio::test(flavor = "multi_thread")]
async fn verify_compares_not_valid_both_ways() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = MigrationsDir::new(tmp.path());
    let (_db, client, _config) = loaded_base(&dir).await;
    let found = catalog::read(&client, "public").await.unwrap();
    // The migrations install pgcrypto, which the code does not list.
    let lines = |found: &Schema, code: &Schema| -> Vec<String> {
        schema_core::diff::changes(found, code)
            .iter()
            .map(|c| c.to_string())
            .filter(|l| !l.contains("extension `pgcrypto`"))
            .collect()
    };
    let mut code = not_valid();
    items(&mut code).constraints = Vec::new().into();
    assert_eq!(
        lines(&found, &code),
        [
            "add constraint `items_shop_id_shops_id_fk` (FOREIGN KEY (shop_id) REFERENCES \
          shops(id) ON UPDATE NO ACTION ON DELETE CASCADE) of table `items` again NOT VALID, \
          as the code declares it (`not_valid`): it is validated (to keep it validated, take \
          `not_valid` off the code)"
        ]
    );
    client
        .batch_execute(
            "ALTER TABLE items DROP CONSTRAINT items_shop_id_shops_id_fk;
             ALTER TABLE items ADD CONSTRAINT items_shop_id_shops_id_fk FOREIGN KEY (shop_id)
               REFERENCES shops (id) ON DELETE CASCADE NOT VALID;",
        )
        .await
        .unwrap();
    let found = catalog::read(&client, "public").await.unwrap();
    assert_eq!(lines(&found, &code), Vec::<String>::new());
    let validate = lines(&found, &base());
    assert_eq!(validate.len(), 1, "{validate:#?}");
    assert!(
        validate[0].starts_with("validate constraint `items_shop_id_shops_id_fk`"),
        "{validate:#?}"
    );
}

/// A table `events` partitioned by range of `at`, with its partitions: each lists the
/// columns and the primary key PostgreSQL gives it (`<partition>_pkey`).
fn partitioned(partitions: &[(&str, Option<&str>)]) -> Schema {
    let columns = || vec![col("id", SqlType::BigInt), tz("at")];
    let keyed = |name: &str, partition: Option<String>, key: &str| TableDef {
        primary_key_name: Some(key.to_string().into()),
        partition: partition.map(Name::from),
        ..composite(table(name, columns()), &["at", "id"])
    };
    let mut s = base();
    let parent = keyed(
        "events",
        Some("PARTITION BY RANGE (at)".into()),
        "events_pkey",
    );
    s.tables.to_mut().push(parent);
    for (name, bound) in partitions {
        let partition = bound.map(|b| format!("PARTITION OF events {b}"));
        s.tables
            .to_mut()
            .push(keyed(name, partition, &format!("{name}_pkey")));
    }
    s
}

const YEAR_2024: &str = "FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2025-01-01 00:00:00+00')";
const YEAR_2025: &str = "FOR VALUES FROM ('2025-01-01 00:00:00+00') TO ('2026-01-01 00:00:00+00')";
const FROM_2025: &str = "FOR VALUES FROM ('2025-01-01 00:00:00+00') TO (MAXVALUE)";

/// A partitioned table and its partitions created, a partition added to the loaded table,
/// its bounds changed (detached and attached again), detached, and dropped: each step reaches
/// the catalog of a fresh build and its downs give back the catalog before it.
#[tokio::test(flavor = "multi_thread")]
async fn partitions_are_created_attached_moved_detached_and_dropped() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = MigrationsDir::new(tmp.path());
    let (_db, client, config) = loaded_base(&dir).await;
    let created = walk(
        &dir,
        &client,
        &config,
        vec![(
            "partitioned",
            partitioned(&[("events_2024", Some(YEAR_2024))]),
        )],
    )
    .await;
    for expected in [
        "CREATE TABLE \"events\" (",
        ") PARTITION BY RANGE (at);",
        "CONSTRAINT \"events_2024_pkey\" PRIMARY KEY(\"at\",\"id\")",
        "ALTER TABLE \"events\" ATTACH PARTITION \"events_2024\" FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2025-01-01 00:00:00+00');",
    ] {
        assert!(created[0].contains(expected), "`{expected}` in:\n{}", created[0]);
    }
    client
        .batch_execute(
            "INSERT INTO events (id, at) SELECT g, '2024-03-01'::timestamptz + g * interval '1 hour'
               FROM generate_series(1, 100) g;",
        )
        .await
        .unwrap();
    let written = walk(
        &dir,
        &client,
        &config,
        vec![
            (
                "partition_added",
                partitioned(&[
                    ("events_2024", Some(YEAR_2024)),
                    ("events_2025", Some(YEAR_2025)),
                ]),
            ),
            (
                "bounds_changed",
                partitioned(&[
                    ("events_2024", Some(YEAR_2024)),
                    ("events_2025", Some(FROM_2025)),
                ]),
            ),
            (
                "detached",
                partitioned(&[("events_2024", Some(YEAR_2024)), ("events_2025", None)]),
            ),
            ("dropped", partitioned(&[("events_2024", Some(YEAR_2024))])),
        ],
    )
    .await;
    assert!(
        written[0].contains("ATTACH PARTITION \"events_2025\""),
        "{}",
        written[0]
    );
    let moved = &written[1];
    let detach = moved
        .find("ALTER TABLE \"events\" DETACH PARTITION \"events_2025\";")
        .unwrap_or_else(|| panic!("{moved}"));
    let attach = moved
        .find("ATTACH PARTITION \"events_2025\" FOR VALUES FROM ('2025-01-01 00:00:00+00') TO (MAXVALUE);")
        .unwrap_or_else(|| panic!("{moved}"));
    assert!(detach < attach, "{moved}");
    assert!(written[2].contains("DETACH PARTITION"), "{}", written[2]);
    let rows: i64 = client
        .query_one("SELECT count(*) FROM events", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 100, "no row lost on the way");
}

/// Partitioning a table that exists is refused, with what to do instead.
#[tokio::test(flavor = "multi_thread")]
async fn partitioning_an_existing_table_is_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = MigrationsDir::new(tmp.path());
    generate(&partitioned(&[]), &dir, &options("initial")).unwrap();
    let mut other = partitioned(&[]);
    table_mut(&mut other, "events").partition = Some("PARTITION BY HASH (id)".into());
    let refusal = generate(&other, &dir, &options("rehash"))
        .unwrap_err()
        .to_string();
    assert!(
        refusal.contains(
            "change the partitioning of table `events` to PARTITION BY HASH (id) from \
             PARTITION BY RANGE (at): PostgreSQL cannot partition a table that exists"
        ),
        "{refusal}"
    );
}

/// A partition listed before its parent, or naming a table that is not partitioned, is a
/// broken rule of the list, which `generate` reports before writing anything.
#[test]
fn a_partition_before_its_parent_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = MigrationsDir::new(tmp.path());
    let mut s = partitioned(&[("events_2024", Some(YEAR_2024))]);
    s.tables.to_mut().swap(2, 3);
    let error = generate(&s, &dir, &options("initial"))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(
            "the table `events_2024` is a partition of `events`, which is not a partitioned \
             table listed before it; register `events` with #[table(partition_by = \"..\")] \
             before `events_2024`"
        ),
        "{error}"
    );
}

/// Attaching a table that exists as a partition scans it under ACCESS EXCLUSIVE: listed as a
/// hazard, with what to do instead, and confirmed as a change that may fail.
#[test]
fn attaching_a_table_that_exists_is_a_hazard_that_may_fail() {
    use schema_core::diff::{steps, DiffOptions};
    let old = partitioned(&[("events_2024", None)]);
    let new = partitioned(&[("events_2024", Some(YEAR_2024))]);
    let refusal = steps(Some(&old), &new, &DiffOptions::default()).unwrap_err();
    let keys: Vec<&str> = refusal.destructive.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["attach-partition:events_2024"], "{refusal}");
    let options = DiffOptions {
        allow: vec!["attach-partition:events_2024".into()],
        ..DiffOptions::default()
    };
    let planned = steps(Some(&old), &new, &options).unwrap();
    let hazards: Vec<String> = planned
        .iter()
        .flat_map(|s| s.hazards.iter().map(|h| h.to_string()))
        .collect();
    assert_eq!(hazards.len(), 1, "{hazards:#?}");
    assert!(
        hazards[0].starts_with(
            "`ALTER TABLE \"events\" ATTACH PARTITION \"events_2024\" FOR VALUES FROM"
        ) && hazards[0].contains("scanned to check every row against the bounds"),
        "{hazards:#?}"
    );
}

/// A table keyed by `serial`, with its sequence in `nextval('<table>_<column>_seq')`.
fn serial_table(
    name: &'static str,
    key: &'static str,
    was: Option<(&'static str, &'static str)>,
) -> Schema {
    let mut id = ColumnDef::new(key.into(), SqlType::Integer).with_default(ColumnDefault::Expr(
        schema_core::sql::serial_default(name, key).into(),
    ));
    id.renamed_from = was.map(|(_, column)| column.into());
    let table = TableDef {
        name: name.into(),
        columns: vec![id, ColumnDef::new("title".into(), SqlType::Text)].into(),
        primary_key: PrimaryKey::Column(key.into()),
        renamed_from: was.map(|(table, _)| table.into()),
        ..TableDef::BLANK
    };
    Schema::new(Vec::new().into(), vec![table].into())
}

/// PostgreSQL keeps a serial column's sequence name when its table or column is renamed;
/// the rename takes the sequence along, so the catalog is a fresh build's, new rows still get
/// numbers, and the down gives the old names back.
#[tokio::test(flavor = "multi_thread")]
async fn a_serial_key_renamed_with_its_table_takes_its_sequence_along() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = MigrationsDir::new(tmp.path());
    let db = TestDatabase::create().await.unwrap();
    let client = db.connect().await.unwrap();
    let config = DatabaseConfig::from(db.config().clone());
    generate(
        &serial_table("tickets", "id", None),
        &dir,
        &options("initial"),
    )
    .unwrap();
    migrate(&dir, &client).await;
    client
        .batch_execute("INSERT INTO tickets (title) SELECT 't' || g FROM generate_series(1, 50) g")
        .await
        .unwrap();
    let renamed = serial_table("issues", "number", Some(("tickets", "id")));
    let files = walk(&dir, &client, &config, vec![("rename", renamed.clone())]).await;
    assert!(
        files[0].contains("ALTER SEQUENCE \"tickets_id_seq\" RENAME TO \"issues_number_seq\";"),
        "{}",
        files[0]
    );
    // Applied again (the walk reverted it), the next row takes the next number.
    migrate(&dir, &client).await;
    let next: i32 = client
        .query_one(
            "INSERT INTO issues (title) VALUES ('new') RETURNING number",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(next, 51);
}
