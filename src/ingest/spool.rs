//! The spool directory: files other tools drop in are ingested, then moved to `done/`; a
//! file that cannot be read or decoded moves to `rejected/`, next to a `.reason` file.
//! Nothing is ever deleted. A file leaves the spool only after the ledger transaction
//! that stored it has committed, so a crash mid-ingest leaves it in place, and the next
//! start ingests it again (or finds it already stored, by its hash) and moves it on.
//!
//! Files are found by inotify events and by a scan at start and every `scan_interval`. A
//! file renamed into the directory is complete; any other is taken once its size and
//! modification time have stayed the same for `settle`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use chrono::Utc;
use tokio::sync::{Notify, mpsc, watch};

use super::decode::{Kind, decode};
use super::{Ingester, ingest_text, with_store};
use crate::config::{Config, Spool};
use crate::store::Store;

pub const DONE: &str = "done";
pub const REJECTED: &str = "rejected";

/// Whether a file in the spool can be taken now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ready,
    /// Look again at this time.
    WaitUntil(Instant),
    /// It is no longer there.
    Gone,
}

#[derive(Debug, Clone, Copy)]
struct Seen {
    size: u64,
    modified: SystemTime,
    since: Instant,
    renamed_in: bool,
}

/// Decides when a file being written is complete. Pure: given the file's size and time
/// and the current time, it never reads a clock itself.
#[derive(Debug)]
pub struct Settler {
    settle: Duration,
    seen: HashMap<PathBuf, Seen>,
}

impl Settler {
    pub fn new(settle: Duration) -> Settler {
        Settler { settle, seen: HashMap::new() }
    }

    /// The file was renamed into the directory: it is complete.
    pub fn renamed_in(&mut self, path: &Path, now: Instant) {
        let seen = Seen { size: 0, modified: SystemTime::UNIX_EPOCH, since: now, renamed_in: true };
        self.seen.insert(path.to_owned(), seen);
    }

    /// Looks at a file: `stat` is its size and modification time (`None` when it is gone),
    /// `wall` the current wall-clock time.
    pub fn observe(&mut self, path: &Path, stat: Option<(u64, SystemTime)>, now: Instant, wall: SystemTime) -> Verdict {
        let Some((size, modified)) = stat else {
            self.seen.remove(path);
            return Verdict::Gone;
        };
        let untouched = wall.duration_since(modified).unwrap_or_default() >= self.settle;
        match self.seen.get_mut(path) {
            Some(s) if s.renamed_in => Verdict::Ready,
            Some(s) if s.size == size && s.modified == modified => {
                if untouched || now.duration_since(s.since) >= self.settle {
                    Verdict::Ready
                } else {
                    Verdict::WaitUntil(s.since + self.settle)
                }
            }
            _ if untouched => Verdict::Ready,
            _ => {
                self.seen.insert(path.to_owned(), Seen { size, modified, since: now, renamed_in: false });
                Verdict::WaitUntil(now + self.settle)
            }
        }
    }

    /// Done with a file (taken or moved away).
    pub fn forget(&mut self, path: &Path) {
        self.seen.remove(path);
    }

    pub fn pending(&self) -> Vec<PathBuf> {
        self.seen.keys().cloned().collect()
    }

    /// When the earliest file being watched is due for another look.
    pub fn next_check(&self) -> Option<Instant> {
        self.seen.values().map(|s| if s.renamed_in { s.since } else { s.since + self.settle }).min()
    }
}

/// Names that are being written or are not articles: hidden files, editor and download
/// temporaries, and our own `.reason` files.
pub fn ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || [".tmp", ".part", ".partial", ".swp", ".crdownload", ".reason"].iter().any(|s| name.ends_with(s))
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    Ingested {
        moved_to: PathBuf,
        summary: String,
    },
    Rejected {
        moved_to: PathBuf,
        reason: String,
    },
    /// It vanished before it could be read.
    Vanished,
}

