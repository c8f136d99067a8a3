//! The only module that touches YAML libraries.
//!
//! * [`parse_nodes`] reads a catalog document into a tree of [`Node`]s that remember their line and column
//!   (yaml-rust2's event parser), so that every problem can be located — serde_yaml only locates the first.
//! * [`from_str`] deserialises rule files (manifest, parameters, items, test cases) into typed structs.
//! * [`to_string`] serialises output (`--format yaml`).
//!
//! Swapping the YAML implementation means changing this file only.

use serde::de::DeserializeOwned;
use serde::Serialize;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Deepest nesting accepted in a catalog (a catalog needs 4 levels).
pub const MAX_DEPTH: usize = 32;

/// A position in a document: 1-based line and column (column in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// A YAML (or JSON) value with the place it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
    /// Length in characters of the scalar as written (for underlining); 1 for collections.
    pub len: usize,
    /// The text as written, for a plain scalar read as a number whose usual spelling differs
    /// (`007`, `0o17`, `0x1F`, `1.50`): a text field keeps it exactly.
    pub raw: Option<Box<str>>,
}

impl Node {
    /// The scalar as it was written, where that differs from how its value would be spelt.
    pub fn source_text(&self) -> Option<&str> {
        self.raw.as_deref()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// A short name of the value's type, for "expected X, found Y" messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "list",
            Value::Map(_) => "mapping",
        }
    }
}

/// A YAML syntax (or structure) error with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

/// Parses one YAML document into a located tree.
///
/// Aliases are rejected (a catalog never needs them, and they are how "billion laughs" bombs work), and
/// nesting deeper than [`MAX_DEPTH`] is rejected, so the tree is never larger than the text.
pub fn parse_nodes(text: &str) -> Result<Option<Node>, SyntaxError> {
    parse_events(Parser::new_from_str(text), 0)
}

/// [`parse_nodes`] of `prefix` followed by `text`, with every line number moved on by `line_shift`: a
/// part of a file can be parsed in the context of its first lines, with the lines of the whole file.
///
/// The two are copied into one text first: the scanner pulls every character through the input
/// iterator, and a chained iterator tests which half it is in at each of them, which cost more than
/// the copy (one chunk of a file at a time).
pub fn parse_nodes_after(
    prefix: &str,
    text: &str,
    line_shift: usize,
) -> Result<Option<Node>, SyntaxError> {
    let mut joined = String::with_capacity(prefix.len() + text.len());
    joined.push_str(prefix);
    joined.push_str(text);
    parse_events(Parser::new_from_str(&joined), line_shift)
}

fn parse_events<I: Iterator<Item = char>>(
    mut parser: Parser<I>,
    line_shift: usize,
) -> Result<Option<Node>, SyntaxError> {
    let mut builder = TreeBuilder {
        line_shift,
        ..TreeBuilder::default()
    };
    // Events are pulled one at a time rather than with `Parser::load`, which recurses once per nesting
    // level and so overflows the stack on a deeply nested document before MAX_DEPTH can refuse it.
    // Parsing stops at the first problem.
    loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => break,
            Ok((ev, mark)) => {
                builder.on_event(ev, mark);
                if let Some(err) = builder.error.take() {
                    return Err(err);
                }
            }
            Err(e) => {
                return Err(SyntaxError {
                    pos: shifted(pos_of(e.marker()), line_shift),
                    message: e.info().to_string(),
                })
            }
        }
    }
    Ok(builder.root)
}

fn pos_of(m: &Marker) -> Pos {
    // yaml-rust2 counts lines from 1 and columns from 0.
    Pos {
        line: m.line().max(1),
        column: m.col() + 1,
    }
}

fn shifted(pos: Pos, line_shift: usize) -> Pos {
    Pos {
        line: pos.line + line_shift,
        column: pos.column,
    }
}

enum Open {
    Seq(Pos, Vec<Node>),
    Map(Pos, Vec<(Node, Node)>, Option<Node>),
}

