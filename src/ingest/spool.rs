//! The spool directory: files other tools drop in are ingested, then moved to `done/`; a
//! file that cannot be read or decoded moves to `rejected/`, next to a `.reason` file.
//! Nothing is ever deleted. A file leaves the spool only after the ledger transaction
//! that stored it has committed, so a crash mid-ingest leaves it in place, and the next
//! start ingests it again (or finds it already stored, by its hash) and moves it on.
//!
//! Files are found by inotify events and by a scan at start and every `scan_interval`. A
//! file renamed into the directory is complete; any other is taken once its size and
//! modification time have stayed the same for `settle`.
//!
//! Whoever can drop files in the spool must not be able to make the daemon read anything
//! else, hang it or crash it (issue 13, "Hostile files"):
//!
//! - Only regular files that are really in the spool are read. Each entry is classified
//!   by `lstat` first; symbolic links (dangling or not), directories, FIFOs, sockets and
//!   devices are never opened, and neither is a file with more than one hard link (the
//!   other link could be any file the daemon can read). A regular file is then opened
//!   with `O_NOFOLLOW | O_NONBLOCK` and checked again on the descriptor, which must be
//!   the very inode `lstat` saw: an entry swapped for a link or a FIFO between the two
//!   is refused, never followed or waited on. Refused entries are renamed into
//!   `rejected/` with their reason (a rename moves a link as a link, a FIFO as a FIFO);
//!   one that cannot be moved stays where it is and is logged once.
//! - Names are shown escaped ([`escaped`]): no newline, carriage return or escape
//!   sequence from a file name reaches the log, a reason or the ledger. Names in
//!   `rejected/` are shortened when needed so that `NAME.reason` fits the 255-byte limit.
//! - Before a file is read, its name is recorded in the marker `spool-reading` in the
//!   state directory (the name's bytes in hex, then how many times the daemon already
//!   stopped while reading it; fsynced), and the marker goes once the file has moved on.
//!   It lives beside the ledger rather than in the spool so that those who drop files
//!   cannot forge or plant it, and the spool holds only what they dropped. At start, a
//!   marker naming a file still in the spool means the daemon stopped while reading it.
//!   The first time, that may have been a `kill -9` or a power cut, so the file is tried
//!   again; the second time it is taken to be the cause and moved to `rejected/` ("the
//!   daemon stopped while reading it"), so a poison file can never crash-loop the daemon.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fs::{File, Metadata};
use std::io::{Read as _, Write as _};
use std::os::unix::ffi::{OsStrExt as _, OsStringExt as _};
use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _, OpenOptionsExt as _};
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
/// The "being read" marker, in the state directory.
pub const READING: &str = "spool-reading";
/// After this many stops while reading the same file, the file is set aside.
const STOPS_BEFORE_REJECTING: u32 = 2;
/// The longest file name Linux file systems take (`NAME_MAX`).
const NAME_MAX: usize = 255;
const REASON_SUFFIX: &str = ".reason";

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

/// What happened to one entry of the spool.
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
    /// It had to be refused but could not be moved to `rejected/`: it stays, and is not
    /// looked at again while it stays the same.
    LeftInPlace {
        reason: String,
        error: String,
    },
    /// It vanished before it could be read.
    Vanished,
}

/// Why an entry of the spool is never opened for reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsafe {
    Symlink,
    Directory,
    Fifo,
    Socket,
    Device,
    /// A regular file with this many hard links.
    HardLinked(u64),
    /// Between `lstat` and `open` the name came to mean another file.
    Swapped,
}

