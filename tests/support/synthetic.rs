//! A deterministic synthetic catalog, shared by the generator (`examples/gen_catalog.rs`), the benchmarks
//! and stress tests. The same `n` and `seed` always give the same operations. Values follow the shape of a
//! ward's catalog: mostly routine clerical work, a minority of operations exercising public authority, a
//! few statutory staff-only duties, seasonal peaks, and about one operation in twelve with some facts
//! left unknown.

#![allow(dead_code)]

use std::io::Write;

use itaku::catalog::{
    CatalogEnum, ContractType, Criticality, Discretion, Equipment, Expertise, FocusArea, Manuals,
    PersonalData, SystemAccess, WorkLocation,
};
use serde_json::{json, Map, Value};

const DEPARTMENTS: &[&str] = &[
    "総務部 総務課",
    "財務部 課税課",
    "財務部 納税課",
    "区民部 戸籍住民課",
    "区民部 国保年金課",
    "保健福祉部 高齢福祉課",
    "保健福祉部 介護保険課",
    "子ども・若者部 保育課",
    "教育委員会 学校教育課",
    "都市整備部 公園課",
    "清掃・リサイクル部 事業課",
    "生活文化部 地域振興課",
];

const STEPS: &[&str] = &[
    "受付",
    "入力",
    "封入封緘",
    "発送",
    "スキャン",
    "照合",
    "電話案内",
];
const DECISIONS: &[&str] = &["決定", "審査判断", "処分", "承認"];
const HAZARDS: &[&str] = &[
    "heights",
    "night_work",
    "lone_work",
    "machinery",
    "chemicals",
];

fn pick<T: Copy>(rng: &mut fastrand::Rng, values: &[T]) -> T {
    values[rng.usize(..values.len())]
}

