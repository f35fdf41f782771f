#![allow(dead_code)]
//! A real PostgreSQL for the tests: Debian's `postgresql` 15 binaries (`initdb`, `pg_ctl`)
//! on a temporary directory and a loopback port, started once per test binary. Each test
//! gets a database of its own.
//!
//! The suite runs on PostgreSQL when `SANCTIOND_TEST_BACKEND=postgres` (the README's test
//! command runs it both ways); otherwise every ledger is an SQLite file.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Whether this run of the suite puts its ledgers on PostgreSQL.
pub fn enabled() -> bool {
    std::env::var("SANCTIOND_TEST_BACKEND").is_ok_and(|v| v == "postgres")
}

/// True (and says so) when the suite runs on PostgreSQL and the test is about `what`, a
/// property of the SQLite ledger only.
pub fn sqlite_only(what: &str) -> bool {
    let skip = enabled();
    if skip {
        eprintln!("skipped on PostgreSQL: this test is about {what}");
    }
    skip
}

/// A test cluster: its port, directory and data directory.
pub struct Cluster {
    pub port: u16,
    pub dir: PathBuf,
    bin: PathBuf,
    data: PathBuf,
    /// Server settings of this cluster's own (`-c ssl=on …`), given at every start.
    extra: String,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
static NEXT: AtomicUsize = AtomicUsize::new(0);

/// The directory holding `initdb` and `pg_ctl`: `PG_BIN`, else Debian's newest.
fn bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().map(|e| e.path().join("bin")).filter(|p| p.join("initdb").exists()).collect())
        .unwrap_or_default();
    versions.sort();
    versions.pop().unwrap_or_else(|| panic!("no PostgreSQL under /usr/lib/postgresql: run tests/setup.sh"))
}

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// A command run as the `postgres` user when the tests run as root (initdb refuses root).
fn as_owner(program: &Path) -> Command {
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

/// An empty directory for cluster `name`, owned by the server's user.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sanctiond-pg-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("pg dir");
    if is_root() {
        let status = Command::new("chown").arg("postgres:").arg(&dir).status().expect("chown");
        assert!(status.success(), "chown {}", dir.display());
    }
    dir
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port()
}

impl Cluster {
    /// Creates and starts a cluster of its own, stopped and removed when this test binary
    /// ends, however it ends.
    pub fn start_new(name: &str) -> Cluster {
        Cluster::start_new_with(name, |_| {}, "")
    }