impl std::fmt::Display for Unsafe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unsafe::Symlink => f.write_str("a symbolic link; the spool reads only files that are really in it"),
            Unsafe::Directory => f.write_str("a directory; the spool reads only files"),
            Unsafe::Fifo => f.write_str("a FIFO (named pipe); the spool reads only regular files"),
            Unsafe::Socket => f.write_str("a socket; the spool reads only regular files"),
            Unsafe::Device => f.write_str("a device; the spool reads only regular files"),
            Unsafe::HardLinked(n) => write!(
                f,
                "a file with {n} hard links; another link may be any file outside the spool, so it is not read (drop a copy instead)"
            ),
            Unsafe::Swapped => f.write_str("it was replaced by another file while being opened"),
        }
    }
}

impl Unsafe {
    /// What `meta` (from `lstat` or `fstat`) says about an entry; `None` for a regular
    /// file with one link.
    pub fn of(meta: &Metadata) -> Option<Unsafe> {
        let t = meta.file_type();
        if t.is_symlink() {
            Some(Unsafe::Symlink)
        } else if t.is_dir() {
            Some(Unsafe::Directory)
        } else if t.is_fifo() {
            Some(Unsafe::Fifo)
        } else if t.is_socket() {
            Some(Unsafe::Socket)
        } else if !t.is_file() {
            Some(Unsafe::Device)
        } else if meta.nlink() > 1 {
            Some(Unsafe::HardLinked(meta.nlink()))
        } else {
            None
        }
    }
}

/// A file name (or path) for a log line or a reason: control characters, backslashes,
/// bidirectional overrides and the like escaped as Rust does (`\n`, `\u{1b}`), bytes
/// that are not UTF-8 shown as U+FFFD. Quotes are kept, so common names read as they are.
pub fn escaped(name: &OsStr) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.to_string_lossy().chars() {
        match c {
            '"' | '\'' => out.push(c),
            c => out.extend(c.escape_debug()),
        }
    }
    out
}

/// Ingests one entry of the spool and moves it on. An error is a ledger or file-system
/// failure: the file stays where it is and is tried again at the next scan.
pub fn take(
    store: &mut Store,
    config: &Config,
    ingester: &Ingester,
    spool: &Spool,
    marker: &mut Marker,
    path: &Path,
) -> Result<Taken, String> {
    let raw_name = path.file_name().unwrap_or_default();
    let name = escaped(raw_name);
    let shown = escaped(path.as_os_str());
    let seen = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Taken::Vanished),
        Err(e) => return Err(format!("{shown}: {e}")),
    };
    if let Some(why) = Unsafe::of(&seen) {
        return set_aside(spool, path, &format!("{name}: {why}"));
    }
    let max_bytes = usize::try_from(spool.max_bytes).unwrap_or(usize::MAX);
    let too_large =
        |len: u64| format!("{name}: {len} bytes, larger than the {}-byte limit ([spool] max_bytes)", spool.max_bytes);
    if seen.len() > spool.max_bytes {
        return set_aside(spool, path, &too_large(seen.len()));
    }
    let Some(kind) = Kind::of_path(path) else {
        let reason = format!("{name}: not an article type sanctiond reads; give .txt, .md, .html, .json or .pdf");
        return set_aside(spool, path, &reason);
    };
    let file = match open_regular(path, &seen) {
        Ok(file) => file,
        Err(Opened::Unsafe(why)) => return set_aside(spool, path, &format!("{name}: {why}")),
        Err(Opened::Vanished) => return Ok(Taken::Vanished),
        Err(Opened::Failed(e)) => return Err(format!("{shown}: {e}")),
    };
    if let Err(e) = marker.mark(raw_name) {
        // The marker guards against a file that crashes the daemon; without it the file
        // is still read, only that guard is missing.
        tracing::warn!(marker = %escaped(marker.path.as_os_str()), error = %e, "spool: cannot record the file being read");
    }
    let taken = read_and_ingest(store, config, ingester, spool, path, file, max_bytes, &name, kind, &too_large);
    // The file has moved on, or stays for the next scan after an error: either way the
    // daemon did not stop while reading it.
    marker.clear(raw_name);
    taken
}

