//! `upward watch` and `upward serve` on a temporary vault: every way editors save, bursts,
//! no rebuild from the output folder, HTTP with content types, traversal refused, and the
//! live-reload event after an edit.

mod common;

use common::TestVault;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(10);

fn note(date: &str, text: &str) -> String {
    format!(
        "---\ntype: one-on-one\ndate: {date}\nwith: \"[[Dana]]\"\n---\n## Wins\n- {text}\n## Help\n- [ ] Budget ^budget\n"
    )
}

/// A running `upward watch` or `serve`, stopped when dropped.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    builds: u64,
}

impl Running {
    fn start(vault: &TestVault, args: &[&str]) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_upward"))
            .arg("--vault")
            .arg(vault.path())
            .args(args)
            .env("UPWARD_TODAY", common::TODAY)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("upward starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut running = Running {
            child,
            lines,
            builds: 0,
        };
        running.next_build();
        running
    }

    /// Waits for the next `build N:` line and returns it.
    fn next_build(&mut self) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .expect("a build within the time limit");
            if line.starts_with("build ") {
                self.builds += 1;
                return line;
            }
        }
    }

    /// Lines printed within `quiet`, expecting none to be a build.
    fn assert_no_build(&mut self, quiet: Duration) {
        let deadline = Instant::now() + quiet;
        while let Ok(line) = self
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            assert!(!line.starts_with("build "), "an unexpected rebuild: {line}");
        }
    }

    /// The address after `serving http://…/`.
    fn address(&mut self) -> String {
        let line = self.lines.recv_timeout(WAIT).expect("the serving line");
        line.strip_prefix("serving http://")
            .and_then(|l| l.strip_suffix('/'))
            .expect(&line)
            .to_owned()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn page(vault: &TestVault, slug: &str) -> String {
    std::fs::read_to_string(
        vault
            .path()
            .join(format!("_site/meetings/{slug}/index.html")),
    )
    .unwrap_or_default()
}

/// Replaces `from` with `to` in the note at `path`, which holds it, and waits for the rebuild.
fn edit(watch: &mut Running, path: &std::path::Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} holds no {from:?}", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
    watch.next_build();
}

/// Whether the file `rel` of the site holds `text`.
fn shows(site: &std::path::Path, rel: &str, text: &str) -> bool {
    std::fs::read_to_string(site.join(rel)).is_ok_and(|page| page.contains(text))
}

const NOTE: &str = "1-1s/2026-11-17 Dana.md";
const SLUG: &str = "2026-11-17-dana";

