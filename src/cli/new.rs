//! `itaku new`: the questionnaire without a browser. Answers come from a YAML file (`--answers`), or are
//! asked one by one on a terminal; the operation is assessed and, with `--catalog FILE`, appended to that
//! catalog file through the one catalog writer ([`itaku::catalog::writer`]: locked, built and validated
//! in memory, written atomically; everything already in the file kept byte for byte).

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use itaku::assess::{assess_operation, Report};
use itaku::catalog::questions::{self, questions};
use itaku::catalog::{load_path, Field, FieldKind};
use itaku::diag::{Code, Diagnostic};
use itaku::questionnaire::{propose_id, validate, Answers, MAX_ANSWERS_BYTES};
use itaku::render::{render, Format};

use super::{exit_for, Exit, RuleArgs, Ui};

#[derive(clap::Args)]
pub struct Args {
    /// Answers in YAML: `field: answer` a line (field names or their Japanese titles; choices by value
    /// or label; はい/いいえ; わからない for unknown). `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    answers: Option<PathBuf>,
    /// Catalog YAML file to append the new operation to (its existing text is kept byte for byte).
    #[arg(long, value_name = "FILE")]
    catalog: Option<PathBuf>,
    /// Save the answers as a new draft in this drafts folder (its store), for `itaku submit`.
    #[arg(long, value_name = "DIR", conflicts_with = "catalog")]
    drafts: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    /// Print the assessment as JSON (contract 2) instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    let answers = match &args.answers {
        Some(path) => match read_answers(path, ui) {
            Ok(a) => a,
            Err(exit) => return exit,
        },
        None if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() => {
            match ask(ui) {
                Ok(a) => a,
                Err(exit) => return exit,
            }
        }
        None => {
            return ui.fail(Diagnostic::error(Code::UsageInvalid, "回答がありません。--answers FILE で回答の YAML を指定してください (端末からなら質問を1つずつ表示します)", "no answers: give --answers FILE (a YAML file of answers); on a terminal the questions are asked one by one"));
        }
    };
    let compiled = match args.rules.compile(ui) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let before = match &args.catalog {
        Some(path) if path.is_dir() => {
            return ui.fail(Diagnostic::error(
                Code::UsageInvalid,
                format!(
                    "--catalog には YAML ファイルを指定してください ({} はディレクトリです)",
                    path.display()
                ),
                format!(
                    "--catalog takes a YAML file ({} is a directory)",
                    path.display()
                ),
            ));
        }
        // Read only to propose a free id; the writer reads the file again under its lock.
        Some(path) if path.is_file() => Some(load_path(path)),
        _ => None,
    };
    let taken = |id: &str| {
        before
            .as_ref()
            .is_some_and(|b| b.catalog.find(id).is_some())
    };
    let id = answers
        .get(Field::id)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| propose_id(&answers, taken));
    let draft = validate(&answers, &id, &compiled.rules);
    if !draft.problems.is_empty() {
        for p in &draft.problems {
            ui.report_one(&super::answer_problem(p, |f, lang| {
                format!("{} ({}): ", f.name(), questions::question(f).text(lang))
            }));
        }
        return Exit::Findings;
    }
    let Some(op) = draft.operation.clone() else {
        return Exit::Findings;
    };
    let report = Report {
        assessments: vec![assess_operation(&op, &compiled)],
        as_of: compiled.as_of,
    };
    let mut out = Vec::new();
    if args.json {
        if let Err(e) = render(&report, &compiled.rules, ui.lang, Format::Json, &mut out) {
            return ui.write_failed(&e);
        }
    } else {
        let advice = itaku::whatif::what_if(&op, &compiled, ui.lang);
        out = itaku::diag::printable(&text_result(
            &report.assessments[0],
            &advice,
            &compiled,
            ui.lang,
        ))
        .into_owned()
        .into_bytes();
    }
    if let Err(e) = super::to_stdout(&out) {
        return ui.write_failed(&e);
    }
    if let Some(dir) = &args.drafts {
        return save_draft(dir, &answers, &compiled, ui);
    }
    let Some(path) = &args.catalog else {
        // No catalog to append to: the entry goes to standard output, after the assessment.
        let text = format!("\n{}", draft.file_text(ui.lang));
        return match super::to_stdout(text.as_bytes()) {
            Ok(()) => Exit::Success,
            Err(e) => ui.write_failed(&e),
        };
    };
    append(path, &draft.entry, &compiled, ui)
}