/// Reads an opened spool file (no more than `max_bytes`, however much it grew since it
/// was looked at), decodes and ingests it, and moves it to `done/` or `rejected/`.
#[allow(clippy::too_many_arguments)]
fn read_and_ingest(
    store: &mut Store,
    config: &Config,
    ingester: &Ingester,
    spool: &Spool,
    path: &Path,
    file: File,
    max_bytes: usize,
    name: &str,
    kind: Kind,
    too_large: &dyn Fn(u64) -> String,
) -> Result<Taken, String> {
    let shown = escaped(path.as_os_str());
    let mut bytes = Vec::new();
    file.take(spool.max_bytes.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| format!("{shown}: {e}"))?;
    let decoded = if bytes.len() > max_bytes {
        Err(too_large(bytes.len() as u64))
    } else {
        decode(name, kind, bytes, max_bytes, None)
    };
    let text = match decoded {
        Ok(text) => text,
        Err(reason) => return set_aside(spool, path, &reason),
    };
    let report = ingest_text(store, ingester, config, &shown, &text, Utc::now()).map_err(|e| e.to_string())?;
    let moved_to = free_name(&spool.dir.join(DONE), path.file_name().unwrap_or_default(), NAME_MAX);
    std::fs::rename(path, &moved_to).map_err(|e| format!("{shown}: {e}"))?;
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

/// Why a regular file could not be opened for reading.
enum Opened {
    Unsafe(Unsafe),
    Vanished,
    Failed(std::io::Error),
}

/// `open(2)` flags that std does not name. The values are those of the generic Linux
/// ABI (`asm-generic/fcntl.h`), which these architectures use.
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64", target_arch = "x86", target_arch = "riscv64")
))]
mod open_flags {
    /// Fail with `ELOOP` rather than follow a symbolic link in the last component.
    pub const O_NOFOLLOW: i32 = 0o400_000;
    /// Do not wait for a writer when the name has become a FIFO.
    pub const O_NONBLOCK: i32 = 0o4_000;
    pub const ELOOP: i32 = 40;
}

/// Elsewhere the flags are not used; the inode comparison in [`open_regular`] still
/// refuses a name swapped for a link, though a swapped-in FIFO could block the open.
#[cfg(not(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64", target_arch = "x86", target_arch = "riscv64")
)))]
mod open_flags {
    pub const O_NOFOLLOW: i32 = 0;
    pub const O_NONBLOCK: i32 = 0;
    pub const ELOOP: i32 = -1;
}

/// Opens `path`, which `lstat` (`seen`) found to be a regular file with one link, and
/// checks on the descriptor that it still is, and is the same inode: the name may have
/// been swapped for a link, a FIFO or another file since.
fn open_regular(path: &Path, seen: &Metadata) -> Result<File, Opened> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(open_flags::O_NOFOLLOW | open_flags::O_NONBLOCK)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Opened::Vanished,
            _ if e.raw_os_error() == Some(open_flags::ELOOP) => Opened::Unsafe(Unsafe::Symlink),
            _ => Opened::Failed(e),
        })?;
    let meta = file.metadata().map_err(Opened::Failed)?;
    if let Some(why) = Unsafe::of(&meta) {
        return Err(Opened::Unsafe(why));
    }
    if (meta.dev(), meta.ino()) != (seen.dev(), seen.ino()) {
        return Err(Opened::Unsafe(Unsafe::Swapped));
    }
    Ok(file)
}

