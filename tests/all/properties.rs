//! Properties of assessment with the standard rules (`rules/`), over generated valid operations.
//!
//! Whatever the rules directory contains, these must hold: no rule errors on valid input; an excluded
//! operation stays in-house and frees nothing; freed FTE never exceeds staff FTE; more routine work,
//! complete manuals or more providers never lower the recommendation; a hazard never removes a checklist
//! item; output is byte-identical across runs and thread counts.

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use itaku::assess::{assess_operation, Assessment};
use itaku::catalog::{operation_from_json, parse_str, Manuals, Operation};
use itaku::model::Recommendation;
use itaku::render::{render, Format};
use itaku::rules::{CompiledRules, RuleSet};
use itaku::{assess_catalog, Catalog, Lang};
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{json, Map, Value};

fn rules() -> &'static CompiledRules {
    static RULES: OnceLock<CompiledRules> = OnceLock::new();
    RULES.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
        let set = RuleSet::load_dir(dir).expect("the standard rules load");
        CompiledRules::compile(Arc::new(set), "2026-04-01".parse().unwrap())
            .expect("the standard rules compile")
    })
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

fn one_of(values: &'static [&'static str]) -> BoxedStrategy<Value> {
    prop::sample::select(values).prop_map(|s| json!(s)).boxed()
}

fn text() -> BoxedStrategy<Value> {
    "[a-zA-Z0-9 ぁ-ん漢字業務]{1,24}"
        .prop_map(Value::from)
        .boxed()
}

fn texts() -> BoxedStrategy<Value> {
    prop::collection::vec("[a-z ぁ-ん]{1,16}", 0..4)
        .prop_map(|v| json!(v))
        .boxed()
}

fn int(lo: u64, hi: u64) -> BoxedStrategy<Value> {
    (lo..=hi).prop_map(|i| json!(i)).boxed()
}

fn num(lo: f64, hi: f64) -> BoxedStrategy<Value> {
    prop_oneof![
        Just(lo),
        Just(hi),
        lo..=hi,
        // Round values, as people write them.
        (0u32..=100).prop_map(move |p| lo + (hi - lo) * f64::from(p) / 100.0),
    ]
    .prop_map(|f| json!(f))
    .boxed()
}

fn boolean() -> BoxedStrategy<Value> {
    any::<bool>().prop_map(Value::from).boxed()
}

const HAZARDS: &[&str] = &[
    "heights",
    "night_work",
    "lone_work",
    "machinery",
    "chemicals",
    "confined_space",
    "traffic",
    "electrical",
    "heat",
    "asbestos",
];

