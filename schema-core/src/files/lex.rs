//! Just enough of PostgreSQL's lexical rules to find where top-level statements start and
//! end in a hand-written file: quoted strings and identifiers, `E''` escapes, dollar quotes,
//! nested block comments, parentheses, and the `BEGIN ATOMIC .. END` bodies of SQL-standard
//! functions (whose inner semicolons do not end the `CREATE`). psql splits a script the same
//! way before sending it.

/// One top-level statement of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TopStatement<'a> {
    /// Byte offset of the statement's first character that is not blank or a comment.
    pub offset: usize,
    /// The statement's text from `offset` up to and including its `;` (if any).
    pub text: &'a str,
    /// Its first words outside comments, upper-cased (at most three).
    pub words: Vec<String>,
}

impl TopStatement<'_> {
    /// `BEGIN`, `COMMIT`, `ROLLBACK`, `END`, `START TRANSACTION`, `ABORT` or two-phase commit
    /// at top level: inside a migration's transaction they would end it early, so whatever
    /// follows would be committed without its ledger row.
    pub fn transaction_control(&self) -> bool {
        let w = |i: usize| self.words.get(i).map(String::as_str).unwrap_or("");
        match w(0) {
            "BEGIN" | "COMMIT" | "END" | "ABORT" => true,
            // ROLLBACK TO SAVEPOINT stays inside the transaction.
            "ROLLBACK" => w(1) != "TO",
            "START" => w(1) == "TRANSACTION",
            "PREPARE" => w(1) == "TRANSACTION",
            _ => false,
        }
    }
}

/// Splits `sql` into its top-level statements, skipping ones that hold only comments.
pub(crate) fn statements(sql: &str) -> Vec<TopStatement<'_>> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut words: Vec<String> = Vec::new();
    let mut parens = 0usize;
    let mut atomic = 0usize; // BEGIN ATOMIC / CASE nesting inside CREATE
    let mut i = 0;
    let mut finish = |start: &mut Option<usize>, end: usize, words: &mut Vec<String>| {
        if let Some(s) = start.take() {
            out.push(TopStatement {
                offset: s,
                text: &sql[s..end],
                words: std::mem::take(words),
            });
        }
    };
    while i < bytes.len() {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'-' && next == Some(b'-') {
            i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
            continue;
        }
        if c == b'/' && next == Some(b'*') {
            i = skip_block_comment(bytes, i);
            continue;
        }
        let begins = start.is_none();
        if begins {
            start = Some(i);
        }
        match c {
            b';' if parens == 0 && atomic == 0 => {
                finish(&mut start, i + 1, &mut words);
                i += 1;
            }
            b'(' => {
                parens += 1;
                i += 1;
            }
            b')' => {
                parens = parens.saturating_sub(1);
                i += 1;
            }
            b'\'' => i = skip_quoted(bytes, i, b'\'', escapes_backslash(bytes, i)),
            b'"' => i = skip_quoted(bytes, i, b'"', false),
            b'$' => i = skip_dollar(sql, i),
            _ if c.is_ascii_alphabetic() || c == b'_' => {
                let end = word_end(bytes, i);
                let word = sql[i..end].to_ascii_uppercase();
                let in_create = words.first().is_some_and(|w| w == "CREATE");
                match word.as_str() {
                    "BEGIN" if in_create && next_word_is(sql, end, "ATOMIC") => atomic += 1,
                    "CASE" if atomic > 0 => atomic += 1,
                    "END" if atomic > 0 => atomic -= 1,
                    _ => {}
                }
                if words.len() < 3 {
                    words.push(word);
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    finish(&mut start, bytes.len(), &mut words);
    out
}

/// Whether the word after byte `from` (past blanks) is `word`, in any case.
fn next_word_is(sql: &str, from: usize, word: &str) -> bool {
    let rest = sql[from..].trim_start();
    rest.get(..word.len())
        .is_some_and(|w| w.eq_ignore_ascii_case(word))
        && !rest[word.len()..]
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// One token of a statement, as far as the runner needs to read one: the words and names
/// of its head (`CREATE UNIQUE INDEX CONCURRENTLY "name"`), so that it needs no SQL parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// A keyword or an unquoted name, as written.
    Word(&'a str),
    /// A double-quoted name, its doubled quotes undone.
    Quoted(String),
    /// Anything else: punctuation, a literal, an operator.
    Other,
}

impl Token<'_> {
    /// Whether this is the keyword (or unquoted name) `word`, in any case.
    pub fn is(&self, word: &str) -> bool {
        matches!(self, Token::Word(w) if w.eq_ignore_ascii_case(word))
    }

    /// The name as PostgreSQL stores it: unquoted names folded to lower case.
    pub fn name(&self) -> Option<String> {
        match self {
            Token::Word(w) => Some(w.to_ascii_lowercase()),
            Token::Quoted(name) => Some(name.clone()),
            Token::Other => None,
        }
    }
}

/// The first `n` tokens of one statement's text, comments skipped.
pub(crate) fn leading_tokens(sql: &str, n: usize) -> Vec<Token<'_>> {
    let bytes = sql.as_bytes();
    // PostgreSQL takes any non-ASCII character as a letter of a name.
    let name_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80;
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() && out.len() < n {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'-' && next == Some(b'-') {
            i = sql[i..].find('\n').map_or(bytes.len(), |k| i + k + 1);
        } else if c == b'/' && next == Some(b'*') {
            i = skip_block_comment(bytes, i);
        } else if c == b'"' {
            let end = skip_quoted(bytes, i, b'"', false);
            let inner = sql[i + 1..end.max(i + 1)].strip_suffix('"').unwrap_or("");
            out.push(Token::Quoted(inner.replace("\"\"", "\"")));
            i = end;
        } else if c == b'\'' {
            i = skip_quoted(bytes, i, b'\'', escapes_backslash(bytes, i));
            out.push(Token::Other);
        } else if c == b'$' {
            i = skip_dollar(sql, i);
            out.push(Token::Other);
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            let mut end = i + 1;
            while end < bytes.len() && name_byte(bytes[end]) {
                end += 1;
            }
            out.push(Token::Word(&sql[i..end]));
            i = end;
        } else {
            out.push(Token::Other);
            i += 1;
        }
    }
    out
}

/// 1-based line of byte `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn word_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len()
        && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'$')
    {
        i += 1;
    }
    i
}

