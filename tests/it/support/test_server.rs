//! The local server's fixtures for the connection tests: a TLS certificate for `localhost`
//! signed by a test authority, and a role that must give its password.
//!
//! A fresh machine has neither, so the first test that needs them makes them, once per test
//! process, by running `scripts/test-server-setup.sh` (the script CI and a person can also run
//! by hand). Test processes of other checkouts may share the server, so the check and the set-up
//! run under a PostgreSQL advisory lock: one process prepares, the others then find it ready.
//! The script writes the server's files, so it needs root or the `postgres` OS user (or
//! password-less sudo); when it cannot, the failure names what to run.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use tokio::sync::OnceCell;
use tokio_postgres::{Client, NoTls};

/// The role that must give its password over TCP, and its password.
pub const PASSWORD_ROLE: &str = "schema_test_password";
pub const PASSWORD: &str = "right horse";

/// Key of the advisory lock that serialises the set-up between test processes.
const SETUP_LOCK: i64 = 0x5343_4845_4d41_5453; // "SCHEMATS"

/// What the connection tests need of the server, once it is ready.
pub struct Prepared {
    /// The test authority's certificate, to pass as `sslrootcert`.
    pub ca: PathBuf,
}

/// The prepared server, made ready on first use; panics with what to run when it cannot be.
pub async fn prepared() -> &'static Prepared {
    static READY: OnceCell<Result<Prepared, String>> = OnceCell::const_new();
    match READY.get_or_init(prepare).await {
        Ok(prepared) => prepared,
        Err(why) => panic!("{why}"),
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/test-server-setup.sh")
}

async fn prepare() -> Result<Prepared, String> {
    let admin_url = schema_core::testing::admin_url();
    let admin = connect(&admin_url)
        .await
        .map_err(|e| format!("cannot reach the test server at {admin_url}: {e}"))?;
    // Released when `admin` is dropped, on every path out of here.
    admin
        .execute("SELECT pg_advisory_lock($1)", &[&SETUP_LOCK])
        .await
        .map_err(|e| format!("cannot take the test set-up lock: {e}"))?;
    if let Some(prepared) = ready(&admin_url).await? {
        return Ok(prepared);
    }
    run_script(&admin_url)?;
    // pg_reload_conf only signals the server; wait until new connections see the new files.
    for _ in 0..100 {
        if let Some(prepared) = ready(&admin_url).await? {
            return Ok(prepared);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!(
        "{} ran, but the server at {admin_url} still lacks the test certificate or the password \
         rule after reloading its configuration; see its log",
        script().display()
    ))
}

/// The prepared fixtures, or `None` while any of them is missing. Each check opens a new
/// connection, so it sees the configuration a new connection gets.
async fn ready(admin_url: &str) -> Result<Option<Prepared>, String> {
    let admin = connect(admin_url)
        .await
        .map_err(|e| format!("cannot reach the test server at {admin_url}: {e}"))?;
    let row = admin
        .query_one(
            "SELECT current_setting('ssl') = 'on', current_setting('ssl_cert_file')",
            &[],
        )
        .await
        .map_err(|e| format!("cannot read the server's TLS settings: {e}"))?;
    let (ssl, cert): (bool, String) = (row.get(0), row.get(1));
    let ca = Path::new(&cert).with_file_name("ca.crt");
    if !ssl || !ca.is_file() {
        return Ok(None);
    }
    // The role exists with its password, and the rule that asks for it is in force: the right
    // password gets in and a wrong one does not (under `trust` any password would).
    let url = |password: &str| {
        format!(
            "postgres://{PASSWORD_ROLE}:{}@127.0.0.1:5432/postgres",
            password.replace(' ', "%20")
        )
    };
    if connect(&url(PASSWORD)).await.is_err() || connect(&url("not it")).await.is_ok() {
        return Ok(None);
    }
    Ok(Some(Prepared { ca }))
}

/// Runs the set-up script: directly as root or `postgres`, else through password-less sudo.
fn run_script(admin_url: &str) -> Result<(), String> {
    let script = script();
    let host_is_local = admin_url
        .parse::<tokio_postgres::Config>()
        .map(|config| {
            config.get_hosts().iter().all(|host| match host {
                tokio_postgres::config::Host::Tcp(name) => schema_core::testing::is_local(name),
                #[cfg(unix)]
                tokio_postgres::config::Host::Unix(_) => true,
            })
        })
        .unwrap_or(false);
    if !host_is_local {
        return Err(format!(
            "the test server at {admin_url} has no test TLS certificate or password role, and \
             it is not on this machine: run `{}` as root on the machine that runs it",
            script.display()
        ));
    }
    let user = Command::new("id")
        .arg("-un")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .unwrap_or_default();
    let mut command = if user == "root" || user == "postgres" {
        Command::new("bash")
    } else {
        let mut sudo = Command::new("sudo");
        sudo.args(["-n", "bash"]);
        sudo
    };
    let output = command
        .arg(&script)
        .env("TEST_DATABASE_URL", admin_url)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "the local PostgreSQL has no test TLS certificate or password role, and this process \
         (user `{user}`) could not make them: run `sudo {}` once on this machine.\n{}",
        script.display(),
        String::from_utf8_lossy(&output.stderr).trim()
    ))
}

async fn connect(url: &str) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}
