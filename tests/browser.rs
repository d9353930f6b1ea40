//! The built sample site in headless Chromium: pages render under their Content-Security-Policy,
//! the ledger filter works, pages print without the site's navigation and with folded callouts
//! unfolded, and a screenshot is saved.
//!
//! Needs Debian's `chromium` (or `UPWARD_CHROMIUM=/path/to/chrome`). Without it the test says
//! so and passes on a developer's machine; with `CI=true` a missing browser is a failure.

mod common;

use common::TestVault;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

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

/// axe-core's `axe.min.js`, the accessibility rules run in the pages: `UPWARD_AXE`.
fn axe() -> Option<PathBuf> {
    std::env::var_os("UPWARD_AXE").map(PathBuf::from)
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

/// Chromium driven over the DevTools protocol, on the pipe of `--remote-debugging-pipe` (its
/// file descriptors 3 and 4, messages ended by a NUL byte): for what its command line cannot
/// do, such as laying a page out for print.
struct DevTools {
    child: Child,
    to: std::fs::File,
    from: Receiver<serde_json::Value>,
    next: u64,
    session: String,
}

/// How long one answer of the browser may take before the test fails rather than hangs.
const DEVTOOLS_WAIT: Duration = Duration::from_secs(60);

impl DevTools {
    fn start(browser: &Browser) -> DevTools {
        use std::os::fd::{FromRawFd, RawFd};
        use std::os::unix::process::CommandExt;
        // Two pipes, their ends above the numbers the child gets them at, so that putting one
        // at 3 does not close the other.
        let pipe = || -> (RawFd, RawFd) {
            let mut fds = [0; 2];
            // SAFETY: `fds` has room for the two descriptors pipe2 writes.
            assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
            // SAFETY: duplicating descriptors this process owns.
            let high = |fd| unsafe {
                let moved = libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 10);
                libc::close(fd);
                moved
            };
            (high(fds[0]), high(fds[1]))
        };
        let (child_reads, we_write) = pipe();
        let (we_read, child_writes) = pipe();
        let mut command = browser.command();
        command.arg("--remote-debugging-pipe");
        // SAFETY: only dup2 between fork and exec, which is async-signal-safe; the copies at 3
        // and 4 lose close-on-exec, so the browser keeps them and nothing else.
        unsafe {
            command.pre_exec(move || {
                if libc::dup2(child_reads, 3) < 0 || libc::dup2(child_writes, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("chromium runs");
        // SAFETY: each descriptor is owned by this process and given to one File only.
        let (to, from, theirs) = unsafe {
            (
                std::fs::File::from_raw_fd(we_write),
                std::fs::File::from_raw_fd(we_read),
                [
                    std::fs::File::from_raw_fd(child_reads),
                    std::fs::File::from_raw_fd(child_writes),
                ],
            )
        };
        // The browser holds its own copies; ours would keep the pipe open after it ends.
        drop(theirs);
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut from = BufReader::new(from);
            let mut message = Vec::new();
            while from.read_until(0, &mut message).is_ok_and(|n| n > 0) {
                message.pop();
                if let Ok(value) = serde_json::from_slice(&message) {
                    if send.send(value).is_err() {
                        break;
                    }
                }
                message.clear();
            }
        });
        let mut tools = DevTools {
            child,
            to,
            from: receive,
            next: 0,
            session: String::new(),
        };
        let target = tools.call(
            "Target.createTarget",
            serde_json::json!({"url": "about:blank"}),
        );
        let target = target["targetId"].as_str().expect("a target").to_owned();
        let attached = tools.call(
            "Target.attachToTarget",
            serde_json::json!({"targetId": target, "flatten": true}),
        );
        tools.session = attached["sessionId"]
            .as_str()
            .expect("a session")
            .to_owned();
        tools
    }

    /// The next message of the browser that `wanted` picks.
    fn wait(&self, what: &str, wanted: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        let until = Instant::now() + DEVTOOLS_WAIT;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.from.recv_timeout(left) {
                Ok(message) if wanted(&message) => return message,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => panic!("no answer from chromium: {what}"),
                Err(RecvTimeoutError::Disconnected) => panic!("chromium ended before {what}"),
            }
        }
    }

    /// Calls a method (of the page, once one is attached) and returns its result.
    fn call(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.next += 1;
        let id = self.next;
        let mut message = serde_json::json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            message["sessionId"] = self.session.clone().into();
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.to.write_all(&bytes).expect("chromium reads its pipe");
        let answer = self.wait(method, |m| m["id"] == id);
        assert!(answer["error"].is_null(), "{method}: {answer}");
        answer["result"].clone()
    }

    /// Opens `url` and waits until it has loaded.
    fn open(&mut self, url: &str) {
        self.call("Page.navigate", serde_json::json!({"url": url}));
        // Asked of the page rather than read from its events, which may come before the
        // answer above, or be the blank page's from before.
        let until = Instant::now() + DEVTOOLS_WAIT;
        let loaded = format!(
            "document.readyState === 'complete' && location.href === {}",
            serde_json::Value::from(url)
        );
        while self.eval(&loaded) != true {
            assert!(Instant::now() < until, "{url} did not load");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The value of a JavaScript expression on the page, run as the DevTools console runs it.
    fn eval(&mut self, expression: &str) -> serde_json::Value {
        let result = self.call(
            "Runtime.evaluate",
            serde_json::json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(
            result["exceptionDetails"].is_null(),
            "{}: {result}",
            expression.chars().take(200).collect::<String>()
        );
        result["result"]["value"].clone()
    }

    /// Lays pages out for `media` (`print`, or empty for the screen), in the light or dark
    /// colour scheme.
    fn media(&mut self, media: &str, scheme: &str) {
        self.call(
            "Emulation.setEmulatedMedia",
            serde_json::json!({
                "media": media,
                "features": [{"name": "prefers-color-scheme", "value": scheme}],
            }),
        );
    }
}

impl Drop for DevTools {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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

    // On paper: no navigation, footer, pager or filter, and folded callouts unfolded; on the
    // screen the folded one shows only its title until it is opened.
    let mut tools = DevTools::start(&browser);
    let shown = |selector: &str| {
        format!("getComputedStyle(document.querySelector('{selector}')).display !== 'none'")
    };
    // Whether the folded callout's content is laid out, and how much taller than its title it
    // makes the callout.
    let folded = "(() => { const d = document.querySelector('details.callout:not([open])'); \
                  return [d.querySelector('.callout-content').checkVisibility(), \
                  d.getBoundingClientRect().height - d.querySelector('summary').getBoundingClientRect().height]; })()";
    tools.open(&format!("{base}/meetings/2026-08-18-rubber-duck/"));
    assert_eq!(tools.eval(&shown(".site-header")), true);
    let screen = tools.eval(folded);
    assert_eq!(screen[0], false, "folded on the screen: {screen}");
    tools.media("print", "light");
    for chrome in [".site-header", ".site-footer", ".skip-link", ".pager"] {
        assert_eq!(tools.eval(&shown(chrome)), false, "{chrome} printed");
    }
    assert_eq!(tools.eval(&shown(".body")), true);
    let paper = tools.eval(folded);
    assert_eq!(paper[0], true, "a folded callout prints unfolded: {paper}");
    assert!(
        paper[1].as_f64().unwrap() > screen[1].as_f64().unwrap() + 20.0,
        "its content takes room on paper: {screen} then {paper}"
    );
    for page in ["/requests/", "/review/"] {
        tools.open(&format!("{base}{page}"));
        for chrome in [".site-header", ".site-footer", ".status-filter"] {
            assert_eq!(
                tools.eval(&shown(chrome)),
                false,
                "{page}: {chrome} printed"
            );
        }
    }
    tools.open(&format!("{base}/requests/"));
    assert_eq!(
        tools.eval(&shown(".filter")),
        false,
        "the ledger filter printed"
    );

    // Accessible: axe-core's rules of WCAG 2.1, levels A and AA, find nothing on any page of
    // the site in the light colour scheme, nor on each kind of page in the dark one (contrast
    // is checked in both).
    match axe() {
        Some(axe) => {
            let axe = std::fs::read_to_string(&axe).expect("axe-core's axe.min.js");
            let every_page: Vec<String> = common::files(&site)
                .into_keys()
                .filter(|path| path.ends_with(".html"))
                .map(|path| format!("/{}", path.trim_end_matches("index.html")))
                .collect();
            assert!(every_page.len() > 60, "{every_page:?}");
            let kinds: Vec<String> = [
                "/",
                "/meetings/",
                "/meetings/2026-08-18-rubber-duck/",
                "/meetings/2026-09-22-dana-whitaker/",
                "/requests/",
                "/requests/promo-case/",
                "/wins/",
                "/decisions/",
                "/people/",
                "/people/dana-whitaker/",
                "/tags/",
                "/tags/one-on-one/",
                "/review/",
                "/notes/career-goals/",
                "/404.html",
            ]
            .map(str::to_owned)
            .to_vec();
            for (scheme, pages) in [("light", &every_page), ("dark", &kinds)] {
                tools.media("", scheme);
                for page in pages {
                    tools.open(&format!("{base}{page}"));
                    tools.eval(&axe);
                    let found = tools.eval(
                        "axe.run(document, {runOnly: {type: 'tag', values: \
                         ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}).then(r => \
                         r.violations.map(v => `${v.id} (${v.impact}): ${v.help}: ` + \
                         v.nodes.slice(0, 3).map(n => n.html).join(' | ')))",
                    );
                    let found = found.as_array().expect("a list of violations");
                    assert!(
                        found.is_empty(),
                        "{page} ({scheme}):\n{}",
                        found
                            .iter()
                            .map(|v| v.as_str().unwrap_or_default())
                            .collect::<Vec<_>>()
                            .join("\n")
                    );
                }
            }
        }
        None => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "axe-core is required in CI: set UPWARD_AXE to its axe.min.js"
            );
            eprintln!(
                "accessibility not checked: set UPWARD_AXE to axe-core's axe.min.js \
                 (`npm pack axe-core`, then unpack it)"
            );
        }
    }
    drop(tools);

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
