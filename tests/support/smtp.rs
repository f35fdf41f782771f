//! A real SMTP server for tests: `smtp_sink.py` (aiosmtpd) on 127.0.0.1, and a test CA.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

/// One message the sink accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub rcpts: Vec<String>,
    pub tls: bool,
    pub auth: bool,
    pub raw: Vec<u8>,
}

impl Received {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default().parse(&self.raw).expect("a parsable message")
    }

    /// A header's raw value, unfolded (continuation lines joined).
    pub fn header(&self, name: &str) -> Option<String> {
        let text = String::from_utf8_lossy(&self.raw);
        let head = text.split("\r\n\r\n").next().unwrap_or_default().to_owned();
        let mut fields: Vec<String> = Vec::new();
        for line in head.split("\r\n") {
            match fields.last_mut() {
                Some(last) if line.starts_with([' ', '\t']) => last.push_str(line),
                _ => fields.push(line.to_owned()),
            }
        }
        fields
            .into_iter()
            .find(|l| {
                l.len() > name.len() && l[..name.len()].eq_ignore_ascii_case(name) && l[name.len()..].starts_with(':')
            })
            .map(|l| l[name.len() + 1..].trim().to_owned())
    }
}

pub struct SmtpSink {
    child: Child,
    pub port: u16,
    pub outdir: PathBuf,
}

impl SmtpSink {
    /// Starts the sink; `port` 0 picks a free one. `extra` are more arguments (TLS, AUTH).
    pub fn start(mode: &str, port: u16, outdir: &Path, extra: &[&str]) -> SmtpSink {
        let port = port.to_string();
        let mut args: Vec<&std::ffi::OsStr> =
            ["--mode", mode, "--port", &port, "--outdir"].map(std::ffi::OsStr::new).to_vec();
        args.push(outdir.as_os_str());
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        let (child, port) = super::start_python("smtp_sink.py", &args);
        SmtpSink { child, port, outdir: outdir.to_owned() }
    }

    /// Every message received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        received_in(&self.outdir)
    }
}

pub fn received_in(outdir: &Path) -> Vec<Received> {
    let mut names: Vec<PathBuf> =
        std::fs::read_dir(outdir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    names.retain(|p| p.extension().is_some_and(|e| e == "eml"));
    names.sort();
    names
        .into_iter()
        .map(|eml| {
            let meta: serde_json::Value =
                serde_json::from_slice(&std::fs::read(eml.with_extension("json")).expect("json")).expect("meta");
            Received {
                rcpts: meta["rcpts"]
                    .as_array()
                    .expect("rcpts")
                    .iter()
                    .map(|r| r.as_str().unwrap_or("").to_owned())
                    .collect(),
                tls: meta["tls"] == true,
                auth: meta["auth"] == true,
                raw: std::fs::read(&eml).expect("eml"),
            }
        })
        .collect()
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A test CA and a leaf for localhost/127.0.0.1 signed by it: (ca.pem, server.pem, server.key).
pub fn test_certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl is needed: run tests/setup.sh");
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "30",
        "-subj",
        "/CN=sanctiond test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    run(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext");
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "30",
        "-extfile",
        "leaf.ext",
    ]);
    (dir.join("ca.pem"), dir.join("server.pem"), dir.join("server.key"))
}

/// A port nothing listens on (for now).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// A sink speaking TLS (`"starttls"` or `"smtps"`) with a fresh test CA, optionally
/// requiring AUTH with `(user, password)`. Returns the sink and the CA to trust.
pub fn tls_sink(mode: &str, dir: &Path, auth: Option<(&str, &str)>) -> (SmtpSink, PathBuf) {
    let (ca, cert, key) = test_certificates(dir);
    let mut args = vec!["--cert".to_owned(), cert.display().to_string(), "--key".to_owned(), key.display().to_string()];
    if let Some((user, password)) = auth {
        args.extend(["--user".to_owned(), user.to_owned(), "--password".to_owned(), password.to_owned()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    (SmtpSink::start(mode, 0, &dir.join("mail"), &args), ca)
}
