//! The built sample site in headless Chromium: pages render under their Content-Security-Policy,
//! the ledger filter works, and a screenshot is saved.
//!
//! Needs Debian's `chromium` (or `UPWARD_CHROMIUM=/path/to/chrome`). Without it the test says
//! so and passes on a developer's machine; with `CI=true` a missing browser is a failure.

mod common;

use common::TestVault;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("UPWARD_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Serves a folder over HTTP on a free loopback port, as a static host would.
fn serve(root: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || respond(stream, &root));
        }
    });
    port
}

fn respond(mut stream: TcpStream, root: &Path) {
    let mut request = String::new();
    if BufReader::new(&stream).read_line(&mut request).is_err() {
        return;
    }
    let target = request.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let mut file = root.join(path.trim_start_matches('/').replace("%20", " "));
    if file.is_dir() {
        file = file.join("index.html");
    }
    let (status, body, kind) = match std::fs::read(&file) {
        Ok(body) if !path.contains("..") => {
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("css") => "text/css",
                Some("js") => "text/javascript",
                Some("json") => "application/json",
                Some("png") => "image/png",
                _ => "application/octet-stream",
            };
            ("200 OK", body, kind)
        }
        _ => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

struct Browser {
    binary: PathBuf,
    profile: tempfile::TempDir,
}

impl Browser {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.binary);
        command.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ]);
        command.arg(format!("--user-data-dir={}", self.profile.path().display()));
        command
    }

    /// The DOM after the page's scripts ran, and what the browser logged.
    fn dom(&self, url: &str) -> (String, String) {
        let output = self
            .command()
            .args(["--dump-dom", url])
            .output()
            .expect("chromium runs");
        assert!(output.status.success(), "chromium failed on {url}");
        (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }
}

/// The table rows of a dumped ledger: (data-status, hidden).
fn rows(dom: &str) -> Vec<(String, bool)> {
    dom.split("<tr ")
        .skip(1)
        .filter(|row| row.contains("data-status=\""))
        .map(|row| {
            let tag = &row[..row.find('>').unwrap()];
            let status = tag
                .split("data-status=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            (status.to_owned(), tag.contains("hidden"))
        })
        .collect()
}

#[test]
fn the_sample_site_renders_and_the_ledger_filter_works_in_chromium() {
    let Some(binary) = chromium() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "Chromium is required in CI: install Debian's `chromium`"
        );
        eprintln!("browser test not run: no Chromium on this machine (install `chromium`)");
        return;
    };
    let vault = TestVault::sample();
    let site = vault.path().join("_site");
    vault.run(&["build"]).code(0);
    let port = serve(site.clone());
    let base = format!("http://127.0.0.1:{port}");
    let browser = Browser {
        binary,
        profile: tempfile::tempdir().unwrap(),
    };

    // Without a query every request is shown and the filter form is revealed by the script.
    let (dom, log) = browser.dom(&format!("{base}/requests/"));
    assert!(
        dom.contains("<form id=\"ledger-filter\" class=\"filter\">"),
        "the script ran:\n{dom}"
    );
    let all = rows(&dom);
    assert!(
        all.len() >= 10 && all.iter().all(|(_, hidden)| !hidden),
        "{all:?}"
    );
    assert!(
        !log.contains("Content Security Policy"),
        "CSP violation: {log}"
    );

    // The filter applies the status in the address: only open requests stay visible.
    let (dom, _) = browser.dom(&format!("{base}/requests/?status=open"));
    let filtered = rows(&dom);
    assert!(filtered.iter().any(|(s, hidden)| s == "open" && !hidden));
    for (status, hidden) in &filtered {
        assert_eq!(*hidden, status != "open", "{status} row");
    }
    let shown = filtered.iter().filter(|(_, hidden)| !hidden).count();
    assert_eq!(shown, 3, "two open requests and one open follow-up");
    assert!(
        dom.contains(&format!("{shown} of {} shown", filtered.len())),
        "{dom}"
    );

    // And the person: one request was raised in the skip-level with Priya.
    let (dom, _) = browser.dom(&format!("{base}/requests/?person=priya-raman"));
    let all = rows(&dom);
    let visible: Vec<_> = all.iter().filter(|(_, hidden)| !hidden).collect();
    assert_eq!(visible.len(), 1, "{dom}");
    assert!(dom.contains(&format!("1 of {} shown", all.len())));

    // Pages render with their styles, charts and callouts, and no policy violation.
    for (path, expected) in [
        ("/", "<svg class=\"chart\""),
        ("/meetings/2026-08-18-rubber-duck/", "callout callout-tip"),
        ("/requests/promo-case/", "class=\"timeline\""),
        ("/wins/", "Everything delivered"),
        ("/people/dana-whitaker/", "Median days to an answer"),
    ] {
        let (dom, log) = browser.dom(&format!("{base}{path}"));
        assert!(dom.contains(expected), "{path} lacks {expected}");
        assert!(!log.contains("Refused to"), "{path}: {log}");
    }

    // A screenshot of the dashboard, for people to look at.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let png = shots.join("dashboard.png");
    let status = browser
        .command()
        .args([
            "--window-size=1280,1500",
            &format!("--screenshot={}", png.display()),
        ])
        .arg(format!("{base}/"))
        .output()
        .expect("chromium runs");
    assert!(status.status.success());
    let bytes = std::fs::read(&png).expect("a screenshot");
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000,
        "{} bytes",
        bytes.len()
    );
    if std::env::var_os("UPWARD_UPDATE_SCREENSHOT").is_some() {
        let committed =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/screenshots/dashboard.png");
        std::fs::copy(&png, committed).unwrap();
    }
    eprintln!("screenshot: {}", png.display());
}
