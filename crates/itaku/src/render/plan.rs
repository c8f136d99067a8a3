//! `itaku plan` output: the plan's state, its effect verification and the yearly review, each turned into
//! one [`PlanView`] (titled sections of tables, texts in the chosen language) from which the Markdown, the
//! HTML page or section, the xlsx sheets and the terminal tables are all written, so they say the same
//! thing. The JSON document is the language-neutral result itself ([`plan_json`]).

use std::fmt::Write as _;

use maud::{html, Markup};
use serde::Serialize;

use super::document::RulesMeta;
use crate::diff::Summary;
use crate::lang::Lang;
use crate::method::Method;
use crate::model::Recommendation;
use crate::plan::review::{Change, Review};
use crate::plan::state::{ItemState, PlanState, Status, Verdict, Verification};
use crate::plan::{Monitoring, Plan, Stage};
use crate::rules::RuleSet;

/// One titled table of a view.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Stable id (`by_year`), the HTML anchor.
    pub id: &'static str,
    pub title: String,
    /// The sheet's name in the workbook (at most 31 characters).
    pub sheet: String,
    /// Lines said before the table.
    pub intro: Vec<String>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Columns holding numbers (right-aligned, written as numbers in xlsx).
    pub numeric: Vec<usize>,
    /// What to say when there are no rows.
    pub empty: String,
}

/// A whole view: title, one line of what it was made from, the sections.
#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    pub title: String,
    pub meta: String,
    pub illustrative: Option<String>,
    pub sections: Vec<Section>,
}

/// What every JSON output of `itaku plan` starts with.
#[derive(Debug, Serialize)]
pub struct PlanJson<'a, T: Serialize> {
    pub tool: &'static str,
    pub version: &'static str,
    pub rules: RulesMeta,
    pub as_of: String,
    pub plan: PlanMeta,
    #[serde(flatten)]
    pub body: &'a T,
}

#[derive(Debug, Serialize)]
pub struct PlanMeta {
    pub path: String,
    pub title: String,
    pub illustrative: bool,
    pub period: (i32, i32),
    pub focus_until: i32,
    pub verification_year: i32,
}

impl PlanMeta {
    pub fn of(plan: &Plan) -> PlanMeta {
        PlanMeta {
            path: plan.path.clone(),
            title: plan.title.clone(),
            illustrative: plan.illustrative,
            period: (plan.first_year, plan.last_year),
            focus_until: plan.focus_until,
            verification_year: plan.verification_year,
        }
    }
}

/// `--format json`: `body` (a state, verification or review) with the plan and rules it was read with.
pub fn plan_json<T: Serialize>(
    plan: &Plan,
    rules: &RuleSet,
    as_of: jiff::civil::Date,
    body: &T,
) -> String {
    let doc = PlanJson {
        tool: "itaku",
        version: env!("CARGO_PKG_VERSION"),
        rules: RulesMeta::of(rules),
        as_of: as_of.to_string(),
        plan: PlanMeta::of(plan),
        body,
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn fte(x: f64) -> String {
    format!("{x:.2}")
}

fn opt_fte(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), fte)
}

fn yen(v: Option<u64>) -> String {
    v.map_or_else(|| "—".into(), |v| v.to_string())
}

/// An integer with its thousands grouped (`911,000,000`).
fn grouped(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn year_label(y: i32, lang: Lang) -> String {
    match lang {
        Lang::Ja => format!("{y}年度"),
        Lang::En => format!("FY{y}"),
    }
}

fn opt_stage(s: Option<Stage>, lang: Lang) -> String {
    s.map_or_else(
        || lang.pick("未着手", "not started").into(),
        |s| s.label(lang).into(),
    )
}

pub fn status_label(s: Status, lang: Lang) -> &'static str {
    match s {
        Status::Late => lang.pick("遅れ", "late"),
        Status::Due => lang.pick("今年度予定", "due this year"),
        Status::OnSchedule => lang.pick("予定どおり", "on schedule"),
        Status::NotDue => lang.pick("未着手 (予定前)", "not due yet"),
        Status::Completed => lang.pick("完了", "completed"),
    }
}

