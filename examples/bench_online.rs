//! The application's waits (writers' and readers') while `attempts` (1,000,000 rows) changes
//! under load: an index added, a column set NOT NULL and a foreign key's ON DELETE changed,
//! once as this project writes and runs it (`generate`'s online migrations, applied by the
//! runner with its default lock_timeout and retries) and once as the same change written the
//! plain way (drizzle-kit's form) applied with `psql --single-transaction`. A long application
//! transaction (a report reading `attempts`) is open when the migration starts, so the
//! migration has to wait for it.
//!
//! ```text
//! cargo run --release --example bench_online                # ROWS=1000000 WRITERS=8
//! cargo run --release --example bench_online -- --rows 200000
//! ```
//!
//! Each mode gets a fresh database with the question-bank schema and the same rows. Eight
//! writers (one connection each) loop: insert one attempt, update one random attempt; four
//! readers loop: read one random attempt by id. The figures are over the operations that
//! overlap the migration: longest, p99, p50, for writers and readers apart.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use schema_core::files::journal::MigrationsDir;
use schema_core::generate::{generate, GenerateOptions, Generated};
use schema_core::migrate::{Migrator, RunOptions};
use schema_core::model::{IndexColumn, IndexDef, OnDelete, Schema};
use tokio_postgres::{Client, NoTls};

#[derive(Parser)]
struct Args {
    /// Rows of `attempts` before the migration.
    #[arg(long, default_value_t = 1_000_000)]
    rows: i64,
    /// Concurrent writers.
    #[arg(long, default_value_t = 8)]
    writers: usize,
    /// Concurrent readers.
    #[arg(long, default_value_t = 4)]
    readers: usize,
    /// How long the application's transaction that read `attempts` stays open after the
    /// migration starts, e.g. 3s; 0s for none.
    #[arg(long, default_value = "3s", value_parser = humantime_duration)]
    long_transaction: Duration,
    /// The runner's lock_timeout, e.g. 5s (the default before it became 500ms) [default: the
    /// runner's default]
    #[arg(long, value_parser = humantime_duration)]
    lock_timeout: Option<Duration>,
    /// The runner's lock retries [default: the runner's default]
    #[arg(long)]
    lock_retries: Option<u32>,
    /// The runner's first pause between attempts [default: the runner's default]
    #[arg(long, value_parser = humantime_duration)]
    retry_backoff: Option<Duration>,
    /// Only this project's migration, not the plain one.
    #[arg(long)]
    only_project: bool,
    /// Server, without a database name.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
    server: String,
    /// psql to apply the plain migration with.
    #[arg(long, default_value = "psql")]
    psql: String,
}

/// One writer operation: when it started (since the run began) and how long it took.
#[derive(Clone, Copy)]
struct Op {
    start: Duration,
    took: Duration,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    println!(
        "| migration | statements on `attempts` | migration took | writer ops during it | writers' longest wait | p99 | p50 | reader ops during it | readers' longest wait | p99 | p50 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let modes: &[bool] = if args.only_project {
        &[false]
    } else {
        &[false, true]
    };
    for &plain in modes {
        let row = run_mode(&args, plain).await?;
        println!("{row}");
    }
    Ok(())
}

/// The question-bank schema after the change: `attempts.practice_session_id` NOT NULL, its
/// key's ON DELETE from set null (impossible on a NOT NULL column) to cascade, and an index
/// on `selected_choice_id`.
fn changed_schema() -> Schema {
    let mut schema = schema::SCHEMA.clone();
    let attempts = schema
        .tables
        .to_mut()
        .iter_mut()
        .find(|t| t.name == "attempts")
        .expect("attempts");
    for c in attempts.columns.to_mut() {
        if c.name == "practice_session_id" {
            c.nullable = false;
        }
    }
    for fk in attempts.foreign_keys.to_mut() {
        if fk.column == "practice_session_id" {
            fk.on_delete = OnDelete::Cascade;
        }
    }
    attempts.indexes.to_mut().push(IndexDef {
        name: "attempts_selected_choice_id_idx".into(),
        unique: false,
        columns: vec![IndexColumn::asc("selected_choice_id".into())].into(),
        method: None,
        predicate: None,
        include: std::borrow::Cow::Borrowed(&[]),
        invalid: false,
    });
    schema
}

