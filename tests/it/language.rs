//! The schema language beyond the defaults, end to end: tables declared with every attribute
//! (`sql_type`, `without_time_zone`, `default_sql`, `serial`, `identity`, `unique`, `check`,
//! `generated`, `collate`, named keys, `on_update`, `no_primary_key`, `not_valid` checks and
//! foreign keys, `partition_by` and `partition_of` with `for_values`, and indexes with a
//! method, a predicate, INCLUDE columns, an operator class and an expression key) give the
//! descriptors the catalog reader reads from a database that has those tables, and their rows
//! are read and written as their Rust types.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use schema_core::model::{
    ColumnDefault, ConstraintDef, ConstraintKind, ForeignKeyDef, Identity, IndexColumn, IndexDef,
    PrimaryKey, SqlType, TableDef,
};
use schema_core::testing::TestDatabase;
use schema_core::{schema, table, OnDelete, Schema, Table};
use std::borrow::Cow;
use std::error::Error;
use std::net::IpAddr;
use tokio_postgres::types::{FromSql, Type};

type TestResult = Result<(), Box<dyn Error>>;

/// An amount of `numeric(10,2)` in hundredths: a Rust type that is no column type of its
/// own, read through `sql_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cents(i64);

impl<'a> FromSql<'a> for Cents {
    /// PostgreSQL's binary numeric: digit count, weight, sign, scale, then base-10000 digits.
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        let word = |at: usize| -> Result<i64, Box<dyn Error + Sync + Send>> {
            let bytes = raw.get(at..at + 2).ok_or("numeric value cut short")?;
            Ok(i64::from(i16::from_be_bytes([bytes[0], bytes[1]])))
        };
        let (count, weight, sign) = (word(0)?, word(2)?, word(4)? as u16);
        let mut digits: i128 = 0;
        for d in 0..count {
            digits = digits * 10_000 + i128::from(word(8 + 2 * d as usize)?);
        }
        // The last digit stands for 10000^(weight - count + 1); hundredths are 10000^-1 / 100.
        let exponent = weight - count + 1;
        let mut cents = digits * 100;
        if exponent >= 0 {
            cents *= 10_000i128.pow(exponent as u32);
        } else {
            cents /= 10_000i128.pow((-exponent) as u32);
        }
        let cents = i64::try_from(cents)?;
        Ok(Cents(if sign == 0x4000 { -cents } else { cents }))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::NUMERIC
    }
}

#[table(name = "customers")]
// Declared for its descriptor; its rows are not read.
#[allow(dead_code)]
pub struct Customer {
    // The derived names, given: held as no name of their own, as the catalog reads them.
    #[primary_key(identity, name = "customers_pkey")]
    pub id: i64,
    #[column(unique, collate = "C")]
    pub email: String,
    #[column(varchar)]
    pub display_name: String,
}

#[table(name = "orders")]
#[unique(
    on(customer_id, placed_at),
    name = "orders_customer_moment",
    nulls_not_distinct
)]
#[check(name = "orders_total_positive", sql = "(total > (0)::numeric)")]
#[index(name = "orders_doc_idx", on(doc), using = gin)]
#[index(name = "orders_lower_reference_idx", on(sql = "lower(reference)"))]
#[index(
    name = "orders_open_idx",
    on(placed_at(desc)),
    predicate = "(closed_at IS NULL)",
    include(total)
)]
#[index(
    name = "orders_reference_idx",
    on(reference(opclass = "text_pattern_ops"))
)]
pub struct Order {
    #[primary_key(serial, name = "orders_pk")]
    pub id: i32,
    #[foreign_key(
        references = Customer::id,
        on_delete = cascade,
        on_update = cascade,
        name = "orders_customer_fk"
    )]
    pub customer_id: i64,
    #[column(sql_type = "numeric(10, 2)")]
    pub total: Cents,
    #[column(without_time_zone, default_sql = "CURRENT_TIMESTAMP")]
    pub placed_at: NaiveDateTime,
    #[column(sql_type = "timestamp(3)", without_time_zone)]
    pub closed_at: Option<NaiveDateTime>,
    pub due_on: NaiveDate,
    #[column(without_time_zone)]
    pub opens_at: Option<NaiveTime>,
    // now() is cast to the column's type; the catalog prints the default as `now()`.
    #[column(without_time_zone, default = now)]
    pub seen_at: NaiveDateTime,
    // And to a date.
    #[column(default = now)]
    pub seen_on: NaiveDate,
    pub receipt: Option<Vec<u8>>,
    pub client_ip: Option<IpAddr>,
    pub reference: String,
    pub doc: serde_json::Value,
    #[column(sql_type = "numeric", generated = "(total * (2)::numeric)")]
    pub doubled: Option<Cents>,
}

