//! Where a plan stands in a fiscal year, read against the catalog's assessments: each item's stage and
//! status, the plan by year, department and focus area (planned against actual freed time and cost), what
//! is late, what the monitoring says; and the effect verification of the items in delivery.
//!
//! Everything here is language-neutral (ids and numbers); `render::plan` words it.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::{fiscal_year, Actual, Item, Monitoring, Plan, Stage};
use crate::assess::{Assessment, Report};
use crate::catalog::{CatalogEnum, FocusArea};
use crate::method::Method;
use crate::model::Recommendation;

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// A stage whose year has passed was not reached.
    Late,
    /// The stage planned for this year is not reached yet.
    Due,
    /// Every stage planned up to this year is reached.
    OnSchedule,
    /// The item's first stage is planned for a later year.
    NotDue,
    /// The item's last planned stage is reached.
    Completed,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Late,
        Status::Due,
        Status::OnSchedule,
        Status::NotDue,
        Status::Completed,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Status::Late => "late",
            Status::Due => "due",
            Status::OnSchedule => "on_schedule",
            Status::NotDue => "not_due",
            Status::Completed => "completed",
        }
    }
}

/// One item in the year of the state.
#[derive(Debug, Clone, Serialize)]
pub struct ItemState {
    pub operation: String,
    pub name: String,
    pub name_en: Option<String>,
    pub department: String,
    pub focus_area: Option<&'static str>,
    pub method: Method,
    /// The chosen method's place among the methods the assessment ranks as fitting (1 = best fit); `None`
    /// when the assessment gives it no fit.
    pub method_rank: Option<usize>,
    /// The assessment's best-fitting method, when it differs from the chosen one.
    pub best_method: Option<Method>,
    pub bundle: Option<String>,
    pub recommendation: Recommendation,
    pub schedule: BTreeMap<Stage, i32>,
    /// The furthest stage planned for this year or before.
    pub planned: Option<Stage>,
    /// The furthest stage the actuals report by this year.
    pub reached: Option<Stage>,
    pub status: Status,
    /// For a late item: the first stage overdue and by how many years.
    pub overdue: Option<(Stage, i32)>,
    /// Freed staff time the assessment expects (FTE).
    pub planned_freed_fte: f64,
    /// The latest year's freed staff time reported.
    pub actual_freed_fte: Option<f64>,
    /// The catalog's estimated annual contract price.
    pub planned_contract_yen: Option<u64>,
    /// The latest year's contract price reported.
    pub actual_contract_yen: Option<u64>,
    /// The latest monitoring result and its year.
    pub monitoring: Option<(i32, Monitoring)>,
    /// Incidents over all the years reported.
    pub incidents: u64,
    pub note: Option<String>,
    /// The note of the latest year that has one.
    pub latest_note: Option<(i32, String)>,
}

/// The plan in one fiscal year.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct YearRow {
    pub year: i32,
    /// `past`, `current` or `future`.
    pub when: &'static str,
    pub focus: bool,
    pub verification: bool,
    /// Items whose delivery is planned to start this year.
    pub planned_starts: usize,
    /// Items whose actuals report delivery first in this year.
    pub actual_starts: usize,
    /// Freed FTE planned by the end of the year (items whose delivery is planned this year or before).
    pub planned_freed_fte: f64,
    /// Freed FTE reported for the year.
    pub actual_freed_fte: f64,
    /// Contract prices planned for the year (catalog estimates of the items in delivery by plan).
    pub planned_contract_yen: u64,
    /// Contract prices reported for the year.
    pub actual_contract_yen: u64,
    pub incidents: u64,
}

/// The items of one department or focus area.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GroupRow {
    pub key: String,
    pub items: usize,
    pub late: usize,
    pub in_delivery: usize,
    pub planned_freed_fte: f64,
    pub actual_freed_fte: f64,
    /// Items whose latest monitoring found something.
    pub monitoring_findings: usize,
}