#[test]
fn watch_follows_every_way_editors_save() {
    let vault = TestVault::new().file(NOTE, note("2026-11-17", "first version"));
    let mut watch = Running::start(&vault, &["watch"]);
    assert!(page(&vault, SLUG).contains("first version"));
    let path = vault.path().join(NOTE);

    // Written in place.
    std::fs::write(&path, note("2026-11-17", "written in place")).unwrap();
    watch.next_build();
    assert!(page(&vault, SLUG).contains("written in place"));

    // Written to a temporary file and renamed over (VS Code, Obsidian, most editors).
    let temp = vault.path().join("1-1s/.2026-11-17 Dana.md.tmp");
    std::fs::write(&temp, note("2026-11-17", "renamed over")).unwrap();
    std::fs::rename(&temp, &path).unwrap();
    watch.next_build();
    assert!(page(&vault, SLUG).contains("renamed over"));

    // Deleted and created again.
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, note("2026-11-17", "created again")).unwrap();
    let line = watch.next_build();
    if !page(&vault, SLUG).contains("created again") {
        // The delete and the create may land in two builds.
        watch.next_build();
    }
    assert!(page(&vault, SLUG).contains("created again"), "{line}");

    // Vim: a probe file, a backup by rename, a new file, a swap file.
    let probe = vault.path().join("1-1s/4913");
    std::fs::write(&probe, "").unwrap();
    std::fs::remove_file(&probe).unwrap();
    let swap = vault.path().join("1-1s/.2026-11-17 Dana.md.swp");
    std::fs::write(&swap, "swap").unwrap();
    let backup = vault.path().join("1-1s/2026-11-17 Dana.md~");
    std::fs::rename(&path, &backup).unwrap();
    std::fs::write(&path, note("2026-11-17", "saved by vim")).unwrap();
    std::fs::remove_file(&backup).unwrap();
    watch.next_build();
    assert!(page(&vault, SLUG).contains("saved by vim"));

    // A note moved to another name: the old page goes, the new one comes.
    std::fs::rename(&path, vault.path().join("1-1s/2026-11-18 Dana.md")).unwrap();
    watch.next_build();
    let moved = vault
        .path()
        .join("_site/meetings/2026-11-18-dana/index.html");
    let deadline = Instant::now() + WAIT;
    while !moved.exists() && Instant::now() < deadline {
        watch.next_build();
    }
    assert!(moved.exists());
    assert!(!vault.path().join("_site/meetings/2026-11-17-dana").exists());

    // A folder renamed: its notes are still found, and new notes in it too.
    std::fs::create_dir_all(vault.path().join("team")).unwrap();
    std::fs::write(
        vault.path().join("team/Plan.md"),
        "---\npublish: true\n---\nThe plan\n",
    )
    .unwrap();
    watch.next_build();
    std::fs::rename(vault.path().join("team"), vault.path().join("archive")).unwrap();
    watch.next_build();
    std::fs::write(
        vault.path().join("archive/Later.md"),
        "---\npublish: true\n---\nLater\n",
    )
    .unwrap();
    watch.next_build();
    assert!(vault.path().join("_site/notes/plan/index.html").exists());
    assert!(vault.path().join("_site/notes/later/index.html").exists());

    // After each of these, what watch wrote is what a fresh build writes.
    let site = vault.path().join("_site");
    let new_note = vault.path().join("1-1s/2026-11-24 Dana.md");
    std::fs::write(
        &new_note,
        note("2026-11-24", "a new week ![[chart.png]]") + "- [ ] Laptop ^laptop\n",
    )
    .unwrap();
    watch.next_build();
    common::assert_same_as_fresh(&vault, &site, "a new note with a new request");
    edit(
        &mut watch,
        &new_note,
        "- [ ] Laptop",
        "- [x] Laptop ✅ 2026-11-25",
    );
    common::assert_same_as_fresh(&vault, &site, "a request done");
    // A detail under the request: its page shows it, though the ledger is as it was.
    edit(
        &mut watch,
        &new_note,
        "^laptop\n",
        "^laptop\n  - The 14-inch one\n",
    );
    assert!(shows(
        &site,
        "requests/laptop/index.html",
        "The 14-inch one"
    ));
    common::assert_same_as_fresh(&vault, &site, "a detail under a request");
    // Another request in the same note, then the meeting's person changed: the ledger and
    // then the people of the site change.
    edit(
        &mut watch,
        &new_note,
        "## Help\n",
        "## Help\n- [ ] Desk ^desk\n",
    );
    assert!(shows(&site, "requests/index.html", "Desk"));
    common::assert_same_as_fresh(&vault, &site, "a request added");
    edit(&mut watch, &new_note, "[[Dana]]", "[[Sam]]");
    assert!(shows(&site, "people/sam/index.html", "Desk"));
    common::assert_same_as_fresh(&vault, &site, "the meeting's person changed");
    let text = std::fs::read_to_string(&new_note).unwrap();
    std::fs::write(
        &new_note,
        text + "\nA thought after the meeting.\n\n## Proud of\n- The migration\n",
    )
    .unwrap();
    watch.next_build();
    common::assert_same_as_fresh(&vault, &site, "prose added");
    // Settings that change how notes read: the heading becomes a section of wins.
    std::fs::write(
        vault.path().join("upward.yaml"),
        "sections:\n  wins: [Proud of]\n",
    )
    .unwrap();
    watch.next_build();
    assert!(shows(&site, "wins/index.html", "The migration"));
    common::assert_same_as_fresh(&vault, &site, "a section added in the settings");
    // A line added above the win of a meeting without requests: only the win's line moves,
    // which data.json shows.
    let quiet = vault.path().join("1-1s/2026-11-03 Dana.md");
    let text = "---\ntype: one-on-one\ndate: 2026-11-03\n---\n## Wins\n- Shipped it\n";
    std::fs::write(&quiet, text).unwrap();
    watch.next_build();
    edit(&mut watch, &quiet, "## Wins", "Context.\n\n## Wins");
    common::assert_same_as_fresh(&vault, &site, "a line added above a win");
    std::fs::write(vault.path().join("1-1s/chart.png"), b"\x89PNG\r\n").unwrap();
    watch.next_build();
    common::assert_same_as_fresh(&vault, &site, "an attachment added");
    // A site template of the vault's own, added while watching, is used by the next build.
    std::fs::create_dir_all(vault.path().join("templates/site")).unwrap();
    let template = vault.path().join("templates/site/404.html");
    let mine = "{% extends \"base.html\" %}{% block main %}<p>Gone fishing</p>{% endblock %}";
    std::fs::write(&template, mine).unwrap();
    watch.next_build();
    if !shows(&site, "404.html", "Gone fishing") {
        // The new folder's build came before the file: save it again, now watched.
        std::fs::write(&template, format!("{mine}\n")).unwrap();
        watch.next_build();
    }
    assert!(shows(&site, "404.html", "Gone fishing"));
    common::assert_same_as_fresh(&vault, &site, "a site template of the vault's own");
    // The output folder deleted while watching: the next rebuild writes it whole again.
    std::fs::remove_dir_all(&site).unwrap();
    std::fs::remove_file(vault.path().join("archive/Later.md")).unwrap();
    watch.next_build();
    drop(watch);
    common::assert_same_as_fresh(&vault, &site, "a note deleted");
}

