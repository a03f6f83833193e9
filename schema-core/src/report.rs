//! One way to print an error with its causes.

use std::error::Error;

/// An error's message followed by its causes, `: `-separated, so that a printed or stored error
/// says what the database said (`tokio_postgres::Error` alone displays only "db error"). A
/// cause whose text its parent already includes is not repeated.
///
/// The library's errors keep their causes as [`Error::source`] rather than in their own
/// message; print them with this (or any reporter that walks the sources).
pub fn error_chain(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(next) = cause {
        let part = next.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = next.source();
    }
    text
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
}
