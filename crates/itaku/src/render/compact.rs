//! Compact JSON Lines (`itaku assess --format jsonl --compact`) and their expansion back to the full
//! form (`itaku expand`), byte for byte.
//!
//! The full form repeats every checklist item's bilingual texts and every reason's filled message for
//! each operation (about 10 KB an operation on the bundled catalog, 8 KB of it the checklist). The
//! compact form writes those texts once, in a **header record** on the first line, and each
//! assessment line refers to them:
//!
//! - header: `{"itaku_compact":1,"tool":…,"version":…,"rules":{"name","version","digest"},"lang":"ja",
//!   "rule_ids":[…],"items":[{"id","safeguard","item","mitigation","basis"}…],"messages":[{"key","text"}…],
//!   "methods":[{"id","basis"}…]}`;
//! - `checklist`: each item as `[item, severity, rule]`, the item an index into `items`, the rule an
//!   index into `rule_ids`;
//! - `top_risk`: the item id (or `null`);
//! - `methods`: each method as `[method id, fit, reasons, conditions]`, its basis from the header's `methods`;
//! - every reason (criteria `reasons`, `notes`, `exclusions[].reason`, `contradictions[].finding`,
//!   and each method's `reasons` and `conditions`):
//!   `[message index, arguments…]`, the message an index into `messages` (its template in the header's
//!   language), each argument a JSON string (a text), an integer, a number with a `.` or an exponent,
//!   or `{"num":"NaN"|"inf"|"-inf"}`.
//!
//! Every other field is written as in the full form, and [`expand`] copies every field it does not
//! know through unchanged, so the compact form keeps working when the assessment gains fields; a value
//! already in the full form (a reason as a string, a checklist item as an object) is kept as it is.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::sync::Arc;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::json::string_into;
use crate::diag::{Code, Diagnostic, Location, SourceFile};
use crate::lang::Lang;
use crate::rules::template::{fill, Template};
use crate::rules::{Arg, RuleSet, Safeguard};

/// The version of the compact form written in the header (`itaku_compact`).
pub const COMPACT_VERSION: u32 = 1;

#[derive(Serialize)]
struct HeaderOut<'a> {
    itaku_compact: u32,
    tool: &'static str,
    version: &'static str,
    rules: RulesOut<'a>,
    lang: Lang,
    rule_ids: Vec<&'a str>,
    items: Vec<ItemOut<'a>>,
    messages: Vec<MessageOut<'a>>,
    methods: Vec<MethodOut>,
}

#[derive(Serialize)]
struct MethodOut {
    id: &'static str,
    basis: &'static str,
}

#[derive(Serialize)]
struct RulesOut<'a> {
    name: &'a str,
    version: &'a str,
    digest: &'a str,
}

#[derive(Serialize)]
struct ItemOut<'a> {
    id: &'a str,
    safeguard: Safeguard,
    item: &'a str,
    mitigation: &'a str,
    basis: &'a str,
}

#[derive(Serialize)]
struct MessageOut<'a> {
    key: &'a str,
    text: &'a str,
}

/// The header record of a compact JSON Lines output for `rules` in `lang`, with its newline.
pub fn compact_header(rules: &RuleSet, lang: Lang) -> Vec<u8> {
    let header = HeaderOut {
        itaku_compact: COMPACT_VERSION,
        tool: "itaku",
        version: env!("CARGO_PKG_VERSION"),
        rules: RulesOut {
            name: &rules.manifest.name,
            version: &rules.manifest.version,
            digest: &rules.digest,
        },
        lang,
        rule_ids: rules.manifest.rules.iter().map(|r| r.id.as_str()).collect(),
        items: (rules.items.iter())
            .map(|it| ItemOut {
                id: &it.id,
                safeguard: it.safeguard,
                item: it.item.get(lang),
                mitigation: it.mitigation.get(lang),
                basis: it.basis.get(lang),
            })
            .collect(),
        messages: (rules.messages.iter())
            .map(|(key, text)| MessageOut {
                key,
                text: text.get(lang),
            })
            .collect(),
        methods: crate::method::Method::ALL
            .iter()
            .map(|m| MethodOut {
                id: m.id(),
                basis: m.basis_in(lang),
            })
            .collect(),
    };
    // Serialising strings and numbers to memory cannot fail.
    let mut out = serde_json::to_vec(&header).unwrap_or_default();
    out.push(b'\n');
    out
}