#[table(name = "order_lines")]
#[primary_key(order_id, line, name = "order_lines_pkey")]
// Declared for its descriptor; its rows are not read.
#[allow(dead_code)]
pub struct OrderLine {
    #[foreign_key(
        references = Order::id,
        on_delete = cascade,
        name = "order_lines_order_id_orders_id_fk"
    )]
    pub order_id: i32,
    pub line: i16,
    #[column(sql_type = "int8")]
    pub quantity: i64,
}

/// A foreign key over two columns. Declared outside `SCHEMA`: `schema!` checks that a
/// foreign key references its target's key by the first column alone.
#[table(name = "line_notes")]
#[foreign_key(
    columns(order_id, line),
    references = OrderLine(order_id, line),
    on_delete = cascade,
    on_update = restrict
)]
#[allow(dead_code)]
pub struct LineNote {
    #[primary_key(identity)]
    pub id: i32,
    pub order_id: i32,
    pub line: i16,
}

/// Checks and foreign keys added NOT VALID: the rows already there were never checked.
/// Declared outside `SCHEMA`, with the composite key as `LineNote` is.
#[table(name = "refunds")]
#[check(name = "refunds_amount_positive", sql = "(amount > 0)", not_valid)]
#[foreign_key(
    columns(order_id, line),
    references = OrderLine(order_id, line),
    on_delete = cascade,
    not_valid
)]
#[allow(dead_code)]
pub struct Refund {
    #[primary_key(identity)]
    pub id: i32,
    #[foreign_key(references = Customer::id, on_delete = restrict, not_valid)]
    pub customer_id: i64,
    pub order_id: i32,
    pub line: i16,
    pub amount: i32,
}

/// A table partitioned by range, and two of its partitions: each lists its columns (its rows
/// are typed) and the primary key PostgreSQL gives it, `<partition>_pkey`.
#[table(name = "payments", partition_by = "RANGE (paid_at)")]
#[primary_key(paid_at, id, name = "payments_pkey")]
#[allow(dead_code)]
pub struct Payment {
    pub id: i64,
    pub paid_at: chrono::DateTime<chrono::Utc>,
    pub amount: i32,
}

#[table(
    name = "payments_2024",
    partition_of = "payments",
    for_values = "FROM ('2024-01-01 00:00:00+00') TO ('2025-01-01 00:00:00+00')"
)]
#[primary_key(paid_at, id, name = "payments_2024_pkey")]
#[allow(dead_code)]
pub struct Payment2024 {
    pub id: i64,
    pub paid_at: chrono::DateTime<chrono::Utc>,
    pub amount: i32,
}

#[table(
    name = "payments_rest",
    partition_of = "payments",
    for_values = "DEFAULT"
)]
#[primary_key(paid_at, id, name = "payments_rest_pkey")]
#[allow(dead_code)]
pub struct PaymentRest {
    pub id: i64,
    pub paid_at: chrono::DateTime<chrono::Utc>,
    pub amount: i32,
}

#[table(name = "page_views", no_primary_key)]
pub struct PageView {
    pub path: String,
    #[column(identity = by_default)]
    pub seq: i64,
    #[column(serial)]
    pub visit: i16,
}

const SCHEMA: Schema = schema! {
    enums: [],
    tables: [Customer, Order, OrderLine, PageView],
};

