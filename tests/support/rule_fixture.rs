//! The small rule-set files that tests writing their own scripts share: one share parameter (`limit`),
//! one checklist item (`s1-test`) and one message (`ok`), and a manifest of one rule under test beside a
//! recommendation rule. Each test writes its own scripts.

pub const PARAMETERS: &str = r#"parameters:
  limit:
    description: {ja: 上限, en: limit}
    source: test
    type: share
    values:
      - {from: 2020-04-01, value: 0.5}
"#;

pub const ITEMS: &str = r#"items:
  - id: s1-test
    safeguard: S1
    item: {ja: 項目, en: item}
    mitigation: {ja: 対策, en: mitigation}
    basis: {ja: 根拠, en: basis}
"#;

pub const MESSAGES: &str = r#"messages:
  ok: {ja: "理由", en: "reason"}
"#;

/// A manifest of two rules: `hostile` (a criterion, script `hostile.rhai`, the script under test) and
/// `recommend` (the recommendation, `recommend.rhai`).
pub fn hostile_manifest(name: &str) -> String {
    format!(
        r#"name: {name}
version: "1"
rules:
  - id: hostile
    kind: criterion
    title: {{ja: 敵対的なルール, en: hostile rule}}
    basis: {{ja: テスト, en: test}}
    script: hostile.rhai
  - id: recommend
    kind: recommendation
    title: {{ja: 判定, en: recommendation}}
    basis: {{ja: テスト, en: test}}
    script: recommend.rhai
"#
    )
}