fn humantime_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{text}`: write e.g. 3s or 500ms"))?;
    match unit {
        "s" => Ok(Duration::from_secs(n)),
        "ms" => Ok(Duration::from_millis(n)),
        _ => Err(format!("`{text}`: write e.g. 3s or 500ms")),
    }
}

async fn connect(url: &str) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

async fn run_mode(args: &Args, plain: bool) -> Result<String, Box<dyn std::error::Error>> {
    let name = if plain {
        "bench_online_plain"
    } else {
        "bench_online_project"
    };
    let admin = connect(&format!("{}/postgres", args.server)).await?;
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await?;
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await?;
    let url = format!("{}/{name}", args.server);
    let client = connect(&url).await?;
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    Migrator::from_dir(repo.join("migrations"))?
        .run_on_client(&client)
        .await?;
    eprintln!("{name}: seeding {} attempts", args.rows);
    seed(&client, args.rows).await?;

    // The migration, written before the clock starts.
    let tmp = tempfile::tempdir()?;
    let (files, sql_for_psql) = if plain {
        let change = schema_core::diff::diff(&schema::SCHEMA, &changed_schema());
        let sql = schema_core::render::migration(&change.statements, false)
            .replace(schema_core::sql::STATEMENT_BREAKPOINT, "");
        let path = tmp.path().join("plain.sql");
        std::fs::write(&path, &sql)?;
        (vec![sql], Some(path))
    } else {
        copy_dir(&repo.join("migrations"), tmp.path())?;
        let dir = MigrationsDir::new(tmp.path());
        let options = GenerateOptions {
            name: Some("online".into()),
            allow_destructive: true,
            ..Default::default()
        };
        let Generated::Written(entries) = generate(&changed_schema(), &dir, &options)? else {
            return Err("nothing generated".into());
        };
        let files = entries
            .iter()
            .map(|(e, _)| dir.sql(&e.tag))
            .collect::<Result<Vec<_>, _>>()?;
        (files, None)
    };
    let statements = files
        .iter()
        .map(|f| f.matches(";").count().to_string())
        .collect::<Vec<_>>()
        .join(" + ");

    let ids: Vec<(uuid::Uuid,)> = client
        .query(
            "SELECT id FROM attempts TABLESAMPLE SYSTEM (5) LIMIT 20000",
            &[],
        )
        .await?
        .iter()
        .map(|r| (r.get(0),))
        .collect();
    let ids = Arc::new(ids.into_iter().map(|(i,)| i).collect::<Vec<_>>());
    let refs = client
        .query_one(
            "SELECT (SELECT array_agg(id) FROM users), (SELECT array_agg(id) FROM questions),
                    (SELECT array_agg(id) FROM practice_sessions)",
            &[],
        )
        .await?;
    let refs: Arc<(Vec<uuid::Uuid>, Vec<uuid::Uuid>, Vec<uuid::Uuid>)> =
        Arc::new((refs.get(0), refs.get(1), refs.get(2)));

    let begun = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..args.writers {
        let client = connect(&format!("{url}?application_name=bench-writer-{w}")).await?;
        let (stop, ids, refs) = (stop.clone(), ids.clone(), refs.clone());
        writers.push(tokio::spawn(async move {
            write_loop(client, w as u64 + 1, begun, stop, ids, refs).await
        }));
    }
    let mut readers = Vec::new();
    for r in 0..args.readers {
        let client = connect(&format!("{url}?application_name=bench-reader-{r}")).await?;
        let (stop, ids) = (stop.clone(), ids.clone());
        readers.push(tokio::spawn(async move {
            read_loop(client, r as u64 + 101, begun, stop, ids).await
        }));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    // A report that read the table and is still open when the migration starts: every
    // statement that needs an ACCESS EXCLUSIVE lock on `attempts` has to wait for it.
    let report = connect(&format!("{url}?application_name=bench-report")).await?;
    let long = args.long_transaction;
    let report_done = if long.is_zero() {
        None
    } else {
        report
            .batch_execute("BEGIN; SELECT count(*) FROM attempts WHERE is_correct")
            .await?;
        Some(tokio::spawn(async move {
            tokio::time::sleep(long).await;
            report.batch_execute("COMMIT").await
        }))
    };
    let t0 = begun.elapsed();
    match &sql_for_psql {
        Some(path) => {
            let mut psql = std::process::Command::new(&args.psql);
            psql.args([
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "--single-transaction",
                "-f",
            ])
            .arg(path)
            .arg(&url);
            let status = tokio::task::spawn_blocking(move || psql.status()).await??;
            if !status.success() {
                return Err(format!("psql failed: {status}").into());
            }
        }
        None => {
            let db = schema_core::connection::DatabaseConfig::from_url(&url)?;
            let defaults = RunOptions::default();
            let options = RunOptions {
                lock_timeout: args.lock_timeout.unwrap_or(defaults.lock_timeout),
                lock_retries: args.lock_retries.unwrap_or(defaults.lock_retries),
                retry_backoff: args.retry_backoff.unwrap_or(defaults.retry_backoff),
                ..defaults
            };
            Migrator::from_dir(tmp.path())?
                .with_options(options)
                .run(&db)
                .await?;
        }
    }
    let t1 = begun.elapsed();
    if let Some(done) = report_done {
        done.await??;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    let mut ops = Vec::new();
    for w in writers {
        ops.extend(w.await??);
    }
    let mut reads = Vec::new();
    for r in readers {
        reads.extend(r.await??);
    }
    drop(client);
    admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await?;

    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    // Count, longest, p99, p50 of the operations that overlap the migration.
    let figures = |ops: &[Op]| {
        let mut during: Vec<Duration> = ops
            .iter()
            .filter(|o| o.start < t1 && o.start + o.took > t0)
            .map(|o| o.took)
            .collect();
        during.sort();
        let pick = |q: f64| {
            during
                .get(((during.len() as f64 * q).ceil() as usize).saturating_sub(1))
                .copied()
                .unwrap_or_default()
        };
        format!(
            "{} | {} | {} | {}",
            during.len(),
            ms(during.last().copied().unwrap_or_default()),
            ms(pick(0.99)),
            ms(pick(0.50)),
        )
    };
    let label = if plain {
        "plain (drizzle-kit's form), `psql --single-transaction`".to_string()
    } else {
        let lock_timeout = args
            .lock_timeout
            .unwrap_or(RunOptions::default().lock_timeout);
        format!(
            "this project: `generate` + runner, lock_timeout {}",
            ms(lock_timeout)
        )
    };
    Ok(format!(
        "| {label} | {statements} | {} | {} | {} |",
        ms(t1 - t0),
        figures(&ops),
        figures(&reads),
    ))
}

async fn seed(client: &Client, rows: i64) -> Result<(), tokio_postgres::Error> {
    client
        .batch_execute(&format!(
            "INSERT INTO users (clerk_user_id, email)
               SELECT 'user_' || g, 'user' || g || '@example.com' FROM generate_series(1, 1000) g;
             INSERT INTO questions (slug, stem_md, explanation_md, difficulty, status)
               SELECT 'q-' || g, 'stem', 'why', 'easy', 'published' FROM generate_series(1, 500) g;
             INSERT INTO practice_sessions (user_id, mode, params_json)
               SELECT id, 'tutor', '{{}}' FROM users;
             INSERT INTO attempts (user_id, question_id, practice_session_id, is_correct, time_spent_seconds)
               SELECT s.user_id, q.a[1 + g % 500], s.id, g % 3 = 0, g % 90
               FROM generate_series(1, {rows}) g
               CROSS JOIN (SELECT array_agg(id) a FROM questions) q
               JOIN LATERAL (SELECT array_agg(id) ids, array_agg(user_id) users FROM practice_sessions) ps ON true
               CROSS JOIN LATERAL (SELECT ps.ids[1 + g % 1000] id, ps.users[1 + g % 1000] user_id) s;"
        ))
        .await?;
    client.batch_execute("VACUUM ANALYZE attempts").await
}

/// Insert one attempt, update one random attempt, until told to stop.
async fn write_loop(
    client: Client,
    seed: u64,
    begun: Instant,
    stop: Arc<AtomicBool>,
    ids: Arc<Vec<uuid::Uuid>>,
    refs: Arc<(Vec<uuid::Uuid>, Vec<uuid::Uuid>, Vec<uuid::Uuid>)>,
) -> Result<Vec<Op>, tokio_postgres::Error> {
    let insert = client
        .prepare(
            "INSERT INTO attempts (user_id, question_id, practice_session_id, is_correct)
             VALUES ($1, $2, $3, true)",
        )
        .await?;
    let update = client
        .prepare("UPDATE attempts SET time_spent_seconds = time_spent_seconds + 1 WHERE id = $1")
        .await?;
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = |n: usize| {
        // xorshift64: enough to spread the writers over the rows.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut ops = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let session = next(refs.2.len());
        let start = begun.elapsed();
        client
            .execute(
                &insert,
                &[
                    &refs.0[session % refs.0.len()],
                    &refs.1[next(refs.1.len())],
                    &refs.2[session],
                ],
            )
            .await?;
        ops.push(Op {
            start,
            took: begun.elapsed() - start,
        });
        let start = begun.elapsed();
        client.execute(&update, &[&ids[next(ids.len())]]).await?;
        ops.push(Op {
            start,
            took: begun.elapsed() - start,
        });
    }
    Ok(ops)
}

/// Read one random attempt by id, until told to stop.
async fn read_loop(
    client: Client,
    seed: u64,
    begun: Instant,
    stop: Arc<AtomicBool>,
    ids: Arc<Vec<uuid::Uuid>>,
) -> Result<Vec<Op>, tokio_postgres::Error> {
    let read = client
        .prepare("SELECT time_spent_seconds FROM attempts WHERE id = $1")
        .await?;
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut ops = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let id = &ids[(state % ids.len() as u64) as usize];
        let start = begun.elapsed();
        client.query_opt(&read, &[id]).await?;
        ops.push(Op {
            start,
            took: begun.elapsed() - start,
        });
    }
    Ok(ops)
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