/// Ingests one file of the spool and moves it on. An error is a ledger or file-system
/// failure: the file stays where it is and is tried again at the next scan.
pub fn take(
    store: &mut Store,
    config: &Config,
    ingester: &Ingester,
    spool: &Spool,
    path: &Path,
) -> Result<Taken, String> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Taken::Vanished),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let decoded = if meta.len() > spool.max_bytes {
        Err(format!("{name}: {} bytes, larger than the {}-byte limit ([spool] max_bytes)", meta.len(), spool.max_bytes))
    } else if let Some(kind) = Kind::of_path(path) {
        match std::fs::read(path) {
            Ok(bytes) => decode(&name, kind, bytes, usize::try_from(spool.max_bytes).unwrap_or(usize::MAX), None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Taken::Vanished),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        }
    } else {
        Err(format!("{name}: not an article type sanctiond reads; give .txt, .md, .html or .json"))
    };
    match decoded {
        Err(reason) => {
            let dir = spool.dir.join(REJECTED);
            let moved_to = free_name(&dir, &name);
            let reason_file =
                dir.join(format!("{}.reason", moved_to.file_name().unwrap_or_default().to_string_lossy()));
            // The reason first: a crash between the two leaves the file in the spool, to be
            // rejected again, never a rejected file without its reason.
            std::fs::write(&reason_file, format!("{}: {reason}\n", Utc::now().to_rfc3339()))
                .map_err(|e| format!("{}: {e}", reason_file.display()))?;
            std::fs::rename(path, &moved_to).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(Taken::Rejected { moved_to, reason })
        }
        Ok(d) => {
            let report = ingest_text(store, ingester, config, &path.display().to_string(), &d, Utc::now())
                .map_err(|e| e.to_string())?;
            let moved_to = free_name(&spool.dir.join(DONE), &name);
            std::fs::rename(path, &moved_to).map_err(|e| format!("{}: {e}", path.display()))?;
            let summary = if report.duplicate {
                format!("already stored as article {}", report.article)
            } else {
                format!(
                    "article {}: {} deadlines added, {} merged, {} moved, {} talks",
                    report.article,
                    report.added.len(),
                    report.merged.len(),
                    report.moved.len(),
                    report.talks_added.len() + report.talks_merged.len()
                )
            };
            Ok(Taken::Ingested { moved_to, summary })
        }
    }
}

/// `dir/name`, or `dir/stem.2.ext` and so on when that is taken.
fn free_name(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    (2..).map(|n| dir.join(format!("{stem}.{n}{ext}"))).find(|p| !p.exists()).unwrap_or(first)
}

/// Creates the spool directory with its `done/` and `rejected/`; the daemon does this
/// before it reports ready, so a directory it cannot use stops the start.
pub fn create_dirs(spool: &Spool) -> Result<(), (PathBuf, std::io::Error)> {
    for dir in [spool.dir.clone(), spool.dir.join(DONE), spool.dir.join(REJECTED)] {
        std::fs::create_dir_all(&dir).map_err(|e| (dir, e))?;
    }
    Ok(())
}

/// What the spool task needs from the daemon.
#[derive(Debug)]
pub struct SpoolContext {
    pub spool: Spool,
    pub ledger: PathBuf,
    /// The config in force; a reload sends a new one.
    pub config: watch::Receiver<Arc<Config>>,
    /// Told after each ingest, so the timer sends notices and plans at once.
    pub changed: Arc<Notify>,
}

/// Watches the spool until `shutdown` turns true.
pub async fn run(ctx: SpoolContext, mut shutdown: watch::Receiver<bool>) -> Result<(), String> {
    let SpoolContext { spool, ledger, mut config, changed } = ctx;
    let store = Arc::new(Mutex::new(Store::open(&ledger).map_err(|e| e.to_string())?));
    let (tx, mut events) = mpsc::unbounded_channel::<(PathBuf, bool)>();
    let watcher = watch_dir(&spool.dir, tx);
    if let Err(e) = &watcher {
        tracing::warn!(dir = %spool.dir.display(), error = %e, "no inotify on the spool; scanning every {:?} only", spool.scan_interval);
    }
    tracing::info!(dir = %spool.dir.display(), "watching the spool directory");
    let mut settler = Settler::new(spool.settle);
    let mut scan = tokio::time::interval(spool.scan_interval);
    let mut current: Option<(Arc<Config>, Arc<Ingester>)> = None;
    loop {
        let next = settler.next_check().map(tokio::time::Instant::from_std);
        let mut ready: Vec<PathBuf> = Vec::new();
        tokio::select! {
            _ = scan.tick() => {
                for path in list(&spool.dir) {
                    if settle_one(&mut settler, &path) == Verdict::Ready {
                        ready.push(path);
                    }
                }
            }
            Some((path, renamed)) = events.recv() => {
                if renamed {
                    settler.renamed_in(&path, Instant::now());
                }
                if settle_one(&mut settler, &path) == Verdict::Ready {
                    ready.push(path);
                }
            }
            () = async { match next { Some(t) => tokio::time::sleep_until(t).await, None => std::future::pending().await } } => {
                for path in settler.pending() {
                    if settle_one(&mut settler, &path) == Verdict::Ready {
                        ready.push(path);
                    }
                }
            }
            _ = shutdown.changed() => return Ok(()),
        }
        ready.sort();
        ready.dedup();
        for path in ready {
            settler.forget(&path);
            let config = Arc::clone(&config.borrow_and_update());
            let ingester = match &current {
                Some((c, i)) if Arc::ptr_eq(c, &config) => Arc::clone(i),
                _ => {
                    let i = Arc::new(Ingester::new(&config));
                    current = Some((Arc::clone(&config), Arc::clone(&i)));
                    i
                }
            };
            let (spool, file) = (spool.clone(), path.clone());
            let taken = with_store(&store, move |s| Ok(take(s, &config, &ingester, &spool, &file))).await;
            log_taken(&path, taken.and_then(|t| t));
            changed.notify_one();
            if *shutdown.borrow() {
                return Ok(());
            }
        }
    }
}