/// Moves the entry at `path`, whatever it is, to `rejected/` next to a `.reason` file
/// holding `reason`; it is renamed, never opened. When the rename fails the entry stays
/// and the reason file is taken back.
fn set_aside(spool: &Spool, path: &Path, reason: &str) -> Result<Taken, String> {
    let dir = spool.dir.join(REJECTED);
    let moved_to = free_name(&dir, path.file_name().unwrap_or_default(), NAME_MAX - REASON_SUFFIX.len());
    let reason_file = reason_path(&moved_to);
    // The reason first: a crash between the two leaves the file in the spool, to be
    // rejected again, never a rejected file without its reason. `create_new` never
    // follows a link someone left at that name.
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&reason_file)
        .and_then(|mut f| f.write_all(format!("{}: {reason}\n", Utc::now().to_rfc3339()).as_bytes()));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&reason_file);
        return Err(format!("{}: {e}", escaped(reason_file.as_os_str())));
    }
    match std::fs::rename(path, &moved_to) {
        Ok(()) => Ok(Taken::Rejected { moved_to, reason: reason.to_owned() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let _ = std::fs::remove_file(&reason_file);
            Ok(Taken::Vanished)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&reason_file);
            Ok(Taken::LeftInPlace { reason: reason.to_owned(), error: e.to_string() })
        }
    }
}

/// `dir/name`, or `dir/stem.2.ext` and so on when that (or its `.reason` file) is
/// taken, shortened to at most `max_len` bytes.
fn free_name(dir: &Path, name: &OsStr, max_len: usize) -> PathBuf {
    let bytes = name.as_bytes();
    let (stem, ext) = match bytes.iter().rposition(|b| *b == b'.') {
        // An extension longer than any real one is part of the stem.
        Some(i) if i > 0 && bytes.len() - i <= 16 => (&bytes[..i], &bytes[i..]),
        _ => (bytes, &[][..]),
    };
    let candidate = |n: usize| {
        let suffix = if n == 1 { ext.to_vec() } else { [format!(".{n}").as_bytes(), ext].concat() };
        let stem = shortened(stem, max_len.saturating_sub(suffix.len()));
        dir.join(OsString::from_vec([stem, &suffix].concat()))
    };
    let taken = |p: &Path| p.symlink_metadata().is_ok() || reason_path(p).symlink_metadata().is_ok();
    (1..).map(candidate).find(|p| !taken(p)).unwrap_or_else(|| candidate(1))
}

/// `bytes` cut to at most `max` bytes, on a character boundary when it is UTF-8.
fn shortened(bytes: &[u8], max: usize) -> &[u8] {
    if bytes.len() <= max {
        return bytes;
    }
    let mut end = max;
    if std::str::from_utf8(bytes).is_ok() {
        while end > 0 && (bytes[end] & 0xC0) == 0x80 {
            end -= 1;
        }
    }
    &bytes[..end]
}

/// `rejected/NAME.reason` for `rejected/NAME`.
fn reason_path(moved_to: &Path) -> PathBuf {
    let mut name = moved_to.file_name().unwrap_or_default().to_owned();
    name.push(REASON_SUFFIX);
    moved_to.with_file_name(name)
}

/// The "being read" marker: which file of the spool the daemon is reading, so that one
/// that makes it crash is set aside at the next start instead of crashing it again.
#[derive(Debug)]
pub struct Marker {
    path: PathBuf,
    /// The file found under the marker at start, with how many times the daemon stopped
    /// while reading it; carried into the marker when that file is read again.
    suspect: Option<(OsString, u32)>,
}

impl Marker {
    /// The marker in `state_dir`, the daemon's own directory.
    pub fn new(state_dir: &Path) -> Marker {
        Marker { path: state_dir.join(READING), suspect: None }
    }

    /// Records, durably, that `name` is about to be read. Written beside and renamed
    /// over, so that a torn write never leaves half a name, and a link left at the
    /// marker's name is replaced, never written through.
    fn mark(&mut self, name: &OsStr) -> std::io::Result<()> {
        let stops = match &self.suspect {
            Some((suspect, stops)) if suspect == name => *stops,
            _ => 0,
        };
        let new = self.path.with_file_name(format!("{READING}.new"));
        match std::fs::remove_file(&new) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let mut file =
            std::fs::OpenOptions::new().write(true).create_new(true).custom_flags(open_flags::O_NOFOLLOW).open(&new)?;
        file.write_all(format!("{}\n{stops}\n", hex(name.as_bytes())).as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&new, &self.path)
    }

