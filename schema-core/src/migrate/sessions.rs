//! Who else is in the database: the sessions that hold a lock the run waits for, read from
//! `pg_stat_activity` so a message can name them (pid, application, state, query start).

use std::fmt;

use tokio_postgres::Client;

/// Another session, as `pg_stat_activity` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Its backend's process id, as `pg_terminate_backend` takes it.
    pub pid: i32,
    /// The `application_name` it set; empty when none.
    pub application_name: String,
    /// `active`, `idle in transaction`, ...
    pub state: String,
    /// When its current (or last) query started, UTC.
    pub query_start: String,
    /// When its transaction started, UTC; empty outside a transaction.
    pub transaction_start: String,
    /// The start of its current (or last) query.
    pub query: String,
}

impl fmt::Display for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let app = if self.application_name.is_empty() {
            "no application_name"
        } else {
            &self.application_name
        };
        write!(
            f,
            "pid {} ({app}), {}, query started {}",
            self.pid, self.state, self.query_start
        )?;
        if !self.transaction_start.is_empty() {
            write!(f, ", transaction started {}", self.transaction_start)?;
        }
        write!(f, ": `{}`", self.query)
    }
}

/// The list as one line, for messages.
pub(crate) fn describe(sessions: &[Session]) -> String {
    if sessions.is_empty() {
        return "no blocking session was seen".into();
    }
    sessions
        .iter()
        .map(Session::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

const COLUMNS: &str = "a.pid, coalesce(a.application_name, ''), coalesce(a.state, ''),
  coalesce(to_char(a.query_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''),
  coalesce(to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''),
  left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 120)";

/// The sessions that block `pid` (`pg_blocking_pids`), read from another connection.
pub(crate) async fn blocking(
    client: &Client,
    pid: i32,
) -> Result<Vec<Session>, tokio_postgres::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM pg_stat_activity a WHERE a.pid = ANY(pg_blocking_pids($1)) ORDER BY a.pid"
    );
    rows(client.query(&sql, &[&pid]).await?)
}

/// The sessions holding the advisory lock `key` (other than this one).
pub(crate) async fn advisory_holders(
    client: &Client,
    key: i64,
) -> Result<Vec<Session>, tokio_postgres::Error> {
    // A bigint advisory key is stored as two 32-bit halves, objsubid 1.
    let sql = format!(
        "SELECT {COLUMNS} FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
           AND l.classid::bigint = ($1::bigint >> 32) AND l.objid::bigint = ($1::bigint & 4294967295)
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND a.pid <> pg_backend_pid()
         ORDER BY a.pid"
    );
    rows(client.query(&sql, &[&key]).await?)
}

fn rows(rows: Vec<tokio_postgres::Row>) -> Result<Vec<Session>, tokio_postgres::Error> {
    rows.into_iter()
        .map(|r| {
            Ok(Session {
                pid: r.try_get(0)?,
                application_name: r.try_get(1)?,
                state: r.try_get(2)?,
                query_start: r.try_get(3)?,
                transaction_start: r.try_get(4)?,
                query: r.try_get(5)?,
            })
        })
        .collect()
}
