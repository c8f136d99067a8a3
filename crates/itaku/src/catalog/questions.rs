//! The questionnaire's question bank: for every catalog field, the question a department answers, a
//! short help text and, for closed fields, a label per allowed value, in Japanese and English.
//!
//! [`question`] is an exhaustive `match` over [`Field`], so a field added to `operation_fields!` does not
//! compile until it has a question; a test checks that every enum value has a label. `itaku serve` and
//! `itaku new --answers` both read this bank: there is no second list of questions.

use super::{Field, FieldKind};
use crate::lang::{Lang, StaticText};

/// The groups of the questionnaire, in the order a department thinks about its work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    /// 業務の概要
    Overview,
    /// 判断と権限
    Authority,
    /// 業務量と時期
    Volume,
    /// 専門性と市場
    Market,
    /// 実施場所と体制
    Workplace,
    /// 個人情報とシステム
    Data,
    /// 契約
    Contract,
}

impl Group {
    pub const ALL: [Group; 7] = [
        Group::Overview,
        Group::Authority,
        Group::Volume,
        Group::Market,
        Group::Workplace,
        Group::Data,
        Group::Contract,
    ];

    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            Group::Overview => lang.pick("業務の概要", "The operation"),
            Group::Authority => lang.pick("判断と権限", "Decisions and authority"),
            Group::Volume => lang.pick("業務量と時期", "Volume and timing"),
            Group::Market => lang.pick("専門性と市場", "Expertise and market"),
            Group::Workplace => lang.pick("実施場所と体制", "Where and how the work is done"),
            Group::Data => lang.pick("個人情報とシステム", "Personal data and systems"),
            Group::Contract => lang.pick("契約", "Contract"),
        }
    }

    /// A stable name for anchors and element ids.
    pub fn key(self) -> &'static str {
        match self {
            Group::Overview => "overview",
            Group::Authority => "authority",
            Group::Volume => "volume",
            Group::Market => "market",
            Group::Workplace => "workplace",
            Group::Data => "data",
            Group::Contract => "contract",
        }
    }
}

/// One allowed answer of a closed question: the catalog value and its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub value: &'static str,
    pub label: StaticText,
}

impl Choice {
    pub fn label(&self, lang: Lang) -> &'static str {
        self.label.pick(lang)
    }
}

/// The question for one field.
#[derive(Debug, Clone, Copy)]
pub struct Question {
    pub field: Field,
    pub group: Group,
    pub text: StaticText,
    pub help: StaticText,
    /// The allowed answers of an enum field (every value, in catalog order) or of a 1..5 scale; empty
    /// for the others. A yes/no field is answered はい / いいえ; every question also allows わからない.
    pub choices: &'static [Choice],
}

impl Question {
    pub fn text(&self, lang: Lang) -> &'static str {
        self.text.pick(lang)
    }

    pub fn help(&self, lang: Lang) -> &'static str {
        self.help.pick(lang)
    }

    /// The choice whose value or label (either language) is `answer`.
    pub fn choice(&self, answer: &str) -> Option<&'static Choice> {
        let a = answer.trim();
        self.choices
            .iter()
            .find(|c| c.value == a || c.label.ja == a || c.label.en.eq_ignore_ascii_case(a))
    }
}

/// The labels of the yes/no answers and of "don't know".
pub fn yes(lang: Lang) -> &'static str {
    lang.pick("はい", "yes")
}
pub fn no(lang: Lang) -> &'static str {
    lang.pick("いいえ", "no")
}
pub fn unknown(lang: Lang) -> &'static str {
    lang.pick("わからない", "don't know")
}

/// Every question, in questionnaire order: by group, then catalog field order.
pub fn questions() -> Vec<Question> {
    let mut all: Vec<Question> = Field::ALL.iter().map(|f| question(*f)).collect();
    all.sort_by_key(|q| (q.group, q.field));
    all
}

macro_rules! choices {
    ($($value:literal => $ja:literal, $en:literal);* $(;)?) => {
        &[$(Choice { value: $value, label: StaticText { ja: $ja, en: $en } }),*]
    };
}