#[derive(Deserialize)]
struct HeaderIn {
    itaku_compact: u32,
    lang: Lang,
    rule_ids: Vec<Box<RawValue>>,
    items: Vec<ItemIn>,
    messages: Vec<MessageIn>,
    /// Each method's basis by id (absent in a header written before methods were compact).
    #[serde(default)]
    methods: Vec<MethodIn>,
}

#[derive(Deserialize)]
struct MethodIn {
    id: String,
    basis: Box<RawValue>,
}

#[derive(Deserialize)]
struct ItemIn {
    id: Box<RawValue>,
    safeguard: Box<RawValue>,
    item: Box<RawValue>,
    mitigation: Box<RawValue>,
    basis: Box<RawValue>,
}

#[derive(Deserialize)]
struct MessageIn {
    text: String,
}

/// What [`expand`] needs of the header: each item's finished JSON atoms by id, the rules' ids, the
/// message templates parsed.
struct Header {
    lang: Lang,
    rule_ids: Vec<Box<RawValue>>,
    items: Vec<ItemIn>,
    by_id: HashMap<String, usize>,
    templates: Vec<Template>,
    methods: HashMap<String, Box<RawValue>>,
}

/// Totals of an expansion.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpandSummary {
    /// Assessment lines written.
    pub lines: usize,
    /// Lines that could not be expanded (reported, not written).
    pub errors: usize,
}

/// A problem on one line: what is wrong (Japanese, English) and the column (1-based, characters).
struct LineError {
    ja: String,
    en: String,
    column: usize,
}

impl LineError {
    fn new(ja: impl Into<String>, en: impl Into<String>) -> Self {
        LineError {
            ja: ja.into(),
            en: en.into(),
            column: 1,
        }
    }

    fn json(e: &serde_json::Error, what_ja: &str, what_en: &str) -> Self {
        LineError {
            ja: format!("{what_ja}の JSON として読めません: {e}"),
            en: format!("{what_en} is not valid JSON: {e}"),
            column: e.column(),
        }
    }
}

/// Reads compact JSON Lines (named `path` in messages) from `input` and writes the full form to `out`:
/// byte for byte what `itaku assess --format jsonl` writes for the same catalog, rules and language.
/// A line that cannot be expanded goes to `on_problem` (located) and is left out; the others are
/// still written. A missing or unreadable header ends the expansion with one problem. Only I/O
/// errors are returned as errors.
pub fn expand(
    path: &str,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    on_problem: &mut dyn FnMut(Diagnostic),
) -> std::io::Result<ExpandSummary> {
    let mut summary = ExpandSummary::default();
    let mut line = Vec::new();
    let mut line_no = 0;
    let mut header: Option<Header> = None;
    let mut buf = Vec::with_capacity(64 << 10);
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        line_no += 1;
        let text = match std::str::from_utf8(&line) {
            Ok(t) => t.trim_end_matches(['\n', '\r']),
            Err(e) => {
                let column = String::from_utf8_lossy(&line[..e.valid_up_to()])
                    .chars()
                    .count()
                    + 1;
                let e = LineError {
                    ja: "UTF-8 として読めないバイトがあります".into(),
                    en: "bytes that are not valid UTF-8".into(),
                    column,
                };
                on_problem(located(path, line_no, "", e));
                summary.errors += 1;
                if header.is_none() {
                    return Ok(summary);
                }
                continue;
            }
        };
        let Some(h) = &header else {
            match read_header(text) {
                Ok(h) => header = Some(h),
                Err(e) => {
                    on_problem(located(path, line_no, text, e).help(
                        "1行目は `itaku assess --format jsonl --compact` が書くヘッダー (`{\"itaku_compact\":1,…}`) です",
                        "the first line is the header that `itaku assess --format jsonl --compact` writes (`{\"itaku_compact\":1,…}`)",
                    ));
                    summary.errors += 1;
                    return Ok(summary);
                }
            }
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        buf.clear();
        match expand_line(h, text, &mut buf) {
            Ok(()) => {
                buf.push(b'\n');
                out.write_all(&buf)?;
                summary.lines += 1;
            }
            Err(e) => {
                on_problem(located(path, line_no, text, e));
                summary.errors += 1;
            }
        }
    }
    if header.is_none() && summary.errors == 0 {
        on_problem(
            Diagnostic::error(
                Code::CompactInvalid,
                "ヘッダーがありません (空のファイル)",
                "no header record (the file is empty)",
            )
            .in_file(path),
        );
        summary.errors += 1;
    }
    Ok(summary)
}