pub fn verdict_label(v: Verdict, lang: Lang) -> &'static str {
    match v {
        Verdict::Achieved => lang.pick("効果あり", "achieved"),
        Verdict::Partly => lang.pick("一部達成", "partly achieved"),
        Verdict::NotAchieved => lang.pick("未達成", "not achieved"),
        Verdict::NoData => lang.pick("実績なし", "no data yet"),
    }
}

fn focus_label(id: &str, lang: Lang) -> String {
    crate::catalog::describe::value_label(crate::catalog::Field::focus_area, id).map_or_else(
        || lang.pick("(未記入)", "(not given)").into(),
        |t| t.pick(lang).into(),
    )
}

fn name(i: &ItemState, lang: Lang) -> String {
    crate::catalog::display_name(&i.name, i.name_en.as_deref(), lang).to_string()
}

fn operation_cell(id: &str, name: &str) -> String {
    if name.is_empty() {
        id.to_string()
    } else {
        format!("{name} ({id})")
    }
}

fn section(
    id: &'static str,
    title: (&str, &str),
    sheet: (&str, &str),
    lang: Lang,
    header: &[(&str, &str)],
    numeric: &[usize],
) -> Section {
    Section {
        id,
        title: lang.pick(title.0, title.1).into(),
        sheet: lang.pick(sheet.0, sheet.1).into(),
        intro: Vec::new(),
        header: header
            .iter()
            .map(|h| lang.pick(h.0, h.1).to_string())
            .collect(),
        rows: Vec::new(),
        numeric: numeric.to_vec(),
        empty: lang.pick("該当なし", "none").into(),
    }
}

/// The two-column 概要 table every view starts with; `numeric` when every value is one number.
fn summary_section(lang: Lang, numeric: bool) -> Section {
    let numeric: &[usize] = if numeric { &[1] } else { &[] };
    section(
        "summary",
        ("概要", "Summary"),
        ("概要", "Summary"),
        lang,
        &[("項目", "Measure"), ("値", "Value")],
        numeric,
    )
}

impl Section {
    /// Adds a `label | value` row (the summary tables).
    fn row(&mut self, label: &str, value: impl Into<String>) {
        self.rows.push(vec![label.to_string(), value.into()]);
    }
}

fn meta_line(
    plan: &Plan,
    rules: &RuleSet,
    as_of: jiff::civil::Date,
    year: i32,
    lang: Lang,
) -> String {
    match lang {
        Lang::Ja => format!(
            "計画 {} ({}〜{}年度、重点取組み〜{}年度、効果検証 {}年度) · 基準日 {as_of} ({year}年度) · ルール {} {}",
            plan.path, plan.first_year, plan.last_year, plan.focus_until, plan.verification_year,
            rules.manifest.name, rules.manifest.version
        ),
        Lang::En => format!(
            "Plan {} (FY{}–FY{}, focus years to FY{}, effect verification FY{}) · as of {as_of} (FY{year}) · rules {} {}",
            plan.path, plan.first_year, plan.last_year, plan.focus_until, plan.verification_year,
            rules.manifest.name, rules.manifest.version
        ),
    }
}

fn illustrative(plan: &Plan, lang: Lang) -> Option<String> {
    plan.illustrative.then(|| {
        lang.pick(
            "この計画は例示です。実際の区の計画・実績ではありません。",
            "This plan is illustrative: not an actual plan or actual results of the ward.",
        )
        .to_string()
    })
}

fn method_label(m: Method, lang: Lang) -> String {
    m.label(lang).to_string()
}

