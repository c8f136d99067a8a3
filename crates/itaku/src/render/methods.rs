//! The methods that fit, in words people read: one line per method (label, fit, reasons, conditions,
//! basis), shared by `explain`, the Markdown report and the HTML report so that they say the same thing.

use super::document::MethodDoc;
use crate::lang::Lang;
use crate::method::Method;

/// A method's label, from its id.
pub fn method_label(id: &str, lang: Lang) -> &'static str {
    Method::from_id(id).map_or("?", |m| m.label(lang))
}

/// "適合度 4/5" / "fit 4/5".
pub fn fit_text(fit: u8, lang: Lang) -> String {
    let max = crate::assess::MethodFit::MAX;
    match lang {
        Lang::Ja => format!("適合度 {fit}/{max}"),
        Lang::En => format!("fit {fit}/{max}"),
    }
}

/// One method in one line: `デジタル化・自動化 (適合度 4/5): 理由 … 条件: … (根拠: …)`.
pub fn method_line(m: &MethodDoc, lang: Lang) -> String {
    let sep = lang.pick("。", "; ");
    let mut s = format!(
        "{} ({})",
        method_label(m.method, lang),
        fit_text(m.fit, lang)
    );
    if !m.reasons.is_empty() {
        s.push_str(": ");
        s.push_str(&m.reasons.join(sep));
    }
    if !m.conditions.is_empty() {
        s.push_str(lang.pick(" — 条件: ", " — if: "));
        s.push_str(&m.conditions.join(sep));
    }
    s.push_str(&match lang {
        Lang::Ja => format!(" (根拠: {})", m.basis),
        Lang::En => format!(" (basis: {})", m.basis),
    });
    s
}

/// The heading of the methods' section.
pub fn methods_heading(lang: Lang) -> &'static str {
    lang.pick(
        "適した手法 (適合度の高い順)",
        "Methods that fit (best first)",
    )
}

/// The methods as an HTML table (the report's per-operation section and the web result page).
pub fn methods_html(methods: &[MethodDoc], lang: Lang) -> maud::Markup {
    maud::html! {
        table.methods {
            thead {
                tr {
                    th { (lang.pick("手法", "method")) } th { (lang.pick("適合度", "fit")) }
                    th { (lang.pick("理由", "reasons")) } th { (lang.pick("条件 (成り立つべきこと)", "conditions (what must be true)")) }
                    th { (lang.pick("根拠", "basis")) }
                }
            }
            tbody {
                @for m in methods {
                    tr data-method=(m.method) {
                        td { (method_label(m.method, lang)) }
                        td.num { (m.fit) "/" (crate::assess::MethodFit::MAX) }
                        td { @for (i, r) in m.reasons.iter().enumerate() { @if i > 0 { br; } (r) } }
                        td { @for (i, c) in m.conditions.iter().enumerate() { @if i > 0 { br; } (c) } }
                        td { (m.basis) }
                    }
                }
            }
        }
    }
}

/// The methods as a numbered list, for narrow pages (the web result page): no columns to scroll.
pub fn methods_list_html(methods: &[MethodDoc], lang: Lang) -> maud::Markup {
    maud::html! {
        ol.methods {
            @for m in methods {
                li data-method=(m.method) {
                    strong { (method_label(m.method, lang)) } " (" (fit_text(m.fit, lang)) ")"
                    @if !m.reasons.is_empty() {
                        ul.tight { @for r in &m.reasons { li { (r) } } }
                    }
                    @if !m.conditions.is_empty() {
                        (lang.pick("条件 (成り立つべきこと):", "Conditions (what must be true):"))
                        ul.tight { @for c in &m.conditions { li { (c) } } }
                    }
                    span.muted { (lang.pick("根拠: ", "Basis: ")) (m.basis) }
                }
            }
        }
    }
}