    /// Like [`Cluster::start_new`]; `prepare` may write into the data directory (certificates,
    /// `pg_hba.conf`) before the first start, and `extra` server settings go with every start.
    pub fn start_new_with(name: &str, prepare: impl FnOnce(&Path), extra: &str) -> Cluster {
        let bin = bin_dir();
        let dir = fresh_dir(name);
        let data = dir.join("data");
        let out = as_owner(&bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"])
            .output()
            .expect("initdb");
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        prepare(&data);
        if is_root() {
            let status = Command::new("chown").arg("-R").arg("postgres:").arg(&data).status().expect("chown");
            assert!(status.success(), "chown {}", data.display());
        }
        let cluster = Cluster { port: free_port(), dir, bin, data, extra: extra.to_owned() };
        cluster.start();
        cluster.watch();
        cluster
    }

    /// A hot standby of this cluster (`pg_basebackup -R`), on a port of its own, started;
    /// stopped and removed when this test binary ends.
    pub fn standby(&self, name: &str) -> Cluster {
        let dir = fresh_dir(name);
        let data = dir.join("data");
        let out = as_owner(&self.bin.join("pg_basebackup"))
            .arg("-D")
            .arg(&data)
            .args([
                "-R",
                "-X",
                "stream",
                "--checkpoint=fast",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-p",
                &self.port.to_string(),
            ])
            .output()
            .expect("pg_basebackup");
        assert!(out.status.success(), "pg_basebackup: {}", String::from_utf8_lossy(&out.stderr));
        let standby = Cluster { port: free_port(), dir, bin: self.bin.clone(), data, extra: self.extra.clone() };
        standby.start();
        standby.watch();
        standby
    }

    /// Makes a standby the primary (`pg_ctl promote`), waiting until it takes writes.
    pub fn promote(&self) {
        let out = as_owner(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .args(["-w", "promote"])
            .output()
            .expect("pg_ctl promote");
        assert!(out.status.success(), "pg_ctl promote: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Stops the cluster and removes its directory once this test binary has ended.
    fn watch(&self) {
        let cluster = self;
        // The watcher runs as the tests do (so it may look at this process) and stops the
        // cluster as its owner.
        let owner = if is_root() { "runuser -u postgres -- " } else { "" };
        let stopper = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {owner}{pg_ctl} -D {data} -m immediate stop; rm -rf {dir}",
            pid = std::process::id(),
            pg_ctl = cluster.bin.join("pg_ctl").display(),
            data = cluster.data.display(),
            dir = cluster.dir.display(),
        );
        // SANCTIOND_PG_KEEP=1 keeps the directory (its log) for a look afterwards.
        let keep = std::env::var_os("SANCTIOND_PG_KEEP").is_some();
        let stopper = if keep { stopper.replace("; rm -rf", "; true") } else { stopper };
        // Left running on purpose: it outlives this process to stop the cluster.
        #[allow(clippy::zombie_processes)]
        let _watcher = Command::new("sh")
            .args(["-c", &stopper])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("watcher");
    }

    /// Starts the server (again), on the same port.
    pub fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200 {}",
            self.port,
            self.dir.display(),
            self.extra
        );
        // Extra server settings for a look inside (`-c log_min_duration_statement=10`).
        let options = match std::env::var("SANCTIOND_PG_OPTIONS") {
            Ok(extra) => format!("{options} {extra}"),
            Err(_) => options,
        };
        let out = as_owner(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(self.dir.join("log"))
            .args(["-w", "-o", &options, "start"])
            .output()
            .expect("pg_ctl start");
        assert!(out.status.success(), "pg_ctl start: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Stops the server at once, dropping every connection (`-m immediate`, as a crash).
    pub fn stop(&self) {
        let out = as_owner(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .args(["-w", "-m", "immediate", "stop"])
            .output()
            .expect("pg_ctl stop");
        assert!(out.status.success(), "pg_ctl stop: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// A client of this cluster's `postgres` database, over its Unix socket.
    pub fn admin(&self) -> postgres::Client {
        self.connect("postgres")
    }

    /// A client of database `name` on this cluster, over its Unix socket.
    pub fn connect(&self, name: &str) -> postgres::Client {
        let params = format!("host={} port={} user=postgres dbname={name}", self.dir.display(), self.port);
        postgres::Client::connect(&params, postgres::NoTls).expect("connect to the test cluster")
    }

    /// A fresh, empty database on this cluster; its URL.
    pub fn database(&self) -> String {
        let name = format!("t{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        // Over the Unix socket: a cluster may refuse plain TCP (the TLS test's does).
        self.admin().batch_execute(&format!("CREATE DATABASE {name}")).expect("create database");
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }
}

/// The cluster this test binary shares between its tests.
pub fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(|| Cluster::start_new("shared"))
}

/// A fresh, empty database on the shared cluster; its URL.
pub fn database() -> String {
    cluster().database()
}

/// Where a test's ledger lives: a fresh database on the test cluster when the suite runs
/// on PostgreSQL, else `ledger.sqlite3` in `state_dir`.
pub fn location(state_dir: &Path) -> sanctiond::store::Location {
    if enabled() {
        let url = database();
        sanctiond::store::Location::Postgres(Box::new(sanctiond::store::PgTarget {
            config: url.parse().expect("url"),
            connector: sanctiond::store::db::Connector::plain(),
            label: url,
        }))
    } else {
        sanctiond::store::Location::File(state_dir.join(sanctiond::store::LEDGER_FILE))
    }
}
