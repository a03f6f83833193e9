//! What a migration sets for the session, so the runner can put it back: a migration in a
//! PostgreSQL schema of its own starts with `SET search_path TO "app"` (rendered into the file,
//! so the file applies the same through psql), and a session-level `SET` survives COMMIT. Left
//! alone it would follow the connection back into an application's pool, and into the next
//! migration of the run. Files keep their bytes (and checksums): the runner reads the values
//! before the migration and sets them back after it, in the same transaction when there is one.

use tokio_postgres::{Client, SimpleQueryMessage};

use super::error::MigrateError;
use crate::files::lex;
use crate::files::source::Migration;
use crate::sql::quote_literal;

/// The settings a migration changes for the session, with their values from before it.
#[derive(Debug, Default)]
pub(crate) struct Saved(Vec<(String, Option<String>)>);

impl Saved {
    /// Reads the current value of each setting `migrations` set (`SET`, `SET SESSION`,
    /// `RESET`, `SET TIME ZONE`, `SET ROLE`), in one round trip for all of them; none when
    /// they set nothing.
    pub(crate) async fn before<'m>(
        client: &Client,
        migrations: impl IntoIterator<Item = &'m Migration>,
    ) -> Result<Self, MigrateError> {
        let mut names: Vec<String> = Vec::new();
        let mut first = None;
        for migration in migrations {
            for name in set_by(migration) {
                if !names.contains(&name) {
                    first.get_or_insert(migration.name.as_str());
                    names.push(name);
                }
            }
        }
        let Some(first) = first else {
            return Ok(Saved::default());
        };
        let columns: Vec<String> = names
            .iter()
            .map(|n| format!("current_setting({}, true)", quote_literal(n)))
            .collect();
        let messages = client
            .simple_query(&format!("SELECT {}", columns.join(", ")))
            .await
            .map_err(|e| MigrateError::Database {
                during: format!("reading the settings `{first}` changes"),
                source: e,
            })?;
        let row = messages.iter().find_map(|m| match m {
            SimpleQueryMessage::Row(row) => Some(row),
            _ => None,
        });
        Ok(Saved(
            names
                .into_iter()
                .enumerate()
                .map(|(i, name)| (name, row.and_then(|r| r.get(i)).map(str::to_string)))
                .collect(),
        ))
    }

    /// [`Saved::restore_sql`] for the settings `migration` changes only.
    pub(crate) fn restore_sql_for(&self, migration: &Migration) -> String {
        let changed = set_by(migration);
        if changed.is_empty() {
            return String::new();
        }
        Saved(
            self.0
                .iter()
                .filter(|(name, _)| changed.contains(name))
                .cloned()
                .collect(),
        )
        .restore_sql()
    }

    /// SQL that sets each saved setting back (a setting unknown before is reset), ending
    /// with `;`; empty when there is nothing to put back.
    pub(crate) fn restore_sql(&self) -> String {
        self.0
            .iter()
            .map(|(name, value)| match value {
                Some(value) => format!(
                    "SELECT set_config({}, {}, false);\n",
                    quote_literal(name),
                    quote_literal(value)
                ),
                None => format!("RESET {};\n", crate::sql::quote_ident(name)),
            })
            .collect()
    }
}

/// The settings the statements of `migration` change for the session, by name, in order,
/// each once. `SET LOCAL` ends with the transaction and needs no care.
pub(crate) fn set_by(migration: &Migration) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for statement in &migration.statements {
        for top in lex::statements(&statement.sql) {
            if let Some(name) = setting_of(top.text) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
    }
    names
}

/// The schema a migration's unqualified names resolve in when it sets the search path
/// (`SET search_path TO "app"`): the first one listed.
pub(crate) fn search_path_schema(migration: &Migration) -> Option<String> {
    migration
        .statements
        .iter()
        .flat_map(|s| lex::statements(&s.sql))
        .filter(|top| setting_of(top.text).as_deref() == Some("search_path"))
        .filter_map(|top| first_value(top.text))
        .next_back()
}

