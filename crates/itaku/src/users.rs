//! The users file of a ward deployment (`itaku serve --trust-user-header NAME --users FILE`): who may use
//! the server behind the ward's login, which department each user belongs to, and which role is the
//! policy staff's.
//!
//! ```yaml
//! policy_role: policy-staff      # the role that sees every draft and accepts or returns them
//! users:
//!   - user: tanaka               # the name the proxy sends in the trusted header
//!     department: 保育課          # a department user sees and edits only this department's drafts
//!   - user: sato
//!     role: policy-staff
//! ```
//!
//! The file is checked like a catalog: every problem is reported with its file, line and column, what
//! was expected and, for a misspelt key or role, the nearest correct one.

use std::path::Path;
use std::sync::Arc;

use crate::diag::{Code, Diagnostic, Diagnostics, Location, SourceFile};
use crate::suggest::did_you_mean;
use crate::yaml::{self, Node, Value};

/// Largest users file read (a ward has a few thousand staff at most).
pub const MAX_BYTES: u64 = 4 * 1024 * 1024;

const TOP_KEYS: [&str; 2] = ["policy_role", "users"];
const USER_KEYS: [&str; 3] = ["user", "department", "role"];

/// What a user may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// A department's employee: its own department's drafts only.
    Department(String),
    /// Policy staff: every draft, the review queue, accept and return.
    Policy,
}

/// One user of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub role: Role,
}

/// The users file, checked.
#[derive(Debug, Clone, Default)]
pub struct Users {
    pub policy_role: String,
    pub users: Vec<User>,
}

impl Users {
    /// The user of this name (names are compared exactly, as the proxy sends them).
    pub fn find(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|u| u.name == name)
    }
}

/// Reads and checks the users file at `path`.
pub fn load(path: &Path) -> Result<Users, Diagnostics> {
    let shown = path.display().to_string();
    let text = crate::fsutil::read_regular(path, MAX_BYTES).map_err(|e| {
        Diagnostics::from(
            Diagnostic::error(
                Code::UsersUnreadable,
                format!("利用者の設定ファイルを読めません: {}", e.text().ja),
                format!("cannot read the users file: {}", e.text().en),
            )
            .in_file(shown.clone()),
        )
    })?;
    parse(&shown, &text)
}

