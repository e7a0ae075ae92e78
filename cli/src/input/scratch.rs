//! A scratch directory for the spilled input, removed when dropped.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context;

/// A fresh directory under the system temporary directory (`TMPDIR`).
pub(crate) struct Scratch {
    dir: PathBuf,
    next: AtomicUsize,
}

impl Scratch {
    /// Creates it (`sla-<pid>-<n>`).
    pub(crate) fn new() -> anyhow::Result<Scratch> {
        static MADE: AtomicUsize = AtomicUsize::new(0);
        let n = MADE.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("sla-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating the scratch directory {}", dir.display()))?;
        Ok(Scratch {
            dir,
            next: AtomicUsize::new(0),
        })
    }

    /// A new file name in it.
    pub(crate) fn file(&self, what: &str) -> PathBuf {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        self.dir.join(format!("{what}-{n}"))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
