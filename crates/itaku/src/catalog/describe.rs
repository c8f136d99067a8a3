//! What each catalog field means, in Japanese and English, and what each allowed value of an enum field
//! means: one definition used by the JSON Schema (`itaku schema`, editor hovers), the generated format
//! reference in `docs/catalog.md` and the spreadsheet template. The matches are exhaustive, so a new field
//! or value does not compile until it is described.

use super::fields::*;
use crate::lang::StaticText;

const fn t(ja: &'static str, en: &'static str) -> StaticText {
    StaticText::fixed(ja, en)
}

/// What `field` records.
pub fn description(field: Field) -> StaticText {
    match field {
        Field::id => t(
            "業務のID (英小文字・数字・ハイフン、カタログ内で一意)",
            "the operation's id: lower-case letters, digits and hyphens, unique in the catalog",
        ),
        Field::name => t("業務名", "the operation's name (Japanese)"),
        Field::department => t("所管の部・課", "the department and section responsible"),
        Field::name_en => t(
            "英語の業務名 (--lang en の出力で業務名の代わりに表示)",
            "English name, shown instead of `name` with --lang en",
        ),
        Field::description => t("業務の説明", "what the work is"),
        Field::source => t(
            "数値の出典 (調査、予算資料、「試算」など)",
            "where the figures come from (survey, budget document, \"illustrative estimate\")",
        ),
        Field::focus_area => t(
            "プラン骨子案の重点取組み分野 (V-1)",
            "the plan's priority area (seed V-1)",
        ),
        Field::legal_basis => t("業務の根拠法令・条項", "statutes and articles the work rests on"),
        Field::statutory_staff_only => t(
            "法令で職員が行うことが定められている",
            "a statute requires ward staff to do it",
        ),
        Field::public_authority => t(
            "公権力の行使の程度",
            "how far the work exercises public authority",
        ),
        Field::discretion => t("業務に必要な裁量の程度", "how much judgement the work takes"),
        Field::decision_steps => t(
            "案件ごとの決定 (職員が個々の案件について業務の流れの中で行う決定。交付・不交付、届出の受理、審査の最終判断など)。受託者は職員の決定なしに案件を完了できないため、一つでもあれば一部委託まで",
            "case decisions staff take on each case inside the operation's own flow (issue or refuse, accept a notification, the final screening decision); an operation with any is at most `partial`",
        ),
        Field::auxiliary_steps => t(
            "切り出して委託できる工程 (入力、印刷、封入、書類整理など)",
            "steps that could be carved out (input, printing, enclosing, filing …)",
        ),
        Field::oversight_steps => t(
            "委託しても区に残す監督・方針 (仕様の決定、履行確認、内容の承認、委託の流れの外での判断)。委託推奨を妨げない",
            "supervision and policy the ward keeps whatever goes out (the specification, inspection, approving content, decisions outside the contracted flow); they do not stop `outsource`",
        ),
        Field::auxiliary_share => t(
            "切り出せる工程が現在の業務量に占める割合 (0〜1)。一部委託で振り向けられる職員の時間",
            "share of today's staff time spent on the auxiliary steps (0..1): what a partial outsourcing frees",
        ),
        Field::annual_cases => t("年間の処理件数", "cases a year"),
        Field::routine_share => t(
            "定型度: 決まった手順で処理できる案件の割合 (0〜1)",
            "share of cases handled by fixed procedure (0..1)",
        ),
        Field::difficulty => t(
            "困難度 (1 容易 〜 5 非常に困難)",
            "difficulty, 1 (easy) to 5 (very hard)",
        ),
        Field::manuals => t("マニュアルの整備状況", "whether manuals exist"),
        Field::monthly_load => t(
            "月別の業務量 (4月〜3月の12個の数値、相対値でよい)",
            "relative workload April..March (12 numbers, fiscal-year order)",
        ),
        Field::expertise => t("業務に必要な専門性", "the expertise the work needs"),
        Field::spec_definable => t(
            "品質の基準を仕様書に書ける",
            "quality standards can be written into a specification",
        ),
        Field::output_measurability => t(
            "成果の測りやすさ (1 測りにくい 〜 5 測りやすい)",
            "how easily output quality can be measured, 1 (hard) to 5 (easy)",
        ),
        Field::market_providers => t(
            "受託できる民間事業者の数",
            "capable private providers",
        ),
        Field::commercial_equivalent => t(
            "民間に同種のサービスがある",
            "the same service is sold commercially",
        ),
        Field::facilities => t("対象となる施設の数", "facilities covered"),
        Field::maintenance_contracts => t(
            "現在の個別の保守契約の数",
            "separate maintenance contracts today",
        ),
        Field::criticality => t(
            "業務が止まったときの影響の大きさ",
            "how much it matters if the work stops",
        ),
        Field::emergency_role => t(
            "災害時の優先業務である",
            "a priority task in a disaster",
        ),
        Field::first_time => t("これまで委託したことがない", "never outsourced before"),
        Field::citizen_facing => t(
            "受託者の従事者が区民に直接対応する",
            "contractor staff would deal with residents",
        ),
        Field::work_location => t("受託者が作業する場所", "where the contractor would work"),
        Field::co_located => t(
            "受託者の従事者が職員と同じ場所で混在して作業する",
            "contractor staff would work mixed with ward staff",
        ),
        Field::escalation_to_staff => t(
            "受託者の従事者が判断に迷う案件を職員に照会する",
            "contractor staff would refer unclear cases to ward staff",
        ),
        Field::escalation_procedure => t(
            "職員への照会の方法",
            "how a referral reaches staff",
        ),
        Field::onsite_headcount => t(
            "区の施設内で作業する受託者の従事者数",
            "contractor workers on ward premises",
        ),
        Field::equipment => t("作業に使う機材の負担", "whose equipment the work uses"),
        Field::contract_type => t("契約の種別", "the kind of contract"),
        Field::estimated_contract_yen => t(
            "見込みの契約額 (年額・円)",
            "estimated annual contract price in yen",
        ),
        Field::pass_through_yen => t(
            "見込み契約額のうち、宿泊・交通・入場料など誰が手配しても区が負担する立替経費 (円)",
            "costs inside the price the ward pays whoever organises the work (lodging, transport, admissions), in yen",
        ),
        Field::current_contract_yen => t(
            "既に委託している業務 (first_time: false) で、現在の委託部分に払っている年額 (円)",
            "for work already outsourced (first_time: false), what the ward pays today for the part already out, in yen",
        ),
        Field::contract_years => t("契約の年数", "length of the contract in years"),
        Field::subcontracting => t(
            "再委託・下請が見込まれる",
            "subcontracting or re-consignment expected",
        ),
        Field::collects_public_money => t(
            "受託者が区に代わって手数料・使用料・利用料金等の公金を収納する",
            "the contractor collects fees, charges or other public money for the ward",
        ),
        Field::hazards => t(
            "作業に伴う危険 (ルールセットの語彙から: 高所作業、交通など。`itaku rules` を参照)",
            "hazards of the work, from the rule set's vocabulary (see `itaku rules`)",
        ),
        Field::personal_data => t("扱う個人情報の区分", "the personal data handled"),
        Field::tax_secrecy => t(
            "地方税法22条の秘密に当たる税の情報 (課税・徴収の情報) を扱う",
            "tax information under the secrecy of the Local Tax Act art. 22 is handled",
        ),
        Field::my_number_kind => t(
            "マイナンバーの事務の種類: 区の個人番号利用事務か、給与の源泉徴収などの個人番号関係事務か",
            "the kind of My Number work: the ward's own process (use) or handling numbers for another's process, such as payroll withholding (relation)",
        ),
        Field::records => t(
            "年間に扱う個人情報の件数",
            "personal records handled a year",
        ),
        Field::system_access => t(
            "受託者が区のシステムに接続する方法",
            "how the contractor reaches the ward's systems",
        ),
        Field::staff_fte => t(
            "現在この業務に従事する職員の時間 (常勤換算、人)",
            "staff time spent today, in full-time equivalents",
        ),
        Field::overtime_hours => t("年間の超過勤務時間", "overtime hours a year"),
    }
}