/// The tables as a hand-written migration makes them, with PostgreSQL's own spellings
/// wherever the schema in code names things its own way.
const DDL: &str = r#"
CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text COLLATE "C" NOT NULL CONSTRAINT customers_email_unique UNIQUE,
    display_name varchar NOT NULL
);
CREATE TABLE orders (
    id serial CONSTRAINT orders_pk PRIMARY KEY,
    customer_id bigint NOT NULL CONSTRAINT orders_customer_fk REFERENCES customers (id)
        ON DELETE CASCADE ON UPDATE CASCADE,
    total numeric(10,2) NOT NULL,
    placed_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    closed_at timestamp(3),
    due_on date NOT NULL,
    opens_at time,
    seen_at timestamp NOT NULL DEFAULT now(),
    seen_on date NOT NULL DEFAULT now(),
    receipt bytea,
    client_ip inet,
    reference text NOT NULL,
    doc jsonb NOT NULL,
    doubled numeric GENERATED ALWAYS AS (total * 2) STORED,
    CONSTRAINT orders_customer_moment UNIQUE NULLS NOT DISTINCT (customer_id, placed_at),
    CONSTRAINT orders_total_positive CHECK (total > 0)
);
CREATE INDEX orders_doc_idx ON orders USING gin (doc);
CREATE INDEX orders_lower_reference_idx ON orders (lower(reference));
CREATE INDEX orders_open_idx ON orders (placed_at DESC) INCLUDE (total) WHERE closed_at IS NULL;
CREATE INDEX orders_reference_idx ON orders (reference text_pattern_ops);
CREATE TABLE order_lines (
    order_id integer NOT NULL
        CONSTRAINT order_lines_order_id_orders_id_fk REFERENCES orders (id) ON DELETE CASCADE,
    line smallint NOT NULL,
    quantity bigint NOT NULL,
    CONSTRAINT order_lines_pkey PRIMARY KEY (order_id, line)
);
CREATE TABLE line_notes (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id integer NOT NULL,
    line smallint NOT NULL,
    CONSTRAINT line_notes_order_id_order_lines_order_id_fk FOREIGN KEY (order_id, line)
        REFERENCES order_lines (order_id, line) ON DELETE CASCADE ON UPDATE RESTRICT
);
CREATE TABLE refunds (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL,
    order_id integer NOT NULL,
    line smallint NOT NULL,
    amount integer NOT NULL
);
ALTER TABLE refunds ADD CONSTRAINT refunds_amount_positive CHECK (amount > 0) NOT VALID;
ALTER TABLE refunds ADD CONSTRAINT refunds_customer_id_customers_id_fk FOREIGN KEY (customer_id)
    REFERENCES customers (id) ON DELETE RESTRICT NOT VALID;
ALTER TABLE refunds ADD CONSTRAINT refunds_order_id_order_lines_order_id_fk
    FOREIGN KEY (order_id, line) REFERENCES order_lines (order_id, line) ON DELETE CASCADE
    NOT VALID;
CREATE TABLE payments (
    id bigint NOT NULL,
    paid_at timestamptz NOT NULL,
    amount integer NOT NULL,
    PRIMARY KEY (paid_at, id)
) PARTITION BY RANGE (paid_at);
CREATE TABLE payments_2024 PARTITION OF payments
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE payments_rest PARTITION OF payments DEFAULT;
CREATE TABLE page_views (
    path text NOT NULL,
    seq bigint GENERATED BY DEFAULT AS IDENTITY,
    visit smallserial
);
"#;