/// The view of where the plan stands (`itaku plan status`).
pub fn state_view(
    plan: &Plan,
    st: &PlanState,
    rules: &RuleSet,
    as_of: jiff::civil::Date,
    lang: Lang,
) -> PlanView {
    let y = st.fiscal_year;
    let mut summary = summary_section(lang, true);
    summary.row(
        lang.pick("計画の項目", "Plan items"),
        st.items.len().to_string(),
    );
    for (s, n) in &st.by_status {
        summary.row(status_label(*s, lang), n.to_string());
    }
    summary.row(
        lang.pick("削減見込み (評価、FTE)", "Freed FTE expected (assessment)"),
        fte(st.planned_freed_fte),
    );
    summary.row(
        lang.pick("削減実績 (直近の報告、FTE)", "Freed FTE reported (latest)"),
        fte(st.actual_freed_fte),
    );

    let mut by_year = section(
        "by_year",
        ("年度別の計画と実績", "Plan and actuals by fiscal year"),
        ("年度別", "By year"),
        lang,
        &[
            ("年度", "Fiscal year"),
            ("区分", "Phase"),
            ("履行開始 (計画)", "Deliveries starting (plan)"),
            ("履行開始 (実績)", "Deliveries started (actual)"),
            ("削減見込み累計 FTE", "Freed FTE planned, cumulative"),
            ("削減実績 FTE", "Freed FTE reported"),
            ("契約額 計画 (円)", "Contracts planned (yen)"),
            ("契約額 実績 (円)", "Contracts paid (yen)"),
            ("事故等", "Incidents"),
        ],
        &[2, 3, 4, 5, 6, 7, 8],
    );
    for r in &st.by_year {
        let phase = match (r.focus, r.verification) {
            (_, true) => lang.pick("効果検証", "effect verification"),
            (true, false) => lang.pick("重点取組み", "focus year"),
            (false, false) => "",
        };
        let when = match r.when {
            "current" => lang.pick(" (今年度)", " (current)"),
            _ => "",
        };
        let future = r.when == "future";
        let actual = |s: String| if future { "—".to_string() } else { s };
        by_year.rows.push(vec![
            format!("{}{when}", year_label(r.year, lang)),
            phase.into(),
            r.planned_starts.to_string(),
            actual(r.actual_starts.to_string()),
            fte(r.planned_freed_fte),
            actual(fte(r.actual_freed_fte)),
            r.planned_contract_yen.to_string(),
            actual(r.actual_contract_yen.to_string()),
            actual(r.incidents.to_string()),
        ]);
    }

    let mut items = section(
        "items",
        ("項目ごとの進み具合", "Items"),
        ("項目", "Items"),
        lang,
        &[
            ("業務", "Operation"),
            ("部署", "Department"),
            ("手法", "Method"),
            ("束ね", "Bundle"),
            ("予定の段階", "Stage planned"),
            ("到達した段階", "Stage reached"),
            ("状況", "Status"),
            ("削減見込み FTE", "Freed FTE planned"),
            ("削減実績 FTE", "Freed FTE reported"),
            ("モニタリング", "Monitoring"),
        ],
        &[7, 8],
    );
    items.intro.push(match lang {
        Lang::Ja => format!("{y}年度末までに予定された段階と、実績で報告された段階です。"),
        Lang::En => {
            format!("The stage planned by the end of FY{y} and the stage the actuals report.")
        }
    });
    for i in &st.items {
        items.rows.push(vec![
            operation_cell(&i.operation, &name(i, lang)),
            i.department.clone(),
            method_label(i.method, lang),
            i.bundle.clone().unwrap_or_default(),
            i.planned
                .map_or_else(|| "—".into(), |s| s.label(lang).into()),
            opt_stage(i.reached, lang),
            status_label(i.status, lang).into(),
            fte(i.planned_freed_fte),
            opt_fte(i.actual_freed_fte),
            i.monitoring.map_or_else(
                || "—".into(),
                |(y, m)| format!("{} ({})", m.label(lang), year_label(y, lang)),
            ),
        ]);
    }

    let mut late = section(
        "late",
        ("遅れている項目", "Late items"),
        ("遅れ", "Late"),
        lang,
        &[
            ("業務", "Operation"),
            ("部署", "Department"),
            ("遅れている段階", "Overdue stage"),
            ("予定の年度", "Planned for"),
            ("遅れ (年)", "Years late"),
            ("到達した段階", "Stage reached"),
        ],
        &[4],
    );
    for i in st.items.iter().filter(|i| i.status == Status::Late) {
        if let Some((stage, by)) = i.overdue {
            late.rows.push(vec![
                operation_cell(&i.operation, &name(i, lang)),
                i.department.clone(),
                stage.label(lang).into(),
                i.schedule
                    .get(&stage)
                    .map_or_else(String::new, |&py| year_label(py, lang)),
                by.to_string(),
                opt_stage(i.reached, lang),
            ]);
        }
    }
    late.empty = lang
        .pick("遅れている項目はありません", "no item is late")
        .into();

    let mut monitoring = section(
        "monitoring",
        ("モニタリングと事故", "Monitoring and incidents"),
        ("モニタリング", "Monitoring"),
        lang,
        &[
            ("業務", "Operation"),
            ("直近のモニタリング", "Latest monitoring"),
            ("事故等 (累計)", "Incidents (all years)"),
            ("備考", "Note"),
        ],
        &[2],
    );
    monitoring.intro.push(
        lang.pick(
            "S2 (履行確認) のモニタリングで指摘があったか、事故等が報告された項目です。",
            "Items whose S2 monitoring found something or that reported incidents.",
        )
        .into(),
    );
    for i in &st.items {
        let flagged = i.monitoring.is_some_and(|(_, m)| m != Monitoring::Good) || i.incidents > 0;
        if flagged {
            monitoring.rows.push(vec![
                operation_cell(&i.operation, &name(i, lang)),
                i.monitoring.map_or_else(
                    || "—".into(),
                    |(y, m)| format!("{} ({})", m.label(lang), year_label(y, lang)),
                ),
                i.incidents.to_string(),
                i.latest_note
                    .as_ref()
                    .map(|(y, n)| format!("{}: {n}", year_label(*y, lang)))
                    .unwrap_or_default(),
            ]);
        }
    }
    monitoring.empty = lang
        .pick(
            "指摘・事故の報告はありません",
            "no findings or incidents reported",
        )
        .into();

    let group_header = |first: (&'static str, &'static str)| {
        [
            first,
            ("項目", "Items"),
            ("遅れ", "Late"),
            ("履行中", "In delivery"),
            ("削減見込み FTE", "Freed FTE planned"),
            ("削減実績 FTE", "Freed FTE reported"),
            ("モニタリング指摘", "Monitoring findings"),
        ]
    };
    let group_rows = |rows: &[crate::plan::state::GroupRow], key: &dyn Fn(&str) -> String| {
        rows.iter()
            .map(|g| {
                vec![
                    key(&g.key),
                    g.items.to_string(),
                    g.late.to_string(),
                    g.in_delivery.to_string(),
                    fte(g.planned_freed_fte),
                    fte(g.actual_freed_fte),
                    g.monitoring_findings.to_string(),
                ]
            })
            .collect::<Vec<_>>()
    };
    let mut by_department = section(
        "by_department",
        ("部署別", "By department"),
        ("部署別", "By department"),
        lang,
        &group_header(("部署", "Department")),
        &[1, 2, 3, 4, 5, 6],
    );
    by_department.rows = group_rows(&st.by_department, &|k| k.to_string());
    let mut by_focus = section(
        "by_focus_area",
        ("重点取組み分野別", "By priority area"),
        ("分野別", "By area"),
        lang,
        &group_header(("重点取組み分野", "Priority area")),
        &[1, 2, 3, 4, 5, 6],
    );
    by_focus.rows = group_rows(&st.by_focus_area, &|k| focus_label(k, lang));

    let mut methods = section(
        "methods",
        ("手法の確認", "Method check"),
        ("手法", "Methods"),
        lang,
        &[
            ("業務", "Operation"),
            ("計画の手法", "Planned method"),
            ("評価での順位", "Rank in the assessment"),
            ("評価で最も合う手法", "Best fit in the assessment"),
        ],
        &[],
    );
    methods.intro.push(
        lang.pick(
            "計画の手法が、評価 (itaku assess の methods) で最も合う手法でない項目です。",
            "Items whose planned method is not the best fit of their assessment (itaku assess: methods).",
        )
        .into(),
    );
    for i in st.items.iter().filter(|i| i.best_method.is_some()) {
        methods.rows.push(vec![
            operation_cell(&i.operation, &name(i, lang)),
            method_label(i.method, lang),
            i.method_rank.map_or_else(
                || lang.pick("合わない", "does not fit").into(),
                |r| format!("{r}"),
            ),
            i.best_method
                .map(|m| method_label(m, lang))
                .unwrap_or_default(),
        ]);
    }
    methods.empty = lang
        .pick(
            "どの項目も、評価で最も合う手法を選んでいます",
            "every item has the best-fitting method of its assessment",
        )
        .into();

    let mut candidates = section(
        "not_in_plan",
        ("計画にない委託候補", "Candidates not in the plan"),
        ("計画外の候補", "Not in plan"),
        lang,
        &[
            ("業務", "Operation"),
            ("評価", "Recommendation"),
            ("削減見込み FTE", "Freed FTE expected"),
        ],
        &[2],
    );
    candidates.intro.push(
        lang.pick(
            "評価が「委託推奨」か「一部委託」なのに計画が取り上げていない業務です (次の見直しの候補)。",
            "Operations assessed outsource or outsource in part that the plan does not take up (for the next review).",
        )
        .into(),
    );
    for c in &st.not_in_plan {
        candidates.rows.push(vec![
            operation_cell(
                &c.operation,
                crate::catalog::display_name(&c.name, c.name_en.as_deref(), lang),
            ),
            c.recommendation.label(lang).into(),
            fte(c.freed_fte),
        ]);
    }

    PlanView {
        title: if plan.title.is_empty() {
            lang.pick("計画の進み具合", "Where the plan stands").into()
        } else {
            match lang {
                Lang::Ja => format!("{} — {}年度の進み具合", plan.title, y),
                Lang::En => format!("{} — where it stands in FY{}", plan.title, y),
            }
        },
        meta: meta_line(plan, rules, as_of, y, lang),
        illustrative: illustrative(plan, lang),
        sections: vec![
            summary,
            by_year,
            late,
            monitoring,
            items,
            by_department,
            by_focus,
            methods,
            candidates,
        ],
    }
}