/// Every optional field of contract 1 with a strategy for its valid values.
fn field_strategies() -> Vec<(&'static str, BoxedStrategy<Value>)> {
    vec![
        ("name_en", text()),
        ("description", text()),
        ("source", text()),
        (
            "focus_area",
            one_of(&[
                "bulk_routine",
                "screening",
                "collection",
                "inquiries",
                "facilities",
                "renewal",
                "new_systems",
            ]),
        ),
        ("legal_basis", texts()),
        ("statutory_staff_only", boolean()),
        ("public_authority", one_of(&["none", "ancillary", "core"])),
        (
            "discretion",
            one_of(&["none", "rule_bound", "judgment", "professional"]),
        ),
        // Often empty: an operation whose cases wait for no staff decision can go out whole.
        (
            "decision_steps",
            prop_oneof![2 => Just(json!([])), 1 => texts()].boxed(),
        ),
        ("auxiliary_steps", texts()),
        ("oversight_steps", texts()),
        ("auxiliary_share", num(0.0, 1.0)),
        ("annual_cases", int(0, 2_000_000)),
        ("routine_share", num(0.0, 1.0)),
        ("difficulty", int(1, 5)),
        ("manuals", one_of(&["none", "partial", "complete"])),
        (
            "monthly_load",
            prop::collection::vec(prop_oneof![0.0..50.0f64, (0u32..5).prop_map(f64::from)], 12)
                .prop_map(|v| json!(v))
                .boxed(),
        ),
        (
            "expertise",
            one_of(&["none", "general", "specialist", "licensed"]),
        ),
        ("spec_definable", boolean()),
        ("output_measurability", int(1, 5)),
        ("market_providers", int(0, 30)),
        ("commercial_equivalent", boolean()),
        ("facilities", int(0, 150)),
        ("maintenance_contracts", int(0, 40)),
        ("criticality", one_of(&["critical", "important", "normal"])),
        ("emergency_role", boolean()),
        ("first_time", boolean()),
        ("citizen_facing", boolean()),
        (
            "work_location",
            one_of(&["ward_premises", "contractor_site", "remote"]),
        ),
        ("co_located", boolean()),
        ("escalation_to_staff", boolean()),
        ("escalation_procedure", one_of(&["documented", "ad_hoc"])),
        ("onsite_headcount", int(0, 80)),
        (
            "equipment",
            one_of(&["contractor", "ward_leased", "ward_free"]),
        ),
        (
            "contract_type",
            one_of(&[
                "consignment",
                "construction",
                "goods",
                "designated_manager",
                "lease",
            ]),
        ),
        ("estimated_contract_yen", int(0, 5_000_000_000)),
        ("pass_through_yen", int(0, 20_000_000)),
        ("current_contract_yen", int(0, 20_000_000)),
        ("collects_public_money", boolean()),
        ("tax_secrecy", boolean()),
        ("my_number_kind", one_of(&["use", "relation"])),
        ("contract_years", int(1, 10)),
        ("subcontracting", boolean()),
        (
            "hazards",
            prop::sample::subsequence(HAZARDS, 0..=HAZARDS.len())
                .prop_map(|v| json!(v))
                .boxed(),
        ),
        (
            "personal_data",
            one_of(&["none", "general", "sensitive", "my_number"]),
        ),
        ("records", int(0, 5_000_000)),
        (
            "system_access",
            one_of(&["none", "onsite", "remote", "cloud"]),
        ),
        ("staff_fte", num(0.0, 60.0)),
        ("overtime_hours", num(0.0, 20_000.0)),
    ]
}

/// A valid operation as JSON: identity plus a random subset of fields (each present with probability
/// 3/4, so that unknown facts are exercised too).
fn operation_json() -> impl Strategy<Value = Map<String, Value>> {
    let fields: Vec<_> = field_strategies()
        .into_iter()
        .map(|(name, s)| prop::option::weighted(0.75, s).prop_map(move |v| (name, v)))
        .collect();
    ("[a-z0-9]{1,8}(-[a-z0-9]{1,8})?", fields).prop_map(|(id, fields)| {
        let mut map = Map::new();
        map.insert("id".into(), json!(id));
        map.insert("name".into(), json!("生成された業務"));
        map.insert("department".into(), json!("総務部"));
        for (name, value) in fields {
            if let Some(v) = value {
                map.insert(name.into(), v);
            }
        }
        map
    })
}

fn build(map: &Map<String, Value>) -> Arc<Operation> {
    match operation_from_json(Value::Object(map.clone()), "generated") {
        Ok(op) => Arc::new(op),
        Err(d) => panic!("generated operation is invalid: {d:?}\n{map:?}"),
    }
}

fn assess(map: &Map<String, Value>) -> Assessment {
    assess_operation(&build(map), rules())
}

fn item_ids(a: &Assessment) -> BTreeSet<&str> {
    a.checklist
        .iter()
        .map(|h| rules().rules.item(h.item).id.as_str())
        .collect()
}