/// The assessment as text: recommendation, reasons, decisive unknown facts, the checklist with its
/// mitigations and the changes that would improve the result (what the browser shows).
pub(super) fn text_result(
    a: &itaku::Assessment,
    advice: &itaku::whatif::WhatIf,
    compiled: &itaku::CompiledRules,
    lang: itaku::Lang,
) -> String {
    use std::fmt::Write as _;
    let doc = itaku::render::assessment_doc(a, &compiled.rules, lang);
    let mut t = String::new();
    let _ = writeln!(t, "{} ({}) — {}", doc.name, doc.id, doc.department);
    let _ = writeln!(
        t,
        "{}: {} — {} {:.2} FTE",
        lang.pick("判定", "recommendation"),
        a.recommendation.label(lang),
        lang.pick("削減見込み", "freed"),
        a.freed_fte
    );
    let reasons: Vec<&String> = doc
        .exclusions
        .iter()
        .map(|e| &e.reason)
        .chain(doc.contradictions.iter().map(|c| &c.finding))
        .chain(doc.notes.iter())
        .collect();
    if !reasons.is_empty() {
        let _ = writeln!(t, "\n{}:", lang.pick("理由", "why"));
        for r in reasons {
            let _ = writeln!(t, "  - {r}");
        }
    }
    if !a.decisive.is_empty() {
        let _ = writeln!(
            t,
            "\n{}:",
            lang.pick(
                "判定を左右する、まだ不明な事実",
                "decisive facts still unknown"
            )
        );
        for f in &a.decisive {
            let _ = writeln!(
                t,
                "  - {} ({})",
                questions::question(*f).text(lang),
                f.name()
            );
        }
    }
    let _ = writeln!(
        t,
        "\n{} ({}):",
        lang.pick("チェックリスト", "checklist"),
        doc.checklist.len()
    );
    for c in &doc.checklist {
        let sev = itaku::model::Severity::parse(c.severity).map_or(c.severity, |s| s.label(lang));
        let _ = writeln!(t, "  - [{:?} {sev}] {}", c.safeguard, c.item);
        let _ = writeln!(
            t,
            "      {}{}",
            lang.pick("対策: ", "mitigation: "),
            c.mitigation
        );
    }
    if !advice.suggestions.is_empty() {
        let _ = writeln!(
            t,
            "\n{}:",
            lang.pick(
                "結果を改善できる変更",
                "changes that would improve the result"
            )
        );
        let mut seen = std::collections::HashSet::new();
        for s in &advice.suggestions {
            let what: Vec<&str> = s.changes.iter().map(|c| c.what).collect();
            let what = what.join(lang.pick("、", ", "));
            if seen.insert(what.clone()) {
                let to = itaku::model::Recommendation::parse(s.recommendation)
                    .map_or(s.recommendation, |r| r.label(lang));
                let _ = writeln!(t, "  - {what} → {to}");
            }
        }
    }
    t
}

/// Appends `entry` to the catalog file at `path` through the catalog writer.
fn append(
    path: &std::path::Path,
    entry: &itaku::questionnaire::Entry,
    compiled: &itaku::CompiledRules,
    ui: &Ui,
) -> Exit {
    let shown = path.display().to_string();
    use itaku::catalog::writer::{write_entry_into, Mode};
    match write_entry_into(
        path,
        &entry.id,
        &entry.text,
        Mode::AppendOnly,
        &compiled.rules,
    ) {
        Ok(_) => {
            ui.say(
                &format!("業務 `{}` を {shown} に追加しました", entry.id),
                &format!("appended the operation `{}` to {shown}", entry.id),
            );
            Exit::Success
        }
        Err(problems) => {
            ui.report(&problems);
            ui.say(
                &format!("{shown} には何も追加していません (ファイルは元のままです)"),
                &format!("nothing was appended to {shown} (the file is unchanged)"),
            );
            exit_for(&problems).max_with(Exit::Findings)
        }
    }
}