/// Checks the text of a users file; `path` names it in the messages.
pub fn parse(path: &str, text: &str) -> Result<Users, Diagnostics> {
    let file = Arc::new(SourceFile::new(path, text));
    let mut problems = Diagnostics::default();
    let at = |node: &Node| Location::new(&file, node.pos.line, node.pos.column, node.len);
    let root = match yaml::parse_nodes(text) {
        Ok(Some(root)) => root,
        Ok(None) => {
            return Err(Diagnostic::error(
                Code::UsersInvalid,
                "利用者の設定ファイルが空です (`policy_role:` と `users:` が必要です)",
                "the users file is empty (it needs `policy_role:` and `users:`)",
            )
            .in_file(path)
            .into())
        }
        Err(e) => {
            return Err(Diagnostic::error(
                Code::UsersInvalid,
                format!("YAML の構文エラー: {}", e.message),
                format!("YAML syntax error: {}", e.message),
            )
            .at(Location::new(&file, e.pos.line, e.pos.column, 1))
            .into())
        }
    };
    let Value::Map(top) = &root.value else {
        return Err(Diagnostic::error(
            Code::UsersInvalid,
            format!(
                "利用者の設定ファイルは `policy_role:` と `users:` の対応表である必要があります ({} でした)",
                root.value.kind()
            ),
            format!(
                "the users file must be a mapping with `policy_role:` and `users:` (found {})",
                root.value.kind()
            ),
        )
        .at(at(&root))
        .into());
    };
    let mut policy_role: Option<(String, &Node)> = None;
    let mut user_nodes: Option<&Node> = None;
    for (k, v) in top {
        let key = yaml::scalar_text(k);
        match key.as_str() {
            "policy_role" => match non_empty(v) {
                Some(s) => policy_role = Some((s, v)),
                None => problems.push(expected_text(&at(v), "policy_role", v)),
            },
            "users" => user_nodes = Some(v),
            _ => problems.push(unknown_key(&at(k), &key, &TOP_KEYS)),
        }
    }
    let policy = match &policy_role {
        Some((s, _)) => s.clone(),
        None => {
            problems.push(
                Diagnostic::error(
                    Code::UsersInvalid,
                    "`policy_role:` がありません (政策担当の役割の名前、例: `policy_role: policy-staff`)",
                    "`policy_role:` is missing (the name of the policy staff's role, e.g. `policy_role: policy-staff`)",
                )
                .at(at(&root)),
            );
            String::new()
        }
    };
    let mut users: Vec<User> = Vec::new();
    match user_nodes.map(|n| (n, &n.value)) {
        None => problems.push(
            Diagnostic::error(
                Code::UsersInvalid,
                "`users:` がありません (利用者のリスト)",
                "`users:` is missing (the list of users)",
            )
            .at(at(&root)),
        ),
        Some((_, Value::Seq(items))) => {
            for item in items {
                if let Some(u) = user(item, &policy, &at, &mut problems) {
                    if users.iter().any(|o| o.name == u.name) {
                        problems.push(
                            Diagnostic::error(
                                Code::UsersInvalid,
                                format!("利用者 `{}` が2回書かれています", u.name),
                                format!("the user `{}` is listed twice", u.name),
                            )
                            .at(at(item)),
                        );
                    } else {
                        users.push(u);
                    }
                }
            }
        }
        Some((n, other)) => problems.push(
            Diagnostic::error(
                Code::UsersInvalid,
                format!(
                    "`users:` には利用者のリストが必要です ({} でした)",
                    other.kind()
                ),
                format!("`users:` needs a list of users (found {})", other.kind()),
            )
            .at(at(n)),
        ),
    }
    if problems.is_empty() {
        Ok(Users {
            policy_role: policy,
            users,
        })
    } else {
        Err(problems)
    }
}

fn user(
    item: &Node,
    policy: &str,
    at: &impl Fn(&Node) -> Location,
    problems: &mut Diagnostics,
) -> Option<User> {
    let Value::Map(pairs) = &item.value else {
        problems.push(
            Diagnostic::error(
                Code::UsersInvalid,
                format!(
                    "利用者は `user:` と `department:` (または `role:`) の対応表で書いてください ({} でした)",
                    item.value.kind()
                ),
                format!(
                    "a user is a mapping with `user:` and `department:` (or `role:`) (found {})",
                    item.value.kind()
                ),
            )
            .at(at(item)),
        );
        return None;
    };
    let before = problems.len();
    let (mut name, mut department, mut role) = (None, None, None);
    for (k, v) in pairs {
        let key = yaml::scalar_text(k);
        let slot = match key.as_str() {
            "user" => &mut name,
            "department" => &mut department,
            "role" => &mut role,
            _ => {
                problems.push(unknown_key(&at(k), &key, &USER_KEYS));
                continue;
            }
        };
        match non_empty(v) {
            Some(s) => *slot = Some((s, v)),
            None => problems.push(expected_text(&at(v), &key, v)),
        }
    }
    let Some((name, _)) = name else {
        if problems.len() == before {
            problems.push(
                Diagnostic::error(
                    Code::UsersInvalid,
                    "利用者に `user:` (プロキシが送る利用者名) がありません",
                    "a user has no `user:` (the name the proxy sends)",
                )
                .at(at(item)),
            );
        }
        return None;
    };
    let role = match (role, department) {
        (Some((r, _)), _) if !policy.is_empty() && r == policy => Role::Policy,
        (Some((r, node)), _) => {
            let mut d = Diagnostic::error(
                Code::UsersInvalid,
                format!("利用者 `{name}` の役割 `{r}` は知らない役割です (使えるのは `policy_role:` の `{policy}` だけです。部署の利用者には `role:` を書かず `department:` を書きます)"),
                format!("the role `{r}` of the user `{name}` is not known (the only role is `{policy}`, the `policy_role:`; a department user has `department:` and no `role:`)"),
            )
            .at(at(node));
            if did_you_mean(&r, [policy]).is_some() {
                d = d.help(
                    format!("`{policy}` のことですか?"),
                    format!("did you mean `{policy}`?"),
                );
            }
            problems.push(d);
            return None;
        }
        (None, Some((d, _))) => Role::Department(d),
        (None, None) if problems.len() > before => return None,
        (None, None) => {
            problems.push(
                Diagnostic::error(
                    Code::UsersInvalid,
                    format!("利用者 `{name}` に `department:` (部署名) も `role: {policy}` もありません"),
                    format!("the user `{name}` has neither `department:` (a department) nor `role: {policy}`"),
                )
                .at(at(item)),
            );
            return None;
        }
    };
    (problems.len() == before).then_some(User { name, role })
}