/// Where the plan stands.
#[derive(Debug, Clone, Serialize)]
pub struct PlanState {
    pub fiscal_year: i32,
    pub items: Vec<ItemState>,
    pub by_status: Vec<(Status, usize)>,
    pub by_year: Vec<YearRow>,
    pub by_department: Vec<GroupRow>,
    pub by_focus_area: Vec<GroupRow>,
    pub planned_freed_fte: f64,
    pub actual_freed_fte: f64,
    /// Operations the assessment recommends to outsource (wholly or in part) that the plan does not take up.
    pub not_in_plan: Vec<Candidate>,
}

/// An operation the plan could take up.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub operation: String,
    pub name: String,
    pub name_en: Option<String>,
    pub recommendation: Recommendation,
    pub freed_fte: f64,
}

fn index(report: &Report) -> HashMap<&str, &Assessment> {
    report
        .assessments
        .iter()
        .map(|a| (a.operation.id.as_str(), a))
        .collect()
}

fn reached_by(actuals: &[Actual], year: i32) -> Option<Stage> {
    actuals
        .iter()
        .filter(|a| a.year <= year)
        .filter_map(|a| a.reached)
        .max()
}

/// The first year whose actuals report delivery (or a later stage).
fn delivery_start(item: &Item) -> Option<i32> {
    item.actuals
        .iter()
        .find(|a| a.reached.is_some_and(|s| s >= Stage::Delivery))
        .map(|a| a.year)
}

fn latest<T>(
    actuals: &[Actual],
    year: i32,
    get: impl Fn(&Actual) -> Option<T>,
) -> Option<(i32, T)> {
    actuals
        .iter()
        .rev()
        .filter(|a| a.year <= year)
        .find_map(|a| get(a).map(|v| (a.year, v)))
}

/// Where one item stands in a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub status: Status,
    /// The furthest stage planned for the year or before.
    pub planned: Option<Stage>,
    /// The furthest stage the actuals report by the year.
    pub reached: Option<Stage>,
    /// For a late item: the first stage overdue and by how many years.
    pub overdue: Option<(Stage, i32)>,
}

/// The status of an item in fiscal year `year`.
pub fn status_of(item: &Item, year: i32) -> Standing {
    let planned = Stage::ALL
        .into_iter()
        .filter(|&s| item.planned(s).is_some_and(|y| y <= year))
        .max();
    let reached = reached_by(&item.actuals, year);
    let last = Stage::ALL
        .into_iter()
        .filter(|&s| item.planned(s).is_some())
        .max();
    let standing = |status, overdue| Standing {
        status,
        planned,
        reached,
        overdue,
    };
    if reached.is_some() && reached >= last {
        return standing(Status::Completed, None);
    }
    let Some(p) = planned else {
        return standing(Status::NotDue, None);
    };
    if reached >= Some(p) {
        return standing(Status::OnSchedule, None);
    }
    let overdue = Stage::ALL
        .into_iter()
        .find(|&s| Some(s) > reached && item.planned(s).is_some_and(|y| y < year));
    match overdue {
        Some(s) => {
            let by = year - item.planned(s).unwrap_or(year);
            standing(Status::Late, Some((s, by)))
        }
        None => standing(Status::Due, None),
    }
}

fn item_state(item: &Item, a: Option<&Assessment>, year: i32) -> ItemState {
    let Standing {
        status,
        planned,
        reached,
        overdue,
    } = status_of(item, year);
    let fitting: Vec<Method> = a
        .map(|a| {
            a.methods
                .iter()
                .filter(|m| m.fit > 0)
                .map(|m| m.method)
                .collect()
        })
        .unwrap_or_default();
    let method_rank = fitting
        .iter()
        .position(|&m| m == item.method)
        .map(|i| i + 1);
    let best_method = fitting.first().copied().filter(|&m| m != item.method);
    let op = a.map(|a| &a.operation);
    ItemState {
        operation: item.operation.clone(),
        name: op.map(|o| o.name.clone()).unwrap_or_default(),
        name_en: op.and_then(|o| o.name_en.clone()),
        department: op.map(|o| o.department.clone()).unwrap_or_default(),
        focus_area: op.and_then(|o| o.focus_area).map(|f| f.as_str()),
        method: item.method,
        method_rank,
        best_method,
        bundle: item.bundle.clone(),
        recommendation: a.map_or(Recommendation::Study, |a| a.recommendation),
        schedule: Stage::ALL
            .into_iter()
            .filter_map(|s| item.planned(s).map(|y| (s, y)))
            .collect(),
        planned,
        reached,
        status,
        overdue,
        planned_freed_fte: a.map_or(0.0, |a| a.freed_fte),
        actual_freed_fte: latest(&item.actuals, year, |x| x.freed_fte).map(|(_, v)| v),
        planned_contract_yen: op.and_then(|o| o.estimated_contract_yen),
        actual_contract_yen: latest(&item.actuals, year, |x| x.contract_yen).map(|(_, v)| v),
        monitoring: latest(&item.actuals, year, |x| x.monitoring),
        incidents: item
            .actuals
            .iter()
            .filter(|x| x.year <= year)
            .filter_map(|x| x.incidents)
            .sum(),
        note: item.note.clone(),
        latest_note: latest(&item.actuals, year, |x| x.note.clone()),
    }
}

