//! The script API: one table of the functions a rule set gives its scripts, with their arities and what
//! their literal arguments name. The linter checks names against it (`lint.rs`), the compiler resolves
//! calls through it (`compile.rs`), `docs/rules.md` lists it, and a test holds it against what the
//! interpreter registers (`runtime.rs`), so the four cannot drift apart.

/// What a literal argument of the script API must name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// `param("…")`: a parameter of parameters.yaml.
    Parameter,
    /// The message key of `points/exclude/cap/note/contradiction`: a key of messages.yaml.
    Message,
    /// `flag("…", …)`: a risk item of items.yaml (not a standard clause).
    RiskItem,
    /// `clause("…")`: a standard clause of items.yaml.
    StandardClause,
    /// `op.<field>`, and the names passed to `missing/decisive/contradiction`: a field of an operation.
    Field,
    /// The severity of `flag` and `count_items`: high, medium or low.
    Severity,
    /// The criterion of `points` and `points_of`: C1..C5.
    Criterion,
    /// The level of `cap` and `recommend`.
    Recommendation,
    /// The method of `fit`, `condition` and `fit_of`: an id of `method.rs` (`consignment` …).
    Method,
}

/// What one argument position of a function names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A string naming something.
    Name(NameKind),
    /// A list of field names.
    Fields,
}

/// One function of the script API.
#[derive(Debug)]
pub struct Function {
    pub name: &'static str,
    /// The numbers of arguments it takes (a script's own function of the same name and another arity
    /// is the script's).
    pub arities: &'static [usize],
    /// Argument positions that name something.
    pub roles: &'static [(usize, Role)],
    /// What it does, for the rule reference (English; the reference is written for rule authors).
    pub doc: &'static str,
}

impl Function {
    /// The position of the message key, or of the checklist item, a call names, and whether it is a
    /// message (`true`) or an item (`false`).
    pub fn key(&self) -> Option<(usize, bool)> {
        self.roles.iter().find_map(|&(i, role)| match role {
            Role::Name(NameKind::Message) => Some((i, true)),
            Role::Name(NameKind::RiskItem | NameKind::StandardClause) => Some((i, false)),
            _ => None,
        })
    }
}

use NameKind as N;

const fn name(i: usize, kind: NameKind) -> (usize, Role) {
    (i, Role::Name(kind))
}

impl Function {
    /// The position of the list of message arguments, for a function that takes a message key.
    pub fn message_args_at(&self) -> Option<usize> {
        let (key, message) = self.key()?;
        let fields = self.roles.iter().any(|(_, r)| *r == Role::Fields);
        message.then_some(if fields { key + 2 } else { key + 1 })
    }
}