/// The setting a `SET`/`RESET` statement changes for the session, lower-cased as PostgreSQL
/// folds it; `None` for any other statement, `SET LOCAL`, `SET TRANSACTION`,
/// `SET CONSTRAINTS` and `RESET ALL`.
fn setting_of(sql: &str) -> Option<String> {
    let words: Vec<String> = words(sql).take(4).collect();
    let w = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    let (verb, rest) = match w(0) {
        "set" if w(1) == "session" && w(2) != "characteristics" && w(2) != "authorization" => {
            ("set", 2)
        }
        "set" => ("set", 1),
        "reset" => ("reset", 1),
        _ => return None,
    };
    match (verb, w(rest)) {
        (
            _,
            "" | "local" | "transaction" | "constraints" | "all" | "session" | "characteristics",
        ) => None,
        ("set", "time") if w(rest + 1) == "zone" => Some("timezone".into()),
        (_, name) => Some(name.to_string()),
    }
}

/// Words of a statement, lower-cased, a quoted identifier unquoted; stops at `=` or `;`.
fn words(sql: &str) -> impl Iterator<Item = String> + '_ {
    sql.split(|c: char| c.is_whitespace() || c == '=' || c == ';')
        .filter(|w| !w.is_empty())
        .map(
            |w| match w.strip_prefix('"').and_then(|w| w.strip_suffix('"')) {
                Some(quoted) => quoted.replace("\"\"", "\""),
                None => w.to_ascii_lowercase(),
            },
        )
}

/// The first value of `SET name TO a, b` / `SET name = a`: an identifier (quoted or not) or a
/// string.
fn first_value(sql: &str) -> Option<String> {
    let lower = sql.to_ascii_lowercase();
    let start = lower
        .find(" to ")
        .map(|i| i + 4)
        .or_else(|| lower.find('=').map(|i| i + 1))?;
    let value = sql[start..].trim_start();
    let mut chars = value.char_indices();
    match chars.next()? {
        (_, q @ ('"' | '\'')) => {
            let mut out = String::new();
            let mut rest = value[1..].chars().peekable();
            while let Some(c) = rest.next() {
                if c == q {
                    if rest.peek() == Some(&q) {
                        rest.next();
                    } else {
                        return Some(out);
                    }
                }
                out.push(c);
            }
            None
        }
        _ => {
            let end = value
                .find(|c: char| c == ',' || c == ';' || c.is_whitespace())
                .unwrap_or(value.len());
            Some(value[..end].to_ascii_lowercase()).filter(|v| !v.is_empty())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::source::split_statements;

    fn migration(sql: &str) -> Migration {
        Migration {
            version: 0,
            name: "0000_a.sql".into(),
            path: "0000_a.sql".into(),
            checksum: String::new(),
            transactional: true,
            sql: sql.into(),
            statements: split_statements(sql),
            down_checksum: None,
        }
    }

    #[test]
    fn session_settings_are_found_and_local_ones_are_not() {
        let m = migration(
            "SET search_path TO \"app\";\n--> statement-breakpoint\n\
             SET LOCAL lock_timeout = '1s';\n--> statement-breakpoint\n\
             set session Statement_Timeout = 0;\n--> statement-breakpoint\n\
             SET TIME ZONE 'UTC';\n--> statement-breakpoint\n\
             RESET work_mem;\n--> statement-breakpoint\n\
             SET CONSTRAINTS ALL DEFERRED;\n--> statement-breakpoint\n\
             SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;\n--> statement-breakpoint\n\
             SET search_path = public;\n--> statement-breakpoint\n\
             CREATE TABLE \"t\" (\"set\" int);",
        );
        assert_eq!(
            set_by(&m),
            ["search_path", "statement_timeout", "timezone", "work_mem"]
        );
        assert_eq!(search_path_schema(&m).as_deref(), Some("public"));
    }

    #[test]
    fn the_schema_a_migration_uses_is_its_search_paths_first() {
        let schema = |sql: &str| search_path_schema(&migration(sql));
        assert_eq!(
            schema("SET search_path TO \"App\", public;").as_deref(),
            Some("App")
        );
        assert_eq!(schema("SET search_path TO app;").as_deref(), Some("app"));
        assert_eq!(schema("SET search_path = 'a\"b';").as_deref(), Some("a\"b"));
        assert_eq!(schema("CREATE TABLE t ();"), None);
    }

    #[test]
    fn restoring_quotes_values_and_resets_unknown_settings() {
        let saved = Saved(vec![
            ("search_path".into(), Some("\"$user\", public".into())),
            ("my.flag".into(), None),
        ]);
        assert_eq!(
            saved.restore_sql(),
            "SELECT set_config('search_path', '\"$user\", public', false);\nRESET \"my.flag\";\n"
        );
    }
}