fn group(items: &[ItemState], key: impl Fn(&ItemState) -> String) -> Vec<GroupRow> {
    let mut rows: BTreeMap<String, GroupRow> = BTreeMap::new();
    for i in items {
        let k = key(i);
        let row = rows.entry(k.clone()).or_insert_with(|| GroupRow {
            key: k,
            ..GroupRow::default()
        });
        row.items += 1;
        row.late += usize::from(i.status == Status::Late);
        row.in_delivery += usize::from(i.reached.is_some_and(|s| s >= Stage::Delivery));
        row.planned_freed_fte += i.planned_freed_fte;
        row.actual_freed_fte += i.actual_freed_fte.unwrap_or(0.0);
        row.monitoring_findings +=
            usize::from(i.monitoring.is_some_and(|(_, m)| m != Monitoring::Good));
    }
    rows.into_values().collect()
}

/// Where `plan` stands in fiscal year `year` (usually [`fiscal_year`] of the assessment date).
pub fn state(plan: &Plan, report: &Report, year: i32) -> PlanState {
    let by_id = index(report);
    let items: Vec<ItemState> = plan
        .items
        .iter()
        .map(|i| item_state(i, by_id.get(i.operation.as_str()).copied(), year))
        .collect();
    let by_year = (plan.first_year..=plan.last_year)
        .map(|y| {
            let mut row = YearRow {
                year: y,
                when: match y.cmp(&year) {
                    std::cmp::Ordering::Less => "past",
                    std::cmp::Ordering::Equal => "current",
                    std::cmp::Ordering::Greater => "future",
                },
                focus: y <= plan.focus_until,
                verification: y == plan.verification_year,
                ..YearRow::default()
            };
            for (item, st) in plan.items.iter().zip(&items) {
                let start = item.planned(Stage::Delivery);
                row.planned_starts += usize::from(start == Some(y));
                row.actual_starts += usize::from(delivery_start(item) == Some(y) && y <= year);
                if start.is_some_and(|s| s <= y) {
                    row.planned_freed_fte += st.planned_freed_fte;
                    row.planned_contract_yen += st.planned_contract_yen.unwrap_or(0);
                }
                if y <= year {
                    if let Some(a) = item.actuals.iter().find(|a| a.year == y) {
                        row.actual_freed_fte += a.freed_fte.unwrap_or(0.0);
                        row.actual_contract_yen += a.contract_yen.unwrap_or(0);
                        row.incidents += a.incidents.unwrap_or(0);
                    }
                }
            }
            row
        })
        .collect();
    let by_status = Status::ALL
        .into_iter()
        .map(|s| (s, items.iter().filter(|i| i.status == s).count()))
        .collect();
    let not_in_plan = report
        .assessments
        .iter()
        .filter(|a| {
            matches!(
                a.recommendation,
                Recommendation::Outsource | Recommendation::Partial
            ) && plan.item(a.operation.id.as_str()).is_none()
        })
        .map(|a| Candidate {
            operation: a.operation.id.as_str().to_string(),
            name: a.operation.name.clone(),
            name_en: a.operation.name_en.clone(),
            recommendation: a.recommendation,
            freed_fte: a.freed_fte,
        })
        .collect();
    let mut by_focus_area = group(&items, |i| i.focus_area.unwrap_or("").to_string());
    // In the plan outline's order (① … ⑦), not the ids' alphabetical one.
    by_focus_area.sort_by_key(|g| FocusArea::parse(&g.key).map_or(usize::MAX, |f| f.index()));
    PlanState {
        fiscal_year: year,
        by_status,
        by_year,
        by_department: group(&items, |i| i.department.clone()),
        by_focus_area,
        planned_freed_fte: items.iter().map(|i| i.planned_freed_fte).sum(),
        actual_freed_fte: items.iter().filter_map(|i| i.actual_freed_fte).sum(),
        not_in_plan,
        items,
    }
}

