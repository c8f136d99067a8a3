//! The questionnaire's live answer (`itaku serve`): one set of answers in, the assessment out. Run:
//! `cargo bench --bench serve` (numbers: docs/performance.md, "Self-assessment round trip").
//!
//! `answer_to_assessment` is the library's share (answers → catalog loader → assessment → what-if advice
//! within the live budget); `http_round_trip` posts the form to a running `itaku serve` (release build) on
//! loopback and reads the HTML fragment back, as the page's script does after each answer.

#[path = "../tests/support/server.rs"]
mod server;

use std::sync::Arc;

use divan::{black_box, Bencher};
use itaku::assess::assess_operation;
use itaku::catalog::Field;
use itaku::questionnaire::{validate, Answers};
use itaku::rules::{CompiledRules, RuleSet};
use itaku::Lang;

fn main() {
    divan::main();
}

/// What a department has answered so far (a bicycle-parking permit counter).
const ANSWERS: &[(&str, &str)] = &[
    ("name", "駐輪場利用申請の受付業務"),
    ("department", "土木部 交通安全自転車課"),
    ("statutory_staff_only", "false"),
    ("public_authority", "ancillary"),
    ("discretion", "rule_bound"),
    ("decision_steps", "利用承認の決定"),
    ("auxiliary_steps", "申請の受付\n入力"),
    ("routine_share", "90%"),
    ("difficulty", "2"),
    ("annual_cases", "12000"),
    ("co_located", "true"),
    ("escalation_to_staff", "true"),
    ("personal_data", "general"),
    ("staff_fte", "3"),
];

#[divan::bench(sample_count = 200)]
fn answer_to_assessment(b: Bencher) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let set = Arc::new(RuleSet::load_dir(root.join("rules")).expect("standard rules"));
    let compiled = CompiledRules::compile(set, jiff::civil::date(2026, 4, 1)).expect("compile");
    let answers = Answers::from_pairs(ANSWERS.iter().copied()).0;
    assert!(answers.get(Field::name).is_some());
    b.bench(|| {
        let draft = validate(black_box(&answers), "bicycle-parking", &compiled.rules);
        let op = draft.operation.expect("valid answers");
        let a = assess_operation(&op, &compiled);
        let w = itaku::whatif::what_if_within(&op, &compiled, Lang::Ja, itaku::whatif::LIVE_BUDGET);
        (a.recommendation, w.suggestions.len())
    });
}

#[divan::bench(sample_count = 200)]
fn http_round_trip(b: Bencher) {
    let s = server::Server::start(&[]);
    let (cookie, token) = s.session();
    let mut form: Vec<(&str, &str)> = vec![("_token", token.as_str())];
    form.extend_from_slice(ANSWERS);
    let first = s.post("/api/assess", Some(&cookie), &form);
    assert_eq!(first.status, 200);
    assert!(first.body.contains("data-recommendation=\"partial\""));
    b.bench(|| {
        let r = s.post("/api/assess", Some(&cookie), black_box(&form));
        assert_eq!(r.status, 200);
        r.body.len()
    });
}