fn located(path: &str, line: usize, text: &str, e: LineError) -> Diagnostic {
    let file = Arc::new(SourceFile::starting_at(path, text, line));
    Diagnostic::error(Code::CompactInvalid, e.ja, e.en).at(Location::new(&file, line, e.column, 1))
}

fn read_header(text: &str) -> Result<Header, LineError> {
    let h: HeaderIn = serde_json::from_str(text).map_err(|e| match e.is_data() {
        // Valid JSON, but not a header (a default `--format jsonl` line, say).
        true => LineError {
            ja: format!("1行目がコンパクト形式のヘッダーではありません: {e}"),
            en: format!("the first line is not a compact header: {e}"),
            column: e.column(),
        },
        false => LineError::json(&e, "ヘッダー", "the header"),
    })?;
    if h.itaku_compact != COMPACT_VERSION {
        return Err(LineError::new(
            format!(
                "コンパクト形式の版 {} には対応していません (対応: {COMPACT_VERSION})",
                h.itaku_compact
            ),
            format!(
                "compact format version {} is not supported (supported: {COMPACT_VERSION})",
                h.itaku_compact
            ),
        ));
    }
    let mut by_id = HashMap::with_capacity(h.items.len());
    for (i, item) in h.items.iter().enumerate() {
        let id: String = serde_json::from_str(item.id.get())
            .map_err(|e| LineError::json(&e, "項目の ID", "an item id"))?;
        by_id.insert(id, i);
    }
    let mut templates = Vec::with_capacity(h.messages.len());
    for m in &h.messages {
        templates.push(Template::parse(&m.text).map_err(|e| {
            LineError::new(
                format!("メッセージの差し込み {} が正しくありません", e.placeholder),
                format!("the placeholder {} of a message is broken", e.placeholder),
            )
        })?);
    }
    Ok(Header {
        lang: h.lang,
        rule_ids: h.rule_ids,
        items: h.items,
        by_id,
        templates,
        methods: h.methods.into_iter().map(|m| (m.id, m.basis)).collect(),
    })
}

