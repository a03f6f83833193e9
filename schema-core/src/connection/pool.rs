//! A run on the application's pool: a bounded wait for its connection, and where that
//! connection leads (for the report).

use tokio_postgres::Client;

use super::config::DEFAULT_CONNECT_TIMEOUT;
use super::error::ConnectError;

/// A connection of `pool`, waited for no longer than the pool's own timeouts (when it has
/// them, they fire first, with their own error) plus [`DEFAULT_CONNECT_TIMEOUT`]: a pool
/// without timeouts would otherwise wait forever for a busy connection or a silent server.
pub(crate) async fn get(
    pool: &deadpool_postgres::Pool,
) -> Result<deadpool_postgres::Object, ConnectError> {
    let own = pool.timeouts();
    let limit = [own.wait, own.create, own.recycle]
        .into_iter()
        .flatten()
        .fold(DEFAULT_CONNECT_TIMEOUT, |sum, t| sum + t);
    match tokio::time::timeout(limit, pool.get()).await {
        Ok(result) => result.map_err(ConnectError::Pool),
        Err(_) => Err(ConnectError::PoolTimeout { waited: limit }),
    }
}

/// The database and the server's `address:port` as the server sees them (`local socket` for
/// a Unix-domain connection).
pub(crate) async fn where_connected(
    client: &Client,
) -> Result<(String, String), tokio_postgres::Error> {
    let row = client
        .query_one(
            "SELECT current_database()::text, \
             coalesce(host(inet_server_addr()) || ':' || inet_server_port(), 'local socket')",
            &[],
        )
        .await?;
    Ok((row.get(0), row.get(1)))
}
