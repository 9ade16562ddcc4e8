//! The coverage table printed by `coverage`: spec items x cases, then what is missing.

use super::results::Results;
use crate::case::Severity;
use crate::corpus::coverage::Coverage;
use crate::judge::standing;
use crate::judge::verdict::Outcome;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Renders the table and the problems, one line each; with a run's results, each item also shows
/// the outcomes of the trials that cite it (`3 pass, 1 fail`).
pub fn render(coverage: &Coverage, run: Option<&Results>) -> String {
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
        let outcomes = run
            .map(|r| format!("  [{}]", outcomes(r, &row.item.id)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{:width$}  {level:6}  {:4}  {cases}{outcomes}",
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

/// `3 pass, 1 fail` for the trials of `run` that cite `item`.
fn outcomes(run: &Results, item: &str) -> String {
    let mut counts: BTreeMap<Outcome, usize> = BTreeMap::new();
    let mut counted = 0;
    for case in run.cases.iter().filter(|c| c.spec.iter().any(|s| s == item)) {
        *counts.entry(case.outcome).or_default() += 1;
        if standing::of(case, run.strict).counts {
            counted += 1;
        }
    }
    if counts.is_empty() {
        return "not run".into();
    }
    let mut text = counts
        .iter()
        .map(|(o, n)| format!("{n} {}", o.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    if counted > 0 {
        text.push_str(&format!("; {counted} counted"));
    }
    text
}
