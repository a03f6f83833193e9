//! SQL text: identifier quoting, literals and the migration file-format rules.
//!
//! The primitives every other spelling is built from. `schema-core` re-exports them from
//! `schema_core::sql`, which adds the spellings that need its model (types, qualified
//! names, casts); the macros use them directly, so that a column list spelled at expansion
//! is the one a migration writes.

use std::fmt;

/// A double-quoted identifier, `"` inside doubled: how every generated migration spells an
/// identifier, whatever it is (drizzle-kit writes them so), so a name never changes meaning
/// with the server version's list of keywords.
pub fn quote_ident(name: &str) -> String {
    quoted(name, '"')
}

/// A single-quoted string literal, `'` inside doubled (as read with
/// `standard_conforming_strings` on, the default since PostgreSQL 9.1).
pub fn quote_literal(text: &str) -> String {
    quoted(text, '\'')
}

/// `text` between `quote`s, each `quote` inside doubled. One allocation: identifiers are
/// spelled several times per statement, and a `replace` then `format!` made two.
fn quoted(text: &str, quote: char) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for (i, part) in text.split(quote).enumerate() {
        if i > 0 {
            out.push(quote);
            out.push(quote);
        }
        out.push_str(part);
    }
    out.push(quote);
    out
}

/// An identifier as PostgreSQL's `quote_ident()` (and `format_type()`, `pg_get_indexdef()`..)
/// prints it: bare when it is plain lower-case (`[a-z_][a-z0-9_]*`) and not a keyword that
/// [`needs_quotes`] says must be quoted, double-quoted otherwise.
pub fn quote_ident_if_needed(name: &str) -> String {
    if needs_quotes(name) {
        quote_ident(name)
    } else {
        name.to_string()
    }
}

/// The default of a `serial` column as `pg_get_expr()` prints it:
/// `nextval('<table>_<column>_seq'::regclass)`, the sequence's name quoted as `regclass`
/// prints it (`nextval('"User_id_seq"'::regclass)`).
pub fn serial_default(table: &str, column: &str) -> String {
    let sequence = quote_ident_if_needed(&crate::names::owned_sequence(table, column));
    format!("nextval({}::regclass)", quote_literal(&sequence))
}

/// Whether PostgreSQL quotes `name` when it prints it: anything but a plain lower-case
/// identifier, and the keywords of [`QUOTED_KEYWORDS`].
pub fn needs_quotes(name: &str) -> bool {
    let mut bytes = name.bytes();
    let plain = bytes
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    !plain || is_quoted_keyword(name)
}

/// Whether `word` is one of [`QUOTED_KEYWORDS`].
pub fn is_quoted_keyword(word: &str) -> bool {
    QUOTED_KEYWORDS.binary_search(&word).is_ok()
}

/// The keywords PostgreSQL 15 quotes as identifiers: every keyword that is not unreserved
/// (`SELECT word FROM pg_get_keywords() WHERE catcode <> 'U'`): the reserved ones (`R`), those
/// that may be a function or type name (`T`, e.g. `left`) and those that may be a column name
/// (`C`, e.g. `between`), since `quote_ident()` quotes all three. Sorted, for a binary search.
pub const QUOTED_KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// The extension of a migration file.
pub const SQL_EXTENSION: &str = ".sql";

/// The extension of a down migration, `NNNN_name.down.sql`: the reverse of `NNNN_name.sql`.
pub const DOWN_EXTENSION: &str = ".down.sql";

/// The line that separates statements in a migration file, as drizzle-kit writes it (after
/// the statement's semicolon, `);--> statement-breakpoint`, or on a line of its own).
pub const STATEMENT_BREAKPOINT: &str = "--> statement-breakpoint";

/// A first line that makes a migration run outside a transaction.
pub const NO_TRANSACTION_MARKER: &str = "-- schema:no-transaction";

/// The fewest digits of a migration's number (`0000_initial.sql`), so that names sort in
/// the order the migrations run.
pub const VERSION_DIGITS: usize = 4;

