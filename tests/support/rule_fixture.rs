//! The small rule-set files that tests writing their own scripts share: one share parameter (`limit`),
//! one checklist item (`s1-test`) and one message (`ok`). Each test writes its own manifest and scripts.

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