#[derive(Default)]
struct TreeBuilder {
    stack: Vec<Open>,
    root: Option<Node>,
    error: Option<SyntaxError>,
    documents: usize,
    /// Added to every line number (see [`parse_nodes_after`]).
    line_shift: usize,
}

impl TreeBuilder {
    fn fail(&mut self, pos: Pos, message: &str) {
        if self.error.is_none() {
            self.error = Some(SyntaxError {
                pos,
                message: message.to_string(),
            });
        }
    }

    fn finish(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open::Seq(_, items)) => items.push(node),
            Some(Open::Map(_, entries, key)) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }
}

impl MarkedEventReceiver for TreeBuilder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let pos = shifted(pos_of(&mark), self.line_shift);
        match ev {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    self.fail(
                        pos,
                        "only one YAML document per file is supported (found a second `---`)",
                    );
                }
            }
            Event::Alias(_) => {
                self.fail(
                    pos,
                    "aliases (*name) are not allowed in a catalog: write the values out",
                );
            }
            Event::Scalar(text, style, _, tag) => {
                let len = text.chars().count().max(1);
                let forced_str = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let (value, raw) = if style == TScalarStyle::Plain && !forced_str {
                    match resolve_plain(&text) {
                        // Plain text (every key among them) keeps the parser's string.
                        None => (Value::Str(text), None),
                        Some(value) => {
                            let respelt = match &value {
                                Value::Int(i) => itoa::Buffer::new().format(*i) != text,
                                Value::Float(f) => f.to_string() != text,
                                _ => false,
                            };
                            (value, respelt.then(|| text.into_boxed_str()))
                        }
                    }
                } else {
                    (Value::Str(text), None)
                };
                self.finish(Node {
                    value,
                    pos,
                    len,
                    raw,
                });
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(pos, "the document is nested too deeply");
                    return;
                }
                if matches!(ev, Event::SequenceStart(..)) {
                    self.stack.push(Open::Seq(pos, Vec::new()));
                } else {
                    self.stack.push(Open::Map(pos, Vec::new(), None));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Open::Seq(pos, items)) => Node {
                        value: Value::Seq(items),
                        pos,
                        len: 1,
                        raw: None,
                    },
                    Some(Open::Map(pos, entries, _)) => Node {
                        value: Value::Map(entries),
                        pos,
                        len: 1,
                        raw: None,
                    },
                    None => return,
                };
                self.finish(node);
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }
}

/// YAML 1.2 core schema resolution of a plain (unquoted) scalar: `None` when it is a string.
fn resolve_plain(text: &str) -> Option<Value> {
    // Every key and most values are words: a scalar that starts with none of the characters a null,
    // a boolean or a number can start with is a string (tested against `resolve_any`).
    if !may_resolve(text) {
        return None;
    }
    resolve_any(text)
}

/// Whether `text` starts with a character that a null, a boolean or a number can start with.
fn may_resolve(text: &str) -> bool {
    let first = text.as_bytes().first().copied().unwrap_or(b'0');
    first.is_ascii_digit() || b"~nNtTfF.+-".contains(&first)
}

/// [`resolve_plain`] without its quick test.
fn resolve_any(text: &str) -> Option<Value> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        ".nan" | ".NaN" | ".NAN" => return Some(Value::Float(f64::NAN)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some(Value::Float(f64::INFINITY))
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some(Value::Float(f64::NEG_INFINITY)),
        _ => {}
    }
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(i) = text.parse::<i64>() {
            return Some(Value::Int(i));
        }
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if let Ok(i) = i64::from_str_radix(hex, 16) {
            return Some(Value::Int(i));
        }
    }
    if let Some(oct) = text.strip_prefix("0o") {
        if let Ok(i) = i64::from_str_radix(oct, 8) {
            return Some(Value::Int(i));
        }
    }
    let looks_numeric = body.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    if looks_numeric {
        if let Ok(f) = text.parse::<f64>() {
            return Some(Value::Float(f));
        }
    }
    None
}

