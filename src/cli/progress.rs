//! Progress of a long run on standard error (indicatif): shown only when standard error is a terminal
//! and the run has lasted long enough to be worth a bar, never on a pipe or in a redirected log.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use itaku::Lang;

/// A run shorter than this never shows a bar (the bundled catalog takes 10 ms).
const SHOW_AFTER: Duration = Duration::from_millis(400);

pub struct Progress {
    bar: ProgressBar,
    start: Instant,
    /// Whether the bar is still to be shown: standard error is a terminal and it is not drawn yet. Read
    /// on every operation, so a plain flag rather than the bar's own (locked) state.
    pending: AtomicBool,
}

/// What is being counted.
pub enum Unit {
    Operations,
    Bytes,
}

impl Progress {
    /// A bar over `total` units (a spinner with a count when the total is unknown).
    pub fn new(total: Option<u64>, unit: Unit, lang: Lang) -> Self {
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::hidden());
        let what = match (&unit, lang) {
            (Unit::Operations, Lang::Ja) => "{human_pos}/{human_len} 件",
            (Unit::Operations, Lang::En) => "{human_pos}/{human_len} operations",
            (Unit::Bytes, _) => "{bytes}/{total_bytes}",
        };
        let (label, rate) = match lang {
            Lang::Ja => ("判定中", "残り {eta}"),
            Lang::En => ("assessing", "{eta} left"),
        };
        let template = match total {
            Some(_) => format!("{label} [{{bar:30}}] {what} ({rate})"),
            None => format!(
                "{label} {{spinner}} {}",
                match unit {
                    Unit::Operations => "{human_pos}",
                    Unit::Bytes => "{bytes}",
                }
            ),
        };
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style.progress_chars("=> "));
        }
        Self {
            bar,
            start: Instant::now(),
            pending: AtomicBool::new(std::io::stderr().is_terminal()),
        }
    }

    /// Counts `n` more units done, drawing the bar once the run has lasted [`SHOW_AFTER`].
    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
        if self.pending.load(Ordering::Relaxed)
            && self.start.elapsed() >= SHOW_AFTER
            && self.pending.swap(false, Ordering::Relaxed)
        {
            self.bar
                .set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
        }
    }

    /// Runs `f` (which prints to standard error) with the bar cleared, then redraws it.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    /// Removes the bar before the summary lines are printed.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
