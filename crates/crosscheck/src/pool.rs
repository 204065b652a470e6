//! Running many independent jobs (TLS cells, BoGo tests) on a few threads
//! with one progress bar: every family's CLI run goes through here.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread;

use indicatif::{ProgressBar, ProgressStyle};

/// A progress bar counting `unit`s, or nothing when hidden.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub fn new(length: usize, unit: &str, shown: bool) -> Self {
        let bar = if shown {
            ProgressBar::new(length as u64)
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{bar:40}} {{pos}}/{{len}} {unit} {{elapsed}} {{msg}}"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Progress { bar }
    }

    /// One job done, named `label`.
    pub fn step(&self, label: &str) {
        self.bar.set_message(label.to_string());
        self.bar.inc(1);
    }

    /// A line printed above the bar.
    pub fn note(&self, line: &str) {
        self.bar.suspend(|| eprintln!("{line}"));
    }
}

/// `work` on every item, `jobs` at a time, results in the items' order;
/// `None` stands for a job whose worker died (a bug to report, not to lose).
pub fn run_all<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    progress: &Progress,
    work: impl Fn(&T, &Progress) -> R + Sync,
) -> Vec<Option<R>> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(index) else { break };
                    let result = work(item, progress);
                    results.lock().unwrap_or_else(PoisonError::into_inner)[index] = Some(result);
                }
            });
        }
    });
    progress.bar.finish_and_clear();
    results.into_inner().unwrap_or_else(PoisonError::into_inner)
}