/// The view of the effect verification (`itaku plan verify`).
pub fn verification_view(
    plan: &Plan,
    v: &Verification,
    rules: &RuleSet,
    as_of: jiff::civil::Date,
    lang: Lang,
    names: &dyn Fn(&str) -> String,
) -> PlanView {
    let mut summary = summary_section(lang, false);
    if v.interim {
        summary.intro.push(match lang {
            Lang::Ja => format!(
                "{}年度の中間検証です。効果検証の年度は {}年度です。",
                v.fiscal_year, v.verification_year
            ),
            Lang::En => format!(
                "An interim verification in FY{}; the effect verification year is FY{}.",
                v.fiscal_year, v.verification_year
            ),
        });
    }
    summary.intro.push(lang.pick(
        "判定: 削減実績が見込みの90%以上で重大な指摘がなければ「効果あり」、50%以上 (または90%以上でも重大な指摘あり) は「一部達成」、それ未満は「未達成」。",
        "Verdict: at least 90 % of the expected freed time and no serious finding is achieved; at least 50 % (or 90 % with a serious finding) partly; less, not achieved.",
    ).into());
    summary.row(
        lang.pick("履行中の項目", "Items in delivery"),
        v.effects.len().to_string(),
    );
    for (verdict, n) in &v.by_verdict {
        summary.row(verdict_label(*verdict, lang), n.to_string());
    }
    summary.row(
        lang.pick("削減 見込み → 実績 (FTE)", "Freed FTE expected → reported"),
        format!("{} → {}", fte(v.planned_freed_fte), fte(v.actual_freed_fte)),
    );
    summary.row(
        lang.pick("超過勤務 前 → 後 (時間)", "Overtime before → after (hours)"),
        format!("{:.0} → {:.0}", v.overtime_before, v.overtime_after),
    );
    summary.row(
        lang.pick(
            "契約額 見込み → 実績 (円)",
            "Contracts estimated → paid (yen)",
        ),
        format!(
            "{} → {}",
            grouped(v.planned_contract_yen),
            grouped(v.actual_contract_yen)
        ),
    );
    summary.row(lang.pick("事故等", "Incidents"), v.incidents.to_string());

    let mut effects = section(
        "effects",
        ("項目ごとの効果", "Effect by item"),
        ("効果", "Effects"),
        lang,
        &[
            ("業務", "Operation"),
            ("手法", "Method"),
            ("履行開始", "Delivery since"),
            ("削減 見込み FTE", "Freed FTE expected"),
            ("削減 実績 FTE", "Freed FTE reported"),
            ("達成率", "Share achieved"),
            ("超過勤務 前", "Overtime before"),
            ("超過勤務 後", "Overtime after"),
            ("契約額 見込み", "Contract estimated"),
            ("契約額 実績", "Contract paid"),
            ("事故等", "Incidents"),
            ("最も悪いモニタリング", "Worst monitoring"),
            ("判定", "Verdict"),
        ],
        &[3, 4, 6, 7, 8, 9, 10],
    );
    for e in &v.effects {
        effects.rows.push(vec![
            operation_cell(
                &e.operation,
                crate::catalog::display_name(&e.name, e.name_en.as_deref(), lang),
            ),
            method_label(e.method, lang),
            year_label(e.delivery_since, lang),
            fte(e.planned_freed_fte),
            opt_fte(e.actual_freed_fte),
            e.freed_ratio
                .map_or_else(|| "—".into(), |r| format!("{:.0}%", r * 100.0)),
            e.overtime_before
                .map_or_else(|| "—".into(), |h| format!("{h:.0}")),
            e.overtime_after
                .map_or_else(|| "—".into(), |h| format!("{h:.0}")),
            yen(e.planned_contract_yen),
            yen(e.actual_contract_yen),
            e.incidents.to_string(),
            e.worst_monitoring
                .map_or_else(|| "—".into(), |m| m.label(lang).into()),
            verdict_label(e.verdict, lang).into(),
        ]);
    }
    let mut waiting = section(
        "not_in_delivery",
        ("まだ履行していない項目", "Items not yet in delivery"),
        ("未履行", "Not in delivery"),
        lang,
        &[("業務", "Operation")],
        &[],
    );
    waiting.rows = v
        .not_in_delivery
        .iter()
        .map(|o| vec![operation_cell(o, &names(o))])
        .collect();
    PlanView {
        title: match (lang, v.interim) {
            (Lang::Ja, true) => format!("効果検証 (中間、{}年度)", v.fiscal_year),
            (Lang::Ja, false) => format!("効果検証 ({}年度)", v.fiscal_year),
            (Lang::En, true) => format!("Effect verification (interim, FY{})", v.fiscal_year),
            (Lang::En, false) => format!("Effect verification (FY{})", v.fiscal_year),
        },
        meta: meta_line(plan, rules, as_of, v.fiscal_year, lang),
        illustrative: illustrative(plan, lang),
        sections: vec![summary, effects, waiting],
    }
}