    /// `name` has been dealt with.
    fn clear(&mut self, name: &OsStr) {
        if self.suspect.as_ref().is_some_and(|(s, _)| s == name) {
            self.suspect = None;
        }
        let _ = std::fs::remove_file(&self.path);
    }

    /// What the marker left by the last run says: the name it holds and how many times
    /// the daemon stopped while reading that file, this stop included. `None` when there
    /// is no marker, or it does not name an entry of the spool.
    fn read(&self) -> Option<(OsString, u32)> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(open_flags::O_NOFOLLOW | open_flags::O_NONBLOCK)
            .open(&self.path)
            .ok()?;
        if !file.metadata().ok()?.is_file() {
            return None;
        }
        let mut text = String::new();
        file.take(4096).read_to_string(&mut text).ok()?;
        let mut lines = text.lines();
        let name = OsString::from_vec(unhex(lines.next()?.trim())?);
        let stops: u32 = lines.next().and_then(|l| l.trim().parse().ok()).unwrap_or(0);
        let plain = !name.is_empty() && !name.as_bytes().contains(&b'/') && name != "." && name != "..";
        (plain && candidate(&name)).then_some((name, stops.saturating_add(1)))
    }

    /// At start: the file the daemon stopped while reading, if it is still in the spool.
    /// The second time the same file is found here it is moved to `rejected/`; the first
    /// time it is only remembered, and read again.
    pub fn recover(&mut self, spool: &Spool) -> Option<(PathBuf, Taken)> {
        let (name, stops) = self.read()?;
        let path = spool.dir.join(&name);
        if path.symlink_metadata().is_err() {
            let _ = std::fs::remove_file(&self.path);
            return None;
        }
        if stops < STOPS_BEFORE_REJECTING {
            tracing::warn!(
                file = %escaped(path.as_os_str()),
                "spool: the daemon stopped while reading this file; trying it once more"
            );
            self.suspect = Some((name, stops));
            return None;
        }
        let reason = format!(
            "{}: the daemon stopped while reading it ({stops} times); set aside so that it cannot stop the daemon again",
            escaped(&name)
        );
        let taken = set_aside(spool, &path, &reason).unwrap_or_else(|error| Taken::LeftInPlace { reason, error });
        let _ = std::fs::remove_file(&self.path);
        Some((path, taken))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

/// Whether an entry of the spool directory is one to take (or to refuse): not hidden or
/// temporary, and not `done/` or `rejected/` themselves.
fn candidate(name: &OsStr) -> bool {
    name != DONE && name != REJECTED && !ignored(&name.to_string_lossy())
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
    pub ledger: crate::store::Location,
    /// Where the marker of the file being taken is kept.
    pub state_dir: PathBuf,
    /// The config in force; a reload sends a new one.
    pub config: watch::Receiver<Arc<Config>>,
    /// Told after each ingest, so the timer sends notices and plans at once.
    pub changed: Arc<Notify>,
}

/// Watches the spool until `shutdown` turns true.
pub async fn run(ctx: SpoolContext, mut shutdown: watch::Receiver<bool>) -> Result<(), String> {
    let SpoolContext { spool, ledger, state_dir, mut config, changed } = ctx;
    let store = Arc::new(Mutex::new(super::open_store(ledger).await?));
    let (tx, mut events) = mpsc::unbounded_channel::<(PathBuf, bool)>();
    let watcher = watch_dir(&spool.dir, tx);
    if let Err(e) = &watcher {
        tracing::warn!(dir = %spool.dir.display(), error = %e, "no inotify on the spool; scanning every {:?} only", spool.scan_interval);
    }
    let mut marker = Marker::new(&state_dir);
    if let Some((path, taken)) = marker.recover(&spool) {
        log_taken(&path, Ok(taken));
    }
    let marker = Arc::new(Mutex::new(marker));
    // A spool that cannot be written (read-only, `done/` or `rejected/` missing or not a
    // directory, a full disk, a ledger that cannot record): logged once when it starts and
    // once when it clears; meanwhile one file is tried per scan, the rest wait.
    let mut fault: Option<Fault> = None;
    if let Err((dir, e)) = create_dirs(&spool) {
        let error = format!("cannot create {}: {e}", escaped(dir.as_os_str()));
        fault = Some(Fault::start(&error));
    }
    tracing::info!(dir = %spool.dir.display(), "watching the spool directory");
    let mut settler = Settler::new(spool.settle);
    let mut scan = tokio::time::interval(spool.scan_interval);
    let mut current: Option<(Arc<Config>, Arc<Ingester>)> = None;
    // Entries that had to be refused but could not be moved, as they were then: logged
    // once, skipped while they stay the same.
    let mut left_in_place: HashMap<PathBuf, Identity> = HashMap::new();
    loop {
        let next = settler.next_check().map(tokio::time::Instant::from_std);
        let mut ready: Vec<PathBuf> = Vec::new();
        tokio::select! {
            _ = scan.tick() => {
                left_in_place.retain(|path, was| identity(path).as_ref() == Some(was));
                if fault.is_some() {
                    let _ = create_dirs(&spool);
                }
                for path in list(&spool.dir) {
                    if settle_one(&mut settler, &path) == Verdict::Ready {
                        ready.push(path);
                    }
                }
                if fault.is_some() {
                    // One file tells whether the fault has cleared.
                    ready.truncate(1);
                }
            }
            Some((path, renamed)) = events.recv(), if fault.is_none() => {
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
        // Only entries directly in the spool: an event about the directory itself (a
        // remount, a change of mode) names no file.
        ready.retain(|p| p.parent() == Some(spool.dir.as_path()));
        ready.sort();
        ready.dedup();
        for path in ready {
            settler.forget(&path);
            if left_in_place.get(&path).is_some_and(|was| identity(&path).as_ref() == Some(was)) {
                continue;
            }
            let config = Arc::clone(&config.borrow_and_update());
            let ingester = match &current {
                Some((c, i)) if Arc::ptr_eq(c, &config) => Arc::clone(i),
                _ => {
                    let i = Arc::new(Ingester::new(&config));
                    current = Some((Arc::clone(&config), Arc::clone(&i)));
                    i
                }
            };
            let (spool, file, marker) = (spool.clone(), path.clone(), Arc::clone(&marker));
            let taken = with_store(&store, move |s| {
                let mut marker = marker.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                Ok(take(s, &config, &ingester, &spool, &mut marker, &file))
            })
            .await
            .and_then(|t| t);
            if matches!(taken, Ok(Taken::LeftInPlace { .. }))
                && let Some(id) = identity(&path)
            {
                left_in_place.insert(path.clone(), id);
            }
            match (&taken, &mut fault) {
                (Err(error), None) => {
                    fault = Some(Fault::start(&format!("{}: {error}", escaped(path.as_os_str()))));
                    break;
                }
                (Err(_), Some(f)) => {
                    f.count += 1;
                    break;
                }
                (Ok(_), Some(f)) => {
                    f.clear();
                    fault = None;
                    left_in_place.clear();
                    log_taken(&path, taken);
                }
                (Ok(_), None) => log_taken(&path, taken),
            }
            changed.notify_one();
            if *shutdown.borrow() {
                return Ok(());
            }
        }
    }
}

/// A fault of the spool as a whole, logged when it starts and when it clears.
#[derive(Debug)]
struct Fault {
    since: Instant,
    count: u64,
}

impl Fault {
    fn start(error: &str) -> Fault {
        tracing::error!(
            %error,
            "spool: cannot take files now (is the directory writable, with done/ and rejected/ as directories, and space on the disk?); files stay where they are and are tried again at each scan"
        );
        Fault { since: Instant::now(), count: 1 }
    }

    fn clear(&self) {
        tracing::info!(failures = self.count, after = ?self.since.elapsed(), "spool: taking files again");
    }
}

/// What an entry is, as far as `lstat` tells: a changed entry is looked at afresh.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Identity {
    dev: u64,
    ino: u64,
    len: u64,
    modified: Option<SystemTime>,
}

fn identity(path: &Path) -> Option<Identity> {
    let m = std::fs::symlink_metadata(path).ok()?;
    Some(Identity { dev: m.dev(), ino: m.ino(), len: m.len(), modified: m.modified().ok() })
}

/// Feeds one entry's `lstat` to the settler: whatever the entry is (a link, a directory,
/// a FIFO are all taken, to be refused), it is taken once it has stopped changing.
fn settle_one(settler: &mut Settler, path: &Path) -> Verdict {
    let wanted = path.file_name().is_some_and(candidate);
    let stat = std::fs::symlink_metadata(path).ok().filter(|_| wanted).map(|m| {
        let modified = m.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        (m.len(), modified)
    });
    settler.observe(path, stat, Instant::now(), SystemTime::now())
}

/// The entries directly in `dir` that are to be taken or refused, oldest name first.
fn list(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(Result::ok).filter(|e| candidate(&e.file_name())).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    entries
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

/// One line per entry taken; every name in it escaped.
fn log_taken(path: &Path, taken: Result<Taken, String>) {
    let file = escaped(path.as_os_str());
    match taken {
        Ok(Taken::Ingested { moved_to, summary }) => {
            crate::metrics::record_articles("spool", true, 1);
            tracing::info!(%file, done = %escaped(moved_to.as_os_str()), "spool: ingested: {summary}");
        }
        Ok(Taken::Rejected { moved_to, reason }) => {
            crate::metrics::record_articles("spool", false, 1);
            tracing::warn!(%file, rejected = %escaped(moved_to.as_os_str()), "spool: rejected: {reason}");
        }
        Ok(Taken::LeftInPlace { reason, error }) => {
            crate::metrics::record_articles("spool", false, 1);
            tracing::warn!(%file, %error, "spool: refused, and cannot be moved to rejected/, so it stays (logged once): {reason}");
        }
        Ok(Taken::Vanished) => {
            tracing::info!(%file, "spool: the file went away before it was read");
        }
        Err(error) => {
            tracing::error!(%file, %error, "spool: cannot ingest now; the file stays for the next scan");
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
    fn names_are_escaped_so_that_no_control_character_reaches_a_log_line() {
        use std::os::unix::ffi::OsStrExt as _;
        assert_eq!(escaped(OsStr::new("report 1 (final).txt")), "report 1 (final).txt");
        assert_eq!(escaped(OsStr::new("it's \"x\".txt")), "it's \"x\".txt");
        assert_eq!(escaped(OsStr::new("a\nERROR fake\r\u{1b}[2K\t.txt")), r"a\nERROR fake\r\u{1b}[2K\t.txt");
        assert_eq!(escaped(OsStr::new("back\\slash\u{202e}txt.exe")), r"back\\slash\u{202e}txt.exe");
        assert_eq!(escaped(OsStr::from_bytes(b"caf\xe9.txt")), "caf\u{fffd}.txt");
        assert_eq!(escaped(OsStr::new("Berlin–Kyiv é.txt")), "Berlin–Kyiv é.txt");
    }

    #[test]
    fn free_names_fit_the_name_limit_and_stay_unique() {
        let dir = tempfile::tempdir().expect("tempdir");
        let max = NAME_MAX - REASON_SUFFIX.len();
        let long = format!("{}x.txt", "é".repeat(125));
        assert_eq!(long.len(), 255);
        let first = free_name(dir.path(), OsStr::new(&long), max);
        let name = first.file_name().expect("name").to_str().expect("UTF-8, cut on a character boundary");
        assert!(name.len() <= max && name.ends_with("éé.txt"), "{name}");
        std::fs::write(&first, "").expect("write");
        let second = free_name(dir.path(), OsStr::new(&long), max);
        let second_name = second.file_name().expect("name").to_str().expect("UTF-8");
        assert!(second_name.len() <= max && second_name.ends_with(".2.txt"), "{second_name}");
        // A `.reason` left without its file still holds the name.
        std::fs::write(dir.path().join("a.txt.reason"), "").expect("write");
        assert_eq!(free_name(dir.path(), OsStr::new("a.txt"), max), dir.path().join("a.2.txt"));
        // A dangling link holds its name too: a rename would replace it.
        std::os::unix::fs::symlink("/nowhere", dir.path().join("b.txt")).expect("symlink");
        assert_eq!(free_name(dir.path(), OsStr::new("b.txt"), max), dir.path().join("b.2.txt"));
        assert_eq!(reason_path(&dir.path().join("b.txt")), dir.path().join("b.txt.reason"));
    }

    #[test]
    fn the_marker_holds_any_name_and_refuses_paths() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut marker = Marker::new(dir.path());
        let name = OsString::from_vec(b"odd\n\xff name.txt".to_vec());
        marker.mark(&name).expect("marked");
        assert_eq!(marker.read(), Some((name.clone(), 1)));
        marker.suspect = Some((name.clone(), 1));
        marker.mark(&name).expect("marked");
        assert_eq!(marker.read(), Some((name.clone(), 2)), "the count is carried for the suspect file");
        marker.clear(&name);
        assert_eq!(marker.read(), None);
        assert_eq!(marker.suspect, None);
        for bad in ["2e2e2f6574632f706173737764\n1\n", "2e2e\n", "646f6e65\n", "zz\n", "", "2e68696464656e\n"] {
            std::fs::write(dir.path().join(READING), bad).expect("write");
            assert_eq!(marker.read(), None, "{bad:?}");
        }
        // A link planted at the marker's name is replaced, never written through.
        let target = dir.path().join("target");
        std::fs::write(&target, "keep").expect("write");
        std::fs::remove_file(dir.path().join(READING)).expect("remove");
        std::os::unix::fs::symlink(&target, dir.path().join(READING)).expect("symlink");
        assert_eq!(marker.read(), None);
        marker.mark(OsStr::new("a.txt")).expect("marked");
        assert_eq!(std::fs::read_to_string(&target).expect("target"), "keep");
        assert_eq!(marker.read(), Some((OsString::from("a.txt"), 1)));
    }

    #[test]
    fn only_regular_files_with_one_link_are_safe_to_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("f.txt");
        std::fs::write(&file, "x").expect("write");
        let lstat = |p: &Path| std::fs::symlink_metadata(p).expect("lstat");
        assert_eq!(Unsafe::of(&lstat(&file)), None);
        std::os::unix::fs::symlink(&file, dir.path().join("l.txt")).expect("symlink");
        assert_eq!(Unsafe::of(&lstat(&dir.path().join("l.txt"))), Some(Unsafe::Symlink));
        assert_eq!(Unsafe::of(&lstat(dir.path())), Some(Unsafe::Directory));
        std::fs::hard_link(&file, dir.path().join("h.txt")).expect("link");
        assert_eq!(Unsafe::of(&lstat(&file)), Some(Unsafe::HardLinked(2)));
        assert!(matches!(open_regular(&dir.path().join("l.txt"), &lstat(&file)), Err(Opened::Unsafe(Unsafe::Symlink))));
    }

    #[test]
    fn temporary_names_are_ignored() {
        for name in [".hidden.txt", "a.txt.tmp", "a.txt.part", "a.txt~", "a.txt.reason", "a.crdownload"] {
            assert!(ignored(name), "{name}");
        }
        assert!(!ignored("article.txt"));
    }
}