/// Every function the rule runtime registers for scripts, in the order of the reference.
pub const API: &[Function] = &[
    Function {
        name: "known",
        arities: &[1],
        roles: &[],
        doc: "`false` when the value is `()` (an unknown fact)",
    },
    Function {
        name: "param",
        arities: &[1],
        roles: &[name(0, N::Parameter)],
        doc: "the parameter's value in force on the `--as-of` date",
    },
    Function {
        name: "max_of",
        arities: &[1],
        roles: &[],
        doc: "the largest number of an array (0 when empty)",
    },
    Function {
        name: "sum_of",
        arities: &[1],
        roles: &[],
        doc: "the sum of an array of numbers",
    },
    Function {
        name: "mean_of",
        arities: &[1],
        roles: &[],
        doc: "the mean of an array of numbers",
    },
    Function {
        name: "to_num",
        arities: &[1],
        roles: &[],
        doc: "a number (integers become floats; `()` becomes 0)",
    },
    Function {
        name: "points",
        arities: &[3, 4],
        roles: &[name(0, N::Criterion), name(2, N::Message)],
        doc: "adds points to a criterion, with a reason",
    },
    Function {
        name: "points_of",
        arities: &[1],
        roles: &[name(0, N::Criterion)],
        doc: "a criterion's points so far (within 0..5)",
    },
    Function {
        name: "total_points",
        arities: &[0],
        roles: &[],
        doc: "the points of all criteria so far",
    },
    Function {
        name: "exclude",
        arities: &[1, 2],
        roles: &[name(0, N::Message)],
        doc: "the exclusion gate: the operation stays in-house",
    },
    Function {
        name: "cap",
        arities: &[2, 3],
        roles: &[name(0, N::Recommendation), name(1, N::Message)],
        doc: "limits how far the recommendation may go",
    },
    Function {
        name: "note",
        arities: &[1, 2],
        roles: &[name(0, N::Message)],
        doc: "explains the recommendation",
    },
    Function {
        name: "is_excluded",
        arities: &[0],
        roles: &[],
        doc: "whether a gate excluded the operation",
    },
    Function {
        name: "cap_level",
        arities: &[0],
        roles: &[],
        doc: "the tightest cap so far, or `()`",
    },
    Function {
        name: "flag",
        arities: &[2],
        roles: &[name(0, N::RiskItem), name(1, N::Severity)],
        doc: "raises a risk item of items.yaml with a severity",
    },
    Function {
        name: "clause",
        arities: &[1],
        roles: &[name(0, N::StandardClause)],
        doc: "lists a standard clause of items.yaml",
    },
    Function {
        name: "count_items",
        arities: &[1],
        roles: &[name(0, N::Severity)],
        doc: "risk items raised so far with a severity",
    },
    Function {
        name: "unmitigable_high",
        arities: &[0],
        roles: &[],
        doc: "high items raised so far that are marked `mitigable: false`",
    },
    Function {
        name: "missing",
        arities: &[1],
        roles: &[name(0, N::Field)],
        doc: "an unknown fact that would change this rule's result",
    },
    Function {
        name: "decisive",
        arities: &[1],
        roles: &[name(0, N::Field)],
        doc: "an unknown fact that decided the outcome",
    },
    Function {
        name: "contradiction",
        arities: &[2, 3],
        roles: &[name(0, N::Message), (1, Role::Fields)],
        doc: "facts that contradict each other (consistency rules)",
    },
    Function {
        name: "has_contradictions",
        arities: &[0],
        roles: &[],
        doc: "whether a consistency rule found a contradiction",
    },
    Function {
        name: "missing_count",
        arities: &[0],
        roles: &[],
        doc: "unknown facts reported so far",
    },
    Function {
        name: "recommend",
        arities: &[1],
        roles: &[name(0, N::Recommendation)],
        doc: "sets the recommendation (recommendation rule)",
    },
    Function {
        name: "free_fte",
        arities: &[1],
        roles: &[],
        doc: "staff time freed (within 0..`staff_fte`)",
    },
    Function {
        name: "proposal_call",
        arities: &[0],
        roles: &[],
        doc: "marks a candidate for a public call for proposals",
    },
    Function {
        name: "recommended",
        arities: &[0],
        roles: &[],
        doc: "the recommendation as it stands, with the cap, exclusion and contradictions applied, or `()` (method rules)",
    },
    Function {
        name: "item_severity",
        arities: &[1],
        roles: &[name(0, N::RiskItem)],
        doc: "the severity a risk item was raised with so far (`\"high\"` …), or `()`",
    },
    Function {
        name: "fit",
        arities: &[3, 4],
        roles: &[name(0, N::Method), name(2, N::Message)],
        doc: "adds points (negative: takes away) to how well a method fits, with a reason (method rules)",
    },
    Function {
        name: "fit_of",
        arities: &[1],
        roles: &[name(0, N::Method)],
        doc: "a method's points so far",
    },
    Function {
        name: "condition",
        arities: &[2, 3],
        roles: &[name(0, N::Method), name(1, N::Message)],
        doc: "what would have to be true for a method (method rules)",
    },
];

/// The function a call of `name` with `arity` arguments resolves to, if it is part of the API.
pub fn lookup(name: &str, arity: usize) -> Option<&'static Function> {
    API.iter()
        .find(|f| f.name == name && f.arities.contains(&arity))
}

/// The reference table of every function, for `docs/rules.md`.
pub fn reference_markdown() -> String {
    let mut s = String::from("| function | arguments | what it does |\n|---|---|---|\n");
    for f in API {
        let arities: Vec<String> = f.arities.iter().map(usize::to_string).collect();
        s.push_str(&format!(
            "| `{}` | {} | {} |\n",
            f.name,
            arities.join(" or "),
            f.doc
        ));
    }
    s
}