/// Saves the answers as a new draft in the store of `dir`.
fn save_draft(
    dir: &std::path::Path,
    answers: &Answers,
    compiled: &itaku::CompiledRules,
    ui: &Ui,
) -> Exit {
    let mut store = match super::drafts::open_store(dir, None, ui) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let catalog = load_path_for_default(compiled);
    match store.save(None, answers, &super::drafts::who(), |id| {
        catalog.as_ref().is_some_and(|c| c.find(id).is_some())
    }) {
        Ok((id, version)) => {
            ui.say(
                &format!("下書き `{id}` を保存しました (版 {version})。提出するには: itaku submit {id} --drafts {}", dir.display()),
                &format!("saved the draft `{id}` (version {version}); to submit it: itaku submit {id} --drafts {}", dir.display()),
            );
            Exit::Success
        }
        Err(e) => ui.fail(e.diagnostic()),
    }
}

/// The default catalog, when there is one, whose ids a new draft's proposed id avoids.
fn load_path_for_default(compiled: &itaku::CompiledRules) -> Option<itaku::Catalog> {
    let path = super::default_catalog();
    path.exists()
        .then(|| itaku::catalog::load_path_for(&path, &compiled.rules).catalog)
}

fn read_answers(path: &std::path::Path, ui: &Ui) -> Result<Answers, Exit> {
    let shown = path.display().to_string();
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_ANSWERS_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_ANSWERS_BYTES as u64 + 1).read_to_end(&mut bytes))
    };
    if let Err(e) = read {
        ui.report_one(
            &Diagnostic::error(
                Code::AnswersUnreadable,
                format!("回答ファイルを読めません: {e}"),
                format!("cannot read the answers: {e}"),
            )
            .in_file(shown),
        );
        return Err(Exit::Usage);
    }
    let Ok(text) = String::from_utf8(bytes) else {
        ui.report_one(
            &Diagnostic::error(
                Code::AnswersUnreadable,
                "UTF-8 のテキストではありません",
                "not UTF-8 text",
            )
            .in_file(shown),
        );
        return Err(Exit::Usage);
    };
    Answers::from_yaml(&shown, &text).map_err(|d| {
        ui.report(&d);
        Exit::Findings
    })
}

use std::io::Read;

/// Asks every question on the terminal (standard error), reading answers from standard input. An empty
/// answer is わからない; the required ones are asked again until answered.
fn ask(ui: &Ui) -> Result<Answers, Exit> {
    let lang = ui.lang;
    let mut answers = Answers::default();
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "{}",
        lang.pick(
            "質問に答えてください。空のまま Enter で「わからない」。番号で選択肢を選べます。",
            "Answer the questions. Enter alone means “don't know”. Choose a choice by its number."
        )
    );
    let mut group = None;
    for q in questions() {
        if q.field == Field::id {
            continue;
        }
        if group != Some(q.group) {
            group = Some(q.group);
            let _ = writeln!(err, "\n== {}", q.group.title(lang));
        }
        loop {
            let _ = writeln!(err, "\n{}\n  ({})", q.text(lang), q.help(lang));
            let yes_no = q.field.kind() == FieldKind::Bool;
            let mut labels: Vec<(String, &str)> = Vec::new();
            if yes_no {
                labels.push(("true".into(), questions::yes(lang)));
                labels.push(("false".into(), questions::no(lang)));
            }
            for c in q.choices {
                labels.push((c.value.to_string(), c.label(lang)));
            }
            for (i, (_, l)) in labels.iter().enumerate() {
                let _ = writeln!(err, "  {}) {l}", i + 1);
            }
            if q.field.kind() == FieldKind::List {
                let _ = writeln!(
                    err,
                    "  {}",
                    lang.pick("(複数は「;」で区切る)", "(separate several with ;)")
                );
            }
            let _ = write!(err, "> ");
            let _ = err.flush();
            let Some(Ok(line)) = lines.next() else {
                ui.say("\n入力が終わりました", "\nend of input");
                return Err(Exit::Usage);
            };
            let line = line.trim().to_string();
            let answer = match line.parse::<usize>() {
                Ok(n) if n >= 1 && n <= labels.len() && !labels.is_empty() => {
                    labels[n - 1].0.clone()
                }
                _ if q.field.kind() == FieldKind::List => line.replace(';', "\n"),
                _ => line,
            };
            if q.field.is_required() && answer.trim().is_empty() {
                let _ = writeln!(
                    err,
                    "{}",
                    lang.pick("この質問は必須です。", "This one is required.")
                );
                continue;
            }
            answers.set(q.field, answer);
            break;
        }
    }
    Ok(answers)
}
