//! Whether a down loses data, read from its statements: a table or column dropped, rows
//! deleted or truncated, a schema or type dropped with CASCADE, a column cast to a type that
//! cuts its values. `revert` asks for confirmation of such a down whether or not its header
//! carries `-- schema:destructive`, so deleting that line cannot make it drop data unasked.
//!
//! A type change that fails on a value it cannot hold (bigint to integer, text to a number)
//! loses nothing: the statement fails and the transaction rolls back. Only a change that
//! succeeds with less is counted: an explicit cast (`USING`) to a bounded string or to
//! `real`, which cut or round what does not fit.

use super::source::split_statements;

/// One statement that loses data, as a line for a refusal or a report: where it is and what
/// it loses, e.g. ``statement 2 (line 5) `ALTER TABLE "users" DROP COLUMN "bio";`: drops a
/// column with its values``.
pub fn data_losses(sql: &str) -> Vec<String> {
    split_statements(sql)
        .iter()
        .filter_map(|s| {
            let loss = loss(&words(&s.sql))?;
            let first = s.first_line();
            // The line of what a reader recognises, past the comments above it.
            let line = s.sql.lines().position(|l| l.trim() == first).unwrap_or(0) + s.line;
            Some(format!(
                "statement {} (line {line}) `{first}`: {loss}",
                s.number
            ))
        })
        .collect()
}

/// A word of SQL outside comments and literals: a keyword or unquoted name upper-cased, a
/// quoted name as `"name"`, or one punctuation character.
fn words(sql: &str) -> Vec<String> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'-' && next == Some(b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && next == Some(b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == b'\'' || c == b'"' {
            let start = i;
            i += 1;
            while i < b.len() {
                if b[i] == c && b.get(i + 1) == Some(&c) {
                    i += 2;
                } else if b[i] == c {
                    i += 1;
                    break;
                } else {
                    i += 1;
                }
            }
            if c == b'"' {
                out.push(sql[start..i].to_string());
            } else {
                out.push("'".into());
            }
        } else if c == b'$' {
            // A dollar quote: `$tag$ .. $tag$`; a bare `$1` is a parameter.
            let tag_end = sql[i + 1..]
                .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                .map(|n| i + 1 + n);
            match tag_end {
                Some(end) if b[end] == b'$' => {
                    let tag = &sql[i..=end];
                    let body = end + 1;
                    i = sql[body..]
                        .find(tag)
                        .map_or(b.len(), |n| body + n + tag.len());
                    out.push("'".into());
                }
                _ => i += 1,
            }
        } else if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
                i += 1;
            }
            out.push(sql[start..i].to_ascii_uppercase());
        } else {
            out.push((c as char).to_string());
            i += 1;
        }
    }
    out
}

/// What the statement of `w` loses, if anything.
fn loss(w: &[String]) -> Option<&'static str> {
    let at = |i: usize| w.get(i).map(String::as_str).unwrap_or("");
    let cascade = w.iter().any(|x| x == "CASCADE");
    match (at(0), at(1)) {
        ("DROP", "TABLE") => Some("drops a table with its rows"),
        ("DROP", "SCHEMA") if cascade => Some("drops a schema with every table in it"),
        ("DROP", "TYPE" | "DOMAIN") if cascade => Some("drops a type with the columns that use it"),
        ("TRUNCATE", _) => Some("removes every row of a table"),
        ("DELETE", "FROM") => Some("deletes rows"),
        ("ALTER", "TABLE") => alter_table_loss(w),
        _ => None,
    }
}

fn alter_table_loss(w: &[String]) -> Option<&'static str> {
    let at = |i: usize| w.get(i).map(String::as_str).unwrap_or("");
    for i in 2..w.len() {
        match at(i) {
            // `DROP [COLUMN] [IF EXISTS] name`; the other things an ALTER TABLE drops keep
            // the rows' values.
            "DROP"
                if !matches!(
                    at(i + 1),
                    "CONSTRAINT" | "DEFAULT" | "NOT" | "IDENTITY" | "EXPRESSION"
                ) && !at(i + 1).is_empty() =>
            {
                return Some("drops a column with its values");
            }
            // `ALTER [COLUMN] name [SET DATA] TYPE type .. USING ..`: an explicit cast cuts
            // what the new type cannot hold instead of failing on it.
            "TYPE" if at(i - 1) != "OF" => {
                let target = at(i + 1);
                let bounded = matches!(
                    target,
                    "VARCHAR" | "CHAR" | "BPCHAR" | "CHARACTER" | "REAL" | "FLOAT4"
                ) && (target == "REAL"
                    || target == "FLOAT4"
                    || w[i + 1..].iter().any(|x| x == "("));
                let until_next = w[i + 1..]
                    .iter()
                    .take_while(|x| x.as_str() != ",")
                    .any(|x| x == "USING");
                if bounded && until_next {
                    return Some("casts a column to a type that cuts or rounds its values");
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lost(sql: &str) -> Option<&'static str> {
        loss(&words(sql))
    }

    #[test]
    fn statements_that_lose_data_are_known_by_their_words() {
        for sql in [
            "DROP TABLE \"users\";",
            "drop table if exists users cascade;",
            "ALTER TABLE \"users\" DROP COLUMN \"bio\";",
            "ALTER TABLE users DROP bio;",
            "ALTER TABLE users DROP IF EXISTS bio;",
            "ALTER TABLE \"users\" ALTER COLUMN \"name\" SET DATA TYPE varchar(20) USING \"name\"::varchar(20);",
            "TRUNCATE users;",
            "DELETE FROM users WHERE true;",
            "DROP TYPE mood CASCADE;",
            "DROP SCHEMA app CASCADE;",
            "/* note */ ALTER TABLE users ADD COLUMN x int, DROP COLUMN y;",
        ] {
            assert!(lost(sql).is_some(), "{sql}");
        }
    }

    #[test]
    fn statements_that_keep_every_value_are_not_counted() {
        for sql in [
            "ALTER TABLE \"users\" DROP CONSTRAINT \"users_pkey\";",
            "ALTER TABLE users ALTER COLUMN bio DROP DEFAULT;",
            "ALTER TABLE users ALTER COLUMN bio DROP NOT NULL;",
            "ALTER TABLE users ALTER COLUMN n SET DATA TYPE bigint;",
            "ALTER TABLE users ALTER COLUMN n SET DATA TYPE integer USING n::text::integer;",
            "ALTER TABLE users ALTER COLUMN n SET DATA TYPE varchar(30);",
            "DROP INDEX CONCURRENTLY IF EXISTS \"users_email_idx\";",
            "DROP TYPE \"mood_old\";",
            "DROP EXTENSION IF EXISTS \"pgcrypto\";",
            "ALTER TYPE mood RENAME TO mood_old;",
            "SELECT 'DROP TABLE users';",
            "-- DROP TABLE users\nSELECT 1;",
            "UPDATE users SET bio = $$DROP TABLE x$$;",
        ] {
            assert_eq!(lost(sql), None, "{sql}");
        }
    }

    #[test]
    fn each_loss_names_its_statement_and_line() {
        let sql = "ALTER TABLE \"users\" ADD COLUMN \"a\" text;\n--> statement-breakpoint\n-- why\nALTER TABLE \"users\" DROP COLUMN \"bio\";\n";
        assert_eq!(
            data_losses(sql),
            ["statement 2 (line 4) `ALTER TABLE \"users\" DROP COLUMN \"bio\";`: drops a column with its values"]
        );
    }
}
