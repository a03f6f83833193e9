//! What can be wrong with the migration files, each naming the file and what to do.

use std::path::PathBuf;

/// Why the migrations could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The migrations folder does not exist, or is a file.
    #[error("migrations folder `{}` does not exist or is not a folder", path.display())]
    DirMissing {
        /// The folder as it was given.
        path: PathBuf,
    },
    /// The migrations folder exists but cannot be listed.
    #[error("cannot list migrations folder `{}`", path.display())]
    ReadDir {
        /// The folder as it was given.
        path: PathBuf,
        /// Why listing it failed.
        #[source]
        source: std::io::Error,
    },
    /// Files of the folder are misnamed, unreadable or malformed.
    #[error("{}", crate::errors::list("the migrations folder has problems", .0))]
    Problems(Vec<SourceProblem>),
}

impl SourceError {
    /// What a user can do about the error, in one or two sentences.
    pub fn help(&self) -> String {
        match self {
            Self::DirMissing { .. } => "Run from the project's root, or pass --dir with \
                the folder that holds the NNNN_name.sql files."
                .into(),
            Self::ReadDir { .. } => "Check the folder's permissions.".into(),
            Self::Problems(_) => "Fix or rename the files listed above; nothing was applied. \
                Files in subfolders and files whose names do not mention .sql are ignored."
                .into(),
        }
    }
}

/// A problem with one file of the migrations folder.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceProblem {
    /// A file meant as a migration (it ends in `.sql`, in any casing) whose name is not
    /// `NNNN_name.sql` (or `NNNN_name.down.sql`); says what to rename it to.
    #[error("`{}` {misnamed}", path.display())]
    Misnamed {
        /// The file.
        path: PathBuf,
        /// What is wrong with its name, and the name to give it.
        misnamed: crate::sql::Misnamed,
    },
    /// A migration file that cannot be read.
    #[error("`{}` cannot be read", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why reading it failed.
        #[source]
        source: std::io::Error,
    },
    /// A migration file whose bytes are not UTF-8.
    #[error("`{}` is not UTF-8 text", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// Two migrations (or two downs) share a version number.
    #[error("`{}` and `{}` have the same number", first.display(), second.display())]
    DuplicateVersion {
        /// The first of the two files, in name order.
        first: PathBuf,
        /// The second file.
        second: PathBuf,
    },
    /// A down file whose migration is not in the folder.
    #[error("`{}` is the down of `{up}`, which is not in the folder: name it after its migration, or delete it", path.display())]
    OrphanDown {
        /// The down file.
        path: PathBuf,
        /// The file name of the migration it is the down of.
        up: String,
    },
    /// A transactional migration holds `BEGIN`, `COMMIT`, `ROLLBACK` or another statement that
    /// controls the transaction.
    #[error(
        "`{}` line {line}: `{statement}` controls the transaction the runner wraps the migration \
         in; remove it (each migration already commits as a whole, with its ledger row), or make \
         `{}` the file's first line to run it outside a transaction",
        path.display(),
        crate::sql::NO_TRANSACTION_MARKER
    )]
    TransactionControl {
        /// The file.
        path: PathBuf,
        /// 1-based line where the statement starts.
        line: usize,
        /// The statement's first line.
        statement: String,
    },
    /// A migration outside a transaction holds several statements between two breakpoint
    /// lines, which would be sent (and run) together.
    #[error(
        "`{}` runs outside a transaction but its statement {statement} holds several statements \
         (the next one starts on line {line}); sent together they would run in one implicit \
         transaction: separate them with a `{}` line",
        path.display(),
        crate::sql::STATEMENT_BREAKPOINT
    )]
    Unsplit {
        /// The file.
        path: PathBuf,
        /// 1-based number of the statement (the text between breakpoints) that holds several.
        statement: usize,
        /// 1-based line where its second statement starts.
        line: usize,
    },
}

impl SourceProblem {
    /// The file the problem is about (the first of two files with the same number).
    pub fn path(&self) -> &std::path::Path {
        match self {
            Self::Misnamed { path, .. }
            | Self::Unreadable { path, .. }
            | Self::NotUtf8 { path }
            | Self::OrphanDown { path, .. }
            | Self::TransactionControl { path, .. }
            | Self::Unsplit { path, .. } => path,
            Self::DuplicateVersion { first, .. } => first,
        }
    }
}