fn non_empty(node: &Node) -> Option<String> {
    match &node.value {
        Value::Str(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Int(_) | Value::Float(_) => Some(yaml::scalar_text(node)),
        _ => None,
    }
}

fn expected_text(location: &Location, key: &str, node: &Node) -> Diagnostic {
    Diagnostic::error(
        Code::UsersInvalid,
        format!(
            "`{key}` には空でない文字列が必要です ({} でした)",
            node.value.kind()
        ),
        format!(
            "`{key}` needs a non-empty string (found {})",
            node.value.kind()
        ),
    )
    .at(location.clone())
}

fn unknown_key(location: &Location, key: &str, known: &[&'static str]) -> Diagnostic {
    let list = known.join(", ");
    let d = Diagnostic::error(
        Code::UsersInvalid,
        format!("知らないキー `{key}` です (使えるのは {list})"),
        format!("unknown key `{key}` (expected one of {list})"),
    )
    .at(location.clone());
    match did_you_mean(key, known.iter().copied()) {
        Some(s) => d.help(
            format!("`{s}` のことですか?"),
            format!("did you mean `{s}`?"),
        ),
        None => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;

    #[test]
    fn reads_departments_and_the_policy_role() {
        let u = parse(
            "users.yaml",
            "policy_role: policy-staff\nusers:\n  - user: tanaka\n    department: 保育課\n  - user: sato\n    role: policy-staff\n",
        )
        .unwrap();
        assert_eq!(
            u.find("tanaka").unwrap().role,
            Role::Department("保育課".into())
        );
        assert_eq!(u.find("sato").unwrap().role, Role::Policy);
        assert!(u.find("Tanaka").is_none());
    }

    #[test]
    fn every_problem_is_located_with_a_suggestion() {
        let text = "policy_role: policy-staff\nuser:\n  - x\nusers:\n  - user: a\n    departmnt: 保育課\n  - user: b\n    role: policy-staf\n  - department: 保育課\n  - user: c\n    department: 税務課\n  - user: c\n    department: 税務課\n";
        let problems = parse("users.yaml", text).unwrap_err();
        let shown: Vec<String> = problems.iter().map(|d| d.render(Lang::Ja, false)).collect();
        let all = shown.join("\n");
        assert!(all.contains("users.yaml:2:1"), "{all}");
        assert!(all.contains("`users` のことですか"), "{all}");
        assert!(all.contains("users.yaml:6:5"), "{all}");
        assert!(all.contains("`department` のことですか"), "{all}");
        assert!(all.contains("users.yaml:8:11"), "{all}");
        assert!(all.contains("`policy-staff` のことですか"), "{all}");
        assert!(all.contains("`user:`"), "{all}");
        assert!(all.contains("2回"), "{all}");
        assert_eq!(problems.len(), 5, "{all}");
    }

    #[test]
    fn a_file_that_is_not_a_mapping_is_refused() {
        let e = parse("u.yaml", "- a\n").unwrap_err();
        assert!(e
            .iter()
            .next()
            .unwrap()
            .message(Lang::En)
            .contains("mapping"));
        let e = parse("u.yaml", "users: [\n").unwrap_err();
        assert!(e.iter().next().unwrap().place().is_some());
    }
}
