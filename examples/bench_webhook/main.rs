//! Claim-process-complete cycles per second of `schema::stripe_events::handle_delivery`
//! through a connection pool, beside the same SQL run by `pgbench` with as many connections.
//!
//! ```text
//! cargo run --release --example bench_webhook -- --events 20000 --connections 16 --rounds 3
//! cargo run --release --example bench_webhook -- --no-sync-commit   # without fsync waits
//! ```
//!
//! Each round runs both in a fresh database of its own, migrated with `migrations/` (so
//! neither inherits the other's table and index bloat), and prints the ratio; the processing is one insert into
//! `webhook_effects`, as in `bench/webhook.pgbench`.

mod latency_proxy;

use clap::Parser;
use deadpool_postgres::{Manager, Pool};
use schema::stripe_events::{handle_delivery, Outcome};
use schema_core::migrate::Migrator;
use schema_core::testing::TestDatabase;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_postgres::config::Host;
use tokio_postgres::{Config, NoTls};

#[derive(Parser)]
struct Args {
    /// Distinct events processed per run.
    #[arg(long, default_value_t = 20_000)]
    events: usize,
    /// Pool size, and pgbench clients.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Rounds of (ours, pgbench); the median of each is reported too.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// The pgbench script run beside ours.
    #[arg(long, default_value = "bench/webhook.pgbench")]
    script: String,
    /// Run both with `synchronous_commit = off`, so that neither waits for the disk and the
    /// figures show the client's and the protocol's cost rather than fsync latency.
    #[arg(long)]
    no_sync_commit: bool,
    /// Route both through a local proxy that adds this round-trip time (milliseconds), as a
    /// server across a network would; 0 connects directly.
    #[arg(long, default_value_t = 0.0)]
    rtt_ms: f64,
    /// Extra pgbench flags, e.g. `-M prepared` (the default) or `-M extended`.
    #[arg(long, default_value = "-M prepared")]
    pgbench_flags: String,
}

/// What the processing writes, beside the committed schema's `stripe_events`.
const EFFECTS_DDL: &str = "CREATE TABLE webhook_effects (event_id text NOT NULL)";

/// The processing: prepared once per connection, as pgbench `-M prepared` does.
const EFFECT_SQL: &str = "INSERT INTO webhook_effects (event_id) VALUES ($1)";

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args = Args::parse();
    println!(
        "{} distinct events, {} connections, pgbench {} -f {}, synchronous_commit {}, \
         added rtt {} ms",
        args.events,
        args.connections,
        args.pgbench_flags,
        args.script,
        if args.no_sync_commit { "off" } else { "on" },
        args.rtt_ms
    );
    let proxy = match args.rtt_ms {
        0.0 => None,
        rtt => {
            let one_way = Duration::from_secs_f64(rtt / 2000.0);
            Some(latency_proxy::start(server_address().await?, one_way).await?)
        }
    };
    println!("round  ours (cycles/s)  pgbench (tps)  ours/pgbench");
    let (mut ours_all, mut theirs_all) = (Vec::new(), Vec::new());
    for round in 1..=args.rounds {
        let ours = run_ours(&args, proxy).await?;
        let theirs = run_pgbench(&args, proxy).await?;
        println!(
            "{round:>5}  {ours:>15.0}  {theirs:>13.0}  {:>12.2}",
            ours / theirs
        );
        ours_all.push(ours);
        theirs_all.push(theirs);
    }
    let (ours, theirs) = (median(ours_all), median(theirs_all));
    println!(
        "median {ours:>15.0}  {theirs:>13.0}  {:>12.2}",
        ours / theirs
    );
    Ok(())
}

/// A database migrated with the committed migrations, so `stripe_events` has its real
/// indexes (an index on `processed_at` makes every completion an index update).
async fn fresh_database(args: &Args) -> Result<TestDatabase, Failure> {
    let db = TestDatabase::create().await?;
    let client = db.connect().await?;
    if args.no_sync_commit {
        let sql = format!(
            "ALTER DATABASE {} SET synchronous_commit = off",
            schema_core::sql::quote_ident(db.name())
        );
        client.batch_execute(&sql).await?;
    }
    Migrator::from_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))?
        .run_on_client(&client)
        .await?;
    client.batch_execute(EFFECTS_DDL).await?;
    Ok(db)
}

