//! Japanese help texts for the command line (`itaku --help`, `itaku assess --help`): clap's own words
//! ("Usage", "Options") stay English, but every command and option is described in the chosen
//! language. The English texts are the doc comments on the argument structs; the Japanese ones are here,
//! keyed by command path and argument id, and a test fails when one is missing.

use clap::Command;

/// Replaces the descriptions of `cmd` and all its subcommands with their Japanese texts.
pub fn localize(cmd: Command) -> Command {
    localize_at(cmd, "")
}

fn localize_at(mut cmd: Command, path: &str) -> Command {
    let here = if path.is_empty() {
        String::new()
    } else {
        path.to_string()
    };
    if let Some(about) = text(&format!("{here}#about")) {
        cmd = cmd.about(about);
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        if let Some(help) = text(&format!("{here}.{id}")).or_else(|| text(&format!(".{id}"))) {
            cmd = cmd.mut_arg(id.as_str(), |a| a.help(help));
        }
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        let sub_path = if here.is_empty() {
            name.clone()
        } else {
            format!("{here} {name}")
        };
        cmd = cmd.mut_subcommand(name.as_str(), |s| localize_at(s, &sub_path));
    }
    cmd
}

fn text(key: &str) -> Option<&'static str> {
    TEXTS.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// `command path#about` for a command's description, `command path.argument id` for an option's;
