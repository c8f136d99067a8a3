//! The review queue on the command line: `itaku drafts` (the list), `itaku submit ID`, `itaku return ID
//! --comment TEXT` and `itaku accept ID --catalog FILE`. The drafts live in the store of
//! [`itaku::drafts`]; accepting writes the entry through the one catalog writer
//! ([`itaku::catalog::writer`]).

use itaku::diag::{Code, Diagnostic};
use std::path::{Path, PathBuf};

use itaku::assess::{assess_operation, Report};
use itaku::catalog::writer::{write_entry_into, Change, Mode};
use itaku::catalog::{titles, Field};
use itaku::drafts::{DraftInfo, Status, Store};
use itaku::questionnaire::{validate, Answers};
use itaku::Lang;

use super::{Exit, RuleArgs, Ui};

/// The drafts folder when `--drafts` is not given (the same as `itaku serve`'s).
pub const DEFAULT_DRAFTS: &str = "catalog/drafts";

/// Who is acting: `ITAKU_USER`, else the login name (`USER`, `USERNAME`), else `local`.
pub fn who() -> String {
    ["ITAKU_USER", "USER", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "local".to_string())
}

pub fn open_store(dir: &Path, catalog: Option<&Path>, ui: &Ui) -> Result<Store, Exit> {
    Store::open(dir, catalog).map_err(|e| ui.fail(Diagnostic::of(Code::DraftsUnreadable, e.text)))
}

/// The draft `id`, or the exit status once the problem is reported (no such draft: a usage error).
fn get_draft(store: &Store, id: &str, ui: &Ui) -> Result<DraftInfo, Exit> {
    match store.get(id) {
        Ok(Some(d)) => Ok(d),
        Ok(None) => Err(ui.fail(Diagnostic::error(
            Code::DraftsUnknown,
            format!("下書き `{id}` はありません (`itaku drafts` で一覧を確認してください)"),
            format!("there is no draft `{id}` (see `itaku drafts` for the list)"),
        ))),
        Err(e) => Err(failed(&e, ui)),
    }
}

fn failed(e: &itaku::drafts::StoreError, ui: &Ui) -> Exit {
    ui.fail(e.diagnostic())
}

#[derive(clap::Args)]
pub struct ListArgs {
    /// One draft: its versions and actions (who, when, what), or with --version N that version's
    /// answers.
    #[arg(value_name = "ID")]
    id: Option<String>,
    /// Show the draft's history (the default when ID is given).
    #[arg(long, requires = "id")]
    history: bool,
    /// Print the answers of this version of the draft ID.
    #[arg(long, value_name = "N", requires = "id", conflicts_with = "history")]
    version: Option<i64>,
    /// The drafts folder (its store is `itaku-drafts.sqlite3`).
    #[arg(long, value_name = "DIR", default_value = DEFAULT_DRAFTS)]
    drafts: PathBuf,
    /// Only the drafts of this status: draft, submitted, returned, accepted (or 下書き, 提出済み, 差戻し, 受理).
    #[arg(long, value_parser = parse_status)]
    status: Option<Status>,
    /// Print the list as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    rules: RuleArgs,
}

fn parse_status(s: &str) -> Result<Status, String> {
    Status::parse(s).ok_or_else(|| {
        "expected draft, submitted, returned or accepted (下書き, 提出済み, 差戻し, 受理)"
            .to_string()
    })
}

/// The current recommendation of a draft's answers (`None` while they do not validate).
fn recommendation(
    d: &DraftInfo,
    compiled: &itaku::CompiledRules,
) -> Option<itaku::model::Recommendation> {
    let draft = validate(&d.answers, &entry_id(d), &compiled.rules);
    let op = draft.operation?;
    Some(assess_operation(&op, compiled).recommendation)
}

/// The operation id a draft is written under: its `id` answer, else the draft's id.
fn entry_id(d: &DraftInfo) -> String {
    d.answers
        .get(Field::id)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| d.id.clone())
}