fn cow(text: &'static str) -> Cow<'static, str> {
    Cow::Borrowed(text)
}

fn other(spelling: &'static str) -> SqlType {
    SqlType::Other(cow(spelling))
}

/// Each attribute's descriptor value, as the schema language specifies it.
#[test]
fn every_attribute_gives_its_descriptor_value() {
    let customers = &Customer::TABLE;
    let id = customers.column("id").unwrap();
    assert_eq!(id.identity, Some(Identity::Always));
    assert_eq!(customers.primary_key_name, None);
    assert_eq!(
        (id.default.as_ref(), &id.sql_type),
        (None, &SqlType::BigInt)
    );
    assert_eq!(customers.column("email").unwrap().collation, Some(cow("C")));
    let display_name = customers.column("display_name").unwrap();
    assert_eq!(display_name.sql_type, other("character varying"));
    assert_eq!(
        &*customers.constraints,
        &[ConstraintDef {
            name: cow("customers_email_unique"),
            kind: ConstraintKind::Unique,
            definition: cow("UNIQUE (email)"),
            not_valid: false,
            deferrable: None,
        }]
    );

    let orders = &Order::TABLE;
    let column = |name: &str| orders.column(name).unwrap();
    assert_eq!(orders.primary_key, PrimaryKey::Column(cow("id")));
    assert_eq!(orders.primary_key_name, Some(cow("orders_pk")));
    assert_eq!(
        column("id").default,
        Some(ColumnDefault::Expr(cow(
            "nextval('orders_id_seq'::regclass)"
        )))
    );
    assert_eq!(column("id").sql_type, SqlType::Integer);
    assert_eq!(
        (&column("total").sql_type, column("total").nullable),
        (&other("numeric(10,2)"), false)
    );
    let placed_at = column("placed_at");
    assert_eq!(placed_at.sql_type, other("timestamp without time zone"));
    assert_eq!(
        placed_at.default,
        Some(ColumnDefault::Expr(cow("CURRENT_TIMESTAMP")))
    );
    let closed_at = column("closed_at");
    assert_eq!(
        (&closed_at.sql_type, closed_at.nullable),
        (&other("timestamp(3) without time zone"), true)
    );
    assert_eq!(column("due_on").sql_type, other("date"));
    assert_eq!(column("seen_at").default, Some(ColumnDefault::Now));
    let seen_on = column("seen_on");
    assert_eq!(
        (&seen_on.sql_type, &seen_on.default),
        (&other("date"), &Some(ColumnDefault::Now))
    );
    assert_eq!(column("opens_at").sql_type, other("time without time zone"));
    assert!(column("opens_at").nullable);
    assert_eq!(column("receipt").sql_type, other("bytea"));
    assert_eq!(column("client_ip").sql_type, other("inet"));
    assert_eq!(
        column("doubled").generated,
        Some(cow("(total * (2)::numeric)"))
    );
    assert_eq!(column("doubled").sql_type, other("numeric"));

    let mut key = ForeignKeyDef::new(
        cow("customer_id"),
        cow("customers"),
        cow("id"),
        OnDelete::Cascade,
    );
    key.on_update = OnDelete::Cascade;
    key.name = Some(cow("orders_customer_fk"));
    assert_eq!(&*orders.foreign_keys, &[key]);

    let constraint = |name, kind, definition| ConstraintDef {
        name: cow(name),
        kind,
        definition: cow(definition),
        not_valid: false,
        deferrable: None,
    };
    assert_eq!(
        &*orders.constraints,
        &[
            constraint(
                "orders_customer_moment",
                ConstraintKind::Unique,
                "UNIQUE NULLS NOT DISTINCT (customer_id, placed_at)",
            ),
            constraint(
                "orders_total_positive",
                ConstraintKind::Check,
                "CHECK ((total > (0)::numeric))",
            ),
        ]
    );

    let doc = orders.index("orders_doc_idx").unwrap();
    assert_eq!(doc.method, Some(cow("gin")));
    let lower = &orders.index("orders_lower_reference_idx").unwrap().columns[0];
    assert_eq!((&*lower.name, lower.expression), ("lower(reference)", true));
    let open = orders.index("orders_open_idx").unwrap();
    let mut expected = IndexDef::new(
        cow("orders_open_idx"),
        false,
        Cow::Owned(vec![IndexColumn::desc(cow("placed_at"))]),
    );
    expected.predicate = Some(cow("(closed_at IS NULL)"));
    expected.include = Cow::Owned(vec![cow("total")]);
    assert_eq!(open, &expected);
    let reference = &orders.index("orders_reference_idx").unwrap().columns[0];
    assert_eq!(reference.opclass, Some(cow("text_pattern_ops")));

    // `<table>_pkey` is not the derived name of a composite key, so it is held.
    let lines = &OrderLine::TABLE;
    assert_eq!(
        lines.primary_key,
        PrimaryKey::Composite(Cow::Owned(vec![cow("order_id"), cow("line")]))
    );
    assert_eq!(lines.primary_key_name, Some(cow("order_lines_pkey")));
    assert_eq!(lines.column("quantity").unwrap().sql_type, SqlType::BigInt);
    assert_eq!(lines.foreign_keys[0].name, None);

    let mut key = ForeignKeyDef::new(
        cow("order_id"),
        cow("order_lines"),
        cow("order_id"),
        OnDelete::Cascade,
    );
    key.on_update = OnDelete::Restrict;
    key.more_columns = Cow::Owned(vec![cow("line")]);
    key.more_references = Cow::Owned(vec![cow("line")]);
    assert_eq!(&*LineNote::TABLE.foreign_keys, &[key]);

    let refunds = &Refund::TABLE;
    assert!(refunds.constraints[0].not_valid);
    assert!(refunds.foreign_keys.iter().all(|fk| fk.not_valid));
    assert_eq!(refunds.foreign_keys.len(), 2);

    assert_eq!(
        Payment::TABLE.partition_key(),
        Some("RANGE (paid_at)"),
        "partition_by"
    );
    assert_eq!(
        Payment2024::TABLE.partition.as_deref(),
        Some(
            "PARTITION OF payments FOR VALUES FROM ('2024-01-01 00:00:00+00') TO \
             ('2025-01-01 00:00:00+00')"
        )
    );
    assert_eq!(
        PaymentRest::TABLE.partition_of(),
        Some(("payments".to_string(), "DEFAULT"))
    );

    let views = &PageView::TABLE;
    assert_eq!(views.primary_key, PrimaryKey::Composite(Cow::Borrowed(&[])));
    assert_eq!(
        views.column("seq").unwrap().identity,
        Some(Identity::ByDefault)
    );
    assert_eq!(
        views.column("visit").unwrap().default,
        Some(ColumnDefault::Expr(cow(
            "nextval('page_views_visit_seq'::regclass)"
        )))
    );
    assert_eq!(SCHEMA.tables.len(), 4);
}

/// The lists the catalog reader sorts by name, sorted the same way.
fn sorted(table: &TableDef) -> TableDef {
    let mut table = table.clone();
    table.indexes.to_mut().sort_by(|a, b| a.name.cmp(&b.name));
    table
        .constraints
        .to_mut()
        .sort_by(|a, b| a.name.cmp(&b.name));
    let name = table.name.clone();
    table
        .foreign_keys
        .to_mut()
        .sort_by_key(|fk| fk.constraint_name(&name));
    table
}

/// The descriptors equal what the catalog reader reads from a database holding the same
/// tables: what `verify` compares.
#[tokio::test(flavor = "multi_thread")]
async fn the_catalog_reads_back_the_declared_tables() -> TestResult {
    let db = TestDatabase::create().await?;
    let client = db.connect().await?;
    client.batch_execute(DDL).await?;
    let live = schema_core::catalog::read(&client, "public").await?;
    for declared in SCHEMA
        .tables
        .iter()
        .chain([&LineNote::TABLE, &Refund::TABLE, &Payment::TABLE])
        .chain([&Payment2024::TABLE, &PaymentRest::TABLE])
    {
        let read = live
            .table(&declared.name)
            .unwrap_or_else(|| panic!("no table {}", declared.name));
        assert_eq!(sorted(read), sorted(declared), "table {}", declared.name);
    }
    Ok(())
}

/// Rows of the new column types written with typed parameters and read back by `from_row`.
#[tokio::test(flavor = "multi_thread")]
async fn rows_of_the_new_column_types_round_trip() -> TestResult {
    let db = TestDatabase::create().await?;
    let client = db.connect().await?;
    client.batch_execute(DDL).await?;
    client
        .execute(
            "INSERT INTO customers (email, display_name) VALUES ('a@example.com', 'A')",
            &[],
        )
        .await?;
    let due_on = NaiveDate::from_ymd_opt(2024, 6, 30).unwrap();
    let placed_at = NaiveDate::from_ymd_opt(2024, 5, 1)
        .unwrap()
        .and_hms_micro_opt(12, 30, 0, 123_456)
        .unwrap();
    // timestamp(3) keeps milliseconds.
    let closed_at = due_on.and_hms_milli_opt(18, 0, 0, 250).unwrap();
    let opens_at = NaiveTime::from_hms_opt(9, 15, 0).unwrap();
    let receipt: Vec<u8> = vec![0, 1, 2, 254, 255];
    let client_ip: IpAddr = "2001:db8::1".parse()?;
    let doc = serde_json::json!({"gift": true});
    client
        .execute(
            "INSERT INTO orders (customer_id, total, placed_at, closed_at, due_on, opens_at,
                 receipt, client_ip, reference, doc)
             VALUES (1, 12.50, $1, $2, $3, $4, $5, $6, 'R-1', $7)",
            &[
                &placed_at, &closed_at, &due_on, &opens_at, &receipt, &client_ip, &doc,
            ],
        )
        .await?;
    let sql = format!("SELECT {} FROM orders", Order::COLUMN_LIST);
    let order = Order::from_row(&client.query_one(&sql, &[]).await?)?;
    assert_eq!((order.id, order.customer_id), (1, 1));
    assert_eq!(order.reference, "R-1");
    assert_eq!(order.total, Cents(1250));
    assert_eq!(order.doubled, Some(Cents(2500)));
    assert_eq!(order.placed_at, placed_at);
    assert_eq!(order.closed_at, Some(closed_at));
    assert_eq!(order.due_on, due_on);
    assert_eq!(order.opens_at, Some(opens_at));
    // Filled by the default, now(), at the server's time, later than the 2024 order.
    assert!(order.seen_at > placed_at, "{}", order.seen_at);
    assert!(order.seen_on > due_on, "{}", order.seen_on);
    assert_eq!(order.receipt, Some(receipt));
    assert_eq!(order.client_ip, Some(client_ip));
    assert_eq!(order.doc, doc);

    client
        .execute("INSERT INTO page_views (path) VALUES ('/')", &[])
        .await?;
    let sql = format!("SELECT {} FROM page_views", PageView::COLUMN_LIST);
    let view = PageView::from_row(&client.query_one(&sql, &[]).await?)?;
    assert_eq!((view.path.as_str(), view.seq, view.visit), ("/", 1, 1));
    Ok(())
}