/// The verdict of the effect verification for one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// At least 90 % of the planned freed time, and no serious monitoring finding.
    Achieved,
    /// At least half the planned freed time, or the time but a serious finding.
    Partly,
    /// Less than half.
    NotAchieved,
    /// In delivery, but no freed time reported yet.
    NoData,
}

impl Verdict {
    pub const ALL: [Verdict; 4] = [
        Verdict::Achieved,
        Verdict::Partly,
        Verdict::NotAchieved,
        Verdict::NoData,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Verdict::Achieved => "achieved",
            Verdict::Partly => "partly",
            Verdict::NotAchieved => "not_achieved",
            Verdict::NoData => "no_data",
        }
    }
}

/// The effect of one item in delivery.
#[derive(Debug, Clone, Serialize)]
pub struct Effect {
    pub operation: String,
    pub name: String,
    pub name_en: Option<String>,
    pub department: String,
    pub method: Method,
    pub delivery_since: i32,
    pub planned_freed_fte: f64,
    pub actual_freed_fte: Option<f64>,
    /// Actual ÷ planned freed time.
    pub freed_ratio: Option<f64>,
    /// The catalog's overtime hours (the year before the change) and the latest reported.
    pub overtime_before: Option<f64>,
    pub overtime_after: Option<f64>,
    pub planned_contract_yen: Option<u64>,
    pub actual_contract_yen: Option<u64>,
    /// Incidents in the years of delivery.
    pub incidents: u64,
    /// The worst monitoring result in the years of delivery.
    pub worst_monitoring: Option<Monitoring>,
    pub verdict: Verdict,
}

/// The effect verification (効果検証) of the items in delivery.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub fiscal_year: i32,
    pub verification_year: i32,
    /// The verification year has not come: an interim verification.
    pub interim: bool,
    pub effects: Vec<Effect>,
    pub by_verdict: Vec<(Verdict, usize)>,
    /// Items not yet in delivery (not verifiable).
    pub not_in_delivery: Vec<String>,
    pub planned_freed_fte: f64,
    pub actual_freed_fte: f64,
    pub overtime_before: f64,
    pub overtime_after: f64,
    pub planned_contract_yen: u64,
    pub actual_contract_yen: u64,
    pub incidents: u64,
}

