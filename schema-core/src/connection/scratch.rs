//! Creating and dropping whole databases through a connection to another one (the server's
//! `postgres` database): the missing database `migrate` may create, the shadow databases of
//! `generate --check`, and the databases of tests.

use tokio_postgres::Client;

use crate::sql::quote_ident;

/// `CREATE DATABASE name`, from `admin`, a connection to another database of the server.
pub async fn create_database(admin: &Client, name: &str) -> Result<(), tokio_postgres::Error> {
    admin
        .batch_execute(&format!("CREATE DATABASE {}", quote_ident(name)))
        .await
}

/// `CREATE DATABASE name TEMPLATE template`: a copy of `template`, which nobody may be
/// connected to meanwhile.
pub async fn copy_database(
    admin: &Client,
    name: &str,
    template: &str,
) -> Result<(), tokio_postgres::Error> {
    admin
        .batch_execute(&format!(
            "CREATE DATABASE {} TEMPLATE {}",
            quote_ident(name),
            quote_ident(template)
        ))
        .await
}

/// `DROP DATABASE IF EXISTS name WITH (FORCE)`: the connections still open on it are ended,
/// so a dropped client's connection that has not closed yet does not keep the database.
pub async fn drop_database(admin: &Client, name: &str) -> Result<(), tokio_postgres::Error> {
    admin
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote_ident(name)
        ))
        .await
}
