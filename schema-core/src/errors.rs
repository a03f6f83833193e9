//! One way to print an error with its causes.

use std::error::Error;
use std::fmt::Write;

use tokio_postgres::error::DbError;

/// An error's message followed by its causes, `: `-separated, so that a printed or stored error
/// says what the database said. A cause whose text its parent already includes is not
/// repeated.
///
/// The server's errors read as `[SQLSTATE] message`, with the server's detail and hint in
/// parentheses: `tokio_postgres::Error` alone displays only "db error", and the server's
/// report it holds as its source displays its severity rather than its SQLSTATE.
///
/// The library's errors keep their causes as [`Error::source`] rather than in their own
/// message; print them with this (or any reporter that walks the sources).
pub fn error_chain(error: &(dyn Error + 'static)) -> String {
    let mut text = String::new();
    let mut next = Some(error);
    while let Some(current) = next {
        next = current.source();
        let part = match current.downcast_ref::<DbError>() {
            Some(db) => server_error(db),
            // Its source, the server's report, says all it would.
            None if is_server_error(current) => continue,
            None => current.to_string(),
        };
        if text.is_empty() {
            text = part;
        } else if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
    }
    text
}

/// Each item with its causes under a heading: a list has no one source to chain them after.
pub(crate) fn list<T: Error + 'static>(head: &str, items: &[T]) -> String {
    let mut out = format!("{head}:");
    for item in items {
        out.push_str("\n  - ");
        out.push_str(&error_chain(item));
    }
    out
}

fn is_server_error(error: &(dyn Error + 'static)) -> bool {
    error
        .downcast_ref::<tokio_postgres::Error>()
        .is_some_and(|e| e.as_db_error().is_some())
}

/// `[SQLSTATE] message (detail) (hint: hint)`, as the server sent them.
fn server_error(db: &DbError) -> String {
    let mut text = format!("[{}] {}", db.code().code(), db.message());
    if let Some(detail) = db.detail() {
        let _ = write!(text, " ({detail})");
    }
    if let Some(hint) = db.hint() {
        let _ = write!(text, " (hint: {hint})");
    }
    text
}

/// Asserts that `error` keeps a cause of type `S` as its source, does not repeat the cause's
/// text in its own message, and that [`error_chain`] prints the cause once.
#[cfg(test)]
pub(crate) fn assert_keeps_source<S: Error + 'static>(error: &(dyn Error + 'static)) {
    let source = error.source().expect("a source");
    assert!(
        source.is::<S>(),
        "source is not a {}: {source:?}",
        std::any::type_name::<S>()
    );
    let cause = source.to_string();
    let message = error.to_string();
    assert!(!message.contains(&cause), "{message:?} repeats {cause:?}");
    let chain = error_chain(error);
    assert_eq!(chain.matches(cause.as_str()).count(), 1, "{chain}");
    assert!(chain.starts_with(&message), "{chain}");
}

/// A `tokio_postgres::Error` made without a server: the parser's refusal of a port.
#[cfg(test)]
pub(crate) fn client_error() -> tokio_postgres::Error {
    "host=h port=notaport"
        .parse::<tokio_postgres::Config>()
        .unwrap_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn causes_follow_once() {
        let e = Outer(std::io::Error::other("inner"));
        assert_eq!(error_chain(&e), "outer: inner");
    }

    #[test]
    fn a_client_error_reads_with_its_causes() {
        let e = client_error();
        let chain = error_chain(&e);
        assert!(chain.starts_with(&e.to_string()), "{chain}");
        assert!(chain.contains("port"), "{chain}");
    }
}