/// A JSON object's members in their order, each value as its text.
struct Members<'a>(Vec<(std::borrow::Cow<'a, str>, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Members<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    out.push((key, map.next_value::<&'de RawValue>()?));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

fn parse<'a, T: Deserialize<'a>>(raw: &'a RawValue, ja: &str, en: &str) -> Result<T, LineError> {
    serde_json::from_str(raw.get()).map_err(|e| LineError::json(&e, ja, en))
}

/// Writes `members` as an object, each value through `value` (which writes it, expanded or as is).
fn write_object<'a>(
    out: &mut Vec<u8>,
    members: &Members<'a>,
    mut value: impl FnMut(&mut Vec<u8>, &str, &'a RawValue) -> Result<(), LineError>,
) -> Result<(), LineError> {
    out.push(b'{');
    for (n, (key, raw)) in members.0.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        string_into(out, key);
        out.push(b':');
        value(out, key, raw)?;
    }
    out.push(b'}');
    Ok(())
}

fn expand_line(h: &Header, text: &str, out: &mut Vec<u8>) -> Result<(), LineError> {
    let members: Members = serde_json::from_str(text)
        .map_err(|e| LineError::json(&e, "判定の行", "the assessment line"))?;
    write_object(out, &members, |out, key, raw| match key {
        "checklist" => {
            let items: Vec<&RawValue> = parse(raw, "checklist", "checklist")?;
            list(out, &items, |out, raw| checklist_item(h, out, raw))
        }
        "top_risk" => top_risk(h, out, raw),
        "notes" => reasons(h, out, raw),
        "methods" => {
            let entries: Vec<&RawValue> = parse(raw, key, key)?;
            list(out, &entries, |out, raw| method(h, out, raw))
        }
        "criteria" | "exclusions" | "contradictions" => {
            let entries: Vec<&RawValue> = parse(raw, key, key)?;
            list(out, &entries, |out, raw| {
                if !raw.get().starts_with('{') {
                    return copy(out, raw);
                }
                let members: Members = parse(raw, key, key)?;
                write_object(out, &members, |out, field, raw| match field {
                    "reasons" | "conditions" => reasons(h, out, raw),
                    "reason" | "finding" => reason(h, out, raw),
                    _ => copy(out, raw),
                })
            })
        }
        _ => copy(out, raw),
    })
}

/// A value copied as it is.
fn copy(out: &mut Vec<u8>, raw: &RawValue) -> Result<(), LineError> {
    out.extend_from_slice(raw.get().as_bytes());
    Ok(())
}

fn list<'a>(
    out: &mut Vec<u8>,
    values: &[&'a RawValue],
    mut each: impl FnMut(&mut Vec<u8>, &'a RawValue) -> Result<(), LineError>,
) -> Result<(), LineError> {
    out.push(b'[');
    for (n, v) in values.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        each(out, v)?;
    }
    out.push(b']');
    Ok(())
}

fn item<'h>(h: &'h Header, id: &str) -> Result<&'h ItemIn, LineError> {
    let found = h.by_id.get(id).map(|&i| &h.items[i]);
    found.ok_or_else(|| {
        LineError::new(
            format!("ヘッダーにない項目 {id:?} です"),
            format!("item {id:?} is not in the header"),
        )
    })
}

/// `[id, severity, rule]` → `{"id","safeguard","severity","item","mitigation","rule","basis"}`.
fn checklist_item(h: &Header, out: &mut Vec<u8>, raw: &RawValue) -> Result<(), LineError> {
    if !raw.get().starts_with('[') {
        out.extend_from_slice(raw.get().as_bytes());
        return Ok(());
    }
    let (id, severity, rule): (&RawValue, &RawValue, &RawValue) = parse(
        raw,
        "チェックリストの項目 [項目, 重大度, ルール]",
        "a checklist item [item, severity, rule]",
    )?;
    // The item by its index in the header's `items` (or, as written before, by its id).
    let it = match id.get().parse::<usize>() {
        Ok(i) => h.items.get(i).ok_or_else(|| {
            LineError::new(
                format!("ヘッダーにない項目番号 {i} です"),
                format!("item number {i} is not in the header"),
            )
        })?,
        Err(_) => item(h, &parse::<String>(id, "項目のID", "an item id")?)?,
    };
    let rule = match rule.get().parse::<usize>() {
        Ok(i) => h.rule_ids.get(i).map(|r| r.get()).ok_or_else(|| {
            LineError::new(
                format!("ヘッダーにないルール番号 {i} です"),
                format!("rule number {i} is not in the header"),
            )
        })?,
        Err(_) => rule.get(),
    };
    let parts: [(&[u8], &str); 7] = [
        (b"{\"id\":", it.id.get()),
        (b",\"safeguard\":", it.safeguard.get()),
        (b",\"severity\":", severity.get()),
        (b",\"item\":", it.item.get()),
        (b",\"mitigation\":", it.mitigation.get()),
        (b",\"rule\":", rule),
        (b",\"basis\":", it.basis.get()),
    ];
    for (key, value) in parts {
        out.extend_from_slice(key);
        out.extend_from_slice(value.as_bytes());
    }
    out.push(b'}');
    Ok(())
}

/// An item id → `{"id","safeguard","item"}`.
fn top_risk(h: &Header, out: &mut Vec<u8>, raw: &RawValue) -> Result<(), LineError> {
    if !raw.get().starts_with('"') {
        out.extend_from_slice(raw.get().as_bytes());
        return Ok(());
    }
    let id: String = parse(raw, "top_risk", "top_risk")?;
    let it = item(h, &id)?;
    for (key, value) in [
        (&b"{\"id\":"[..], it.id.get()),
        (b",\"safeguard\":", it.safeguard.get()),
        (b",\"item\":", it.item.get()),
    ] {
        out.extend_from_slice(key);
        out.extend_from_slice(value.as_bytes());
    }
    out.push(b'}');
    Ok(())
}

