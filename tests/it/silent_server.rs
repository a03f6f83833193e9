//! A server that accepts the connection and never answers (a hung server, or a proxy or
//! firewall that swallows traffic): every command gives up within `connect_timeout` and names
//! the server. The fault is a TCP listener on loopback that accepts and stays silent, put
//! where the real server would be.

use crate::migrate_support as support;

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use schema_core::connection::{ConnectError, DatabaseConfig};
use schema_core::MigrateError;
use support::cli::{assert_user_error, migrate_bin};
use support::Fixture;

/// How long a test lets a command hang before failing it: far beyond any timeout under test,
/// only so that a regression fails instead of hanging the suite.
const HANG: Duration = Duration::from_secs(120);

/// Accepts every connection and holds it open without a byte in answer, for as long as it
/// lives.
struct SilentServer {
    port: u16,
    _held: Arc<Mutex<Vec<TcpStream>>>,
}

impl SilentServer {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
        let port = listener.local_addr().unwrap().port();
        let held = Arc::new(Mutex::new(Vec::new()));
        let keep = held.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                keep.lock().unwrap().push(stream);
            }
        });
        SilentServer { port, _held: held }
    }

    fn url(&self, query: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/qb{query}", self.port)
    }

    fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

fn fixture() -> Fixture {
    Fixture::new(&[("0000_initial.sql", "CREATE TABLE \"a\" (\"id\" int);\n")])
}

#[tokio::test(flavor = "multi_thread")]
async fn connecting_gives_up_after_connect_timeout_and_names_the_server() {
    let server = SilentServer::start();
    let db = DatabaseConfig::from_url(&server.url("?connect_timeout=1")).unwrap();
    let migrator = fixture().migrator();
    for what in ["connect", "run", "status"] {
        let attempt = async {
            match what {
                "connect" => db.connect().await.map(drop).map_err(MigrateError::from),
                "run" => migrator.run(&db).await.map(drop),
                _ => migrator.status(&db).await.map(drop),
            }
        };
        let err = tokio::time::timeout(HANG, attempt)
            .await
            .expect("gave up by itself")
            .expect_err(what);
        assert!(
            matches!(&err, MigrateError::Connection(ConnectError::ConnectTimeout { waited, .. }) if *waited == Duration::from_secs(1)),
            "{what}: {err:?}"
        );
        let text = err.to_string();
        assert!(text.contains(&server.target()), "{text}");
        assert!(text.contains("did not answer within 1s"), "{text}");
        assert!(err.help().contains("PGCONNECT_TIMEOUT"), "{}", err.help());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn without_connect_timeout_the_default_applies() {
    let db = DatabaseConfig::from_url("postgres://postgres@127.0.0.1:1/qb").unwrap();
    assert_eq!(
        db.connect_timeout(),
        Some(schema_core::connection::DEFAULT_CONNECT_TIMEOUT)
    );
    let pooled = DatabaseConfig::from(db.config().clone());
    assert_eq!(pooled.connect_timeout(), db.connect_timeout());
}

/// Runs the migrate example; fails the test rather than wait past [`HANG`].
fn run_bounded(args: &[&str], env: &[(&str, &str)]) -> Output {
    let fixture = fixture();
    let mut command = Command::new(migrate_bin());
    command.args(args);
    if !args.contains(&"--dir") {
        command.args(["--dir", fixture.path().to_str().unwrap()]);
    }
    command
        .current_dir(fixture.path())
        .env_remove("DATABASE_URL")
        .env_remove("PGCONNECT_TIMEOUT")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child: Child = command.spawn().expect("run the migrate example");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > HANG {
            let _ = child.kill();
            panic!("`migrate {}` hung on a silent server", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn every_command_gives_up_on_a_silent_server_with_a_message_naming_it() {
    let server = SilentServer::start();
    let url = server.url("?connect_timeout=1");
    for command in ["migrate", "status", "dry-run", "verify", "revert", "adopt"] {
        let output = run_bounded(&[command, "--database-url", &url], &[]);
        assert_user_error(
            &output,
            &[
                &format!("PostgreSQL at {} (--database-url)", server.target()),
                "did not answer within 1s (connect_timeout)",
                "connect_timeout=SECONDS",
            ],
        );
    }
}

#[test]
fn pgconnect_timeout_bounds_a_url_without_connect_timeout() {
    let server = SilentServer::start();
    let output = run_bounded(
        &["status", "--database-url", &server.url("")],
        &[("PGCONNECT_TIMEOUT", "1")],
    );
    assert_user_error(&output, &["did not answer within 1s"]);
}

/// The pool's own connect is timed by tokio-postgres only up to the socket; the run bounds
/// its wait for the pool's connection itself.
#[tokio::test(flavor = "multi_thread")]
async fn a_run_on_a_pool_gives_up_on_a_silent_server() {
    let server = SilentServer::start();
    let config: tokio_postgres::Config = server.url("").parse().unwrap();
    let pool = deadpool_postgres::Pool::builder(deadpool_postgres::Manager::new(
        config,
        tokio_postgres::NoTls,
    ))
    .max_size(1)
    .build()
    .unwrap();
    let migrator = fixture().migrator();
    let err = tokio::time::timeout(HANG, migrator.run_with_pool(&pool))
        .await
        .expect("the run gave up by itself")
        .expect_err("no answer");
    assert!(
        matches!(err, MigrateError::Connection(ConnectError::PoolTimeout { waited }) if waited == schema_core::connection::DEFAULT_CONNECT_TIMEOUT),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("no connection of the pool"),
        "{err}"
    );
}

/// `generate --check` proves on a shadow database of the server: it gives up on a silent one
/// too, and says why (what it then exits with is the proof's business).
#[test]
fn generate_check_gives_up_on_a_silent_shadow_server() {
    let server = SilentServer::start();
    let url = server.url("?connect_timeout=1");
    let committed = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
    let output = run_bounded(
        &[
            "generate",
            "--check",
            "--dir",
            committed,
            "--shadow-database-url",
            &url,
        ],
        &[],
    );
    let (stdout, stderr) = support::cli::text(&output);
    assert!(
        format!("{stdout}{stderr}").contains(&format!(
            "PostgreSQL at {} (--shadow-database-url) did not answer within 1s",
            server.target()
        )),
        "{stdout}{stderr}"
    );
}
