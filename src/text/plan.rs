//! `itaku plan --format table`: each section of a [`PlanView`] as a titled table fitted to the terminal;
//! a section too wide for it even with its texts wrapped is written as one block per row instead
//! (`header: value` lines), so nothing is cut.

use itaku::render::plan::{PlanView, Section};
use unicode_width::UnicodeWidthStr;

use super::{cell, fitted, wrap_text};

/// The view as text: title, the line of what it was made from, then each section.
pub fn plan_table(view: &PlanView, width: Option<usize>) -> String {
    let line_width = width.unwrap_or(100);
    let mut out = String::new();
    let para = |out: &mut String, text: &str| {
        out.push_str(&wrap_text(&itaku::diag::printable(text), line_width));
        out.push('\n');
    };
    para(&mut out, &view.title);
    para(&mut out, &view.meta);
    if let Some(i) = &view.illustrative {
        para(&mut out, i);
    }
    for s in &view.sections {
        out.push('\n');
        para(&mut out, &format!("■ {}", s.title));
        for line in &s.intro {
            para(&mut out, line);
        }
        if s.rows.is_empty() {
            para(&mut out, &s.empty);
            continue;
        }
        let table = table(s, width);
        let fits = width.is_none_or(|w| table.lines().all(|l| l.width() <= w));
        if fits {
            out.push_str(&table);
            out.push('\n');
        } else {
            stacked(&mut out, s, line_width);
        }
    }
    out
}

fn table(s: &Section, width: Option<usize>) -> String {
    let mut rows = vec![s.header.iter().map(|h| cell(h)).collect::<Vec<_>>()];
    rows.extend(s.rows.iter().map(|r| {
        r.iter()
            .enumerate()
            .map(|(c, v)| cell(&s.shown(c, v)))
            .collect()
    }));
    let flexible: Vec<usize> = (0..s.header.len())
        .filter(|c| !s.numeric.contains(c))
        .collect();
    fitted(rows, width, &flexible)
}

/// One block a row: the first cell as its heading, then `header: value` for the others that say something.
fn stacked(out: &mut String, s: &Section, width: usize) {
    for row in &s.rows {
        let mut cells = row.iter().enumerate();
        if let Some((c, first)) = cells.next() {
            out.push_str(&wrap_text(
                &format!("・{}", itaku::diag::printable(&s.shown(c, first))),
                width,
            ));
            out.push('\n');
        }
        for (c, value) in cells {
            if value.is_empty() {
                continue;
            }
            let header = s.header.get(c).map_or("", String::as_str);
            let line = format!("    {header}: {}", s.shown(c, value));
            out.push_str(&wrap_text(&itaku::diag::printable(&line), width));
            out.push('\n');
        }
    }
}
