//! A scripted HTTP receiver for tests: `hook_server.py` on 127.0.0.1, answering webhook,
//! ntfy, Slack, Teams and Matrix requests as its routes say, every request logged with its
//! raw body and whether its signature matched.

use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::Duration;

use serde_json::Value;

use super::wait_until;

pub struct HookServer {
    child: Child,
    pub port: u16,
    routes: PathBuf,
    log: PathBuf,
}

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// As sent, percent-encoding and all.
    pub path: String,
    /// The route that answered it (`"/_matrix/*"` for a prefix).
    pub route: String,
    pub headers: Value,
    pub body: String,
    /// Seconds since the epoch when it arrived.
    pub time: f64,
    /// Seconds on the monotonic clock when it arrived: for gaps between requests.
    pub mono: f64,
    /// What it was answered; `None` when the route hangs.
    pub status: Option<u16>,
    /// Whether `X-Sanctiond-Signature` matched the route's secret; `None` without one.
    pub signature_ok: Option<bool>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers[name.to_ascii_lowercase()].as_str()
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl HookServer {
    /// Starts the server with `routes` (see `hook_server.py`), keeping its files in `dir`.
    pub fn start(dir: &Path, routes: &Value) -> HookServer {
        let routes_path = dir.join("hook-routes.json");
        let log = dir.join("hook-requests.jsonl");
        std::fs::write(&routes_path, routes.to_string()).expect("routes");
        std::fs::write(&log, "").expect("log");
        let (child, port) = super::start_python(
            "hook_server.py",
            &["--routes".as_ref(), routes_path.as_os_str(), "--log".as_ref(), log.as_os_str()],
        );
        HookServer { child, port, routes: routes_path, log }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Replaces the routes; the next request sees the new ones.
    pub fn set(&self, routes: &Value) {
        let tmp = self.routes.with_extension("tmp");
        std::fs::write(&tmp, routes.to_string()).expect("routes");
        std::fs::rename(&tmp, &self.routes).expect("routes");
    }

    /// Every request so far, in the order they arrived.
    pub fn requests(&self) -> Vec<Request> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .map(|v| Request {
                method: v["method"].as_str().unwrap_or_default().to_owned(),
                path: v["path"].as_str().unwrap_or_default().to_owned(),
                route: v["route"].as_str().unwrap_or_default().to_owned(),
                headers: v["headers"].clone(),
                body: v["body"].as_str().unwrap_or_default().to_owned(),
                time: v["time"].as_f64().unwrap_or_default(),
                mono: v["mono"].as_f64().unwrap_or_default(),
                status: v["status"].as_u64().and_then(|s| u16::try_from(s).ok()),
                signature_ok: v["signature_ok"].as_bool(),
            })
            .collect()
    }

    /// The requests answered by `route`.
    pub fn requests_to(&self, route: &str) -> Vec<Request> {
        self.requests().into_iter().filter(|r| r.route == route).collect()
    }

    /// Waits until `route` has had at least `n` requests; returns them.
    pub fn wait_for(&self, route: &str, n: usize, timeout: Duration) -> Vec<Request> {
        wait_until(timeout, || Some(self.requests_to(route)).filter(|r| r.len() >= n)).unwrap_or_else(|| {
            panic!("expected {n} requests to {route} within {timeout:?}, got {:?}", self.requests_to(route))
        })
    }
}

impl Drop for HookServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