fn explain(a: &Assessment) -> String {
    let set = &rules().rules;
    let notes: Vec<_> = a
        .notes
        .iter()
        .map(|(_, r)| itaku::render::reason_text(set, r, Lang::En))
        .collect();
    format!(
        "{:?}, points {:?}, cap {:?}, notes {notes:?}, errors {:?}",
        a.recommendation,
        a.criteria.iter().map(|c| c.points).collect::<Vec<_>>(),
        a.cap.as_ref().map(|c| c.0),
        a.errors
    )
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn valid_operations_never_cause_rule_errors(map in operation_json()) {
        let a = assess(&map);
        prop_assert!(a.errors.is_empty(), "{:?}\n{map:?}", a.errors);
    }

    #[test]
    fn excluded_means_in_house_with_nothing_freed(map in operation_json()) {
        let a = assess(&map);
        if a.excluded {
            // Contradicting facts make even an exclusion `study` until they are resolved.
            let expected = if a.contradictions.is_empty() { Recommendation::InHouse } else { Recommendation::Study };
            prop_assert_eq!(a.recommendation, expected);
            prop_assert_eq!(a.freed_fte, 0.0);
            prop_assert!(!a.proposal_call);
        }
    }

    #[test]
    fn freed_fte_never_exceeds_staff_fte(map in operation_json()) {
        let a = assess(&map);
        let staff = a.operation.staff_fte.unwrap_or(0.0);
        prop_assert!(a.freed_fte >= 0.0 && a.freed_fte <= staff, "freed {} of {staff}", a.freed_fte);
        if matches!(a.recommendation, Recommendation::InHouse | Recommendation::Study) {
            prop_assert_eq!(a.freed_fte, 0.0);
        }
    }

    #[test]
    fn more_routine_work_never_lowers_the_recommendation(
        map in operation_json(),
        low in 0.0..=1.0f64,
        raise in 0.0..=1.0f64,
    ) {
        // Going out whole needs the case decisions and the discretion known; unknown, a whole scope is
        // `study` (a decisive missing fact) while a part scope is `partial`, which is not a ranking.
        prop_assume!(map.contains_key("decision_steps") && map.contains_key("discretion"));
        let mut before = map.clone();
        before.insert("routine_share".into(), json!(low));
        let mut after = map;
        after.insert("routine_share".into(), json!((low + raise).min(1.0)));
        let (a, b) = (assess(&before), assess(&after));
        prop_assert!(
            b.recommendation >= a.recommendation,
            "routine_share {low} → {}: {} → {}\n{after:?}",
            (low + raise).min(1.0), explain(&a), explain(&b)
        );
    }

    #[test]
    fn completing_the_manuals_never_lowers_the_recommendation(map in operation_json()) {
        let mut before = map.clone();
        before.insert("manuals".into(), json!("partial"));
        let mut after = map;
        after.insert("manuals".into(), json!("complete"));
        let (a, b) = (assess(&before), assess(&after));
        prop_assert_eq!(b.operation.manuals, Some(Manuals::Complete));
        prop_assert!(b.recommendation >= a.recommendation, "{} → {}\n{after:?}", explain(&a), explain(&b));
    }

    #[test]
    fn more_providers_never_lower_the_recommendation(
        map in operation_json(),
        providers in 0u64..30,
        added in 1u64..10,
    ) {
        let mut before = map.clone();
        before.insert("market_providers".into(), json!(providers));
        let mut after = map;
        after.insert("market_providers".into(), json!(providers + added));
        let (a, b) = (assess(&before), assess(&after));
        prop_assert!(
            b.recommendation >= a.recommendation,
            "providers {providers} → {}: {} → {}\n{after:?}",
            providers + added, explain(&a), explain(&b)
        );
    }

    #[test]
    fn an_operation_whose_cases_wait_for_staff_is_never_outsourced(map in operation_json(), steps in texts()) {
        let mut map = map;
        prop_assume!(steps.as_array().is_some_and(|s| !s.is_empty()));
        map.insert("decision_steps".into(), steps);
        let a = assess(&map);
        prop_assert!(a.recommendation != Recommendation::Outsource, "{}\n{map:?}", explain(&a));
    }

    #[test]
    fn an_excluded_or_capped_outcome_never_hides_a_fact_it_depended_on(map in operation_json()) {
        let a = assess(&map);
        prop_assume!(a.excluded || a.cap.is_some());
        // What the gates decided: an exclusion (a cap under it no longer matters), or the cap.
        let outcome = |x: &Assessment| (x.excluded, if x.excluded { None } else { x.cap.as_ref().map(|c| c.0) });
        // Every fact a gate reads: filled in with any value, a change of exclusion or cap must have been
        // announced by listing the fact as missing.
        let gate_facts: [(&str, Vec<Value>); 6] = [
            ("statutory_staff_only", vec![json!(true), json!(false)]),
            ("public_authority", vec![json!("none"), json!("ancillary"), json!("core")]),
            ("auxiliary_steps", vec![json!([]), json!(["受付"])]),
            ("decision_steps", vec![json!([]), json!(["決定"])]),
            ("discretion", vec![json!("none"), json!("rule_bound"), json!("judgment")]),
            ("focus_area", vec![json!("screening"), json!("facilities")]),
        ];
        for (field, values) in gate_facts {
            if map.contains_key(field) {
                continue;
            }
            for v in values {
                let mut filled = map.clone();
                filled.insert(field.into(), v.clone());
                let b = assess(&filled);
                if b.contradictions.is_empty() && outcome(&b) != outcome(&a) {
                    prop_assert!(
                        a.missing.iter().any(|f| f.name() == field),
                        "`{field}` unknown decided {:?}, but it is not in missing (filled with {v}: {:?})\n{}\n{map:?}",
                        outcome(&a), outcome(&b), explain(&a)
                    );
                }
            }
        }
    }

    #[test]
    fn a_hazard_never_removes_a_checklist_item(
        map in operation_json(),
        hazard in prop::sample::select(HAZARDS),
    ) {
        let mut after = map.clone();
        let mut hazards: Vec<Value> = map
            .get("hazards")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        hazards.push(json!(hazard));
        after.insert("hazards".into(), Value::Array(hazards));
        let (a, b) = (assess(&map), assess(&after));
        let (before_items, after_items) = (item_ids(&a), item_ids(&b));
        prop_assert!(
            before_items.is_subset(&after_items),
            "adding {hazard} removed {:?}",
            before_items.difference(&after_items).collect::<Vec<_>>()
        );
    }
}