const SCALE_DIFFICULTY: &[Choice] = choices![
    "1" => "1 とても易しい", "1 very easy";
    "2" => "2 易しい", "2 easy";
    "3" => "3 ふつう", "3 average";
    "4" => "4 難しい", "4 hard";
    "5" => "5 とても難しい", "5 very hard";
];

const SCALE_MEASURABLE: &[Choice] = choices![
    "1" => "1 ほとんど測れない", "1 hardly measurable";
    "2" => "2 測りにくい", "2 hard to measure";
    "3" => "3 ある程度測れる", "3 partly measurable";
    "4" => "4 測りやすい", "4 easy to measure";
    "5" => "5 数値で明確に測れる", "5 clearly measurable in numbers";
];

/// The question for `field` (exhaustive: a new field needs a question here).
pub fn question(field: Field) -> Question {
    use Group::*;
    let q = |group, ja, en, help_ja, help_en, choices| Question {
        field,
        group,
        text: StaticText::fixed(ja, en),
        help: StaticText::fixed(help_ja, help_en),
        choices,
    };
    match field {
        Field::id => q(Overview, "業務ID (英小文字・数字・ハイフン)", "Operation id (lower-case letters, digits, hyphens)",
            "ファイル名になります。空欄なら業務名 (英語) から提案します。例: parking-permit-intake",
            "It names the draft file. Left empty, one is proposed from the English name. Example: parking-permit-intake", &[]),
        Field::name => q(Overview, "業務の名前は何ですか？", "What is the operation called?",
            "予算書や事務分掌で使っている名前を書いてください。", "The name used in the budget or the division of duties.", &[]),
        Field::department => q(Overview, "所管の部・課はどこですか？", "Which department and section runs it?",
            "例: 地域行政部 住民記録・戸籍課", "Example: Community Administration, Residents' Register Section", &[]),
        Field::name_en => q(Overview, "業務の英語名 (任意)", "English name of the operation (optional)",
            "英語名があれば業務IDの提案に使います。", "Used to propose the operation id.", &[]),
        Field::description => q(Overview, "どのような業務か、簡単に説明してください。", "Describe the operation in a few sentences.",
            "誰のために、何を、どのような流れで行うか。", "For whom, what, and how the work flows.", &[]),
        Field::source => q(Overview, "件数や人員の数字は何に基づいていますか？", "Where do the figures come from?",
            "例: 令和7年度業務量調査、予算資料、概算", "Example: the FY2025 workload survey, a budget document, an estimate", &[]),
        Field::focus_area => q(Overview, "プラン骨子案の重点取組み分野のうち、どれに当たりますか？", "Which priority area of the plan does it belong to?",
            "最も近いものを選んでください。", "Choose the closest one.", choices![
                "bulk_routine" => "① 大量定型事務", "1 routine bulk work";
                "screening" => "② 審査業務", "2 screening";
                "collection" => "③ 催告業務・収納率向上", "3 reminders and collection";
                "inquiries" => "④ 電話等での受付申請・処理", "4 phone intake and processing";
                "facilities" => "⑤ 施設及びインフラ管理", "5 facilities and infrastructure";
                "renewal" => "⑥ 事業の刷新・更新", "6 renewing services";
                "new_systems" => "⑦ 新たな仕組みづくり", "7 new systems";
            ]),
        Field::legal_basis => q(Overview, "この業務の根拠となる法令・条例は何ですか？", "Which statutes or ordinances does the work rest on?",
            "1行に1つ。例: 住民基本台帳法 第22条", "One a line. Example: Basic Resident Register Act Art. 22", &[]),
        Field::statutory_staff_only => q(Authority, "法令で、区の職員が行うと定められた業務ですか？", "Does a statute require ward staff to do this work?",
            "法令が「職員」「吏員」に行わせると定めている場合は「はい」。", "Yes when a statute assigns the work to ward officials.", &[]),
        Field::public_authority => q(Authority, "この業務には、許認可・処分など区長の判断による決定が含まれますか？",
            "Does the work include decisions of the mayor such as permits or dispositions?",
            "公権力の行使: 許認可・処分・賦課決定・強制徴収など。受付や書類確認など、その周りの事実上の行為だけなら「補助的な行為のみ」。",
            "Public authority: permits, dispositions, assessment decisions, coercive collection. Only factual acts around them (intake, checking forms) count as ancillary.", choices![
                "none" => "含まれない", "none";
                "ancillary" => "補助的な行為のみ (受付・確認など)", "ancillary acts only (intake, checks)";
                "core" => "決定そのものを含む", "the decision itself";
            ]),
        Field::discretion => q(Authority, "一件ごとの処理に、どの程度の判断が必要ですか？", "How much judgement does each case take?",
            "基準に当てはめるだけなら「基準どおり」、個別の事情を考えて決めるなら「個別の判断」。",
            "Applying fixed criteria is rule-bound; weighing the circumstances of each case is judgement.", choices![
                "none" => "判断は不要", "none";
                "rule_bound" => "基準どおりに判断", "rule-bound";
                "judgment" => "区民に対する個別の判断が必要", "judgement over residents";
                "professional" => "受託者の専門的な判断 (仕様の範囲内)", "the contractor's professional judgement";
            ]),
        Field::decision_steps => q(Authority, "一件ごとに職員が決めなければならない工程は何ですか？", "Which steps need a staff decision on each case?",
            "1行に1つ。例: 交付・不交付の決定、届出の受理。ない場合は「なし」と書いてください。",
            "One a line. Example: deciding to issue or refuse, accepting a notification. Write なし (none) if there are none.", &[]),
        Field::auxiliary_steps => q(Authority, "切り出して委託できそうな工程は何ですか？", "Which steps could be carved out and outsourced?",
            "1行に1つ。例: 受付、入力、発送、書類整理", "One a line. Example: intake, data entry, mailing, filing", &[]),
        Field::oversight_steps => q(Authority, "委託しても区に残す監督・方針の仕事は何ですか？", "What supervision and policy would the ward keep?",
            "1行に1つ。例: 仕様の決定、履行の検査", "One a line. Example: writing the specification, inspecting performance", &[]),
        Field::auxiliary_share => q(Authority, "切り出せる工程は、今の業務時間のどれくらいを占めますか？", "What share of today's staff time goes to the steps that could be carved out?",
            "0〜1 の数値、または % で。例: 0.7 または 70%", "A number 0..1 or a percentage. Example: 0.7 or 70%", &[]),
        Field::annual_cases => q(Volume, "年間の処理件数はどのくらいですか？", "How many cases a year?",
            "おおよその件数で構いません。", "An approximate number is fine.", &[]),
        Field::routine_share => q(Volume, "決まった手順で処理できる件数の割合はどのくらいですか？", "What share of cases follows a fixed procedure?",
            "定型度。0〜1 の数値、または % で。例: 0.85 または 85%", "A number 0..1 or a percentage. Example: 0.85 or 85%", &[]),
        Field::difficulty => q(Volume, "業務の難しさはどの程度ですか？", "How difficult is the work?",
            "困難度 (1〜5)。新任職員が独りで担当できるなら 1〜2。", "1 to 5; 1-2 if a new member of staff could do it alone.", SCALE_DIFFICULTY),
        Field::manuals => q(Volume, "業務マニュアルは整っていますか？", "Are there manuals for the work?",
            "手順と判断基準が文書になっているか。", "Whether procedures and criteria are written down.", choices![
                "none" => "ない", "none";
                "partial" => "一部ある", "partial";
                "complete" => "整っている", "complete";
            ]),
        Field::monthly_load => q(Volume, "月ごとの業務量の波を、4月から3月まで12個の数で書いてください。", "Write the workload of each month, April to March, as 12 numbers.",
            "相対値で構いません。空白・カンマ区切り。例: 1 1 1 1 1 1 1 1 1 3 3 1", "Relative values are fine, separated by spaces or commas. Example: 1 1 1 1 1 1 1 1 1 3 3 1", &[]),
        Field::expertise => q(Market, "業務に必要な専門性はどの程度ですか？", "What expertise does the work need?",
            "資格が必要なら「資格が必要」。", "Licensed if a qualification is required by law.", choices![
                "none" => "特に不要", "none";
                "general" => "一般的な事務知識", "general office knowledge";
                "specialist" => "専門的な知識・技術", "specialist knowledge";
                "licensed" => "資格が必要", "a licence or qualification";
            ]),
        Field::spec_definable => q(Market, "求める品質を仕様書に書けますか？", "Can the quality you need be written into a specification?",
            "処理期限、正確さ、応答率などを基準として定められるか。", "Deadlines, accuracy, answer rates and the like as standards.", &[]),
        Field::output_measurability => q(Market, "成果や品質を測るのはどのくらい容易ですか？", "How easily can the output and its quality be measured?",
            "件数・期限・誤り率などで確かめられるほど測りやすい。", "The more it can be checked by counts, deadlines and error rates, the easier.", SCALE_MEASURABLE),
        Field::market_providers => q(Market, "この業務を受託できる民間事業者はおよそ何社ありますか？", "About how many private providers could take the work?",
            "近隣自治体の受託実績などから。", "For example from neighbouring municipalities' contracts.", &[]),
        Field::commercial_equivalent => q(Market, "同じようなサービスが民間で売られていますか？", "Is the same kind of service sold commercially?",
            "例: コールセンター、清掃、データ入力", "Example: call centres, cleaning, data entry", &[]),
        Field::facilities => q(Workplace, "対象となる施設はいくつですか？", "How many facilities does the work cover?",
            "施設の維持管理業務の場合。それ以外は 0。", "For facility maintenance; otherwise 0.", &[]),
        Field::maintenance_contracts => q(Workplace, "今、施設ごとに別々の保守契約はいくつありますか？", "How many separate maintenance contracts are there today?",
            "まとめて委託できる契約の数。", "Contracts that could be bundled into one.", &[]),
        Field::criticality => q(Workplace, "業務が止まった場合、区民への影響はどのくらいですか？", "How serious would it be for residents if the work stopped?",
            "重要度。", "Criticality.", choices![
                "critical" => "重大 (生命・財産に関わる)", "critical (life or property)";
                "important" => "大きい", "important";
                "normal" => "通常", "normal";
            ]),
        Field::emergency_role => q(Workplace, "災害時の優先業務 (業務継続計画) に当たりますか？", "Is it a priority task in a disaster (business continuity plan)?",
            "BCP で非常時優先業務とされているか。", "Whether the BCP lists it as a priority task.", &[]),
        Field::citizen_facing => q(Workplace, "受託者の従事者が区民と直接やり取りしますか？", "Would the contractor's staff deal with residents directly?",
            "窓口・電話・訪問など。", "At a counter, by phone, in visits.", &[]),
        Field::work_location => q(Workplace, "受託者はどこで作業しますか？", "Where would the contractor work?",
            "主な作業場所。", "The main place of work.", choices![
                "ward_premises" => "区の庁舎・施設内", "on ward premises";
                "contractor_site" => "受託者の事業所", "at the contractor's site";
                "remote" => "在宅・遠隔", "remotely";
            ]),
        Field::co_located => q(Workplace, "受託者の従事者が区の職員と同じ執務室で混在して働きますか？", "Would the contractor's staff work mixed with ward staff in one office?",
            "偽装請負の防止のため、作業場所を区分できるかが問われます。", "Separate workspaces help avoid disguised dispatch.", &[]),
        Field::escalation_to_staff => q(Workplace, "判断に迷う案件を、受託者の従事者が区の職員に照会する運用になりますか？", "Would the contractor's staff refer unclear cases to ward staff?",
            "日常的な照会は偽装請負と判断されるおそれがあります (足立区の例)。", "Routine referrals can be found to be disguised dispatch (the Adachi case).", &[]),
        Field::escalation_procedure => q(Workplace, "照会はどのような方法で行いますか？", "How would a referral reach staff?",
            "受託者の責任者を通じて文書で行うのが望ましい方法です。", "In writing through the contractor's manager is the safe way.", choices![
                "documented" => "受託者の責任者を通じて文書で", "in writing through the contractor's manager";
                "ad_hoc" => "その都度、口頭で", "ad hoc, orally";
            ]),
        Field::onsite_headcount => q(Workplace, "区の施設内で働く受託者の従事者は何人くらいですか？", "How many contractor workers would be on ward premises?",
            "庁舎外で作業するなら 0。", "0 if they work elsewhere.", &[]),
        Field::equipment => q(Workplace, "作業に使う機材・端末は誰が用意しますか？", "Whose equipment would be used?",
            "区の機材を無償で使わせる場合は契約上の整理が必要です。", "Ward equipment lent free needs to be settled in the contract.", choices![
                "contractor" => "受託者が用意", "the contractor's";
                "ward_leased" => "区の機材を貸与 (有償)", "ward equipment, leased";
                "ward_free" => "区の機材を無償で使用", "ward equipment, free of charge";
            ]),
        Field::hazards => q(Workplace, "危険を伴う作業はありますか？", "Does the work involve hazards?",
            "1行に1つ、ルールの語彙から。例: heights (高所)、night_work (夜間)、lone_work (単独)、machinery (機械)、chemicals (薬品)。ない場合は「なし」。",
            "One a line, from the rules' vocabulary, e.g. heights, night_work, lone_work, machinery, chemicals. Write なし (none) if there are none.", &[]),
        Field::personal_data => q(Data, "受託者が扱う個人情報はどの区分ですか？", "What personal data would the contractor handle?",
            "最も厳しい区分を選んでください。", "Choose the most sensitive class.", choices![
                "none" => "扱わない", "none";
                "general" => "一般の個人情報", "general personal data";
                "sensitive" => "要配慮個人情報 (病歴・障害など)", "sensitive data (health, disability…)";
                "my_number" => "マイナンバーを含む", "including My Number";
            ]),
        Field::tax_secrecy => q(Data, "受託者は税の情報 (課税・徴収の情報) を扱いますか？", "Would the contractor handle tax information?",
            "地方税法22条の秘密は受託者の従事者にも及びます (要配慮個人情報とは別)。", "The secrecy of the Local Tax Act art. 22 binds contractor workers too (apart from sensitive data).", &[]),
        Field::my_number_kind => q(Data, "マイナンバーを扱う事務はどちらですか？", "What kind of My Number work is it?",
            "マイナンバーを扱う場合だけ答えてください。", "Answer only if My Number data is handled.", choices![
                "use" => "区の個人番号利用事務 (税・福祉など)", "the ward's own My Number process (tax, welfare …)";
                "relation" => "個人番号関係事務 (給与の源泉徴収など)", "handling numbers for another's process (payroll withholding)";
            ]),
        Field::records => q(Data, "年間に扱う個人情報は何件くらいですか？", "About how many personal records a year?",
            "おおよその件数。", "An approximate number.", &[]),
        Field::system_access => q(Data, "受託者は区のシステムに接続しますか？", "Would the contractor connect to ward systems?",
            "接続する場所と方法。", "Where and how.", choices![
                "none" => "接続しない", "no";
                "onsite" => "庁舎内の端末で", "from terminals on ward premises";
                "remote" => "庁舎外から遠隔で", "remotely";
                "cloud" => "クラウドサービス経由で", "through a cloud service";
            ]),
        Field::staff_fte => q(Volume, "今、この業務に職員何人分の時間を使っていますか？", "How many full-time staff does the work take today?",
            "常勤換算 (FTE)。例: 3.5", "Full-time equivalents. Example: 3.5", &[]),
        Field::overtime_hours => q(Volume, "この業務の年間の超過勤務時間はどのくらいですか？", "How many overtime hours a year does the work cause?",
            "おおよその時間数。", "An approximate number of hours.", &[]),
        Field::first_time => q(Contract, "この業務を委託するのは初めてですか？", "Would this be the first time the work is outsourced?",
            "これまでに一部でも委託したことがあれば「いいえ」。", "No if any part has been outsourced before.", &[]),
        Field::contract_type => q(Contract, "想定する契約の種類は何ですか？", "What kind of contract do you expect?",
            "わからなければ「わからない」のままで構いません。", "Leave it as don't know if unsure.", choices![
                "consignment" => "業務委託", "consignment";
                "construction" => "工事請負", "construction";
                "goods" => "物品購入", "goods";
                "designated_manager" => "指定管理", "designated manager";
                "lease" => "賃貸借", "lease";
            ]),
        Field::estimated_contract_yen => q(Contract, "見込みの契約額は年間いくらですか？ (円)", "What is the estimated annual contract price? (yen)",
            "公契約条例の対象になるかの判定に使います。例: 25000000", "Decides whether the Public Contract Ordinance applies. Example: 25000000", &[]),
        Field::pass_through_yen => q(Contract, "契約額のうち、宿泊・交通費など立替の経費はいくらですか？ (円)", "How much of the price is passed-through costs such as lodging and transport? (yen)",
            "誰が手配しても区が負担する経費。ない場合は 0。", "Costs the ward pays whoever organises the work. 0 if none.", &[]),
        Field::current_contract_yen => q(Contract, "既に委託している場合、現在の契約額は年間いくらですか？ (円)", "If the work is already outsourced, what is today's annual price? (yen)",
            "初めての委託なら空欄。", "Leave it empty for a first outsourcing.", &[]),
        Field::collects_public_money => q(Contract, "受託者が手数料・使用料などの公金を収納しますか？", "Would the contractor collect fees or charges for the ward?",
            "指定公金事務取扱者の指定が必要になります。", "It needs the designation as a public-money handler.", &[]),
        Field::contract_years => q(Contract, "契約期間は何年ですか？", "How many years would the contract run?",
            "1以上の整数。", "A whole number, 1 or more.", &[]),
        Field::subcontracting => q(Contract, "再委託や下請けが見込まれますか？", "Do you expect subcontracting or re-consignment?",
            "一部の工程を別の事業者に任せる場合も含みます。", "Including handing part of the work to another firm.", &[]),
    }
}

