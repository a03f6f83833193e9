//! SQL text: identifier quoting, literals and the migration file-format rules.
