//! `itaku drafts ID [--history]` and `itaku drafts ID --version N`: one draft's saved versions (who,
//! when, the status each left it in) and its actions, or the answers of one version, printed as an
//! answers file that `itaku new` reads back.

use itaku::diag::{Code, Diagnostic};
use std::path::Path;

use itaku::catalog::{titles, Field};
use itaku::drafts::{Event, Status};

use super::drafts::open_store;
use super::{Exit, Ui};

pub fn run(dir: &Path, id: &str, version: Option<i64>, json: bool, ui: &Ui) -> Exit {
    let lang = ui.lang;
    if !dir.exists() {
        return ui.fail(Diagnostic::error(
            Code::DraftsUnknown,
            format!(
                "下書き `{id}` はありません ({} はまだありません)",
                dir.display()
            ),
            format!(
                "there is no draft `{id}` ({} does not exist yet)",
                dir.display()
            ),
        ));
    }
    let store = match open_store(dir, None, ui) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let got = store
        .get(id)
        .and_then(|d| Ok((d, store.versions(id)?, store.events(id)?)));
    let (draft, versions, events) = match got {
        Ok((Some(d), v, e)) => (d, v, e),
        Ok((None, ..)) => {
            return ui.fail(Diagnostic::error(
                Code::DraftsUnknown,
                format!("下書き `{id}` はありません (`itaku drafts` で一覧を確認してください)"),
                format!("there is no draft `{id}` (see `itaku drafts` for the list)"),
            ));
        }
        Err(e) => return ui.fail(e.diagnostic()),
    };
    let text = if let Some(n) = version {
        let Some(v) = versions.iter().find(|v| v.n == n) else {
            let last = versions.last().map_or(0, |v| v.n);
            return ui.fail(Diagnostic::error(
                Code::DraftsUnknown,
                format!("下書き `{id}` に版 {n} はありません (版は 1 から {last} まで)"),
                format!("the draft `{id}` has no version {n} (its versions are 1 to {last})"),
            ));
        };
        if json {
            let answers: serde_json::Map<String, serde_json::Value> = v
                .answers
                .0
                .iter()
                .map(|(f, a)| (f.name().to_string(), a.clone().into()))
                .collect();
            let value = serde_json::json!({
                "id": draft.id, "version": v.n, "at": v.at, "author": v.author, "answers": answers,
            });
            serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
        } else {
            let mut t = format!(
                "# {} `{}` {} {} ({}, {})\n",
                lang.pick("下書き", "draft"),
                draft.id,
                lang.pick("版", "version"),
                v.n,
                v.at,
                v.author
            );
            for f in Field::ALL {
                if let Some(a) = v.answers.get(*f) {
                    let value = serde_json::Value::String(a.to_string());
                    let title = titles::title(*f, lang);
                    if title == f.name() {
                        t.push_str(&format!("{}: {value}\n", f.name()));
                    } else {
                        t.push_str(&format!("{}: {value}  # {title}\n", f.name()));
                    }
                }
            }
            t
        }
    } else if json {
        let value = serde_json::json!({
            "id": draft.id,
            "name": draft.name,
            "department": draft.department,
            "status": draft.status.as_str(),
            "version": draft.version,
            "versions": versions,
            "events": events,
        });
        serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
    } else {
        let mut t = format!(
            "{} `{}` {} ({}) — {} {}\n\n",
            lang.pick("下書き", "draft"),
            draft.id,
            draft.name,
            draft.department,
            draft.status.label(lang),
            lang.pick(
                &format!("版 {}", draft.version),
                &format!("version {}", draft.version)
            ),
        );
        t.push_str(lang.pick("版:\n", "versions:\n"));
        for v in &versions {
            t.push_str(&format!("  {:>3}  {}  {}\n", v.n, v.at, v.author));
        }
        t.push_str(lang.pick("\n操作:\n", "\nactions:\n"));
        for e in &events {
            t.push_str(&format!(
                "  {}  {}  {} ({} {})",
                e.at,
                e.who,
                action_label(e, lang),
                lang.pick("版", "version"),
                e.version
            ));
            if let Some(c) = &e.comment {
                t.push_str(&format!(" — {c}"));
            }
            t.push('\n');
        }
        t.push_str(lang.pick(
            &format!("\nある版の回答: itaku drafts {} --version N\n", draft.id),
            &format!(
                "\na version's answers: itaku drafts {} --version N\n",
                draft.id
            ),
        ));
        t
    };
    match super::to_stdout(text.as_bytes()) {
        Ok(()) => Exit::Success,
        Err(e) => ui.write_failed(&e),
    }
}

fn action_label(e: &Event, lang: itaku::Lang) -> String {
    match e.action.as_str() {
        "saved" => lang.pick("保存", "saved").to_string(),
        "imported" => lang.pick("取り込み", "imported").to_string(),
        other => {
            Status::parse(other).map_or_else(|| other.to_string(), |s| s.label(lang).to_string())
        }
    }
}