fn settle_one(settler: &mut Settler, path: &Path) -> Verdict {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let stat = std::fs::metadata(path).ok().filter(|m| m.is_file() && !ignored(&name)).map(|m| {
        let modified = m.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        (m.len(), modified)
    });
    settler.observe(path, stat, Instant::now(), SystemTime::now())
}

/// The files directly in `dir`, oldest name first.
fn list(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

fn watch_dir(dir: &Path, tx: mpsc::UnboundedSender<(PathBuf, bool)>) -> notify::Result<notify::RecommendedWatcher> {
    use notify::event::{EventKind, ModifyKind, RenameMode};
    use notify::{RecursiveMode, Watcher as _};
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let renamed = matches!(event.kind, EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both)));
        let interesting =
            renamed || matches!(event.kind, EventKind::Create(_) | EventKind::Modify(_) | EventKind::Access(_));
        if !interesting {
            return;
        }
        // For a rename inside the directory the new name is the last path.
        let paths = if renamed { event.paths.last().cloned().into_iter().collect() } else { event.paths };
        for path in paths {
            let _ = tx.send((path, renamed));
        }
    })?;
    watcher.watch(dir, RecursiveMode::NonRecursive)?;
    Ok(watcher)
}

fn log_taken(path: &Path, taken: Result<Taken, String>) {
    match taken {
        Ok(Taken::Ingested { moved_to, summary }) => {
            tracing::info!(file = %path.display(), done = %moved_to.display(), "spool: ingested: {summary}");
        }
        Ok(Taken::Rejected { moved_to, reason }) => {
            tracing::warn!(file = %path.display(), rejected = %moved_to.display(), "spool: rejected: {reason}");
        }
        Ok(Taken::Vanished) => {
            tracing::info!(file = %path.display(), "spool: the file went away before it was read");
        }
        Err(error) => {
            tracing::error!(file = %path.display(), %error, "spool: cannot ingest now; the file stays for the next scan");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_taken_once_unchanged_for_the_settle_time() {
        let start = Instant::now();
        let wall = SystemTime::now();
        let mut s = Settler::new(Duration::from_secs(3));
        let p = Path::new("/spool/a.txt");
        // Being written: modified just now.
        assert_eq!(s.observe(p, Some((10, wall)), start, wall), Verdict::WaitUntil(start + Duration::from_secs(3)));
        // It grew: the wait starts again.
        let t1 = start + Duration::from_secs(2);
        let m1 = wall + Duration::from_secs(2);
        assert_eq!(s.observe(p, Some((20, m1)), t1, m1), Verdict::WaitUntil(t1 + Duration::from_secs(3)));
        assert_eq!(s.next_check(), Some(t1 + Duration::from_secs(3)));
        // Unchanged, but not long enough.
        let t2 = t1 + Duration::from_secs(2);
        assert_eq!(
            s.observe(p, Some((20, m1)), t2, m1 + Duration::from_secs(2)),
            Verdict::WaitUntil(t1 + Duration::from_secs(3))
        );
        // Unchanged for the settle time.
        let t3 = t1 + Duration::from_secs(3);
        assert_eq!(s.observe(p, Some((20, m1)), t3, m1 + Duration::from_secs(3)), Verdict::Ready);
    }

    #[test]
    fn renamed_in_and_old_files_are_ready_at_once_and_gone_ones_are_dropped() {
        let now = Instant::now();
        let wall = SystemTime::now();
        let mut s = Settler::new(Duration::from_secs(3));
        let renamed = Path::new("/spool/r.txt");
        s.renamed_in(renamed, now);
        assert_eq!(s.observe(renamed, Some((5, wall)), now, wall), Verdict::Ready);
        let old = Path::new("/spool/old.txt");
        let an_hour_ago = wall - Duration::from_secs(3600);
        assert_eq!(s.observe(old, Some((5, an_hour_ago)), now, wall), Verdict::Ready);
        let gone = Path::new("/spool/gone.txt");
        assert!(matches!(s.observe(gone, Some((5, wall)), now, wall), Verdict::WaitUntil(_)));
        assert_eq!(s.observe(gone, None, now, wall), Verdict::Gone);
        assert!(!s.pending().contains(&gone.to_owned()));
    }

    #[test]
    fn temporary_names_are_ignored() {
        for name in [".hidden.txt", "a.txt.tmp", "a.txt.part", "a.txt~", "a.txt.reason", "a.crdownload"] {
            assert!(ignored(name), "{name}");
        }
        assert!(!ignored("article.txt"));
    }
}