/// Cycles per second of `handle_delivery`, one worker per connection, as pgbench's clients.
async fn run_ours(args: &Args, proxy: Option<u16>) -> Result<f64, Failure> {
    let db = fresh_database(args).await?;
    let config = match proxy {
        None => db.config().clone(),
        Some(port) => through_proxy(&db, port),
    };
    let pool = Pool::builder(Manager::new(config, NoTls))
        .max_size(args.connections)
        .build()?;
    // Connections are opened and statements prepared before timing, as pgbench excludes its
    // initial connection time.
    deliver_all(&pool, args.connections, args.connections * 4, "warm").await?;

    let start = Instant::now();
    deliver_all(&pool, args.connections, args.events, "evt").await?;
    let elapsed = start.elapsed().as_secs_f64();

    let processed: i64 = db
        .connect()
        .await?
        .query_one(
            "SELECT count(*) FROM webhook_effects WHERE event_id LIKE 'evt_%'",
            &[],
        )
        .await?
        .get(0);
    if processed != args.events as i64 {
        return Err(format!("{processed} of {} events processed", args.events).into());
    }
    Ok(args.events as f64 / elapsed)
}

async fn deliver_all(
    pool: &Pool,
    workers: usize,
    events: usize,
    prefix: &'static str,
) -> Result<(), Failure> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (pool, next) = (pool.clone(), next.clone());
        tasks.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= events {
                    return Ok::<_, Failure>(());
                }
                let id = format!("{prefix}_{n}");
                let outcome = handle_delivery(&pool, &id, "invoice.paid", async |tx| {
                    let insert = tx.prepare_cached(EFFECT_SQL).await?;
                    tx.execute(&insert, &[&id]).await.map(drop)
                })
                .await?;
                if outcome != Outcome::Processed {
                    return Err(format!("{id}: {outcome:?}").into());
                }
            }
        });
    }
    for result in tasks.join_all().await {
        result?;
    }
    Ok(())
}

/// Transactions per second pgbench reports for the script, without its connection time.
async fn run_pgbench(args: &Args, proxy: Option<u16>) -> Result<f64, Failure> {
    let db = fresh_database(args).await?;
    let url = match proxy {
        None => db.url(),
        Some(port) => {
            let user = db.config().get_user().unwrap_or("postgres");
            format!("postgres://{user}@127.0.0.1:{port}/{}", db.name())
        }
    };
    let per_client = args.events.div_ceil(args.connections);
    let output = Command::new("pgbench")
        .args(["-n", "-j", "2", "-D", "i=0"])
        .args(args.pgbench_flags.split_whitespace())
        .args(["-c", &args.connections.to_string()])
        .args(["-t", &per_client.to_string()])
        .args(["-f", &args.script])
        .arg(url)
        .output()
        .map_err(|e| format!("cannot run pgbench (is it installed?): {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("pgbench failed:\n{stdout}{stderr}").into());
    }
    stdout
        .lines()
        .find_map(|line| line.strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|tps| tps.parse().ok())
        .ok_or_else(|| format!("no tps line in pgbench output:\n{stdout}").into())
}

/// The test server's TCP address, for the proxy to forward to.
async fn server_address() -> Result<std::net::SocketAddr, Failure> {
    let config: Config = schema_core::testing::admin_url().parse()?;
    let (Some(Host::Tcp(host)), Some(port)) =
        (config.get_hosts().first(), config.get_ports().first())
    else {
        return Err("--rtt-ms needs a TCP host and port in TEST_DATABASE_URL".into());
    };
    let address = tokio::net::lookup_host((host.as_str(), *port))
        .await?
        .next();
    address.ok_or_else(|| format!("{host} has no address").into())
}

fn through_proxy(db: &TestDatabase, port: u16) -> Config {
    let mut config = Config::new();
    config.host("127.0.0.1").port(port).dbname(db.name());
    if let Some(user) = db.config().get_user() {
        config.user(user);
    }
    config
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
