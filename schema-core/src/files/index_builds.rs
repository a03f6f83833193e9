//! Which statements of a migration build an index concurrently, and the index each builds:
//! what the runner needs to drop an INVALID index a failed build left, read with the
//! migration files' own lexer so that the runner needs no SQL parser.

/// Whether `sql` is a `CREATE INDEX CONCURRENTLY`.
pub(crate) fn builds_index_concurrently(sql: &str) -> bool {
    super::lex::statements(sql)
        .iter()
        .any(|statement| concurrent_build(statement.text).is_some())
}

/// The index a `CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name` statement builds,
/// as PostgreSQL names it (unquoted names folded to lower case).
pub(crate) fn concurrent_index_name(sql: &str) -> Option<String> {
    super::lex::statements(sql)
        .iter()
        .find_map(|statement| concurrent_build(statement.text))
        .flatten()
}

/// For a `CREATE [UNIQUE] INDEX CONCURRENTLY` statement, the name it gives the index, if any.
/// Read from the statement's head with the migration files' own lexer, so that the runner
/// needs no SQL parser.
fn concurrent_build(statement: &str) -> Option<Option<String>> {
    use super::lex::Token;
    let tokens = super::lex::leading_tokens(statement, 8);
    let mut rest = tokens.iter();
    let mut next = || rest.next().unwrap_or(&Token::Other);
    if !next().is("CREATE") {
        return None;
    }
    let mut token = next();
    if token.is("UNIQUE") {
        token = next();
    }
    if !token.is("INDEX") || !next().is("CONCURRENTLY") {
        return None;
    }
    token = next();
    if token.is("IF") {
        if !(next().is("NOT") && next().is("EXISTS")) {
            return None;
        }
        token = next();
    }
    if token.is("ON") {
        return Some(None);
    }
    Some(token.name())
}

#[cfg(test)]
mod tests {
    use super::concurrent_index_name;

    #[test]
    fn which_statements_build_an_index_concurrently() {
        use super::builds_index_concurrently as concurrent;
        assert!(concurrent("CREATE INDEX CONCURRENTLY ON a (b);"));
        assert!(concurrent(
            "/* note */ create unique index concurrently if not exists x on a (b)"
        ));
        assert!(!concurrent("CREATE INDEX x ON a (b);"));
        assert!(!concurrent(
            "SELECT 'CREATE INDEX CONCURRENTLY x ON a (b)';"
        ));
        assert!(!concurrent(
            "-- CREATE INDEX CONCURRENTLY x ON a (b);\nCREATE TABLE concurrently (a int);"
        ));
    }

    #[test]
    fn the_index_name_of_a_concurrent_build() {
        let name = |s| concurrent_index_name(s);
        assert_eq!(
            name("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"a_b_idx\" ON \"a\" (b);"),
            Some("a_b_idx".into())
        );
        assert_eq!(
            name("-- why\ncreate index concurrently Foo on a (b);"),
            Some("foo".into())
        );
        assert_eq!(name("CREATE INDEX CONCURRENTLY ON a (b);"), None);
        assert_eq!(name("CREATE INDEX \"x\" ON a (b);"), None);
        assert_eq!(name("DROP INDEX CONCURRENTLY \"x\";"), None);
        assert_eq!(
            name("CREATE INDEX CONCURRENTLY \"Mixed \"\"Case\"\"\" ON a (b);"),
            Some("Mixed \"Case\"".into())
        );
    }
}
