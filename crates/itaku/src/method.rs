//! The methods of delivery the plan outline weighs against one another (IV: 協働手法, 最新技術の活用, 公共施設,
//! 外郭団体; II ⑥ 事業の刷新). One vocabulary shared by the assessment's ranked methods, what-if, bundles and
//! the plan file: a method is named by its id everywhere (catalog, plan, JSON), and shown by its label.

use serde::{Deserialize, Serialize};

use crate::lang::Lang;

/// A way of delivering an operation. Ids are the serialised form (`snake_case`) and never change meaning;
/// a new method is a new variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 直営で改善 (keep in house and improve the process)
    InHouseImprove,
    /// デジタル化・自動化を先に (電子申請, RPA, kiosks; IV-4, II ①④)
    Digitise,
    /// 業務委託 (consignment contract; IV-3-2)
    Consignment,
    /// 指定管理者 (designated manager of a public facility; 地方自治法244条の2, IV-5)
    DesignatedManager,
    /// PFI・デザインビルド等の官民連携 (IV-5-1)
    Pfi,
    /// 外郭団体の活用 (IV-6)
    AffiliatedBody,
    /// 協働 (residents, community groups, NPOs, universities; IV-3-1)
    Collaboration,
    /// 労働者派遣 (staff direct the workers; 労働者派遣法)
    WorkerDispatch,
    /// 廃止・統合 (事業の刷新; II ⑥)
    AbolishMerge,
}

impl Method {
    /// Every method, in the order the plan outline introduces them.
    pub const ALL: [Method; 9] = [
        Method::InHouseImprove,
        Method::Digitise,
        Method::Consignment,
        Method::DesignatedManager,
        Method::Pfi,
        Method::AffiliatedBody,
        Method::Collaboration,
        Method::WorkerDispatch,
        Method::AbolishMerge,
    ];

    /// The id as written in files and JSON (`consignment`).
    pub fn id(self) -> &'static str {
        match self {
            Method::InHouseImprove => "in_house_improve",
            Method::Digitise => "digitise",
            Method::Consignment => "consignment",
            Method::DesignatedManager => "designated_manager",
            Method::Pfi => "pfi",
            Method::AffiliatedBody => "affiliated_body",
            Method::Collaboration => "collaboration",
            Method::WorkerDispatch => "worker_dispatch",
            Method::AbolishMerge => "abolish_merge",
        }
    }

    /// The method named by `id`, if any.
    pub fn from_id(id: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.id() == id)
    }

    /// The label shown to users.
    pub fn label(self, lang: Lang) -> &'static str {
        let (ja, en) = match self {
            Method::InHouseImprove => ("直営で改善", "Keep in house and improve"),
            Method::Digitise => ("デジタル化・自動化", "Digitise or automate first"),
            Method::Consignment => ("業務委託", "Consignment contract"),
            Method::DesignatedManager => ("指定管理者", "Designated manager"),
            Method::Pfi => ("PFI等の官民連携", "PFI or design-build"),
            Method::AffiliatedBody => ("外郭団体", "Affiliated body"),
            Method::Collaboration => ("協働", "Collaboration with residents and groups"),
            Method::WorkerDispatch => ("労働者派遣", "Worker dispatch"),
            Method::AbolishMerge => ("廃止・統合", "Abolish or merge"),
        };
        lang.pick(ja, en)
    }

    /// Where the plan outline names the method.
    pub fn basis(self) -> &'static str {
        match self {
            Method::InHouseImprove => "プラン骨子案 IV-3-2-(2)",
            Method::Digitise => "プラン骨子案 V-1-①②④, IV-4",
            Method::Consignment => "プラン骨子案 IV-3-2",
            Method::DesignatedManager => "地方自治法244条の2; プラン骨子案 IV-5",
            Method::Pfi => "PFI法; プラン骨子案 IV-5-1",
            Method::AffiliatedBody => "プラン骨子案 IV-6",
            Method::Collaboration => "プラン骨子案 IV-3-1, V-1-⑦",
            Method::WorkerDispatch => "労働者派遣法; 昭和61年労働省告示第37号",
            Method::AbolishMerge => "プラン骨子案 V-1-⑥",
        }
    }
}

impl Method {
    /// [`Method::basis`] in `lang` (the statutes' and the plan outline's names translated for `--lang en`).
    pub fn basis_in(self, lang: Lang) -> &'static str {
        let en = match self {
            Method::InHouseImprove => "Plan outline IV-3-2-(2)",
            Method::Digitise => "Plan outline V-1-①②④, IV-4",
            Method::Consignment => "Plan outline IV-3-2",
            Method::DesignatedManager => "Local Autonomy Act art. 244-2; Plan outline IV-5",
            Method::Pfi => "PFI Act; Plan outline IV-5-1",
            Method::AffiliatedBody => "Plan outline IV-6",
            Method::Collaboration => "Plan outline IV-3-1, V-1-⑦",
            Method::WorkerDispatch => "Worker Dispatch Act; MHLW Notice No. 37 of 1986",
            Method::AbolishMerge => "Plan outline V-1-⑥",
        };
        lang.pick(self.basis(), en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_match_serde() {
        for m in Method::ALL {
            assert_eq!(Method::from_id(m.id()), Some(m));
            assert_eq!(
                serde_json::to_string(&m).unwrap(),
                format!("\"{}\"", m.id())
            );
        }
        assert_eq!(Method::from_id("consign"), None);
    }
}