fn change_text(c: &Change, lang: Lang) -> String {
    let y = |v: Option<i32>| {
        v.map_or_else(|| lang.pick("なし", "none").into(), |y| year_label(y, lang))
    };
    let none = || lang.pick("なし", "none").to_string();
    match c {
        Change::Method { from, to } => format!(
            "{}: {} → {}",
            lang.pick("手法", "method"),
            from.label(lang),
            to.label(lang)
        ),
        Change::Bundle { from, to } => format!(
            "{}: {} → {}",
            lang.pick("束ね", "bundle"),
            from.clone().unwrap_or_else(none),
            to.clone().unwrap_or_else(none)
        ),
        Change::Moved { stage, from, to } => format!(
            "{}「{}」: {} → {}",
            lang.pick("段階", "stage"),
            stage.label(lang),
            y(*from),
            y(*to)
        ),
        Change::Actuals { year } => match lang {
            Lang::Ja => format!("{}の実績を追加", year_label(*year, lang)),
            Lang::En => format!("actuals of {} added", year_label(*year, lang)),
        },
        Change::Status { from, to } => format!(
            "{}: {} → {}",
            lang.pick("状況", "status"),
            status_label(*from, lang),
            status_label(*to, lang)
        ),
    }
}

fn summary_text(s: Option<&Summary>, lang: Lang) -> String {
    s.map_or_else(
        || lang.pick("(なし)", "(none)").into(),
        |s| {
            let r = Recommendation::ALL
                .into_iter()
                .find(|r| r.as_str() == s.recommendation)
                .map_or("?", |r| r.label(lang));
            format!("{r} {} FTE", fte(s.freed_fte))
        },
    )
}

