//! Coverage: which cases test each inventory item, which items no case tests, which cases cite
//! items the inventory does not know, and which must-level cases cite only should-level items.
//! Pure computation; the `report` module renders it.

use crate::case::{Case, Severity};
use crate::corpus::inventory::{Inventory, Item};

/// One inventory item and the cases that cite it.
#[derive(Debug, Clone)]
pub struct Row {
    /// The item.
    pub item: Item,
    /// The ids and severities of the cases citing it.
    pub cases: Vec<(String, Severity)>,
}

/// The coverage of an inventory by a case set.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// One row per item, in inventory order.
    pub rows: Vec<Row>,
    /// (case id, spec item) pairs whose item is not in the inventory.
    pub unknown: Vec<(String, String)>,
    /// Must-level cases whose items are all should-level: a case may not demand more than its items.
    pub overreaching: Vec<String>,
}

impl Coverage {
    /// Items that are neither waived nor cited by any case.
    pub fn uncovered(&self) -> Vec<&Item> {
        self.rows
            .iter()
            .filter(|r| r.cases.is_empty() && r.item.waived.is_none())
            .map(|r| &r.item)
            .collect()
    }

    /// True when every item is covered or waived and every citation is sound.
    pub fn is_complete(&self) -> bool {
        self.uncovered().is_empty() && self.unknown.is_empty() && self.overreaching.is_empty()
    }
}

/// Matches cases to items.
pub fn compute(inventory: &Inventory, cases: &[Case]) -> Coverage {
    let mut rows: Vec<Row> = inventory
        .items
        .iter()
        .map(|item| Row {
            item: item.clone(),
            cases: Vec::new(),
        })
        .collect();
    let mut unknown = Vec::new();
    let mut overreaching = Vec::new();
    for case in cases {
        let mut levels = Vec::new();
        for spec in &case.spec {
            match rows.iter_mut().find(|r| &r.item.id == spec) {
                Some(row) => {
                    row.cases.push((case.id.clone(), case.severity));
                    levels.push(row.item.level);
                }
                None => unknown.push((case.id.clone(), spec.clone())),
            }
        }
        if case.severity == Severity::Must && !levels.is_empty() && !levels.contains(&Severity::Must) {
            overreaching.push(case.id.clone());
        }
    }
    Coverage {
        rows,
        unknown,
        overreaching,
    }
}
