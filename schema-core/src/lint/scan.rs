//! This crate's rule: inside one transaction, a lock is held until COMMIT, so a statement that
//! scans a table after one that took ACCESS EXCLUSIVE keeps that table closed to reads and
//! writes for the whole scan, even when each statement alone would be brief or harmless.

use super::rules::{Kind, SCAN_UNDER_ACCESS_EXCLUSIVE};
use squawk_syntax::ast::{self, AstNode};
use std::collections::BTreeSet;

/// (offset, kind, message) of each scanning statement that follows an ACCESS EXCLUSIVE one
/// on a table that existed before the transaction.
pub(super) fn scans_under_access_exclusive(file: &ast::SourceFile) -> Vec<(usize, Kind, String)> {
    let mut created = BTreeSet::new();
    let mut validated = BTreeSet::new();
    let mut exclusive: Option<String> = None;
    let mut found = Vec::new();
    for stmt in file.stmts() {
        if let ast::Stmt::CreateTable(t) = &stmt {
            if let Some(name) = t
                .table_name()
                .and_then(|t| t.path())
                .and_then(|p| p.segment())
            {
                created.insert(unquote(&name.text()));
            }
            continue;
        }
        let table = table_of(&stmt).map(|t| unquote(&t));
        if table.as_ref().is_some_and(|t| created.contains(t)) {
            continue;
        }
        // A statement that takes ACCESS EXCLUSIVE itself blocks everything anyway (and has a
        // finding of its own when it scans); the earlier lock adds nothing to it.
        let scans_under_lock =
            scans(&stmt, table.as_deref(), &validated) && !takes_access_exclusive(&stmt);
        if let (Some(holder), true) = (&exclusive, scans_under_lock) {
            found.push((
                usize::from(stmt.syntax().text_range().start()),
                SCAN_UNDER_ACCESS_EXCLUSIVE,
                format!("scans a table while the transaction holds ACCESS EXCLUSIVE on `{holder}`"),
            ));
        }
        if let (ast::Stmt::AlterTable(t), Some(table)) = (&stmt, &table) {
            if t.actions()
                .any(|a| matches!(a, ast::AlterTableAction::ValidateConstraint(_)))
            {
                validated.insert(table.clone());
            }
        }
        if exclusive.is_none() && takes_access_exclusive(&stmt) {
            exclusive = Some(table.unwrap_or_else(|| "a table".into()));
        }
    }
    found
}

/// (offset, kind, message) of each `CONCURRENTLY` in a file the runner applies in one
/// transaction, where PostgreSQL refuses it. (squawk's rule stays silent on a file of one
/// statement, which other tools run without a transaction; this runner wraps it too.)
pub(super) fn concurrently_in_transaction(file: &ast::SourceFile) -> Vec<(usize, Kind, String)> {
    let kind = super::rules::kind(squawk_linter::Rule::BanConcurrentIndexCreationInTransaction)
        .expect("listed in RULES");
    file.stmts()
        .filter(|stmt| match stmt {
            ast::Stmt::CreateIndex(i) => i.concurrently_token().is_some(),
            ast::Stmt::DropIndex(d) => d.concurrently_token().is_some(),
            _ => false,
        })
        .map(|stmt| {
            (
                usize::from(stmt.syntax().text_range().start()),
                kind,
                "CONCURRENTLY cannot run inside the transaction this file is applied in".into(),
            )
        })
        .collect()
}

fn unquote(name: &str) -> String {
    name.trim_matches('"').to_string()
}

fn table_of(stmt: &ast::Stmt) -> Option<String> {
    let segment = match stmt {
        ast::Stmt::AlterTable(t) => t
            .table_relation_name()?
            .table_name_ref()?
            .path_ref()?
            .segment()?,
        ast::Stmt::CreateIndex(i) => i
            .table_relation_name()?
            .table_name_ref()?
            .path_ref()?
            .segment()?,
        _ => return None,
    };
    Some(segment.text())
}

fn takes_access_exclusive(stmt: &ast::Stmt) -> bool {
    match stmt {
        ast::Stmt::AlterTable(t) => t.actions().any(|a| match a {
            ast::AlterTableAction::ValidateConstraint(_) => false,
            // A foreign key takes SHARE ROW EXCLUSIVE; its scan is the other rule's finding.
            ast::AlterTableAction::AddConstraint(c) => !matches!(
                c.constraint(),
                Some(ast::Constraint::ForeignKeyConstraint(_))
            ),
            _ => true,
        }),
        ast::Stmt::DropTable(_) | ast::Stmt::Truncate(_) => true,
        ast::Stmt::DropIndex(d) => d.concurrently_token().is_none(),
        _ => false,
    }
}

fn scans(stmt: &ast::Stmt, table: Option<&str>, validated: &BTreeSet<String>) -> bool {
    match stmt {
        ast::Stmt::Update(_) | ast::Stmt::Delete(_) => true,
        ast::Stmt::CreateIndex(i) => i.concurrently_token().is_none(),
        ast::Stmt::AlterTable(t) => t.actions().any(|a| match a {
            ast::AlterTableAction::ValidateConstraint(_) => true,
            ast::AlterTableAction::AddConstraint(c) => c.constraint().is_some_and(|c| {
                !c.is_not_valid()
                    && matches!(
                        c,
                        ast::Constraint::CheckConstraint(_)
                            | ast::Constraint::ForeignKeyConstraint(_)
                            | ast::Constraint::PrimaryKeyConstraint(_)
                            | ast::Constraint::UniqueConstraint(_)
                            | ast::Constraint::ExcludeConstraint(_)
                    )
            }),
            ast::AlterTableAction::AlterColumn(c) => match c.option() {
                Some(ast::AlterColumnOption::SetType(_)) => true,
                // A check validated earlier in the file proves it: no scan (PostgreSQL 12+).
                Some(ast::AlterColumnOption::SetNotNull(_)) => {
                    !table.is_some_and(|t| validated.contains(t))
                }
                _ => false,
            },
            _ => false,
        }),
        _ => false,
    }
}
