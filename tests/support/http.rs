//! A scripted HTTP server for tests: `http_server.py` on 127.0.0.1, its routes rewritten
//! between polls, every request logged.

use std::path::{Path, PathBuf};
use std::process::Child;

pub struct HttpServer {
    child: Child,
    pub port: u16,
    script: PathBuf,
    log: PathBuf,
}

impl HttpServer {
    /// Starts the server with `routes` (see `http_server.py`), keeping its files in `dir`.
    pub fn start(dir: &Path, routes: &serde_json::Value) -> HttpServer {
        let script = dir.join("routes.json");
        let log = dir.join("requests.jsonl");
        std::fs::write(&script, routes.to_string()).expect("routes");
        std::fs::write(&log, "").expect("log");
        let (child, port) = super::start_python(
            "http_server.py",
            &["--script".as_ref(), script.as_os_str(), "--log".as_ref(), log.as_os_str()],
        );
        HttpServer { child, port, script, log }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Replaces the routes; the next request sees the new ones.
    pub fn set(&self, routes: &serde_json::Value) {
        let tmp = self.script.with_extension("tmp");
        std::fs::write(&tmp, routes.to_string()).expect("routes");
        std::fs::rename(&tmp, &self.script).expect("routes");
    }

    /// Every request so far: `{"method", "path", "headers", "time"}`.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