/// A migration's number and name, read from its file name: `0012_add_index.sql` is
/// version 12, name `add_index`, tag `0012_add_index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MigrationName<'a> {
    /// The number before the first `_`.
    pub version: i64,
    /// What follows it, without the extension.
    pub name: &'a str,
    /// `NNNN_name`: the file name without its extension, the number as written.
    pub tag: &'a str,
}

impl MigrationName<'_> {
    /// `NNNN_name.sql`, the up migration's file name.
    pub fn up_file(&self) -> String {
        up_file(self.tag)
    }

    /// `NNNN_name.down.sql`, the down migration's file name.
    pub fn down_file(&self) -> String {
        down_file(self.tag)
    }
}

/// `<tag>.sql`: the file of migration `tag` (`NNNN_name`).
pub fn up_file(tag: &str) -> String {
    format!("{tag}{SQL_EXTENSION}")
}

/// `<tag>.down.sql`: the file of the down of migration `tag` (`NNNN_name`).
pub fn down_file(tag: &str) -> String {
    format!("{tag}{DOWN_EXTENSION}")
}

/// What a file of a migrations folder is, by its name alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MigrationFile<'a> {
    /// `NNNN_name.sql`: a migration.
    Up(MigrationName<'a>),
    /// `NNNN_name.down.sql`: the reverse of migration `NNNN_name.sql` (used by `revert`).
    Down(MigrationName<'a>),
    /// Meant as a migration but not named as one: refused, so a migration never silently
    /// does not run.
    Misnamed(Misnamed),
    /// A copy of a migration made by a tool (an editor's lock, swap or backup file, a hidden
    /// file): not read, and reported as skipped; holds why.
    Skipped(&'static str),
    /// Anything else (a README, `.gitkeep`): not a migration, and nothing to say about it.
    Other,
}

/// Why a file meant as a migration is not one, and the name it should have. Displayed as
/// what follows the file's name in a message: "`1_a.sql` is not named NNNN_name.sql: ..;
/// rename it to `0001_a.sql`".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Misnamed {
    /// What is wrong with the name.
    pub problem: NameProblem,
    /// The name to rename the file to; `<name>` stands for a part only its author can choose.
    pub rename_to: String,
}

/// What is wrong with a migration's file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameProblem {
    /// It ends in `.SQL` (or another casing of `.sql`); only `.sql` is read.
    WrongCase,
    /// It does not start with a number of at least [`VERSION_DIGITS`] digits and `_`.
    BadNumber,
    /// Nothing follows the number, or the name has a character other than an ASCII letter,
    /// a digit, `_` or `-` (the name ends up in messages and in the ledger).
    BadName,
}

impl fmt::Display for NameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameProblem::WrongCase => {
                "ends in capitals; only files ending in `.sql` (lower-case) are read"
            }
            NameProblem::BadNumber => {
                "is not named NNNN_name.sql: a migration's name starts with its number, at \
                 least four digits, then `_`"
            }
            NameProblem::BadName => {
                "is not named NNNN_name.sql: after the number and `_` comes a name of ASCII \
                 letters, digits, `_` or `-`"
            }
        })
    }
}

impl fmt::Display for Misnamed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; rename it to `{}`", self.problem, self.rename_to)
    }
}