/// Converts a JSON value (one JSON Lines record) into the same located tree, all at `pos`.
pub fn node_from_json(value: serde_json::Value, pos: Pos) -> Node {
    let value = match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::Str(s),
        serde_json::Value::Array(items) => {
            Value::Seq(items.into_iter().map(|v| node_from_json(v, pos)).collect())
        }
        serde_json::Value::Object(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| {
                    (
                        Node {
                            len: k.chars().count(),
                            value: Value::Str(k),
                            pos,
                            raw: None,
                        },
                        node_from_json(v, pos),
                    )
                })
                .collect(),
        ),
    };
    Node {
        value,
        pos,
        len: 1,
        raw: None,
    }
}

/// Converts a located tree back into plain JSON (rule test cases read their YAML located, then hand
/// parts of it to serde). A non-finite number becomes null.
pub fn node_to_json(node: &Node) -> serde_json::Value {
    match &node.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        Value::Str(s) => serde_json::Value::String(s.clone()),
        Value::Seq(items) => serde_json::Value::Array(items.iter().map(node_to_json).collect()),
        Value::Map(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|(k, v)| (scalar_text(k), node_to_json(v)))
                .collect(),
        ),
    }
}

/// A scalar as text (`1` for the integer 1): map keys, names.
pub fn scalar_text(node: &Node) -> String {
    match &node.value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Str(s) => s.clone(),
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
}

/// Error from typed deserialisation of a rule file, with its position when known.
#[derive(Debug, Clone)]
pub struct TypedError {
    pub pos: Option<Pos>,
    pub message: String,
}

/// Deserialises a rule file (manifest, parameters, items, test cases) into a typed value.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, TypedError> {
    serde_yaml::from_str(text).map_err(|e| TypedError {
        pos: e.location().map(|l| Pos {
            line: l.line(),
            column: l.column(),
        }),
        message: strip_location(&e.to_string()),
    })
}

fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Serialises output as YAML.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, String> {
    serde_yaml::to_string(value).map_err(|e| e.to_string())
}

/// A value of a catalog entry, as the one writer of catalog entries ([`write_entry`]) puts it in a file.
#[derive(Debug, Clone, PartialEq)]
pub enum EntryValue {
    /// A string, written double-quoted (JSON's quoting is valid YAML, and no text is read as a number).
    Text(String),
    Bool(bool),
    Int(i64),
    Num(f64),
    /// A list of strings, written as a flow sequence.
    List(Vec<String>),
    /// A list of numbers (`monthly_load`).
    Numbers(Vec<f64>),
    /// Text already in YAML form (a value the questionnaire could not type, kept for the loader to
    /// report with its usual message).
    Raw(String),
}

/// Indentation of an entry's list item (`  - id: …`), that of the bundled catalog.
pub const ITEM_INDENT: &str = "  ";

/// A double-quoted YAML scalar.
pub fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn number(n: f64) -> String {
    // `Display` gives the shortest text that reads back as the same number (0.85, 12, 1e-7).
    format!("{n}")
}

impl EntryValue {
    fn text(&self) -> String {
        match self {
            EntryValue::Text(s) => quoted(s),
            EntryValue::Bool(b) => b.to_string(),
            EntryValue::Int(i) => i.to_string(),
            EntryValue::Num(n) => number(*n),
            EntryValue::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(|i| quoted(i))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            EntryValue::Numbers(ns) => format!(
                "[{}]",
                ns.iter().map(|n| number(*n)).collect::<Vec<_>>().join(", ")
            ),
            EntryValue::Raw(s) => s.clone(),
        }
    }
}