#[test]
fn a_burst_of_changes_is_one_rebuild_and_the_output_never_triggers_one() {
    let vault = TestVault::new().file(NOTE, note("2026-11-17", "start"));
    let mut watch = Running::start(&vault, &["watch"]);
    // As a `git checkout` would: three hundred notes at once.
    for i in 0..300 {
        let day = 1 + i % 28;
        let month = 1 + i / 28 % 12;
        let year = 2020 + i / 336;
        std::fs::write(
            vault
                .path()
                .join(format!("1-1s/{year}-{month:02}-{day:02} Dana {i}.md")),
            note(
                &format!("{year}-{month:02}-{day:02}"),
                &format!("burst {i}"),
            ),
        )
        .unwrap();
    }
    let mut builds = 0;
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        watch.next_build();
        builds += 1;
        let pages = std::fs::read_dir(vault.path().join("_site/meetings"))
            .unwrap()
            .count();
        if pages >= 302 {
            break;
        }
    }
    assert!(builds <= 2, "{builds} rebuilds for one burst");
    // The output folder, hidden folders and editor files do not rebuild.
    vault.write("_site/CNAME", "example.com\n");
    vault.write(".obsidian/workspace.json", "{}");
    vault.write("1-1s/.2026-11-17 Dana.md.swp", "swap");
    vault.write("1-1s/2026-11-17 Dana.md~", "backup");
    watch.assert_no_build(Duration::from_millis(800));
}

/// The CPU time a process has used, in clock ticks (Linux).
#[cfg(target_os = "linux")]
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn idle_it_uses_no_cpu() {
    let vault = TestVault::new().file(NOTE, note("2026-11-17", "idle"));
    let mut serve = Running::start(&vault, &["serve", "--port", "0"]);
    serve.address();
    std::thread::sleep(Duration::from_millis(300));
    let pid = serve.child.id();
    let before = cpu_ticks(pid);
    std::thread::sleep(Duration::from_secs(2));
    let used = cpu_ticks(pid) - before;
    // A tick is 10 ms: over two idle seconds, at most one tick of bookkeeping.
    assert!(used <= 1, "{used} ticks of CPU while idle");
}

#[test]
fn a_note_broken_mid_edit_keeps_its_last_good_page() {
    let vault = TestVault::new().file(NOTE, note("2026-11-17", "good version"));
    let mut watch = Running::start(&vault, &["watch"]);
    vault.write(
        NOTE,
        "---\ntype: one-on-one\ndate: [2026\n---\n## Wins\n- half typed\n",
    );
    watch.next_build();
    let page = page(&vault, SLUG);
    assert!(
        page.contains("good version") && !page.contains("half typed"),
        "{page}"
    );
}