/// Issue 23 point 9: every word of the manifest's hazard vocabulary raises a checklist item of its own
/// (one that an operation with no hazard does not carry), and the test knows every word.
#[test]
fn every_hazard_word_raises_an_item() {
    let set = &rules().rules;
    let base = json!({
        "id": "h", "name": "危険作業", "department": "総務部",
        "statutory_staff_only": false, "public_authority": "none", "discretion": "rule_bound",
        "decision_steps": [], "routine_share": 0.9, "difficulty": 2,
        "work_location": "contractor_site", "onsite_headcount": 0, "hazards": []
    });
    let map = base.as_object().unwrap().clone();
    let none = item_ids(&assess(&map))
        .into_iter()
        .map(str::to_string)
        .collect::<BTreeSet<_>>();
    for word in &set.manifest.hazards {
        let word = word.id.as_str();
        assert!(
            HAZARDS.contains(&word),
            "the property tests do not generate the hazard `{word}`"
        );
        let mut with = map.clone();
        with.insert("hazards".into(), json!([word]));
        let raised: Vec<String> = item_ids(&assess(&with))
            .into_iter()
            .map(str::to_string)
            .filter(|i| !none.contains(i) && i != "s5-safe-methods-deadlines")
            .collect();
        assert!(
            !raised.is_empty(),
            "the hazard `{word}` raises no item of its own"
        );
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// Issue 23 point 4: the freed staff time is work the contractor's workers must do at no less than
    /// the wage floor, so it never exceeds what the labour part of the price buys (price less
    /// pass-through costs, and for work already outsourced less today's contract).
    #[test]
    fn freed_fte_never_exceeds_what_the_price_buys_at_the_wage_floor(map in operation_json()) {
        let a = assess(&map);
        let op = &a.operation;
        let labour_contract = matches!(
            op.contract_type,
            Some(itaku::catalog::ContractType::Consignment | itaku::catalog::ContractType::DesignatedManager)
        );
        if let (true, Some(price)) = (labour_contract, op.estimated_contract_yen) {
            let mut labour = price.saturating_sub(op.pass_through_yen.unwrap_or(0));
            if op.first_time == Some(false) {
                labour = labour.saturating_sub(op.current_contract_yen.unwrap_or(0));
            }
            // pco.wage_floor.consignment and fte.annual_hours in force on 2026-04-01.
            let buys = labour as f64 / (1460.0 * 1900.0);
            prop_assert!(a.freed_fte <= buys + 0.005, "freed {} but the price buys {buys:.3}\n{}\n{map:?}", a.freed_fte, explain(&a));
        }
    }
}

/// Phrases of the standard messages that state or imply a recommendation, with the recommendations
/// they are true of (a limit such as "the whole operation cannot go out" is true of all but outsource).
const VERDICTS: &[(&str, &[Recommendation])] = &[
    ("業務全体を委託できます", &[Recommendation::Outsource]),
    ("切り出して委託し", &[Recommendation::Partial]),
    ("確かなのは一部委託です", &[Recommendation::Partial]),
    (
        "一部委託まで",
        &[Recommendation::Partial, Recommendation::Study],
    ),
    (
        "業務全体は委託できません",
        &[
            Recommendation::Partial,
            Recommendation::Study,
            Recommendation::InHouse,
        ],
    ),
    ("直営を維持", &[Recommendation::InHouse]),
    ("直営が適当", &[Recommendation::InHouse]),
    ("委託の効果が見込めません", &[Recommendation::InHouse]),
    ("要検討", &[Recommendation::Study]),
    ("委託の手間に見合いません", &[Recommendation::Study]),
    ("範囲の見直しを検討してください", &[Recommendation::Study]),
];

/// Every note of an assessment (the cap's reason first, as the reports show them), in Japanese.
fn note_texts(a: &Assessment) -> Vec<String> {
    let set = &rules().rules;
    a.cap
        .iter()
        .map(|(_, _, r)| r)
        .chain(a.notes.iter().map(|(_, r)| r))
        .map(|r| itaku::render::reason_text(set, r, Lang::Ja))
        .collect()
}

/// The notes that state a recommendation other than the assessment's own.
fn contradicting_notes(a: &Assessment) -> Vec<String> {
    note_texts(a)
        .into_iter()
        .filter(|text| {
            VERDICTS.iter().any(|(phrase, levels)| {
                text.contains(phrase) && !levels.contains(&a.recommendation)
            })
        })
        .collect()
}

proptest! {
    #![proptest_config(config(512))]

    /// Issue 23 point 7: no note states or implies a recommendation other than the final one.
    #[test]
    fn no_note_states_another_recommendation(map in operation_json()) {
        let a = assess(&map);
        let wrong = contradicting_notes(&a);
        prop_assert!(wrong.is_empty(), "{:?} with notes {wrong:?}\n{}\n{map:?}", a.recommendation, explain(&a));
    }
}

/// The same over the bundled catalog, entry by entry.
#[test]
fn no_note_of_the_bundled_catalog_states_another_recommendation() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/catalog");
    let loaded = itaku::catalog::load_path(std::path::Path::new(dir));
    let report = assess_catalog(&loaded.catalog, rules());
    assert_eq!(report.assessments.len(), 48);
    for a in &report.assessments {
        let wrong = contradicting_notes(a);
        assert!(
            wrong.is_empty(),
            "{}: {:?} with notes {wrong:?}",
            a.operation.id,
            a.recommendation
        );
    }
}