/// Picks index `i` with probability proportional to `weights[i]`.
fn weighted(rng: &mut fastrand::Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut x = rng.u32(..total);
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

fn two_places(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

pub fn operation(rng: &mut fastrand::Rng, n: usize) -> Map<String, Value> {
    let focus = FocusArea::VALUES[weighted(rng, &[30, 12, 10, 15, 15, 10, 8])];
    let authority = ["none", "ancillary", "core"][weighted(rng, &[70, 20, 10])];
    let routine = two_places(match focus {
        "bulk_routine" | "inquiries" => 0.6 + rng.f64() * 0.4,
        "new_systems" | "renewal" => rng.f64() * 0.6,
        _ => 0.2 + rng.f64() * 0.7,
    });
    let peak_month = rng.usize(..12);
    let seasonal = rng.bool();
    let monthly: Vec<f64> = (0..12)
        .map(|m| {
            let base = 80.0 + rng.f64() * 40.0;
            two_places(if seasonal && m == peak_month {
                base * 2.5
            } else {
                base
            })
        })
        .collect();
    let contract_type = ContractType::VALUES[weighted(rng, &[60, 10, 10, 10, 10])];
    let yen = match contract_type {
        "construction" => rng.u64(5_000_000..800_000_000),
        "designated_manager" => rng.u64(50_000_000..400_000_000),
        _ => rng.u64(500_000..120_000_000),
    };
    let mut hazards = Vec::new();
    if focus == "facilities" {
        for h in HAZARDS {
            if rng.u8(..4) == 0 {
                hazards.push(*h);
            }
        }
    }
    let mut decision = Vec::new();
    let mut auxiliary = Vec::new();
    if authority == "core" {
        decision.push(pick(rng, DECISIONS));
        if rng.u8(..3) > 0 {
            auxiliary.push(pick(rng, STEPS));
            auxiliary.push(pick(rng, STEPS));
        }
    }
    let dept = pick(rng, DEPARTMENTS);
    let personal = PersonalData::VALUES[weighted(rng, &[25, 45, 15, 15])];
    let onsite = match WorkLocation::VALUES[weighted(rng, &[60, 30, 10])] {
        "ward_premises" => ("ward_premises", rng.u64(1..40)),
        other => (other, 0),
    };
    let value = json!({
        "id": format!("op-{n:07}"),
        "name": format!("業務{n}"),
        "department": dept,
        "name_en": format!("Operation {n}"),
        "source": "synthetic (gen_catalog)",
        "focus_area": focus,
        "legal_basis": ["地方自治法第2条"],
        "statutory_staff_only": rng.u8(..20) == 0,
        "public_authority": authority,
        "discretion": Discretion::VALUES[weighted(rng, &[40, 40, 20])],
        "decision_steps": decision,
        "auxiliary_steps": auxiliary,
        "annual_cases": rng.u64(100..800_000),
        "routine_share": routine,
        "difficulty": rng.u64(1..=5),
        "manuals": Manuals::VALUES[weighted(rng, &[15, 45, 40])],
        "monthly_load": monthly,
        "expertise": Expertise::VALUES[weighted(rng, &[30, 40, 20, 10])],
        "spec_definable": rng.u8(..4) > 0,
        "output_measurability": rng.u64(1..=5),
        "market_providers": rng.u64(0..12),
        "commercial_equivalent": rng.bool(),
        "facilities": if focus == "facilities" { rng.u64(1..60) } else { 0 },
        "maintenance_contracts": if focus == "facilities" { rng.u64(0..40) } else { 0 },
        "criticality": Criticality::VALUES[weighted(rng, &[15, 35, 50])],
        "emergency_role": rng.u8(..6) == 0,
        "first_time": rng.u8(..3) == 0,
        "citizen_facing": rng.bool(),
        "work_location": onsite.0,
        "co_located": onsite.0 == "ward_premises" && rng.u8(..3) == 0,
        "escalation_to_staff": rng.u8(..3) == 0,
        "onsite_headcount": onsite.1,
        "equipment": Equipment::VALUES[weighted(rng, &[60, 20, 20])],
        "contract_type": contract_type,
        "estimated_contract_yen": yen,
        "contract_years": rng.u64(1..=5),
        "subcontracting": rng.u8(..4) == 0,
        "hazards": hazards,
        "personal_data": personal,
        "records": if personal == "none" { 0 } else { rng.u64(0..300_000) },
        "system_access": SystemAccess::VALUES[weighted(rng, &[20, 40, 20, 20])],
        "staff_fte": two_places(0.2 + rng.f64() * 25.0),
        "overtime_hours": two_places(rng.f64() * 3000.0),
    });
    let Value::Object(mut map) = value else {
        unreachable!()
    };
    // About one operation in twelve has facts nobody has collected yet.
    if rng.u8(..12) == 0 {
        for key in [
            "routine_share",
            "market_providers",
            "spec_definable",
            "monthly_load",
        ] {
            if rng.bool() {
                map.remove(key);
            }
        }
    }
    map
}

/// A YAML block mapping for one operation. Scalars are JSON-encoded, which is valid YAML.
pub fn write_yaml(out: &mut impl Write, map: &Map<String, Value>) -> std::io::Result<()> {
    let mut first = true;
    for (key, value) in map {
        let lead = if first { "  - " } else { "    " };
        first = false;
        writeln!(out, "{lead}{key}: {value}")?;
    }
    Ok(())
}

/// `n` operations as JSON Lines.
pub fn jsonl(n: usize, seed: u64) -> String {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = Vec::new();
    for i in 0..n {
        serde_json::to_writer(&mut out, &operation(&mut rng, i)).expect("in memory");
        out.push(b'\n');
    }
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// `n` operations as one YAML catalog document.
pub fn yaml(n: usize, seed: u64) -> String {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out =
        format!("# synthetic catalog: gen_catalog {n} {seed}\noperations:\n").into_bytes();
    for i in 0..n {
        write_yaml(&mut out, &operation(&mut rng, i)).expect("in memory");
    }
    String::from_utf8(out).expect("YAML is UTF-8")
}

/// The operations of the bundled catalog (`catalog/*.yaml`, files in name order, operations in file
/// order), each as the JSON object of its YAML entry.
pub fn bundled_operations() -> Vec<Map<String, Value>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the bundled catalog")
        .map(|e| e.expect("a catalog entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut ops = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a bundled catalog file");
        let doc: Value = serde_yaml::from_str(&text).expect("bundled YAML");
        for op in doc["operations"].as_array().expect("operations") {
            ops.push(op.as_object().expect("an operation").clone());
        }
    }
    ops
}

/// Operation `i` of the *bundled-like* workload: the bundled catalog's operations repeated, copy `k`
/// of an operation with the id `ID-k` (the first copy keeps its id), so that every id is unique.
pub fn bundled_like(ops: &[Map<String, Value>], i: usize) -> Map<String, Value> {
    let mut op = ops[i % ops.len()].clone();
    let copy = i / ops.len();
    if copy > 0 {
        let id = op["id"].as_str().expect("an id").to_string();
        op.insert("id".into(), Value::String(format!("{id}-{copy}")));
    }
    op
}

/// `n` bundled-like operations as JSON Lines.
pub fn bundled_jsonl(n: usize) -> String {
    let ops = bundled_operations();
    let mut out = Vec::new();
    for i in 0..n {
        serde_json::to_writer(&mut out, &bundled_like(&ops, i)).expect("in memory");
        out.push(b'\n');
    }
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// `n` bundled-like operations as one YAML catalog document (the current format version).
pub fn bundled_yaml(n: usize) -> String {
    let ops = bundled_operations();
    let mut out =
        format!("# bundled-like catalog: gen_catalog {n} 0 yaml bundled\nformat: 3\noperations:\n")
            .into_bytes();
    for i in 0..n {
        write_yaml(&mut out, &bundled_like(&ops, i)).expect("in memory");
    }
    String::from_utf8(out).expect("YAML is UTF-8")
}