/// The effect verification of `plan` in fiscal year `year`.
pub fn verify(plan: &Plan, report: &Report, year: i32) -> Verification {
    let by_id = index(report);
    let mut effects = Vec::new();
    let mut not_in_delivery = Vec::new();
    for item in &plan.items {
        let since = delivery_start(item).filter(|&y| y <= year);
        let Some(since) = since else {
            not_in_delivery.push(item.operation.clone());
            continue;
        };
        let a = by_id.get(item.operation.as_str()).copied();
        let op = a.map(|a| &a.operation);
        let years = || {
            item.actuals
                .iter()
                .filter(|x| x.year >= since && x.year <= year)
        };
        let planned = a.map_or(0.0, |a| a.freed_fte);
        let actual = latest(&item.actuals, year, |x| x.freed_fte).map(|(_, v)| v);
        let ratio = actual.filter(|_| planned > 0.0).map(|v| v / planned);
        let worst = years().filter_map(|x| x.monitoring).max();
        let verdict = match (actual, ratio) {
            (None, _) => Verdict::NoData,
            (Some(_), None) => Verdict::Achieved,
            (Some(_), Some(r)) if r >= 0.9 && worst != Some(Monitoring::Serious) => {
                Verdict::Achieved
            }
            (Some(_), Some(r)) if r >= 0.5 => Verdict::Partly,
            _ => Verdict::NotAchieved,
        };
        effects.push(Effect {
            operation: item.operation.clone(),
            name: op.map(|o| o.name.clone()).unwrap_or_default(),
            name_en: op.and_then(|o| o.name_en.clone()),
            department: op.map(|o| o.department.clone()).unwrap_or_default(),
            method: item.method,
            delivery_since: since,
            planned_freed_fte: planned,
            actual_freed_fte: actual,
            freed_ratio: ratio,
            overtime_before: op.and_then(|o| o.overtime_hours),
            overtime_after: latest(&item.actuals, year, |x| x.overtime_hours).map(|(_, v)| v),
            planned_contract_yen: op.and_then(|o| o.estimated_contract_yen),
            actual_contract_yen: latest(&item.actuals, year, |x| x.contract_yen).map(|(_, v)| v),
            incidents: years().filter_map(|x| x.incidents).sum(),
            worst_monitoring: worst,
            verdict,
        });
    }
    let by_verdict = Verdict::ALL
        .into_iter()
        .map(|v| (v, effects.iter().filter(|e| e.verdict == v).count()))
        .collect();
    let both = |e: &&Effect| e.overtime_before.is_some() && e.overtime_after.is_some();
    Verification {
        fiscal_year: year,
        verification_year: plan.verification_year,
        interim: year < plan.verification_year,
        by_verdict,
        not_in_delivery,
        planned_freed_fte: effects.iter().map(|e| e.planned_freed_fte).sum(),
        actual_freed_fte: effects.iter().filter_map(|e| e.actual_freed_fte).sum(),
        overtime_before: effects
            .iter()
            .filter(both)
            .filter_map(|e| e.overtime_before)
            .sum(),
        overtime_after: effects
            .iter()
            .filter(both)
            .filter_map(|e| e.overtime_after)
            .sum(),
        planned_contract_yen: effects.iter().filter_map(|e| e.planned_contract_yen).sum(),
        actual_contract_yen: effects.iter().filter_map(|e| e.actual_contract_yen).sum(),
        incidents: effects.iter().map(|e| e.incidents).sum(),
        effects,
    }
}

/// The fiscal year of an assessment report's date.
pub fn report_year(report: &Report) -> i32 {
    fiscal_year(report.as_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(schedule: &str, actuals: &str) -> Item {
        let text = format!(
            "plan_version: 1\nperiod: {{from: 2024, to: 2027}}\nfocus_until: 2026\nverification_year: 2027\nitems:\n  - operation: a\n    method: consignment\n    schedule: {schedule}\n    actuals: {actuals}\n"
        );
        crate::plan::parse("p.yaml", &text).unwrap().items.remove(0)
    }

    #[test]
    fn fiscal_years_start_in_april() {
        assert_eq!(fiscal_year(jiff::civil::date(2026, 3, 31)), 2025);
        assert_eq!(fiscal_year(jiff::civil::date(2026, 4, 1)), 2026);
    }

    #[test]
    fn an_item_is_late_only_once_a_planned_year_has_passed() {
        let i = item(
            "{study: 2024, procurement: 2025, delivery: 2026}",
            "[{year: 2024, reached: study}]",
        );
        // In 2025 the specification is due; in 2026 it is a year late.
        assert_eq!(status_of(&i, 2025).status, Status::Due);
        assert_eq!(
            status_of(&i, 2026),
            Standing {
                status: Status::Late,
                planned: Some(Stage::Delivery),
                reached: Some(Stage::Study),
                overdue: Some((Stage::Procurement, 1)),
            }
        );
        // Before its first stage it is not due; actuals of later years do not count earlier.
        assert_eq!(status_of(&i, 2023).status, Status::NotDue);
        let done = item(
            "{study: 2024, delivery: 2025}",
            "[{year: 2025, reached: delivery}]",
        );
        assert_eq!(status_of(&done, 2024).status, Status::Due);
        assert_eq!(status_of(&done, 2025).status, Status::Completed);
        let ahead = item(
            "{study: 2024, delivery: 2026}",
            "[{year: 2024, reached: procurement}]",
        );
        assert_eq!(status_of(&ahead, 2024).status, Status::OnSchedule);
    }
}