pub fn list(args: ListArgs, ui: &Ui) -> Exit {
    if let Some(id) = &args.id {
        return super::drafts_history::run(&args.drafts, id, args.version, args.json, ui);
    }
    if !args.drafts.exists() {
        // Nothing saved yet: listing does not create the folder.
        ui.say(
            &format!(
                "下書きはありません ({} はまだありません)",
                args.drafts.display()
            ),
            &format!("no drafts ({} does not exist yet)", args.drafts.display()),
        );
        return match super::to_stdout(if args.json { b"[]\n" } else { b"" }) {
            Ok(()) => Exit::Success,
            Err(e) => ui.write_failed(&e),
        };
    }
    let store = match open_store(&args.drafts, None, ui) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let compiled = match args.rules.compile(ui) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let drafts = match store.list(args.status) {
        Ok(d) => d,
        Err(e) => return failed(&e, ui),
    };
    let lang = ui.lang;
    let text = if args.json {
        let rows: Vec<serde_json::Value> = drafts
            .iter()
            .map(|d| {
                serde_json::json!({
                    "id": d.id,
                    "name": d.name,
                    "department": d.department,
                    "status": d.status.as_str(),
                    "version": d.version,
                    "updated_at": d.updated_at,
                    "updated_by": d.updated_by,
                    "comment": d.comment,
                    "recommendation": recommendation(d, &compiled).map(|r| r.as_str()),
                })
            })
            .collect();
        serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n"
    } else {
        let mut rows = vec![[
            lang.pick("ID", "id").to_string(),
            lang.pick("業務名", "name").to_string(),
            lang.pick("所管", "department").to_string(),
            lang.pick("状態", "status").to_string(),
            lang.pick("最終更新", "last change").to_string(),
            lang.pick("判定", "recommendation").to_string(),
        ]];
        for d in &drafts {
            rows.push([
                d.id.clone(),
                d.name.clone(),
                d.department.clone(),
                d.status.label(lang).to_string(),
                format!("{} ({})", d.updated_at, d.updated_by),
                recommendation(d, &compiled).map_or_else(
                    || {
                        lang.pick("(回答に要確認の点あり)", "(answers to check)")
                            .to_string()
                    },
                    |r| r.label(lang).to_string(),
                ),
            ]);
        }
        let widths: Vec<usize> = (0..6)
            .map(|i| {
                rows.iter()
                    .map(|r| unicode_width::UnicodeWidthStr::width(r[i].as_str()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut t = String::new();
        for r in &rows {
            let mut line = String::new();
            for (i, cell) in r.iter().enumerate() {
                line.push_str(cell);
                if i + 1 < r.len() {
                    let pad = widths[i] - unicode_width::UnicodeWidthStr::width(cell.as_str());
                    line.push_str(&" ".repeat(pad + 2));
                }
            }
            t.push_str(line.trim_end());
            t.push('\n');
        }
        for d in drafts.iter().filter(|d| d.status == Status::Returned) {
            if let Some(c) = &d.comment {
                t.push_str(&format!(
                    "{} {}: {c}\n",
                    d.id,
                    lang.pick("差戻しコメント", "returned with")
                ));
            }
        }
        itaku::diag::printable(&t).into_owned()
    };
    match super::to_stdout(text.as_bytes()) {
        Ok(()) => Exit::Success,
        Err(e) => ui.write_failed(&e),
    }
}

#[derive(clap::Args)]
pub struct SubmitArgs {
    /// The draft's id (see `itaku drafts`).
    id: String,
    /// The drafts folder (its store is `itaku-drafts.sqlite3`).
    #[arg(long, value_name = "DIR", default_value = DEFAULT_DRAFTS)]
    drafts: PathBuf,
    #[command(flatten)]
    rules: RuleArgs,
}

pub fn submit(args: SubmitArgs, ui: &Ui) -> Exit {
    let mut store = match open_store(&args.drafts, None, ui) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let compiled = match args.rules.compile(ui) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let draft = match get_draft(&store, &args.id, ui) {
        Ok(d) => d,
        Err(e) => return e,
    };
    // Only answers that make a valid entry can be submitted.
    let checked = validate(&draft.answers, &entry_id(&draft), &compiled.rules);
    if !checked.problems.is_empty() {
        for p in &checked.problems {
            ui.report_one(&super::answer_problem(p, |f, lang| {
                format!("{}: ", titles::title(f, lang))
            }));
        }
        ui.say(
            "回答に確認が必要な点があるため提出できません",
            "the answers need fixing before the draft can be submitted",
        );
        return Exit::Findings;
    }
    match store.submit(&args.id, &who()) {
        Ok(d) => {
            ui.say(
                &format!("下書き `{}` を提出しました (政策経営部の確認待ち)", d.id),
                &format!("submitted the draft `{}` (waiting for policy staff)", d.id),
            );
            Exit::Success
        }
        Err(e) => failed(&e, ui),
    }
}

#[derive(clap::Args)]
pub struct ReturnArgs {
    /// The draft's id (see `itaku drafts --status submitted`).
    id: String,
    /// What the department should fix (required).
    #[arg(long)]
    comment: String,
    /// The drafts folder (its store is `itaku-drafts.sqlite3`).
    #[arg(long, value_name = "DIR", default_value = DEFAULT_DRAFTS)]
    drafts: PathBuf,
}

pub fn return_draft(args: ReturnArgs, ui: &Ui) -> Exit {
    let mut store = match open_store(&args.drafts, None, ui) {
        Ok(s) => s,
        Err(e) => return e,
    };
    match store.return_draft(&args.id, &who(), &args.comment) {
        Ok(d) => {
            ui.say(
                &format!(
                    "下書き `{}` をコメント付きで差し戻しました ({})",
                    d.id, d.department
                ),
                &format!(
                    "returned the draft `{}` with a comment ({})",
                    d.id, d.department
                ),
            );
            Exit::Success
        }
        Err(e) => failed(&e, ui),
    }
}

#[derive(clap::Args)]
pub struct AcceptArgs {
    /// The draft's id (see `itaku drafts --status submitted`).
    id: String,
    /// The catalog YAML file the operation is written into (created when absent).
    #[arg(long, value_name = "FILE")]
    catalog: PathBuf,
    /// The drafts folder (its store is `itaku-drafts.sqlite3`).
    #[arg(long, value_name = "DIR", default_value = DEFAULT_DRAFTS)]
    drafts: PathBuf,
    /// Also make a git commit of the catalog file, authored by the department (the git CLI).
    #[arg(long)]
    commit: bool,
    #[command(flatten)]
    rules: RuleArgs,
}

pub fn accept(args: AcceptArgs, ui: &Ui) -> Exit {
    let lang = ui.lang;
    if args.catalog.is_dir() {
        return ui.fail(Diagnostic::error(
            Code::UsageInvalid,
            format!(
                "--catalog には YAML ファイルを指定してください ({} はディレクトリです)",
                args.catalog.display()
            ),
            format!(
                "--catalog takes a YAML file ({} is a directory)",
                args.catalog.display()
            ),
        ));
    }
    let mut store = match open_store(&args.drafts, Some(&args.catalog), ui) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let compiled = match args.rules.compile(ui) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let draft = match get_draft(&store, &args.id, ui) {
        Ok(d) => d,
        Err(e) => return e,
    };
    if draft.status != Status::Submitted {
        return ui.fail(Diagnostic::error(
            Code::DraftsWrongStatus,
            format!(
                "下書き `{}` は{}です。受理できるのは提出済みの下書きだけです",
                draft.id,
                draft.status.label(Lang::Ja)
            ),
            format!(
                "the draft `{}` is {}: only a submitted draft can be accepted",
                draft.id,
                draft.status.as_str()
            ),
        ));
    }
    let id = entry_id(&draft);
    let checked = validate(&draft.answers, &id, &compiled.rules);
    let Some(op) = checked.operation.clone() else {
        for p in &checked.problems {
            ui.report_one(&p.diagnostic);
        }
        return Exit::Findings;
    };
    // The draft's assessment, as the department saw it.
    let assessment = assess_operation(&op, &compiled);
    let advice = itaku::whatif::what_if(&op, &compiled, lang);
    let mut out = super::new::text_result(&assessment, &advice, &compiled, lang);
    let written = match write_entry_into(
        &args.catalog,
        &id,
        &checked.entry.text,
        Mode::AppendOrReplace,
        &compiled.rules,
    ) {
        Ok(w) => w,
        Err(problems) => {
            let _ = super::to_stdout(itaku::diag::printable(&out).as_bytes());
            ui.report(&problems);
            ui.say(
                &format!(
                    "{} には何も書き込んでいません (下書きは提出済みのままです)",
                    args.catalog.display()
                ),
                &format!(
                    "nothing was written to {} (the draft stays submitted)",
                    args.catalog.display()
                ),
            );
            return super::exit_for(&problems).max_with(Exit::Findings);
        }
    };
    if let Change::Replaced(before) = &written.change {
        out.push_str(&replacement_text(before, &op, &compiled, lang));
    }
    if let Err(e) = super::to_stdout(itaku::diag::printable(&out).as_bytes()) {
        return ui.write_failed(&e);
    }
    let shown = args.catalog.display().to_string();
    let by = who();
    if let Err(e) = store.mark_accepted(&draft.id, &by, &shown) {
        // The entry is in the catalog; accepting again replaces it with the same text.
        return ui.fail(Diagnostic::error(
            Code::DraftsStore,
            format!("業務は {shown} に書き込みましたが、下書きの状態を受理にできませんでした: {} (もう一度 accept すると同じ内容で置き換えます)", e.text.ja),
            format!("the operation is in {shown}, but the draft could not be marked accepted: {} (accepting again writes the same entry)", e.text.en),
        ));
    }
    let what = match written.change {
        Change::Appended => lang.pick("追加", "appended"),
        Change::Replaced(_) => lang.pick("置き換え", "replaced"),
    };
    ui.say(
        &format!(
            "下書き `{}` を受理し、業務 `{id}` を {shown} に{what}しました (受理: {by})",
            draft.id
        ),
        &format!(
            "accepted the draft `{}`: the operation `{id}` was {what} in {shown} (by {by})",
            draft.id
        ),
    );
    if args.commit {
        return commit(&args.catalog, &draft, &id, ui);
    }
    Exit::Success
}

/// The facts that change and the outcome's change, `itaku diff` style, for a draft replacing `before`.
fn replacement_text(
    before: &std::sync::Arc<itaku::Operation>,
    after: &std::sync::Arc<itaku::Operation>,
    compiled: &itaku::CompiledRules,
    lang: Lang,
) -> String {
    let old = Answers::from_operation(before);
    let new = Answers::from_operation(after);
    let mut t = format!(
        "\n{}:\n",
        lang.pick(
            "カタログの業務から変わる事実",
            "facts changed from the catalog's operation"
        )
    );
    let mut any = false;
    for f in Field::ALL {
        let (a, b) = (old.get(*f), new.get(*f));
        if a != b {
            any = true;
            let none = lang.pick("(なし)", "(none)");
            t.push_str(&format!(
                "  - {} ({}): {} → {}\n",
                titles::title(*f, lang),
                f.name(),
                a.unwrap_or(none).replace('\n', "; "),
                b.unwrap_or(none).replace('\n', "; ")
            ));
        }
    }
    if !any {
        t.push_str(lang.pick("  (変更なし)\n", "  (none)\n"));
    }
    let one = |op: &std::sync::Arc<itaku::Operation>| Report {
        assessments: vec![assess_operation(op, compiled)],
        as_of: compiled.as_of,
    };
    let (base, new) = (one(before), one(after));
    let d = itaku::diff::diff(
        itaku::diff::Side {
            report: &base,
            rules: compiled,
        },
        itaku::diff::Side {
            report: &new,
            rules: compiled,
        },
        lang.pick("カタログ", "catalog").to_string(),
        lang.pick("下書き", "draft").to_string(),
    );
    t.push('\n');
    t.push_str(&itaku::render::diff_text(&d, lang));
    t
}

/// `git add` and `git commit` of the catalog file, authored by the department.
fn commit(catalog: &Path, draft: &DraftInfo, id: &str, ui: &Ui) -> Exit {
    let dir = match catalog.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Some(file) = catalog.file_name() else {
        return Exit::Usage;
    };
    let department = if draft.department.trim().is_empty() {
        "department".to_string()
    } else {
        draft.department.clone()
    };
    let author = format!("{department} <{}@itaku.invalid>", draft.updated_by);
    let message = format!(
        "受理: {id} ({}) — {department}\n\nitaku accept {} (by {})",
        draft.name,
        draft.id,
        who()
    );
    let git = |args: &[&std::ffi::OsStr]| {
        let mut c = std::process::Command::new("git");
        c.arg("-C").arg(&dir).args(args);
        // A committer is needed; where git has none configured, itaku is it.
        if std::env::var_os("GIT_COMMITTER_EMAIL").is_none() {
            let configured = std::process::Command::new("git")
                .arg("-C")
                .arg(&dir)
                .args(["config", "user.email"])
                .output()
                .is_ok_and(|o| o.status.success() && !o.stdout.is_empty());
            if !configured {
                c.env("GIT_COMMITTER_NAME", who())
                    .env("GIT_COMMITTER_EMAIL", "itaku@itaku.invalid");
            }
        }
        c.output()
    };
    let add = git(&["add".as_ref(), "--".as_ref(), file]);
    let done = add.and_then(|a| {
        if !a.status.success() {
            return Ok(a);
        }
        git(&[
            "commit".as_ref(),
            "--quiet".as_ref(),
            "--author".as_ref(),
            author.as_ref(),
            "-m".as_ref(),
            message.as_ref(),
            "--".as_ref(),
            file,
        ])
    });
    match done {
        Ok(o) if o.status.success() => {
            ui.say(
                &format!("git にコミットしました (作成者: {author})"),
                &format!("committed to git (author: {author})"),
            );
            Exit::Success
        }
        Ok(o) => ui.fail(Diagnostic::error(
            Code::GitCommitFailed,
            format!(
                "git のコミットに失敗しました (業務はカタログに書き込み済みです): {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ),
            format!(
                "the git commit failed (the operation is already in the catalog): {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ),
        )),
        Err(e) => ui.fail(Diagnostic::error(
            Code::GitFailed,
            format!("git を実行できません (業務はカタログに書き込み済みです): {e}"),
            format!("cannot run git (the operation is already in the catalog): {e}"),
        )),
    }
}