/// `[method id, fit, reasons, conditions]` → `{"method","fit","reasons","conditions","basis"}`, the basis
/// from the header; an object is expanded member by member.
fn method(h: &Header, out: &mut Vec<u8>, raw: &RawValue) -> Result<(), LineError> {
    if raw.get().starts_with('{') {
        let members: Members = parse(raw, "methods", "methods")?;
        return write_object(out, &members, |out, field, raw| match field {
            "reasons" | "conditions" => reasons(h, out, raw),
            _ => copy(out, raw),
        });
    }
    let parts: Vec<&RawValue> = parse(
        raw,
        "手法 [手法, 適合度, 理由, 条件]",
        "a method [method, fit, reasons, conditions]",
    )?;
    let [id, fit, why, conditions] = parts[..] else {
        return Err(LineError::new(
            format!("手法 {} は4つの要素のリストではありません", raw.get()),
            format!("the method {} is not a list of four elements", raw.get()),
        ));
    };
    let name: String = parse(id, "手法のID", "a method id")?;
    let basis = h.methods.get(&name).ok_or_else(|| {
        LineError::new(
            format!("ヘッダーにない手法 {name:?} です"),
            format!("method {name:?} is not in the header"),
        )
    })?;
    out.extend_from_slice(b"{\"method\":");
    out.extend_from_slice(id.get().as_bytes());
    out.extend_from_slice(b",\"fit\":");
    out.extend_from_slice(fit.get().as_bytes());
    out.extend_from_slice(b",\"reasons\":");
    reasons(h, out, why)?;
    out.extend_from_slice(b",\"conditions\":");
    reasons(h, out, conditions)?;
    out.extend_from_slice(b",\"basis\":");
    out.extend_from_slice(basis.get().as_bytes());
    out.push(b'}');
    Ok(())
}

fn reasons(h: &Header, out: &mut Vec<u8>, raw: &RawValue) -> Result<(), LineError> {
    let values: Vec<&RawValue> = parse(raw, "理由のリスト", "a list of reasons")?;
    list(out, &values, |out, raw| reason(h, out, raw))
}

/// `[message, arguments…]` → the message filled, as a JSON string.
fn reason(h: &Header, out: &mut Vec<u8>, raw: &RawValue) -> Result<(), LineError> {
    if !raw.get().starts_with('[') {
        out.extend_from_slice(raw.get().as_bytes());
        return Ok(());
    }
    let parts: Vec<&RawValue> = parse(
        raw,
        "理由 [メッセージ, 引数…]",
        "a reason [message, arguments…]",
    )?;
    let bad = || {
        LineError::new(
            format!(
                "理由 {} はメッセージ番号と引数のリストではありません",
                raw.get()
            ),
            format!(
                "the reason {} is not a message number followed by arguments",
                raw.get()
            ),
        )
    };
    let template = (parts.first())
        .and_then(|m| m.get().parse::<usize>().ok())
        .and_then(|m| h.templates.get(m))
        .ok_or_else(bad)?;
    let mut args = Vec::with_capacity(parts.len() - 1);
    for part in &parts[1..] {
        let text = part.get();
        let arg = if text.starts_with('"') {
            Arg::Text(parse(part, "引数", "an argument")?)
        } else if text.starts_with('{') {
            #[derive(Deserialize)]
            struct NonFinite {
                num: String,
            }
            let n: NonFinite = parse(part, "引数", "an argument")?;
            match n.num.as_str() {
                "NaN" => Arg::Num(f64::NAN),
                "inf" => Arg::Num(f64::INFINITY),
                "-inf" => Arg::Num(f64::NEG_INFINITY),
                _ => return Err(bad()),
            }
        } else if text.contains(['.', 'e', 'E']) {
            Arg::Num(text.parse().map_err(|_| bad())?)
        } else {
            Arg::Int(text.parse().map_err(|_| bad())?)
        };
        args.push(arg);
    }
    string_into(out, &fill(template, &args, h.lang));
    Ok(())
}
