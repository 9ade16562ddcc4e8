//! The coverage table printed by `coverage`: spec items x cases, then what is missing.

use crate::case::Severity;
use crate::coverage::Coverage;
use std::fmt::Write as _;

/// Renders the table and the problems, one line each.
pub fn render(coverage: &Coverage) -> String {
    let width = coverage.rows.iter().map(|r| r.item.id.len()).max().unwrap_or(10).max(9);
    let mut out = format!("{:width$}  level   tag   cases\n", "spec item");
    for row in &coverage.rows {
        let level = match row.item.level {
            Severity::Must => "must",
            Severity::Should => "should",
        };
        let cases = if let Some(reason) = row.item.waived.as_deref().filter(|_| row.cases.is_empty()) {
            format!("waived: {reason}")
        } else if row.cases.is_empty() {
            "UNCOVERED".to_string()
        } else {
            let ids: Vec<&str> = row.cases.iter().map(|(id, _)| id.as_str()).collect();
            format!("{:>2}  {}", ids.len(), ids.join(", "))
        };
        let _ = writeln!(
            out,
            "{:width$}  {level:6}  {:4}  {cases}",
            row.item.id,
            row.item.tag.as_str()
        );
    }
    let uncovered = coverage.uncovered();
    let waived = coverage
        .rows
        .iter()
        .filter(|r| r.cases.is_empty() && r.item.waived.is_some())
        .count();
    let _ = writeln!(
        out,
        "\n{} items: {} covered, {waived} waived, {} uncovered",
        coverage.rows.len(),
        coverage.rows.len() - uncovered.len() - waived,
        uncovered.len()
    );
    for item in uncovered {
        let _ = writeln!(out, "uncovered: {} ({})", item.id, item.title);
    }
    for (case, item) in &coverage.unknown {
        let _ = writeln!(
            out,
            "unknown item: case {case} cites `{item}`, which the inventory does not list"
        );
    }
    for case in &coverage.overreaching {
        let _ = writeln!(
            out,
            "overreaching: case {case} is must-level but every item it cites is should-level"
        );
    }
    out
}