/// The one rule for the names of migration files, which the runner (a folder, or the files
/// `embed_migrations!` embedded) and `generate` all read by.
///
/// `NNNN_name.sql` is a migration and `NNNN_name.down.sql` its down, `NNNN` at least four
/// digits and `name` ASCII letters, digits, `_` or `-`. A name that starts with `.` or `#`
/// or that mentions `.sql` without ending in it is a tool's copy, skipped. Any other file
/// ending in `.sql`, in any casing, is refused with the name to give it.
pub fn migration_file(file_name: &str) -> MigrationFile<'_> {
    let tool_copy = file_name.starts_with('.') || file_name.starts_with('#');
    let lower = file_name.to_ascii_lowercase();
    if !lower.ends_with(SQL_EXTENSION) {
        return if lower.contains(SQL_EXTENSION) {
            MigrationFile::Skipped("not a `.sql` file (an editor's backup or swap file?)")
        } else {
            MigrationFile::Other
        };
    }
    if tool_copy {
        return MigrationFile::Skipped("an editor's lock or hidden file");
    }
    let at = file_name.len() - SQL_EXTENSION.len();
    if &file_name[at..] != SQL_EXTENSION {
        let rename_to = format!("{}{SQL_EXTENSION}", &file_name[..at]);
        let rename_to = match migration_file(&rename_to) {
            MigrationFile::Misnamed(m) => m.rename_to,
            _ => rename_to,
        };
        return MigrationFile::Misnamed(Misnamed {
            problem: NameProblem::WrongCase,
            rename_to,
        });
    }
    let (stem, down) = match file_name.strip_suffix(DOWN_EXTENSION) {
        Some(stem) => (stem, true),
        None => (&file_name[..at], false),
    };
    match parse_stem(stem) {
        Ok(name) if down => MigrationFile::Down(name),
        Ok(name) => MigrationFile::Up(name),
        Err(problem) => MigrationFile::Misnamed(Misnamed {
            problem,
            rename_to: format!(
                "{}{}",
                suggest_stem(stem),
                if down { DOWN_EXTENSION } else { SQL_EXTENSION }
            ),
        }),
    }
}

fn parse_stem(stem: &str) -> Result<MigrationName<'_>, NameProblem> {
    let (digits, name) = stem.split_once('_').ok_or_else(|| {
        if stem.bytes().all(|b| b.is_ascii_digit()) && stem.len() >= VERSION_DIGITS {
            NameProblem::BadName
        } else {
            NameProblem::BadNumber
        }
    })?;
    if digits.len() < VERSION_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NameProblem::BadNumber);
    }
    let version = digits.parse().map_err(|_| NameProblem::BadNumber)?;
    if name.is_empty() || !name.bytes().all(name_byte) {
        return Err(NameProblem::BadName);
    }
    Ok(MigrationName {
        version,
        name,
        tag: stem,
    })
}

fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The stem a misnamed file should have: its number padded to four digits, its name with
/// each unusable character made `_`; `NNNN` or `<name>` where there is none to keep.
fn suggest_stem(stem: &str) -> String {
    let digits_end = stem
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(stem.len());
    let (digits, rest) = stem.split_at(digits_end);
    let number = if digits.is_empty() {
        "NNNN".to_string()
    } else {
        format!("{digits:0>width$}", width = VERSION_DIGITS)
    };
    // With no number, the whole stem is the name; after one, a separator goes.
    let rest = if digits.is_empty() {
        rest
    } else {
        rest.strip_prefix(['_', '-', ' ', '.']).unwrap_or(rest)
    };
    let name: String = rest
        .chars()
        .map(|c| {
            if c.is_ascii() && name_byte(c as u8) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = if name.trim_matches('_').is_empty() {
        "<name>".to_string()
    } else {
        name
    };
    format!("{number}_{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up<'a>(version: i64, name: &'a str, tag: &'a str) -> MigrationFile<'a> {
        MigrationFile::Up(MigrationName { version, name, tag })
    }

    fn misnamed(file: &str) -> (NameProblem, String) {
        match migration_file(file) {
            MigrationFile::Misnamed(m) => (m.problem, m.rename_to),
            other => panic!("`{file}` is {other:?}"),
        }
    }

    #[test]
    fn identifiers_and_literals_double_their_quotes() {
        assert_eq!(quote_ident("users"), "\"users\"");
        assert_eq!(quote_ident("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote_ident(""), "\"\"");
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal("0001_a.sql"), "'0001_a.sql'");
    }

    #[test]
    fn only_plain_names_that_are_not_keywords_go_bare() {
        for bare in ["users", "_x", "a1", "name", "text", "uuid", "user_id"] {
            assert_eq!(quote_ident_if_needed(bare), bare);
        }
        for (name, quoted) in [
            ("MixedCase", "\"MixedCase\""),
            ("group", "\"group\""),
            ("between", "\"between\""),
            ("user", "\"user\""),
            ("a$b", "\"a$b\""),
            ("1a", "\"1a\""),
            ("é", "\"é\""),
            ("", "\"\""),
            ("a\"b", "\"a\"\"b\""),
        ] {
            assert_eq!(quote_ident_if_needed(name), quoted);
        }
    }

    #[test]
    fn the_keyword_list_is_sorted_and_lower_case() {
        assert!(QUOTED_KEYWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(QUOTED_KEYWORDS
            .iter()
            .all(|w| w.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
    }

    #[test]
    fn migrations_need_four_digits_and_a_plain_name() {
        assert_eq!(
            migration_file("0000_initial.sql"),
            up(0, "initial", "0000_initial")
        );
        assert_eq!(
            migration_file("0012_add-index.sql"),
            up(12, "add-index", "0012_add-index")
        );
        assert_eq!(
            migration_file("10000_big.sql"),
            up(10000, "big", "10000_big")
        );
        assert_eq!(migration_file("00001_a.sql"), up(1, "a", "00001_a"));
        assert_eq!(
            migration_file("0001_Mixed.sql"),
            up(1, "Mixed", "0001_Mixed")
        );
        assert_eq!(
            migration_file("0003_x.down.sql"),
            MigrationFile::Down(MigrationName {
                version: 3,
                name: "x",
                tag: "0003_x"
            })
        );
    }

    #[test]
    fn misnamed_files_are_told_what_to_be_renamed_to() {
        let bad = |file| misnamed(file);
        use NameProblem::*;
        assert_eq!(bad("1_a.sql"), (BadNumber, "0001_a.sql".into()));
        assert_eq!(
            bad("12_short.down.sql"),
            (BadNumber, "0012_short.down.sql".into())
        );
        assert_eq!(bad("0001.sql"), (BadName, "0001_<name>.sql".into()));
        assert_eq!(bad("0001_.sql"), (BadName, "0001_<name>.sql".into()));
        assert_eq!(
            bad("0001_has space.sql"),
            (BadName, "0001_has_space.sql".into())
        );
        assert_eq!(bad("0001_quote'.sql"), (BadName, "0001_quote_.sql".into()));
        assert_eq!(bad("0001-a.sql"), (BadNumber, "0001_a.sql".into()));
        assert_eq!(bad("initial.sql"), (BadNumber, "NNNN_initial.sql".into()));
        assert_eq!(bad("0001_a.SQL"), (WrongCase, "0001_a.sql".into()));
        assert_eq!(bad("1_a.Sql"), (WrongCase, "0001_a.sql".into()));
        assert_eq!(
            bad("0001_a.down.SQL"),
            (WrongCase, "0001_a.down.sql".into())
        );
        assert_eq!(
            bad("99999999999999999999_a.sql").0,
            BadNumber,
            "a number beyond i64 is refused, not wrapped"
        );
    }

    #[test]
    fn tool_copies_are_skipped_and_other_files_ignored() {
        for skipped in [
            ".#0001_x.sql",
            "#0001_x.sql#",
            "0001_x.sql~",
            ".0001_x.sql.swp",
            ".0001_x.sql",
            "0001_x.sql.orig",
        ] {
            assert!(
                matches!(migration_file(skipped), MigrationFile::Skipped(_)),
                "{skipped}"
            );
        }
        for other in ["README.md", ".gitkeep", "meta", "0001_x.txt"] {
            assert_eq!(migration_file(other), MigrationFile::Other, "{other}");
        }
    }

    #[test]
    fn a_name_gives_back_its_files() {
        let MigrationFile::Up(name) = migration_file("0007_add_tags.sql") else {
            panic!()
        };
        assert_eq!(name.tag, "0007_add_tags");
        assert_eq!(name.up_file(), "0007_add_tags.sql");
        assert_eq!(name.down_file(), "0007_add_tags.down.sql");
        let misnamed = match migration_file("7_a.sql") {
            MigrationFile::Misnamed(m) => m,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            misnamed.to_string(),
            "is not named NNNN_name.sql: a migration's name starts with its number, at least \
             four digits, then `_`; rename it to `0007_a.sql`"
        );
    }
}