/// `.id` applies to an argument of that id in every command (`--rules`, `--as-of`, …).
const TEXTS: &[(&str, &str)] = &[
    ("#about", "委託判定エンジン — 区の業務の委託適性を判定します"),
    (
        "bundle#about",
        "カタログ全体から包括委託 (複数の施設・部署の同種業務を一つの契約に) を提案します: 効果、リスク、まとめた契約のチェックリスト、推奨",
    ),
    ("bundle.format", "出力形式 (既定: 端末なら表、それ以外は json)"),
    ("bundle.output", "標準出力ではなくこのファイルに書き出す (全体を書いてから置き換えます)"),
    (
        "plan#about",
        "年度をまたぐ計画: 進み具合、効果検証、年次見直し (計画ファイルをカタログの判定と照らします)",
    ),
    (
        "plan status#about",
        "計画の進み具合: 年度・部署・重点取組み分野別、遅れ、モニタリング、手法の確認、計画外の候補",
    ),
    (
        "plan verify#about",
        "履行中の項目の効果検証 (効果検証の年度より前は中間検証)",
    ),
    (
        "plan review#about",
        "年次見直し: 前年度の計画・カタログ・ルールと今年度のものの比較",
    ),
    ("plan status.plan", "計画ファイル (既定: plan/plan.yaml)"),
    ("plan verify.plan", "計画ファイル (既定: plan/plan.yaml)"),
    ("plan review.plan", "計画ファイル (既定: plan/plan.yaml)"),
    ("plan status.format", "出力形式 (既定: 端末なら表、それ以外は json)"),
    ("plan verify.format", "出力形式 (既定: 端末なら表、それ以外は json)"),
    ("plan review.format", "出力形式 (既定: 端末なら表、それ以外は json)"),
    (
        "plan status.output",
        "標準出力ではなくこのファイルに書き出す (全体を書いてから置き換えます)",
    ),
    (
        "plan verify.output",
        "標準出力ではなくこのファイルに書き出す (全体を書いてから置き換えます)",
    ),
    (
        "plan review.output",
        "標準出力ではなくこのファイルに書き出す (全体を書いてから置き換えます)",
    ),
    ("plan review.base_plan", "前年度の計画ファイル"),
    ("plan review.base_catalog", "前年度のカタログ (既定: 同じカタログ)"),
    ("plan review.base_rules", "前年度のルールディレクトリ (既定: 同じルール)"),
    (
        "plan review.base_rev",
        "前年度のルール: git のリビジョン時点のルールディレクトリ (git show で読みます)",
    ),
    (
        "plan review.base_as_of",
        "前年度のパラメータの基準日 (既定: --as-of の1年前)",
    ),
    (
        "schema.plan",
        "カタログではなく計画ファイルの JSON Schema (schema/plan.schema.json)",
    ),
    // Options shared by several commands.
    (".lang", "テキストとメッセージの言語 (日本語 / English)"),
    (".catalog", "カタログのファイルまたはディレクトリ (既定: catalog/)"),
    (
        ".rules",
        "ルールのディレクトリ (manifest.yaml、スクリプト、パラメータ)。既定: 作業ディレクトリに rules/ があればそれ、なければ本体に組み込まれた標準ルール (`itaku rules export DIR` で書き出せます)",
    ),
    (
        ".as_of",
        "パラメータの値を適用する基準日 (YYYY-MM-DD、1900〜2999年、既定: 今日)",
    ),
    (".id", "業務の ID"),
    (
        ".engine",
        "ルールの実行方式: `compiled` (既定。コンパイラが対応しないルールと、コンパイル済みのルールが失敗しうる業務はインタプリタで実行) または `interpreted` (Rhai のみ、調査用)。どのルールがコンパイルされたかは `itaku rules` で確認できます",
    ),
    ("assess#about", "カタログのすべての業務を判定します"),
    (
        "assess.only",
        "この業務だけを判定します (ID で指定、複数指定可)。存在しない ID には近い ID を示します",
    ),
    (
        "assess.format",
        "出力形式 (既定: 端末では表、それ以外は json)",
    ),
    (
        "assess.checklist",
        "`--format csv` で、業務ごとではなくチェックリストの項目ごとに1行を出力します",
    ),
    (
        "assess.report",
        "`--format html` のレポートの種類: full (既定、業務ごとの節あり) または summary (管理職向けの要約、A4 で10ページ以内)",
    ),
    (
        "assess.output",
        "標準出力の代わりにこのファイルに書き出します (全体を書いてから置き換えます)",
    ),
    (
        "assess.threads",
        "ワーカースレッド数 (既定: すべてのコア)。数によらず結果は同じです",
    ),
    (
        "assess.compact",
        "`--format jsonl` で、大量の判定向けのコンパクト形式を出力します (項目とメッセージの文言は先頭のヘッダー行に1回だけ。`itaku expand` で元の形にバイト単位で戻せます)",
    ),
    (
        "expand#about",
        "コンパクト形式の JSON Lines (`assess --format jsonl --compact`) を元の形に展開します",
    ),
    (
        "expand.input",
        "コンパクト形式のファイル (`-` または省略で標準入力)",
    ),
    (
        "expand.output",
        "標準出力の代わりにこのファイルに書き出します (全体を書いてから置き換えます)",
    ),
    ("check#about", "判定はせずに、カタログとルールセットを検証します"),
    ("check.json", "問題を JSON で標準出力に出力します"),
    (
        "coverage#about",
        "カタログとルールのテストケースで一度も使われないルール・項目・パラメータ・メッセージを示します (カバー率)",
    ),
    (
        "coverage.cases",
        "含めるルールのテストケース (既定: tests/rules があればそれ)",
    ),
    ("coverage.no_catalog", "カタログは数えず、テストケースだけを数えます"),
    (
        "coverage.min",
        "チェックリスト項目のうち挙がった割合がこの値 (0〜100 %) 未満なら失敗 (終了コード 1) にします",
    ),
    ("coverage.format", "出力形式"),
    (
        "diff#about",
        "2つのルールセット・改訂・基準日・カタログで判定を比べます (改定による判定の変化)",
    ),
    ("diff.base_rules", "比較の基準とするルールセット: 別のルールディレクトリ"),
    (
        "diff.base_rev",
        "比較の基準とするルールセット: git の改訂時点のルールディレクトリ (`git show` で読みます)",
    ),
    (
        "diff.base_as_of",
        "比較の基準とする基準日 (既定: --as-of と同じ)",
    ),
    ("diff.base_catalog", "比較の基準とするカタログ (既定: 同じカタログ)"),
    ("diff.format", "出力形式"),
    ("explain#about", "1つの業務の判定の理由を、ルールごとに説明します"),
    ("explain.format", "出力形式"),
    ("test#about", "YAML で書いたルールのテストケースを実行します"),
    (
        "test.path",
        "テストケースのディレクトリ、または1つのケースファイル (既定: tests/rules)。bases.yaml はディレクトリ内またはファイルと同じ場所から読みます",
    ),
    (
        "test.filter",
        "名前にこの文字列を含むケースだけを実行します (大文字・小文字を区別しません)",
    ),
    ("test.verbose", "合格したケースも表示します"),
    (
        "what-if#about",
        "判定を改善するために部署ができる最小限の変更を示します (改善のための変更案)",
    ),
    ("what-if.format", "出力形式"),
    (
        "rules#about",
        "ルールセットのルールを一覧します。`rules export DIR` で標準ルールを書き出します",
    ),
    (
        "rules.format",
        "`table` は閲覧用、`md` は生成するリファレンス (docs/rules.md) 用",
    ),
    (
        "rules.output",
        "このファイルに書き出します (全体を書いてから置き換えます)",
    ),
    (
        "rules export#about",
        "本体に組み込まれた標準ルールを、カスタマイズ用に書き出します",
    ),
    (
        "rules export.dir",
        "ルールを書き出すディレクトリ (なければ作成。--force がなければ空である必要があります)",
    ),
    (
        "rules export.force",
        "空でないディレクトリのルールファイルを上書きします",
    ),
    (
        "import#about",
        "表計算ファイル (xlsx または CSV) からカタログの YAML ファイルを作ります",
    ),
    (
        "import.file",
        "表計算ファイル: .xlsx (最初のシート) または .csv (UTF-8 (BOM の有無は問いません) または Shift_JIS)",
    ),
    ("import.output", "書き出すカタログファイル (YAML)"),
    ("import.force", "出力ファイルがすでにあれば置き換えます"),
    (
        "export-catalog#about",
        "カタログを、1業務1行の表計算ファイルとして書き出します",
    ),
    ("export-catalog.format", "ファイル形式"),
    (
        "export-catalog.output",
        "書き出すファイル (csv で指定しなければ標準出力)",
    ),
    (
        "export-catalog.encoding",
        "CSV の文字コード: utf-8 (BOM 付き) または cp932 (Shift_JIS)",
    ),
    ("template#about", "新しいカタログの記入用のひな形を書き出します"),
    (
        "migrate#about",
        "古い形式のカタログファイルを現在の形式に書き換え、人が判断すべき箇所を一覧します",
    ),
    ("migrate.files", "現在の形式に書き換えるカタログファイル (YAML)"),
    (
        "migrate.output",
        "ファイルを置き換えず、書き換えた内容をこのファイルに書き出します (1ファイルのときだけ)",
    ),
    (
        "migrate.dry_run",
        "変更点と確認箇所を表示するだけで、何も書き込みません",
    ),
    ("template.format", "ファイル形式"),
    (
        "template.output",
        "書き出すファイル (csv で指定しなければ標準出力)",
    ),
    (
        "template.force",
        "出力ファイルがすでにあれば置き換えます (記入済みのひな形を黙って上書きしません)",
    ),
    (
        "template.encoding",
        "CSV の文字コード: utf-8 (BOM 付き) または cp932 (Shift_JIS)",
    ),
    (
        "schema#about",
        "カタログ形式の JSON Schema を出力します (エディタの補完・検証用)",
    ),
    (
        "schema.format",
        "`json`: JSON Schema (schema/catalog.schema.json)、`md`: docs/catalog.md のフィールド表",
    ),
    (
        "schema.output",
        "このファイルに書き出します (全体を書いてから置き換えます)",
    ),
    (
        "serve#about",
        "部署が業務を自己診断するための Web アプリケーションを起動します (ブラウザで質問に答えると判定が表示されます)",
    ),
    (
        "serve.catalog",
        "閲覧し、新しい ID の重複を確かめるカタログのファイルまたはディレクトリ (既定: catalog/)",
    ),
    ("serve.drafts", "下書きの保存先フォルダー (下書きの保存庫 `itaku-drafts.sqlite3` を置きます)"),
    ("serve.addr", "待ち受けるアドレス (ポート 0 で空いているポートを選びます)"),
    (
        "serve.allow_remote",
        "ループバック以外のアドレスを許可します。ログインはないため、接続できる人は誰でも使えます",
    ),
    (
        "serve.allow_host",
        "この名前で届いた要求も受け付けます (繰り返し指定可。`NAME` または `NAME:PORT`)。指定しなければ、ループバックの名前と待ち受けアドレス以外は断ります (DNS リバインディング対策)",
    ),
    (
        "serve.trust_user_header",
        "区のリバースプロキシがログインした利用者名を入れるヘッダー (例: X-Remote-User)。--trusted-proxy のアドレスからの接続でだけ信用し、ほかのアドレスからこのヘッダーが届いたら断ります。--users が必要です",
    ),
    (
        "serve.trusted_proxy",
        "利用者名のヘッダーを信用するリバースプロキシのアドレス (繰り返し指定可。既定: 127.0.0.1 と ::1)",
    ),
    (
        "serve.users",
        "利用者と所属部署、政策担当の役割を定める YAML ファイル (--trust-user-header と一緒に使います。docs/self-assessment.md)",
    ),
    ("new#about", "質問票への回答から新しい業務を記述し、判定します"),
    (
        "new.answers",
        "YAML の回答: 1行に `フィールド: 回答` (フィールド名または日本語の項目名。選択肢は値またはラベル、はい/いいえ、不明は わからない)。`-` で標準入力から読みます",
    ),
    (
        "new.catalog",
        "新しい業務を追記するカタログの YAML ファイル (既存の内容はそのまま残します)",
    ),
    ("new.json", "判定をテキストではなく JSON (契約2) で出力します"),
    (
        "new.drafts",
        "回答を新しい下書きとしてこのフォルダーの保存庫に保存します (`itaku submit` で提出できます)",
    ),
    ("drafts#about", "自己診断の下書きと審査の状況 (下書き・提出済み・差戻し・受理) を一覧します"),
    (".drafts", "下書きの保存先フォルダー (保存庫 `itaku-drafts.sqlite3` を置きます。既定: catalog/drafts)"),
    (
        "drafts.status",
        "この状態の下書きだけを表示します: draft, submitted, returned, accepted (下書き, 提出済み, 差戻し, 受理 でも可)",
    ),
    ("drafts.json", "一覧を JSON で出力します"),
    ("drafts.id", "この下書きの版と操作の履歴 (誰が・いつ・何を) を表示します。--version N でその版の回答を表示します"),
    ("drafts.history", "下書きの履歴を表示します (ID を指定したときの既定)"),
    ("drafts.version", "下書き ID のこの版の回答を、itaku new が読める回答ファイルの形で表示します"),
    ("submit#about", "下書きを政策経営部に提出します (回答が検証を通る下書きだけ)"),
    ("submit.id", "下書きのID (`itaku drafts` で確認できます)"),
    ("return#about", "提出された下書きを、コメントを付けて部署に差し戻します"),
    ("return.id", "下書きのID (`itaku drafts --status submitted` で確認できます)"),
    ("return.comment", "部署に直してほしい点 (必須)"),
    (
        "accept#about",
        "提出された下書きを受理し、その業務をカタログのファイルに書き込みます (ロックし、検証してから全体を書き換えます)",
    ),
    ("accept.id", "下書きのID (`itaku drafts --status submitted` で確認できます)"),
    (
        "accept.catalog",
        "業務を書き込むカタログの YAML ファイル (なければ作ります。同じIDの業務があれば置き換えます)",
    ),
    (
        "accept.commit",
        "カタログのファイルを git にコミットします (作成者は部署。git コマンドを使います)",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn missing(cmd: &Command, path: &str, out: &mut Vec<String>) {
        if text(&format!("{path}#about")).is_none() {
            out.push(format!("{path}#about"));
        }
        for a in cmd.get_arguments() {
            let id = a.get_id().as_str();
            if matches!(id, "help" | "version") {
                continue;
            }
            if text(&format!("{path}.{id}")).is_none() && text(&format!(".{id}")).is_none() {
                out.push(format!(
                    "{path}.{id} = {}",
                    a.get_help().map(|h| h.to_string()).unwrap_or_default()
                ));
            }
        }
        for s in cmd.get_subcommands() {
            if s.get_name() == "help" {
                continue;
            }
            let p = if path.is_empty() {
                s.get_name().to_string()
            } else {
                format!("{path} {}", s.get_name())
            };
            missing(s, &p, out);
        }
    }

    #[test]
    fn every_command_and_option_has_a_japanese_description() {
        let mut out = Vec::new();
        missing(&super::super::Cli::command(), "", &mut out);
        assert!(out.is_empty(), "missing Japanese help:\n{}", out.join("\n"));
    }
}