/// The view of the yearly review (`itaku plan review`).
pub fn review_view(
    new_plan: &Plan,
    r: &Review,
    rules: &RuleSet,
    as_of: jiff::civil::Date,
    lang: Lang,
    names: &dyn Fn(&str) -> String,
) -> PlanView {
    let op = |id: &str| operation_cell(id, &names(id));
    let mut summary = summary_section(lang, true);
    summary.intro.push(match lang {
        Lang::Ja => format!(
            "{} ({}年度) と {} ({}年度) の比較です。",
            r.base_plan, r.base_year, r.new_plan, r.new_year
        ),
        Lang::En => format!(
            "{} (FY{}) compared with {} (FY{}).",
            r.base_plan, r.base_year, r.new_plan, r.new_year
        ),
    });
    summary.intro.push(match lang {
        Lang::Ja => format!("評価の比較: {} → {}", r.base_setting, r.new_setting),
        Lang::En => format!(
            "Assessments compared: {} → {}",
            r.base_setting, r.new_setting
        ),
    });
    for (label, n) in [
        (lang.pick("追加した項目", "Items added"), r.added.len()),
        (lang.pick("外した項目", "Items dropped"), r.dropped.len()),
        (lang.pick("変わった項目", "Items changed"), r.changed.len()),
        (
            lang.pick(
                "評価が変わった計画の業務",
                "Plan operations reassessed differently",
            ),
            r.assessments.len(),
        ),
        (
            lang.pick(
                "評価が変わった計画外の業務",
                "Other operations reassessed differently",
            ),
            r.other_assessments_changed,
        ),
    ] {
        summary.row(label, n.to_string());
    }
    let mut added = section(
        "added_dropped",
        ("追加・除外した項目", "Items added and dropped"),
        ("追加・除外", "Added, dropped"),
        lang,
        &[("業務", "Operation"), ("変更", "Change")],
        &[],
    );
    for o in &r.added {
        added
            .rows
            .push(vec![op(o), lang.pick("追加", "added").into()]);
    }
    for o in &r.dropped {
        added
            .rows
            .push(vec![op(o), lang.pick("除外", "dropped").into()]);
    }
    let mut changed = section(
        "changed",
        (
            "項目の変更 (手法・束ね・日程・実績・状況)",
            "Item changes (method, bundle, schedule, actuals, status)",
        ),
        ("変更", "Changes"),
        lang,
        &[("業務", "Operation"), ("変更", "Change")],
        &[],
    );
    for c in &r.changed {
        let all: Vec<String> = c.changes.iter().map(|ch| change_text(ch, lang)).collect();
        changed
            .rows
            .push(vec![op(&c.operation), all.join(lang.pick("、", "; "))]);
    }
    let mut assessed = section(
        "assessments",
        (
            "カタログとルールの改定で変わった評価",
            "Assessments changed by the catalog and rule revisions",
        ),
        ("評価の変化", "Reassessed"),
        lang,
        &[
            ("業務", "Operation"),
            ("前年", "Last year"),
            ("今年", "This year"),
            ("変化", "What changed"),
            ("ルール", "Rules"),
            ("パラメータ", "Parameters"),
        ],
        &[],
    );
    assessed.intro.push(
        lang.pick(
            "計画の業務のうち、前年のカタログ・ルール・基準日と今年のもので評価が変わったものです (itaku diff と同じ比較)。",
            "Plan operations whose assessment differs between last year's catalog, rules and date and this year's (the comparison of itaku diff).",
        )
        .into(),
    );
    for c in &r.assessments {
        assessed.rows.push(vec![
            operation_cell(&c.id, c.display_name(lang)),
            summary_text(c.before.as_ref(), lang),
            summary_text(c.after.as_ref(), lang),
            c.changes.join("; "),
            c.rules.join(", "),
            c.parameters.join("; "),
        ]);
    }
    PlanView {
        title: match lang {
            Lang::Ja => format!("年次見直し ({}年度 → {}年度)", r.base_year, r.new_year),
            Lang::En => format!("Yearly review (FY{} → FY{})", r.base_year, r.new_year),
        },
        meta: meta_line(new_plan, rules, as_of, r.new_year, lang),
        illustrative: illustrative(new_plan, lang),
        sections: vec![summary, added, changed, assessed],
    }
}