#[test]
fn poll_mode_sees_changes_too() {
    let vault = TestVault::new().file(NOTE, note("2026-11-17", "before polling"));
    let mut watch = Running::start(&vault, &["watch", "--poll"]);
    std::thread::sleep(Duration::from_millis(1100));
    vault.write(NOTE, note("2026-11-17", "seen by polling"));
    watch.next_build();
    assert!(page(&vault, SLUG).contains("seen by polling"));
}

/// A GET over HTTP/1.1: (status, headers, body).
fn get(address: &str, path: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head.to_lowercase(), response[split + 4..].to_vec())
}

#[test]
fn serve_answers_with_the_right_types_and_never_leaves_the_site() {
    let vault = TestVault::new().file(NOTE, note("2026-11-17", "served"));
    vault.write("secret.txt", "outside the site");
    let mut serve = Running::start(&vault, &["serve", "--port", "0"]);
    let address = serve.address();
    assert!(
        address.starts_with("127.0.0.1:"),
        "loopback by default: {address}"
    );
    let (status, head, body) = get(&address, "/");
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/html; charset=utf-8"));
    assert!(
        String::from_utf8_lossy(&body)
            .contains("<script src=\"/__upward/live.js\" defer></script></head>")
    );
    let (status, head, _) = get(&address, "/style.css");
    assert_eq!(
        (status, head.contains("content-type: text/css")),
        (200, true)
    );
    let (status, head, _) = get(&address, "/data.json");
    assert_eq!(
        (status, head.contains("content-type: application/json")),
        (200, true)
    );
    let (status, head, _) = get(&address, "/__upward/live.js");
    assert_eq!(
        (status, head.contains("content-type: text/javascript")),
        (200, true)
    );
    let (status, head, _) = get(&address, "/meetings/2026-11-17-dana");
    assert_eq!(status, 301);
    assert!(head.contains("location: /meetings/2026-11-17-dana/"));
    let (status, _, body) = get(&address, "/meetings/2026-11-17-dana/");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("served"));
    let (status, _, body) = get(&address, "/no/such/page/");
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("Not found"));
    for attempt in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/meetings/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "//etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    ] {
        let (status, _, body) = get(&address, attempt);
        let body = String::from_utf8_lossy(&body);
        assert_ne!(status, 200, "{attempt} was served");
        assert!(
            !body.contains("outside the site") && !body.contains("root:"),
            "{attempt}"
        );
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(
            vault.path().join("secret.txt"),
            vault.path().join("_site/link.txt"),
        )
        .unwrap();
        let (status, _, _) = get(&address, "/link.txt");
        assert_ne!(status, 200, "a link out of the site is not followed");
    }
}

/// Reads server-sent events until one named `name` arrives.
fn wait_for_event(reader: &mut BufReader<TcpStream>, name: &str) -> String {
    let deadline = Instant::now() + WAIT;
    let mut event = String::new();
    let mut line = String::new();
    while Instant::now() < deadline {
        line.clear();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(found) = line.strip_prefix("event: ") {
            event = found.trim().to_owned();
        } else if let Some(data) = line.strip_prefix("data: ") {
            if event == name {
                return data.trim().to_owned();
            }
        }
    }
    panic!("no {name} event");
}

#[test]
fn serve_sends_one_reload_after_an_edit_and_the_errors_of_a_broken_note() {
    let vault = TestVault::new().file(NOTE, note("2026-11-17", "before"));
    let mut serve = Running::start(&vault, &["serve", "--port", "0"]);
    let address = serve.address();
    let mut stream = TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "GET /__upward/events HTTP/1.1\r\nHost: {address}\r\n\r\n"
    )
    .unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let mut events = BufReader::new(stream);
    let mut status = String::new();
    events.read_line(&mut status).unwrap();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    wait_for_event(&mut events, "hello");
    vault.write(NOTE, note("2026-11-17", "after"));
    serve.next_build();
    let generation = wait_for_event(&mut events, "reload");
    assert!(generation.parse::<u64>().is_ok());
    // Every file of the rebuild was written before the event was sent.
    assert!(page(&vault, SLUG).contains("after"));
    vault.write(NOTE, "---\ndate: [\n---\n");
    serve.next_build();
    let problems = wait_for_event(&mut events, "problems");
    assert!(
        problems.contains("1-1s/2026-11-17 Dana.md:3:1: error: invalid YAML"),
        "{problems}"
    );
}