/// `E'..'` (or `e'..'`) strings take backslash escapes.
fn escapes_backslash(bytes: &[u8], quote: usize) -> bool {
    quote > 0
        && matches!(bytes[quote - 1], b'E' | b'e')
        && (quote < 2 || !(bytes[quote - 2].is_ascii_alphanumeric() || bytes[quote - 2] == b'_'))
}

/// Past the closing quote; a doubled quote is an escaped one.
fn skip_quoted(bytes: &[u8], open: usize, quote: u8, backslash: bool) -> usize {
    let mut i = open + 1;
    while i < bytes.len() {
        if backslash && bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

fn skip_block_comment(bytes: &[u8], open: usize) -> usize {
    let mut depth = 0;
    let mut i = open;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// `$tag$ .. $tag$`; a `$` that opens no tag (a parameter such as `$1`) is one character.
fn skip_dollar(sql: &str, open: usize) -> usize {
    let bytes = sql.as_bytes();
    let mut end = open + 1;
    while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
        end += 1;
    }
    let tag_ok =
        bytes.get(end) == Some(&b'$') && !bytes.get(open + 1).is_some_and(u8::is_ascii_digit);
    if !tag_ok {
        return open + 1;
    }
    let tag = &sql[open..=end];
    match sql[end + 1..].find(tag) {
        Some(n) => end + 1 + n + tag.len(),
        None => bytes.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn firsts(sql: &str) -> Vec<String> {
        statements(sql).iter().map(|s| s.words.join(" ")).collect()
    }

    #[test]
    fn semicolons_inside_quotes_comments_and_bodies_do_not_split() {
        let sql = "INSERT INTO t VALUES ('a;b', E'it\\'s;', \"x;y\");\n\
                   /* one; /* nested; */ two; */\n\
                   DO $body$ BEGIN PERFORM 1; COMMIT; END $body$;\n\
                   CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; END;\n\
                   -- trailing; comment\n\
                   SELECT $1";
        assert_eq!(
            firsts(sql),
            ["INSERT INTO T", "DO", "CREATE FUNCTION F", "SELECT"]
        );
        let all = statements(sql);
        assert_eq!(line_of(sql, all[1].offset), 3);
        assert!(all.iter().all(|s| !s.transaction_control()));
        // `begin` as a column name opens no body.
        assert_eq!(
            firsts("CREATE TABLE t (begin int);\nCOMMIT;"),
            ["CREATE TABLE T", "COMMIT"]
        );
    }

    #[test]
    fn transaction_control_is_found_at_top_level() {
        let sql = "begin;\nUPDATE t SET a = 1;\nCommit;\nSTART TRANSACTION;\nEND;\nROLLBACK TO SAVEPOINT s;\nROLLBACK;";
        let control: Vec<_> = statements(sql)
            .iter()
            .map(|s| s.transaction_control())
            .collect();
        assert_eq!(control, [true, false, true, true, true, false, true]);
    }

    #[test]
    fn leading_tokens_skip_comments_and_undo_doubled_quotes() {
        let tokens = leading_tokens(
            "-- why\ncreate /* a /* b */ */ INDEX \"Mixed \"\"Case\"\"\" ON tëst ('x;');",
            8,
        );
        assert_eq!(
            tokens,
            [
                Token::Word("create"),
                Token::Word("INDEX"),
                Token::Quoted("Mixed \"Case\"".into()),
                Token::Word("ON"),
                Token::Word("tëst"),
                Token::Other,
                Token::Other,
                Token::Other,
            ]
        );
        assert!(tokens[0].is("CREATE"));
        assert_eq!(tokens[4].name().as_deref(), Some("tëst"));
        assert_eq!(leading_tokens("SELECT 1", 1), [Token::Word("SELECT")]);
    }

    #[test]
    fn comment_only_text_has_no_statement() {
        assert!(statements("-- nothing\n/* here */\n").is_empty());
    }
}
