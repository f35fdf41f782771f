//! Webhook delivery throughput: N declared deadlines due at the same instant (lead time
//! 0s), sent by the real daemon as POSTs to a local HTTP/1.1 server written here (keep-
//! alive, one thread per connection, `200 OK` with an empty body), through a webhook
//! receiver with `max_concurrent = 8`. Prints alerts/s from the first request to the
//! last, and how many distinct `X-Sanctiond-Id` values arrived.
//! `cargo bench --bench webhook` (10,000 alerts); quick mode (`cargo test`): 200.
//!
//! The server uses std threads rather than tokio: the crate's tokio has no `io-util`
//! feature of its own, and eight keep-alive connections need no more than threads.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;

mod common;

const MAX_CONCURRENT: usize = 8;

/// What the server saw.
#[derive(Default)]
struct Hits {
    requests: usize,
    ids: HashSet<String>,
    first: Option<Instant>,
    last: Option<Instant>,
    connections: usize,
}

fn serve(listener: TcpListener, hits: Arc<Mutex<Hits>>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        hits.lock().expect("lock").connections += 1;
        let hits = Arc::clone(&hits);
        std::thread::spawn(move || {
            // A connection that breaks mid-request simply ends; the daemon retries its row.
            let _ = connection(stream, &hits);
        });
    }
}

/// Answers requests on one keep-alive connection until the client closes it.
fn connection(stream: TcpStream, hits: &Mutex<Hits>) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut length = 0;
        let mut id = None;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                } else if name.eq_ignore_ascii_case("x-sanctiond-id") {
                    id = Some(value.trim().to_owned());
                }
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        {
            let now = Instant::now();
            let mut hits = hits.lock().expect("lock");
            hits.requests += 1;
            hits.ids.extend(id);
            hits.first.get_or_insert(now);
            hits.last = Some(now);
        }
        writer.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")?;
    }
}

fn main() {
    let quick = common::quick();
    common::announce("webhook", quick);
    let alerts: usize = if quick { 200 } else { 10_000 };
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let hits = Arc::new(Mutex::new(Hits::default()));
    std::thread::spawn({
        let hits = Arc::clone(&hits);
        move || serve(listener, hits)
    });

    let dir = tempfile::tempdir().expect("tempdir");
    let lead_in = if quick { 5 } else { 10 };
    let due = Utc::now() + chrono::Duration::seconds(lead_in);
    let mut config = format!(
        "[daemon]\nstate_dir = \"{}\"\n[alerts]\nlead_times = [\"0s\"]\n\
         [[receiver]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://127.0.0.1:{port}/hook\"\n\
         max_concurrent = {MAX_CONCURRENT}\n",
        dir.path().join("state").display()
    );
    for i in 0..alerts {
        let _ = write!(
            config,
            "[[deadline]]\nid = \"burst-{i}\"\ntitle = \"Burst deadline {i}\"\ndue = \"{}\"\n",
            common::rfc3339(due)
        );
    }
    let config_path = dir.path().join("sanctiond.toml");
    std::fs::write(&config_path, config).expect("config");

    let mut daemon = common::Daemon::start(&config_path, &[]);
    daemon.wait_for_line("sanctiond started", Duration::from_secs(60));
    assert!(Utc::now() < due, "the daemon took longer to start than the lead-in of {lead_in} s");
    let delivered = common::wait_until(Duration::from_secs(lead_in as u64 + 300), || {
        (hits.lock().expect("lock").ids.len() >= alerts).then_some(())
    });
    daemon.stop();
    if delivered.is_none() {
        let failed: Vec<String> =
            daemon.lines().into_iter().filter(|l| l.contains("delivery failed")).take(5).collect();
        println!("not every alert arrived; first failures:\n{}", failed.join("\n"));
    }

    let hits = hits.lock().expect("lock");
    let took = match (hits.first, hits.last) {
        (Some(first), Some(last)) => last - first,
        _ => Duration::ZERO,
    };
    println!(
        "webhook burst:           {} requests ({} distinct X-Sanctiond-Id, {} duplicates) of {alerts} alerts in {took:.2?}, \
         {} connections",
        hits.requests,
        hits.ids.len(),
        hits.requests - hits.ids.len(),
        hits.connections
    );
    println!(
        "throughput:              {:>9.0} alerts/s (max_concurrent = {MAX_CONCURRENT}, keep-alive)",
        hits.requests.saturating_sub(1) as f64 / took.as_secs_f64()
    );
    assert_eq!(hits.ids.len(), alerts, "every alert delivered");
}
