//! The column title of every catalog field, in Japanese and English: one definition used by the
//! spreadsheet template, `export-catalog`, `import` (which also accepts the field names) and the
//! assessment CSV/xlsx columns they share (ID, 業務名, 所管).

use super::{Field, FieldKind};
use crate::lang::Lang;

/// The column title of `field`. The English title is the field name itself, so that an English sheet
/// reads like the YAML catalog.
pub fn title(field: Field, lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => title_ja(field),
        Lang::En => field.name(),
    }
}

/// The Japanese column title of `field` (the match is exhaustive: a new field needs a title).
pub fn title_ja(field: Field) -> &'static str {
    match field {
        Field::id => "ID",
        Field::name => "業務名",
        Field::department => "所管",
        Field::name_en => "業務名（英語）",
        Field::description => "業務の説明",
        Field::source => "数値の出典",
        Field::focus_area => "重点取組み分野",
        Field::legal_basis => "根拠法令",
        Field::statutory_staff_only => "法令上職員に限る",
        Field::public_authority => "公権力の行使",
        Field::discretion => "裁量",
        Field::decision_steps => "職員の判断工程",
        Field::auxiliary_steps => "切り出せる工程",
        Field::oversight_steps => "区に残す監督・方針",
        Field::auxiliary_share => "切り出せる工程の業務量割合",
        Field::annual_cases => "年間件数",
        Field::routine_share => "定型度",
        Field::difficulty => "困難度",
        Field::manuals => "マニュアル整備状況",
        Field::monthly_load => "月別業務量（4月〜3月）",
        Field::expertise => "専門性",
        Field::spec_definable => "仕様で品質を定められる",
        Field::output_measurability => "成果の測りやすさ",
        Field::market_providers => "受託可能な事業者数",
        Field::commercial_equivalent => "民間に同種サービスあり",
        Field::facilities => "対象施設数",
        Field::maintenance_contracts => "個別の保守契約数",
        Field::criticality => "重要度",
        Field::emergency_role => "災害時優先業務",
        Field::first_time => "初めての委託",
        Field::citizen_facing => "区民対応あり",
        Field::work_location => "作業場所",
        Field::co_located => "職員と混在して作業",
        Field::escalation_to_staff => "職員への照会あり",
        Field::escalation_procedure => "照会の方法",
        Field::onsite_headcount => "現場の受託者人数",
        Field::equipment => "機材の負担",
        Field::contract_type => "契約種別",
        Field::estimated_contract_yen => "見込み契約額（年額・円）",
        Field::pass_through_yen => "契約額のうち立替経費（円）",
        Field::current_contract_yen => "現在の契約額（年額・円）",
        Field::contract_years => "契約年数",
        Field::subcontracting => "再委託・下請あり",
        Field::collects_public_money => "公金の収納あり",
        Field::hazards => "危険作業",
        Field::personal_data => "個人情報の区分",
        Field::tax_secrecy => "税の秘密（地方税法22条）",
        Field::my_number_kind => "マイナンバー事務の種類",
        Field::records => "年間の個人情報件数",
        Field::system_access => "システム接続",
        Field::staff_fte => "現在の職員FTE",
        Field::overtime_hours => "年間超過勤務時間",
    }
}

/// What a cell of `field` holds, for a note on the header cell of the template: the field name, what
/// it means, the kind of value and the allowed values (with their meanings) or range.
pub fn cell_hint(field: Field, lang: Lang) -> String {
    let num = |n: f64| {
        if n >= 1e9 {
            None
        } else {
            Some(n.to_string())
        }
    };
    let b = field.bounds();
    let range = |what_ja: &str, what_en: &str| match (num(b.min), num(b.max), lang) {
        (Some(lo), Some(hi), Lang::Ja) => format!("{lo}〜{hi} の{what_ja}"),
        (Some(lo), None, Lang::Ja) => format!("{lo} 以上の{what_ja}"),
        (Some(lo), Some(hi), Lang::En) => format!("{what_en} from {lo} to {hi}"),
        (Some(lo), None, Lang::En) => format!("{what_en} ≥ {lo}"),
        _ => lang.pick(what_ja, what_en).to_string(),
    };
    let kind = match field.kind() {
        FieldKind::Text => lang.pick("文字列", "text").to_string(),
        FieldKind::List => lang
            .pick(
                "リスト: 1行に1項目 (または「;」「、」区切り)。空のリストは「なし」",
                "list: one item a line (or separated by ; or 、); なし or [] for none",
            )
            .to_string(),
        FieldKind::Bool => lang.pick("はい / いいえ", "true / false").to_string(),
        FieldKind::Int => range("整数", "an integer"),
        FieldKind::Num => range("数値", "a number"),
        FieldKind::Enum(values) => format!(
            "{}{}",
            lang.pick("次のいずれか: ", "one of: "),
            values
                .iter()
                .map(|v| match super::describe::value_label(field, v) {
                    Some(l) => format!("{v} ({})", l.get(lang)),
                    None => v.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
        FieldKind::Load => lang
            .pick(
                "4月〜3月の12個の数値 (「;」区切り)",
                "12 numbers, April..March, separated by ;",
            )
            .to_string(),
    };
    let required = if field.is_required() {
        lang.pick(" (必須)", " (required)")
    } else {
        lang.pick(" (空欄は不明)", " (empty = unknown)")
    };
    let meaning = super::describe::description(field).pick(lang);
    format!("{}: {meaning}\n{kind}{required}", field.name())
}

/// The field a column header names: the field name, or its Japanese or English title (spaces around it
/// and letter case ignored).
pub fn field_for_header(header: &str) -> Option<Field> {
    let h = header.trim().to_lowercase();
    Field::ALL
        .iter()
        .copied()
        .find(|f| f.name() == h || title_ja(*f).to_lowercase() == h)
}

/// Every header an import accepts (for "did you mean").
pub fn accepted_headers() -> Vec<&'static str> {
    Field::ALL
        .iter()
        .flat_map(|f| [f.name(), title_ja(*f)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_unique_and_name_their_field() {
        let mut seen = std::collections::HashSet::new();
        for f in Field::ALL {
            assert!(
                seen.insert(title_ja(*f)),
                "duplicate title {}",
                title_ja(*f)
            );
            assert_eq!(field_for_header(title_ja(*f)), Some(*f));
            assert_eq!(field_for_header(&format!(" {} ", f.name())), Some(*f));
        }
    }

    #[test]
    fn the_template_note_says_what_the_field_means_and_its_values() {
        let hint = cell_hint(Field::personal_data, Lang::Ja);
        assert!(
            hint.starts_with("personal_data: 扱う個人情報の区分\n"),
            "{hint}"
        );
        assert!(
            hint.contains("my_number (マイナンバー (特定個人情報))"),
            "{hint}"
        );
        let hint = cell_hint(Field::difficulty, Lang::En);
        assert!(
            hint.contains("an integer from 1 to 5 (empty = unknown)"),
            "{hint}"
        );
    }
}