impl Section {
    /// A cell as shown to people: integers of the number columns grouped by thousands (`1,301,000,000`);
    /// the workbook keeps the plain number.
    pub fn shown<'a>(&self, column: usize, cell: &'a str) -> std::borrow::Cow<'a, str> {
        match cell.parse::<u64>() {
            Ok(v) if self.numeric.contains(&column) && v >= 10_000 && cell.len() < 21 => {
                grouped(v).into()
            }
            _ => cell.into(),
        }
    }
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// `--format md`.
pub fn plan_markdown(view: &PlanView) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", md_cell(&view.title));
    let _ = writeln!(out, "{}\n", md_cell(&view.meta));
    if let Some(i) = &view.illustrative {
        let _ = writeln!(out, "> {}\n", md_cell(i));
    }
    for s in &view.sections {
        let _ = writeln!(out, "## {}\n", md_cell(&s.title));
        for line in &s.intro {
            let _ = writeln!(out, "{}\n", md_cell(line));
        }
        if s.rows.is_empty() {
            let _ = writeln!(out, "{}\n", md_cell(&s.empty));
            continue;
        }
        let _ = writeln!(
            out,
            "| {} |",
            s.header
                .iter()
                .map(|h| md_cell(h))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let rule: Vec<&str> = (0..s.header.len())
            .map(|c| {
                if s.numeric.contains(&c) {
                    "---:"
                } else {
                    "---"
                }
            })
            .collect();
        let _ = writeln!(out, "| {} |", rule.join(" | "));
        for row in &s.rows {
            let _ = writeln!(
                out,
                "| {} |",
                row.iter()
                    .enumerate()
                    .map(|(c, v)| md_cell(&s.shown(c, v)))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
        }
        out.push('\n');
    }
    out
}

/// The view as one `<section>`, for a page of its own or inside another report.
pub fn plan_section(view: &PlanView) -> Markup {
    html! {
        section.plan {
            h2 { (view.title) }
            p.meta { (view.meta) }
            @if let Some(i) = &view.illustrative { p.note { (i) } }
            @for s in &view.sections {
                h3 id=(s.id) { (s.title) }
                @for line in &s.intro { p { (line) } }
                @if s.rows.is_empty() {
                    p { (s.empty) }
                } @else {
                    // A region of its own, reachable from the keyboard, when it scrolls sideways.
                    div.scroll role="region" tabindex="0" aria-label=(s.title) {
                        table {
                            thead { tr { @for h in &s.header { th scope="col" { (h) } } } }
                            tbody {
                                @for row in &s.rows {
                                    tr {
                                        @for (c, cell) in row.iter().enumerate() {
                                            @if s.numeric.contains(&c) { td.num { (s.shown(c, cell)) } } @else { td { (cell) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

const PLAN_CSS: &str =
    "td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; } \
    .scroll { overflow-x: auto; } p.note { border-left: 4px solid #0072b2; padding-left: .5em; } \
    .plan .scroll th, .plan .scroll td { min-width: 4.5em; } .plan .scroll td:first-child { min-width: 11em; }";

/// `--format html`: a page of its own.
pub fn plan_html(view: &PlanView, lang: Lang) -> String {
    super::html::standalone(
        lang,
        &view.title,
        PLAN_CSS,
        html! { main { (plan_section(view)) } },
    )
}

/// `--format xlsx`: a sheet a section.
pub fn plan_xlsx(view: &PlanView) -> std::io::Result<Vec<u8>> {
    let sheets: Vec<super::xlsx::Sheet<'_>> = view
        .sections
        .iter()
        .map(|s| super::xlsx::Sheet {
            name: &s.sheet,
            header: s.header.iter().map(String::as_str).collect(),
            rows: &s.rows,
            numeric: &s.numeric,
        })
        .collect();
    super::xlsx::sheets(&sheets)
}