fn catalog_of(ops: &[Map<String, Value>]) -> Catalog {
    // Through the YAML loader, as a real catalog would be (JSON is YAML); ids made unique.
    let items: Vec<Value> = ops
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut m = m.clone();
            m.insert("id".into(), json!(format!("op-{i}")));
            Value::Object(m)
        })
        .collect();
    let text = serde_json::to_string(&json!({ "format": 3, "operations": items })).unwrap();
    let loaded = parse_str("generated.yaml", &text);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    loaded.catalog
}

fn render_json(catalog: &Catalog, threads: usize) -> Vec<u8> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let report = pool.install(|| assess_catalog(catalog, rules()));
    let mut out = Vec::new();
    render(&report, &rules().rules, Lang::Ja, Format::Json, &mut out).unwrap();
    out
}

proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn output_is_identical_across_runs_and_thread_counts(
        ops in prop::collection::vec(operation_json(), 1..40),
    ) {
        let catalog = catalog_of(&ops);
        let one = render_json(&catalog, 1);
        prop_assert!(!one.is_empty());
        let again = render_json(&catalog, 1);
        prop_assert!(one == again, "two single-thread runs differ");
        let two = render_json(&catalog, 2);
        prop_assert!(one == two, "1 thread and 2 threads differ");
        let four = render_json(&catalog, 4);
        prop_assert!(one == four, "1 thread and 4 threads differ");
    }
}

/// The generator reaches every recommendation and exclusion, so the properties above are not vacuous.
#[test]
fn generated_operations_cover_every_outcome() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        config(1),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = operation_json();
    let mut seen = BTreeSet::new();
    let mut excluded = 0;
    let mut with_items = 0;
    for _ in 0..2000 {
        let map = strategy.new_tree(&mut runner).unwrap().current();
        let a = assess(&map);
        seen.insert(a.recommendation);
        excluded += usize::from(a.excluded);
        with_items += usize::from(a.checklist.len() > 1);
    }
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert!(excluded > 10, "{excluded}");
    assert!(with_items > 10, "{with_items}");
}