/// What one allowed value of an enum field means, or `None` when `field` is not an enum field or
/// `value` is not one of its values.
pub fn value_label(field: Field, value: &str) -> Option<StaticText> {
    fn of<E: CatalogEnum>(value: &str, label: fn(E) -> StaticText) -> Option<StaticText> {
        E::parse(value).map(label)
    }
    match field {
        Field::focus_area => of(value, |v: FocusArea| match v {
            FocusArea::BulkRoutine => t("① 大量定型事務", "bulk routine work"),
            FocusArea::Screening => t("② 審査業務", "screening"),
            FocusArea::Collection => t("③ 催告業務・収納率向上", "reminders and collection"),
            FocusArea::Inquiries => t(
                "④ 電話等での受付申請、処理業務",
                "intake and processing by phone and similar",
            ),
            FocusArea::Facilities => t(
                "⑤ 施設及びインフラ管理業務",
                "facility and infrastructure management",
            ),
            FocusArea::Renewal => t("⑥ 事業の刷新・更新", "renewal of programmes"),
            FocusArea::NewSystems => t("⑦ 新たな仕組みづくり", "building new systems"),
        }),
        Field::public_authority => of(value, |v: PublicAuthority| match v {
            PublicAuthority::None => t("公権力の行使を含まない", "no public authority"),
            PublicAuthority::Ancillary => t(
                "処分・受理の周辺の事実行為・補助的な行為",
                "factual or auxiliary acts around a disposition or acceptance",
            ),
            PublicAuthority::Core => t(
                "処分・許認可・賦課決定・強制行為そのもの",
                "the disposition, permit, assessment decision or coercive act itself",
            ),
        }),
        Field::discretion => of(value, |v: Discretion| match v {
            Discretion::None => t("裁量はない", "no judgement"),
            Discretion::RuleBound => t("基準に沿った判断", "judgement bound by written rules"),
            Discretion::Judgment => t(
                "区民に対する個別の判断が必要 (職員に残る)",
                "case-by-case judgement over residents (stays with staff)",
            ),
            Discretion::Professional => t(
                "仕様の範囲内での受託者の専門的な判断 (企画・運用など)",
                "the contractor's own professional judgement inside the specification",
            ),
        }),
        Field::manuals => of(value, |v: Manuals| match v {
            Manuals::None => t("ない", "none"),
            Manuals::Partial => t("一部ある", "partial"),
            Manuals::Complete => t("整備済み", "complete"),
        }),
        Field::expertise => of(value, |v: Expertise| match v {
            Expertise::None => t("不要", "none"),
            Expertise::General => t("一般的な知識・経験", "general knowledge and experience"),
            Expertise::Specialist => t("専門的な知識・技術", "specialist knowledge"),
            Expertise::Licensed => t("資格が必要", "a licence or qualification"),
        }),
        Field::criticality => of(value, |v: Criticality| match v {
            Criticality::Critical => t("止まると区民の生命・権利に関わる", "critical"),
            Criticality::Important => t("重要", "important"),
            Criticality::Normal => t("通常", "normal"),
        }),
        Field::work_location => of(value, |v: WorkLocation| match v {
            WorkLocation::WardPremises => t("区の施設内", "on ward premises"),
            WorkLocation::ContractorSite => t("受託者の事業所", "at the contractor's site"),
            WorkLocation::Remote => t("在宅・遠隔", "remote"),
        }),
        Field::escalation_procedure => of(value, |v: EscalationProcedure| match v {
            EscalationProcedure::Documented => t(
                "受託者の責任者を通じて文書で照会する",
                "in writing, through the contractor's manager",
            ),
            EscalationProcedure::AdHoc => t(
                "従事者が職員にその都度直接尋ねる",
                "ad-hoc questions from workers to staff",
            ),
        }),
        Field::equipment => of(value, |v: Equipment| match v {
            Equipment::Contractor => t("受託者が用意する", "the contractor's own"),
            Equipment::WardLeased => t(
                "区の機材を有償で貸与",
                "the ward's, leased to the contractor",
            ),
            Equipment::WardFree => t("区の機材を無償で使用", "the ward's, used free of charge"),
        }),
        Field::contract_type => of(value, |v: ContractType| match v {
            ContractType::Consignment => t("業務委託", "service consignment"),
            ContractType::Construction => t("工事請負", "construction contract"),
            ContractType::Goods => t("物品購入", "goods"),
            ContractType::DesignatedManager => t("指定管理", "designated manager"),
            ContractType::Lease => t("賃貸借", "lease"),
        }),
        Field::personal_data => of(value, |v: PersonalData| match v {
            PersonalData::None => t("扱わない", "none"),
            PersonalData::General => t("一般の個人情報", "general personal data"),
            PersonalData::Sensitive => t(
                "要配慮個人情報 (病歴、障害など。税は tax_secrecy)",
                "sensitive data (health, disability …; tax: tax_secrecy)",
            ),
            PersonalData::MyNumber => t("マイナンバー (特定個人情報)", "My Number data"),
        }),
        Field::my_number_kind => of(value, |v: MyNumberKind| match v {
            MyNumberKind::Use => t(
                "個人番号利用事務 (区の事務)",
                "the ward's own My Number process",
            ),
            MyNumberKind::Relation => t(
                "個人番号関係事務 (給与の源泉徴収など)",
                "handling numbers for another's process (payroll withholding)",
            ),
        }),
        Field::system_access => of(value, |v: SystemAccess| match v {
            SystemAccess::None => t("接続しない", "none"),
            SystemAccess::Onsite => t("区の施設内の端末から", "from terminals on ward premises"),
            SystemAccess::Remote => t("区外から遠隔で", "remotely from outside"),
            SystemAccess::Cloud => t("クラウド経由", "through a cloud service"),
        }),
        _ => None,
    }
}

/// The allowed values of an enum field, or `None` for other fields.
pub fn allowed_values(field: Field) -> Option<&'static [&'static str]> {
    match field.kind() {
        FieldKind::Enum(values) => Some(values),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enum_value_has_a_label_in_both_languages() {
        for &field in Field::ALL {
            let d = description(field);
            assert!(!d.ja.is_empty() && !d.en.is_empty(), "{field:?}");
            for value in allowed_values(field).unwrap_or_default() {
                let label =
                    value_label(field, value).unwrap_or_else(|| panic!("{field:?} {value}"));
                assert!(!label.ja.is_empty() && !label.en.is_empty());
            }
        }
        assert!(value_label(Field::manuals, "full").is_none());
        assert!(value_label(Field::difficulty, "3").is_none());
    }
}