/// True when `field` is answered by picking one of [`Question::choices`].
pub fn is_choice(field: Field) -> bool {
    !question(field).choices.is_empty()
}

/// True for yes/no questions.
pub fn is_yes_no(field: Field) -> bool {
    field.kind() == FieldKind::Bool
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_a_question_with_help_in_both_languages() {
        let all = questions();
        assert_eq!(all.len(), Field::ALL.len());
        for f in Field::ALL {
            let q = question(*f);
            assert_eq!(q.field, *f);
            for text in [q.text.ja, q.text.en, q.help.ja, q.help.en] {
                assert!(!text.trim().is_empty(), "{f:?} lacks a text");
            }
        }
        // Every group has questions.
        for g in Group::ALL {
            assert!(all.iter().any(|q| q.group == g), "{g:?} is empty");
        }
    }

    #[test]
    fn enum_fields_label_exactly_their_allowed_values() {
        for f in Field::ALL {
            let q = question(*f);
            match f.kind() {
                FieldKind::Enum(values) => {
                    let labelled: Vec<&str> = q.choices.iter().map(|c| c.value).collect();
                    assert_eq!(
                        labelled, values,
                        "{f:?}: choices must be the allowed values"
                    );
                }
                FieldKind::Int => {
                    let b = f.bounds();
                    for c in q.choices {
                        let v: f64 = c.value.parse().expect("a numeric choice");
                        assert!(v >= b.min && v <= b.max, "{f:?}: {v} out of range");
                    }
                }
                _ => assert!(q.choices.is_empty(), "{f:?} has choices"),
            }
            let mut seen = std::collections::HashSet::new();
            for c in q.choices {
                assert!(
                    seen.insert(c.label.ja) && seen.insert(c.label.en),
                    "{f:?}: duplicate label"
                );
                assert_eq!(q.choice(c.label.ja).map(|x| x.value), Some(c.value));
            }
        }
    }
}
