//! What each finding means for a live table: the lock the statement takes and the form that
//! does the same without holding it for a scan. One row per rule, squawk's and this crate's.

use squawk_linter::Rule;

/// A kind of lock hazard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// A short name, e.g. `index-without-concurrently`.
    pub code: &'static str,
    /// The lock the statement takes, and what it blocks.
    pub lock: &'static str,
    /// The form to write instead.
    pub safe_form: &'static str,
}

pub(super) const SCAN_UNDER_ACCESS_EXCLUSIVE: Kind = Kind {
    code: "scan-under-access-exclusive",
    lock: "the ACCESS EXCLUSIVE lock an earlier statement of the same transaction took, held \
           while this statement scans (blocks reads and writes of that table until COMMIT)",
    safe_form: "move the scanning statement into a migration of its own before the ACCESS \
                EXCLUSIVE one, or make it a NOT VALID constraint validated in a later migration",
};

/// The squawk rules checked, and what they mean here.
pub(super) const RULES: &[(Rule, Kind)] = &[
    (
        Rule::RequireConcurrentIndexCreation,
        Kind {
            code: "index-without-concurrently",
            lock: "SHARE on the table for the whole build (blocks writes)",
            safe_form: "CREATE INDEX CONCURRENTLY IF NOT EXISTS, in a migration of its own whose \
                        first line is `-- schema:no-transaction`",
        },
    ),
    (
        Rule::RequireConcurrentIndexDeletion,
        Kind {
            code: "drop-index-without-concurrently",
            lock: "ACCESS EXCLUSIVE on the table (blocks reads and writes)",
            safe_form: "DROP INDEX CONCURRENTLY IF EXISTS, in a migration whose first line is \
                        `-- schema:no-transaction`",
        },
    ),
    (
        Rule::BanConcurrentIndexCreationInTransaction,
        Kind {
            code: "concurrently-in-transaction",
            lock: "none: PostgreSQL refuses CONCURRENTLY inside a transaction",
            safe_form: "make `-- schema:no-transaction` the first line of the file (and keep \
                        its statements safe to repeat)",
        },
    ),
    (
        Rule::AddingForeignKeyConstraint,
        Kind {
            code: "constraint-without-not-valid",
            lock: "SHARE ROW EXCLUSIVE on both tables while every row is checked (blocks writes)",
            safe_form: "ADD CONSTRAINT .. NOT VALID, then ALTER TABLE .. VALIDATE CONSTRAINT in \
                        a later migration (SHARE UPDATE EXCLUSIVE: writes go on)",
        },
    ),
    (
        Rule::ConstraintMissingNotValid,
        Kind {
            code: "constraint-without-not-valid",
            lock: "SHARE ROW EXCLUSIVE on both tables (foreign key) or ACCESS EXCLUSIVE (check) \
                   while every row is checked",
            safe_form: "ADD CONSTRAINT .. NOT VALID, then ALTER TABLE .. VALIDATE CONSTRAINT in \
                        a later migration (SHARE UPDATE EXCLUSIVE: writes go on)",
        },
    ),
    (
        Rule::DisallowedUniqueConstraint,
        Kind {
            code: "unique-constraint-builds-index",
            lock: "ACCESS EXCLUSIVE while the unique index is built (blocks reads and writes)",
            safe_form: "CREATE UNIQUE INDEX CONCURRENTLY (no-transaction migration), then ADD \
                        CONSTRAINT .. UNIQUE USING INDEX",
        },
    ),
    (
        Rule::AddingSerialPrimaryKeyField,
        Kind {
            code: "primary-key-builds-index",
            lock: "ACCESS EXCLUSIVE while the key's index is built (blocks reads and writes)",
            safe_form: "CREATE UNIQUE INDEX CONCURRENTLY (no-transaction migration), then ADD \
                        CONSTRAINT .. PRIMARY KEY USING INDEX",
        },
    ),
    (
        Rule::AddingNotNullableField,
        Kind {
            code: "set-not-null-without-validated-check",
            lock: "ACCESS EXCLUSIVE while the table is scanned (blocks reads and writes)",
            safe_form: "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; in a later \
                        migration VALIDATE CONSTRAINT c, then SET NOT NULL (no scan) and DROP \
                        CONSTRAINT c",
        },
    ),
    (
        Rule::ChangingColumnType,
        Kind {
            code: "rewriting-type-change",
            lock: "ACCESS EXCLUSIVE while the table is rewritten and its indexes rebuilt (blocks \
                   reads and writes), unless the types are binary-compatible (varchar widened, \
                   varchar to text)",
            safe_form: "add a column of the new type, fill it in batches, switch the \
                        application to it, drop the old one",
        },
    ),
    (
        Rule::AddingFieldWithDefault,
        Kind {
            code: "volatile-default",
            lock: "ACCESS EXCLUSIVE while the table is rewritten (blocks reads and writes)",
            safe_form: "ADD COLUMN without the default, then ALTER COLUMN .. SET DEFAULT, then \
                        fill existing rows in batches",
        },
    ),
];

pub(super) fn kind(rule: Rule) -> Option<Kind> {
    RULES.iter().find(|(r, _)| *r == rule).map(|(_, k)| *k)
}