/// One catalog entry as the bundled catalog lays it out: `  - first: …` then `    other: …`, one field a
/// line, in the order given. Every writer of catalog entries (the questionnaire, `itaku import`) writes
/// through here.
pub fn write_entry<'a>(fields: impl IntoIterator<Item = (&'a str, EntryValue)>) -> String {
    let mut text = String::new();
    for (i, (name, value)) in fields.into_iter().enumerate() {
        let lead = if i == 0 { "- " } else { "  " };
        text.push_str(&format!("{ITEM_INDENT}{lead}{name}: {}\n", value.text()));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_resolve_like_yaml_1_2() {
        let doc = parse_nodes("a: 1\nb: '1'\nc: 0.5\nd: true\ne: ~\nf: hello\ng: -3\nh: .nan\n")
            .unwrap()
            .unwrap();
        let Value::Map(entries) = doc.value else {
            panic!("not a map")
        };
        let values: Vec<_> = entries.into_iter().map(|(_, v)| v.value).collect();
        assert_eq!(values[0], Value::Int(1));
        assert_eq!(values[1], Value::Str("1".into()));
        assert_eq!(values[2], Value::Float(0.5));
        assert_eq!(values[3], Value::Bool(true));
        assert_eq!(values[4], Value::Null);
        assert_eq!(values[5], Value::Str("hello".into()));
        assert_eq!(values[6], Value::Int(-3));
        assert!(matches!(values[7], Value::Float(f) if f.is_nan()));
    }

    #[test]
    fn only_scalars_starting_like_a_null_a_boolean_or_a_number_resolve() {
        // The quick test of `resolve_plain` must never turn away a scalar that the full resolution
        // reads as something other than a string.
        let spellings = [
            "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE",
            ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "-.inf", "-.INF", "0", "7",
            "-3", "+4", "007", "0x1F", "0o17", "1.50", ".5", "-.5", "+1e3", "1e-7", "9e999",
            "hello", "名前", "_x", "é", " 1", "nul", "yes", "x1",
        ];
        let rests = [
            "", "1", ".5", "inf", "ull", "rue", "alse", "x1F", "o7", "e3", ".inf",
        ];
        let prefixed = (0..=0x7f_u8)
            .map(char::from)
            .flat_map(|c| rests.iter().map(move |rest| format!("{c}{rest}")));
        for text in spellings.iter().map(|s| s.to_string()).chain(prefixed) {
            if resolve_any(&text).is_some() {
                assert!(may_resolve(&text), "{text:?}");
            }
            assert_eq!(
                format!("{:?}", resolve_plain(&text)),
                format!("{:?}", resolve_any(&text)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn numbers_keep_their_spelling() {
        let doc = parse_nodes("a: [007, 0o17, 0x1F, 7, 1.50]\n")
            .unwrap()
            .unwrap();
        let Value::Map(top) = doc.value else { panic!() };
        let Value::Seq(items) = &top[0].1.value else {
            panic!()
        };
        let raw: Vec<_> = items.iter().map(Node::source_text).collect();
        assert_eq!(
            raw,
            [Some("007"), Some("0o17"), Some("0x1F"), None, Some("1.50")]
        );
        assert_eq!(items[1].value, Value::Int(15));
    }

    #[test]
    fn positions_are_one_based() {
        let doc = parse_nodes("operations:\n  - id: x\n    name: 住民税\n")
            .unwrap()
            .unwrap();
        let Value::Map(top) = doc.value else { panic!() };
        let Value::Seq(ops) = &top[0].1.value else {
            panic!()
        };
        let Value::Map(fields) = &ops[0].value else {
            panic!()
        };
        assert_eq!(fields[1].0.pos, Pos { line: 3, column: 5 });
        assert_eq!(
            fields[1].1.pos,
            Pos {
                line: 3,
                column: 11
            }
        );
    }

    #[test]
    fn aliases_are_rejected_with_position() {
        let err = parse_nodes("a: &x [1, 2]\nb: *x\n").unwrap_err();
        assert_eq!(err.pos.line, 2);
        assert!(err.message.contains("alias"));
    }

    #[test]
    fn syntax_errors_are_located() {
        let err = parse_nodes("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.pos.line >= 1, "{err:?}");
    }
}
