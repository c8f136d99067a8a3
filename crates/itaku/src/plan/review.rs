//! The yearly review (年次見直し): last year's plan and catalog against this year's — items added and
//! dropped, methods and bundles changed, stages moved, the new year's actuals, items whose status changed,
//! and what the catalog and the revised rules changed in the assessments of the plan's operations
//! ([`crate::diff`]).

use serde::Serialize;

use super::state::{status_of, Status};
use super::{Item, Plan, Stage};
use crate::diff::{Diff, OperationChange};
use crate::method::Method;

/// One change of an item between the two plans.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    Method {
        from: Method,
        to: Method,
    },
    Bundle {
        from: Option<String>,
        to: Option<String>,
    },
    /// A stage's planned year moved (or the stage was added or dropped).
    Moved {
        stage: Stage,
        from: Option<i32>,
        to: Option<i32>,
    },
    /// Actuals reported for a year the base did not have.
    Actuals {
        year: i32,
    },
    /// The status moved between the two review years.
    Status {
        from: Status,
        to: Status,
    },
}

/// The changes of one operation's item.
#[derive(Debug, Clone, Serialize)]
pub struct ItemChange {
    pub operation: String,
    pub changes: Vec<Change>,
}

/// The review of a plan year against the year before.
#[derive(Debug, Serialize)]
pub struct Review {
    pub base_year: i32,
    pub new_year: i32,
    pub base_plan: String,
    pub new_plan: String,
    /// The settings the assessments were compared under (rules, date, catalog).
    pub base_setting: String,
    pub new_setting: String,
    /// Operations the new plan takes up that the base did not.
    pub added: Vec<String>,
    /// Operations the base took up that the new plan dropped.
    pub dropped: Vec<String>,
    pub changed: Vec<ItemChange>,
    /// What the catalog and the rules changed in the assessments of the plan's operations.
    pub assessments: Vec<OperationChange>,
    /// Operations outside both plans whose assessment changed.
    pub other_assessments_changed: usize,
    pub freed_fte_before: f64,
    pub freed_fte_after: f64,
}

fn item_changes(base: &Item, new: &Item, base_year: i32, new_year: i32) -> Vec<Change> {
    let mut out = Vec::new();
    if base.method != new.method {
        out.push(Change::Method {
            from: base.method,
            to: new.method,
        });
    }
    if base.bundle != new.bundle {
        out.push(Change::Bundle {
            from: base.bundle.clone(),
            to: new.bundle.clone(),
        });
    }
    for stage in Stage::ALL {
        let (from, to) = (base.planned(stage), new.planned(stage));
        if from != to {
            out.push(Change::Moved { stage, from, to });
        }
    }
    for a in &new.actuals {
        if !base.actuals.iter().any(|b| b.year == a.year) {
            out.push(Change::Actuals { year: a.year });
        }
    }
    let from = status_of(base, base_year).status;
    let to = status_of(new, new_year).status;
    if from != to {
        out.push(Change::Status { from, to });
    }
    out
}

/// Compares `new` (in fiscal year `new_year`) with `base` (in `base_year`); `diff` is the comparison of
/// the catalog's assessments under the two settings.
pub fn review(base: &Plan, base_year: i32, new: &Plan, new_year: i32, diff: Diff) -> Review {
    let added = new
        .items
        .iter()
        .filter(|i| base.item(&i.operation).is_none())
        .map(|i| i.operation.clone())
        .collect();
    let dropped = base
        .items
        .iter()
        .filter(|i| new.item(&i.operation).is_none())
        .map(|i| i.operation.clone())
        .collect();
    let changed = new
        .items
        .iter()
        .filter_map(|n| {
            let b = base.item(&n.operation)?;
            let changes = item_changes(b, n, base_year, new_year);
            (!changes.is_empty()).then(|| ItemChange {
                operation: n.operation.clone(),
                changes,
            })
        })
        .collect();
    let in_plans = |id: &str| new.item(id).is_some() || base.item(id).is_some();
    let (assessments, others): (Vec<OperationChange>, Vec<OperationChange>) =
        diff.changed.into_iter().partition(|c| in_plans(&c.id));
    Review {
        base_year,
        new_year,
        base_plan: base.path.clone(),
        new_plan: new.path.clone(),
        base_setting: diff.base,
        new_setting: diff.new,
        added,
        dropped,
        changed,
        assessments,
        other_assessments_changed: others.len(),
        freed_fte_before: diff.totals.freed_fte_before,
        freed_fte_after: diff.totals.freed_fte_after,
    }
}
