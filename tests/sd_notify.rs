//! The systemd notify protocol, checked on a datagram socket bound at a path: READY=1 once
//! up, WATCHDOG=1 while running, RELOADING=1 with MONOTONIC_USEC then READY=1 around a
//! reload, STOPPING=1 on SIGTERM.

mod support;

use std::os::unix::net::UnixDatagram;
use std::time::{Duration, Instant};

use support::{Daemon, write_config};

struct Socket(UnixDatagram);

impl Socket {
    /// The next datagram, or panic after `timeout`.
    fn next(&self, timeout: Duration) -> String {
        self.0.set_read_timeout(Some(timeout)).expect("timeout");
        let mut buf = [0u8; 4096];
        let n = self.0.recv(&mut buf).unwrap_or_else(|e| panic!("no notification within {timeout:?}: {e}"));
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    /// Skips watchdog pings until a message with `needle` arrives.
    fn expect(&self, needle: &str, timeout: Duration) -> String {
        let start = Instant::now();
        loop {
            let left =
                timeout.checked_sub(start.elapsed()).unwrap_or_else(|| panic!("no {needle:?} within {timeout:?}"));
            let msg = self.next(left);
            if msg.contains(needle) {
                return msg;
            }
            assert!(msg.starts_with("WATCHDOG=1"), "unexpected notification before {needle:?}: {msg:?}");
        }
    }
}

#[test]
fn ready_watchdog_reloading_stopping() {
    let dir = tempfile::tempdir().expect("tempdir");
    let socket_path = dir.path().join("notify.sock");
    let socket = Socket(UnixDatagram::bind(&socket_path).expect("bind"));
    let config = format!("[daemon]\nstate_dir = \"{}\"\n", dir.path().join("state").display());
    let path = write_config(dir.path(), &config);
    let mut daemon =
        Daemon::start(&path, &[("NOTIFY_SOCKET", socket_path.to_str().expect("utf-8")), ("WATCHDOG_USEC", "1000000")]);

    let ready = socket.expect("READY=1", Duration::from_secs(10));
    assert!(ready.contains("STATUS="), "{ready:?}");
    // Pings at half the watchdog interval, without any alert due.
    let first = socket.next(Duration::from_secs(2));
    let second = socket.next(Duration::from_secs(2));
    assert_eq!((first.as_str(), second.as_str()), ("WATCHDOG=1\n", "WATCHDOG=1\n"));

    daemon.signal("HUP");
    let reloading = socket.expect("RELOADING=1", Duration::from_secs(5));
    let usec: u64 = reloading
        .lines()
        .find_map(|l| l.strip_prefix("MONOTONIC_USEC="))
        .unwrap_or_else(|| panic!("RELOADING=1 comes with MONOTONIC_USEC: {reloading:?}"))
        .parse()
        .expect("a number");
    assert!(usec > 0);
    socket.expect("READY=1", Duration::from_secs(5));

    daemon.signal("TERM");
    socket.expect("STOPPING=1", Duration::from_secs(5));
    assert!(daemon.wait_exit(Duration::from_secs(5)).success());
}

#[test]
fn without_notify_socket_nothing_is_sent_and_the_daemon_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = format!("[daemon]\nstate_dir = \"{}\"\n", dir.path().join("state").display());
    let path = write_config(dir.path(), &config);
    let mut daemon = Daemon::start(&path, &[]);
    daemon.wait_for_line("sanctiond started", Duration::from_secs(10));
    daemon.signal("INT");
    assert!(daemon.wait_exit(Duration::from_secs(5)).success());
    assert!(!daemon.lines().iter().any(|l| l.contains("notify socket")), "{:?}", daemon.lines());
}
