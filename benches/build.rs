//! The budgets of DESIGN.md, measured on a generated vault of 10,000 1:1 notes (about 3 KB
//! each, requests raised again across notes) with the release binary:
//!
//!     cargo bench --bench build                      # generate, then measure
//!     cargo bench --bench build -- --notes 2000      # a smaller vault
//!     cargo bench --bench build -- --generate DIR    # only write the vault to DIR
//!     cargo bench --bench build -- --full-build-in DIR  # the full build into DIR as well
//!     cargo bench --bench build -- --pathological    # `check` and `build` of notes made
//!                                                    # to be slow: each should take well
//!                                                    # under a second
//!
//! Reports the full build (time and peak memory), a rebuild with nothing changed, a rebuild
//! after one note is edited, `check` and `new --dry-run` (without their note cache, with it,
//! and for `new` after one edit), and reading the git provenance of a 1,000-commit history of
//! the vault.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A small deterministic generator, so every run measures the same vault.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const PEOPLE: usize = 20;
const WORDS: [&str; 24] = [
    "ledger",
    "migration",
    "settlement",
    "retries",
    "idempotency",
    "on-call",
    "postgres",
    "batch",
    "reconciliation",
    "design",
    "review",
    "latency",
    "rollout",
    "incident",
    "budget",
    "hiring",
    "mentoring",
    "runbook",
    "alerting",
    "capacity",
    "schema",
    "queue",
    "dashboard",
    "contract",
];
const ASKS: [&str; 8] = [
    "Approval for",
    "Time to work on",
    "A decision on",
    "Headcount for",
    "Access to",
    "Budget for",
    "A reviewer for",
    "Sign-off on",
];

fn sentence(rng: &mut Random, words: usize) -> String {
    let mut text = String::new();
    for i in 0..words {
        if i > 0 {
            text.push(' ');
        }
        text.push_str(rng.pick(&WORDS));
    }
    text
}

/// Writes a vault of `notes` weekly 1:1s spread over 20 managers.
fn generate(dir: &Path, notes: usize) {
    std::fs::create_dir_all(dir.join("1-1s")).unwrap();
    std::fs::write(
        dir.join("upward.yaml"),
        "meetings: 1-1s/\nstale_after_days: 60\n",
    )
    .unwrap();
    let mut rng = Random(0x5eed_1234_abcd_ef01);
    let start = chrono_like_date(2007, 1, 1);
    // Open requests per person, carried from note to note: (id, text, mentions).
    let mut open: Vec<Vec<(String, String, u32)>> = vec![Vec::new(); PEOPLE];
    let mut follow_ups: Vec<Vec<(String, String)>> = vec![Vec::new(); PEOPLE];
    let mut next_id = 0;
    for n in 0..notes {
        let person = n % PEOPLE;
        let week = n / PEOPLE;
        let date = add_days(start, week as i64 * 7 + person as i64 % 5);
        let name = format!("Manager {person:02}");
        let mut text = String::with_capacity(3500);
        let _ = write!(
            text,
            "---\ntype: one-on-one\ndate: {date}\nwith: \"[[{name}]]\"\ntemplate: five-questions\ntags: [one-on-one, team-{}]\n---\n# 1:1 with {name}\n\n",
            person % 4
        );
        text.push_str("## What did you love at work this week?\n");
        for _ in 0..2 {
            let _ = writeln!(
                text,
                "- Finished the {} work with the {} folks, and it held up in review.",
                sentence(&mut rng, 3),
                sentence(&mut rng, 1)
            );
        }
        text.push_str("\n## What was the most frustrating thing?\n");
        let _ = writeln!(
            text,
            "- The {} kept paging at night; we lost two days to it. #oncall",
            sentence(&mut rng, 2)
        );
        text.push_str("\n## What are you learning?\n");
        let _ = writeln!(
            text,
            "- Reading about {} and trying it on the {} service.\n",
            sentence(&mut rng, 2),
            sentence(&mut rng, 1)
        );
        for _ in 0..3 {
            let _ = writeln!(
                text,
                "Context from the week: the {} is {} and the {} still needs {}. We talked about {} before {}; more on **{}** in [[{} notes|the plan]].\n",
                sentence(&mut rng, 3),
                sentence(&mut rng, 2),
                sentence(&mut rng, 2),
                sentence(&mut rng, 4),
                sentence(&mut rng, 5),
                sentence(&mut rng, 3),
                sentence(&mut rng, 2),
                sentence(&mut rng, 1)
            );
        }
        text.push_str("## What do you need from me to ensure your success?\n");
        let carried = std::mem::take(&mut open[person]);
        for (id, ask, mentions) in carried {
            let roll = rng.below(10);
            if roll < 2 {
                let _ = writeln!(
                    text,
                    "- [x] {ask} ✅ {date} ^{id}\n    - outcome:: approved after {mentions} mentions"
                );
            } else if roll < 3 && mentions > 2 {
                let _ = writeln!(
                    text,
                    "- [-] {ask} ❌ {date} ^{id}\n    - outcome:: not this quarter"
                );
            } else {
                let mark = if roll < 5 { '/' } else { ' ' };
                let _ = writeln!(text, "- [{mark}] {ask} ^{id}");
                open[person].push((id, ask, mentions + 1));
            }
        }
        if open[person].len() < 4 || rng.below(3) == 0 {
            let id = format!("req-{next_id}");
            next_id += 1;
            let ask = format!("{} the {}", rng.pick(&ASKS), sentence(&mut rng, 3));
            let _ = writeln!(text, "- [ ] {ask} ➕ {date} ^{id}");
            open[person].push((id, ask, 1));
        }
        text.push_str("\n## What else is top of mind?\n");
        let _ = writeln!(
            text,
            "- {}; worth a look before the {} planning.",
            sentence(&mut rng, 6),
            sentence(&mut rng, 1)
        );
        text.push_str("\n## Status of tasks you asked me to follow up on\n");
        for (id, task) in std::mem::take(&mut follow_ups[person]) {
            if rng.below(2) == 0 {
                let _ = writeln!(text, "- [x] {task} ✅ {date} ^{id}");
            } else {
                let _ = writeln!(text, "- [/] {task} ^{id}");
                follow_ups[person].push((id, task));
            }
        }
        if n % 3 == 0 {
            let task = format!("Write up the {}", sentence(&mut rng, 2));
            let _ = writeln!(text, "- [ ] {task} ^fu-{n}");
            follow_ups[person].push((format!("fu-{n}"), task));
        }
        text.push_str("\n## Recent wins and completions\n");
        let _ = writeln!(
            text,
            "- Shipped the {} change to production ^win-{n}",
            sentence(&mut rng, 2)
        );
        text.push_str("\n## Outcomes\n### Decisions\n");
        let _ = writeln!(
            text,
            "- Decision: {} goes first, {} waits.",
            sentence(&mut rng, 2),
            sentence(&mut rng, 2)
        );
        text.push_str("### Agreements\n");
        let _ = writeln!(
            text,
            "- Agreed: {} by the end of the month.",
            sentence(&mut rng, 4)
        );
        let _ = writeln!(
            text,
            "\n> [!note] Context\n> {}\n\n%% private: {} %%",
            sentence(&mut rng, 12),
            sentence(&mut rng, 6)
        );
        let file = dir.join(format!("1-1s/{date} {name}.md"));
        std::fs::write(file, text).unwrap();
    }
}

fn chrono_like_date(y: i64, m: i64, d: i64) -> i64 {
    // Days since 1970-01-01 (the civil-from-days algorithm, inverted).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn add_days(days: i64, n: i64) -> String {
    let z = days + n + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A run of upward: its wall time, the peak resident memory of any child so far, the CPU time
/// it used (user and system, all threads) and what it wrote on stderr.
struct Run {
    wall: Duration,
    peak_kib: u64,
    cpu: Duration,
    log: String,
}

/// The folder of the note cache (of `new` and `check`) for the benchmark's runs, not the
/// user's.
static CACHE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Runs upward, with the benchmark's note cache.
fn run(args: &[&str]) -> Run {
    run_caching(args, true)
}

/// Runs upward, with the benchmark's note cache or with none at all.
fn run_caching(args: &[&str], cache: bool) -> Run {
    let cpu_before = children_cpu();
    let started = Instant::now();
    let cache = if cache {
        CACHE
            .get()
            .expect("the cache folder is set first")
            .as_os_str()
    } else {
        std::ffi::OsStr::new("")
    };
    let output = Command::new(env!("CARGO_BIN_EXE_upward"))
        .args(args)
        .env("UPWARD_TODAY", "2026-11-24")
        .env("UPWARD_CACHE_DIR", cache)
        .output()
        .expect("upward runs");
    let elapsed = started.elapsed();
    assert!(
        output.status.code().is_some_and(|c| c <= 1),
        "upward {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Run {
        wall: elapsed,
        peak_kib: peak_children_kib(),
        cpu: children_cpu() - cpu_before,
        log: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// What the system counts of every child waited for so far.
fn children_usage() -> libc::rusage {
    // SAFETY: getrusage writes into the zeroed struct we own.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    }
}

/// The user and system time of every child waited for so far.
fn children_cpu() -> Duration {
    let usage = children_usage();
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

fn peak_children_kib() -> u64 {
    children_usage().ru_maxrss as u64
}

/// The longest of `times`.
fn slowest(times: &[Duration]) -> Duration {
    times.iter().max().copied().unwrap_or_default()
}

/// Notes of one thing repeated until it is hundreds of thousands of times what a note holds:
/// what made a part of upward look, for each, through all the others before it.
fn pathological_notes() -> Vec<(&'static str, String)> {
    let n = 200_000;
    let each = |f: &dyn Fn(usize) -> String| (0..n).map(f).collect::<String>();
    vec![
        ("headings of one name", "# h\n".repeat(n / 2)),
        (
            "headings, links to them, block IDs",
            each(&|i| format!("# h{i}\n[[#h{i}]] ^b{i}\n")),
        ),
        ("block IDs used again", "x ^a\n\n".repeat(n)),
        ("unclosed wikilinks on a line", "[[a ".repeat(n)),
        ("unclosed fields on a line", "(k:: ".repeat(n)),
        ("bracketed fields on a line", "[k:: v] ".repeat(n)),
        (
            "fields, a line each",
            each(&|i| format!("- k{i}:: v [a:: b] (c:: d)\n")),
        ),
        ("wikilinks on a line", "[[a]] ".repeat(n)),
        ("embeds on a line", "![[x.png]] ".repeat(n)),
        ("Markdown links on a line", "[a](b.md) ".repeat(n)),
        ("nested <div>", "<div>".repeat(n)),
        (
            "quotes nested deep, one tag",
            format!("{} <b>x</b>\n", ">".repeat(n)),
        ),
        ("highlight marks", "==a ".repeat(n)),
        ("a highlight held open", format!("==a {}", "*b* ".repeat(n))),
        ("tags", "#a ".repeat(n)),
        ("comments", "%% c %% ".repeat(n)),
        ("callouts", "> [!note] T\n> x\n\n".repeat(n / 4)),
        ("one line of 7 MB", "a".repeat(7_000_000)),
        (
            "a 1:1 of one request repeated",
            format!(
                "---\ntype: one-on-one\ndate: 2026-11-20\n---\n## Help\n{}",
                "- [ ] r ^id\n".repeat(n)
            ),
        ),
    ]
}

/// `check` and `build` of each pathological note, alone in a vault.
fn pathological() {
    let temp = tempfile::tempdir().unwrap();
    CACHE.set(temp.path().join("cache")).unwrap();
    for (i, (name, body)) in pathological_notes().into_iter().enumerate() {
        let vault = temp.path().join(format!("vault-{i}"));
        std::fs::create_dir_all(&vault).unwrap();
        let text = if body.starts_with("---") {
            body
        } else {
            format!("---\npublish: true\n---\n{body}\n")
        };
        std::fs::write(vault.join("note.md"), &text).unwrap();
        let v = vault.to_str().unwrap();
        let out = vault.join("_site");
        print!("{name} ({:.1} MB): ", text.len() as f64 / 1e6);
        // Named before it runs: a run that never ends shows which.
        std::io::Write::flush(&mut std::io::stdout()).unwrap();
        let check = run(&["--vault", v, "check"]);
        let build = run(&["--vault", v, "build", "--out", out.to_str().unwrap()]);
        println!(
            "check {:.0} ms, build {:.0} ms",
            check.wall.as_secs_f64() * 1e3,
            build.wall.as_secs_f64() * 1e3
        );
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let notes: usize = value("--notes")
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    if args.iter().any(|a| a == "--pathological") {
        pathological();
        return;
    }
    if let Some(dir) = value("--generate") {
        generate(Path::new(&dir), notes);
        println!("wrote {notes} notes to {dir}");
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    CACHE.set(temp.path().join("cache")).unwrap();
    let vault: PathBuf = temp.path().join("vault");
    let started = Instant::now();
    generate(&vault, notes);
    let bytes: u64 = walk_size(&vault.join("1-1s"));
    println!(
        "generated {notes} notes, {:.1} MB ({} bytes a note on average) in {:.1} s",
        bytes as f64 / 1e6,
        bytes / notes as u64,
        started.elapsed().as_secs_f64()
    );
    let v = vault.to_str().unwrap();
    let out = temp.path().join("site");
    let o = out.to_str().unwrap();

    // Each full build writes every file into a fresh folder: once on the disk of the vault,
    // once in memory (/dev/shm) where there is one, to tell file-system time from upward's.
    // The folders are removed only after the last build: ext4 without a journal passes over
    // inodes freed in the last minutes when it makes new ones, so a build right after removing
    // 40,000 files and folders measures that search (several seconds here), not the build.
    // The build reads notes through its note cache, as every build but the first after
    // installing or upgrading upward does: a build fills it first. In memory first, then
    // without any cache, then on disk: what the disk still writes back after a build there
    // takes CPU from the builds that follow it.
    let memory = Path::new("/dev/shm")
        .is_dir()
        .then(|| PathBuf::from("/dev/shm"));
    let mut places = Vec::new();
    if let Some(memory) = &memory {
        places.push(("memory (/dev/shm)".to_owned(), memory.clone(), true));
    }
    let base = memory.clone().unwrap_or_else(|| temp.path().to_path_buf());
    places.push((
        format!("{}, without a note cache", base.display()),
        base,
        false,
    ));
    places.push(("disk".to_owned(), temp.path().to_path_buf(), true));
    // Another file system to compare with (a freshly made one, say).
    if let Some(dir) = value("--full-build-in") {
        places.push((dir.clone(), PathBuf::from(dir), true));
    }
    let filling = memory
        .unwrap_or_else(|| temp.path().to_path_buf())
        .join(format!("upward-bench-{}-filling", std::process::id()));
    run(&["--vault", v, "build", "--out", filling.to_str().unwrap()]);
    let mut built = vec![filling];
    for (round, (place, base, cache)) in places.into_iter().enumerate() {
        let mut full = Vec::new();
        let mut cpu = Vec::new();
        let mut peak = 0;
        for i in 0..3 {
            let fresh = base.join(format!("upward-bench-{}-{round}-{i}", std::process::id()));
            let build = run_caching(
                &["--vault", v, "build", "--out", fresh.to_str().unwrap()],
                cache,
            );
            if i == 0 {
                println!("  {}", build.log.lines().last().unwrap_or_default());
            }
            built.push(fresh);
            full.push(build.wall);
            cpu.push(build.cpu);
            peak = peak.max(build.peak_kib);
        }
        let each: Vec<String> = full
            .iter()
            .map(|t| format!("{:.0}", t.as_secs_f64() * 1e3))
            .collect();
        // On a busy machine the wall time of a build varies far more than the work it does:
        // the CPU time (all threads) says whether the work changed.
        println!(
            "full build, output on {place} (budget 1 s, 200 MB): median {:.0} ms ({} ms), peak memory {:.0} MB, CPU time median {:.0} ms",
            median(full).as_secs_f64() * 1e3,
            each.join(", "),
            peak as f64 / 1024.0,
            median(cpu).as_secs_f64() * 1e3
        );
    }
    for fresh in built {
        let _ = std::fs::remove_dir_all(fresh);
    }

    run(&["--vault", v, "build", "--out", o]);
    let unchanged: Vec<Duration> = (0..3)
        .map(|_| run(&["--vault", v, "build", "--out", o]).wall)
        .collect();
    println!(
        "rebuild, nothing changed: median {:.0} ms",
        median(unchanged).as_secs_f64() * 1e3
    );

    let note = std::fs::read_dir(vault.join("1-1s"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut edited = Vec::new();
    for i in 0..3 {
        let mut text = std::fs::read_to_string(&note).unwrap();
        let _ = writeln!(text, "- one more thought, edit {i}");
        std::fs::write(&note, text).unwrap();
        edited.push(run(&["--vault", v, "build", "--out", o]).wall);
    }
    println!(
        "rebuild after one note is edited (full rebuild; budget 50 ms is for watch): median {:.0} ms",
        median(edited).as_secs_f64() * 1e3
    );

    // `check` reads notes through the same cache as `new`: once without it, then with it.
    let _ = std::fs::remove_dir_all(CACHE.get().unwrap());
    let check_cold = run(&["--vault", v, "check"]).wall;
    let check: Vec<Duration> = (0..5).map(|_| run(&["--vault", v, "check"]).wall).collect();
    println!(
        "check: no cache {:.0} ms; cache of every note median {:.0} ms",
        check_cold.as_secs_f64() * 1e3,
        median(check).as_secs_f64() * 1e3
    );
    // `new` parses only the notes whose text its cache has not seen: measured with no cache
    // (every note parsed, the cache written), with the cache of every note, and after one
    // note is edited (that note parsed, the cache written again).
    let cache = CACHE.get().unwrap();
    let new = || run(&["--vault", v, "new", "--with", "Manager 03", "--dry-run"]).wall;
    let cold: Vec<Duration> = (0..3)
        .map(|_| {
            let _ = std::fs::remove_dir_all(cache);
            new()
        })
        .collect();
    let warm: Vec<Duration> = (0..9).map(|_| new()).collect();
    let one_edit: Vec<Duration> = (0..3)
        .map(|i| {
            let mut text = std::fs::read_to_string(&note).unwrap();
            let _ = writeln!(text, "- and one more, edit {i}");
            std::fs::write(&note, text).unwrap();
            new()
        })
        .collect();
    println!(
        "new --dry-run (budget 100 ms): no cache median {:.0} ms; cache of every note median {:.0} ms, slowest {:.0} ms; one note edited since median {:.0} ms",
        median(cold).as_secs_f64() * 1e3,
        median(warm.clone()).as_secs_f64() * 1e3,
        slowest(&warm).as_secs_f64() * 1e3,
        median(one_edit).as_secs_f64() * 1e3,
    );

    for (kind, rebuilds, reloads) in serve_latency(&vault, &note) {
        println!(
            "serve, {kind}: rebuild (budget 50 ms): median {:.0} ms, slowest {:.0} ms; save to reload event (budget 200 ms): median {:.0} ms, slowest {:.0} ms",
            median(rebuilds.clone()).as_secs_f64() * 1e3,
            slowest(&rebuilds).as_secs_f64() * 1e3,
            median(reloads.clone()).as_secs_f64() * 1e3,
            slowest(&reloads).as_secs_f64() * 1e3,
        );
    }

    if Command::new("git").arg("--version").output().is_ok() {
        let times = provenance(&vault, 1000);
        println!(
            "git provenance of 1,000 commits adding {notes} notes (budget 2 s): median {:.0} ms",
            median(times).as_secs_f64() * 1e3
        );
    }
}

/// Starts `upward serve`, then saves one note seven times for each kind of edit and measures
/// the rebuild it reports and the time from the save to the live-reload event a browser would
/// receive.
fn serve_latency(vault: &Path, note: &Path) -> Vec<(&'static str, Vec<Duration>, Vec<Duration>)> {
    use std::io::{BufRead, BufReader, Write as _};
    let out = std::env::temp_dir().join(format!("upward-serve-{}", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_upward"))
        .arg("--vault")
        .arg(vault)
        .args(["serve", "--port", "0", "--out"])
        .arg(&out)
        .env("UPWARD_TODAY", "2026-11-24")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("upward serve starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok);
    let address = lines
        .by_ref()
        .find_map(|l| {
            l.strip_prefix("serving http://")
                .map(|a| a.trim_end_matches('/').to_owned())
        })
        .expect("the address");
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "GET /__upward/events HTTP/1.1\r\nHost: {address}\r\n\r\n"
    )
    .unwrap();
    let mut events = BufReader::new(stream);
    let mut wait_for = |name: &str| {
        let mut line = String::new();
        loop {
            line.clear();
            events.read_line(&mut line).unwrap();
            if line.trim() == format!("event: {name}") {
                return;
            }
        }
    };
    wait_for("hello");
    // Three kinds of save: a line added to the meeting's outcomes (the decisions page and
    // data.json change too), a word changed in a paragraph (only the meeting's page does),
    // and a request added (the ledger changes: its pages, the person's, data.json).
    type Edit = fn(&str, usize) -> String;
    let kinds: [(&str, Edit); 3] = [
        ("an item added", |text, i| {
            format!("{text}- served edit {i}\n")
        }),
        ("a paragraph reworded", |text, i| {
            let reworded = text
                .replacen(
                    "Context from the week",
                    &format!("Context from week {i}"),
                    1,
                )
                .replacen(
                    &format!("Context from week {}", i.wrapping_sub(1)),
                    "Context from the week",
                    1,
                );
            if reworded == text {
                format!("{text}\nA closing thought, take {i}.\n")
            } else {
                reworded
            }
        }),
        ("a request added", |text, i| {
            let heading = "## What do you need from me to ensure your success?\n";
            let ask = format!("- [ ] A new ask, take {i} ^bench-ask-{i}\n");
            if text.contains(heading) {
                text.replacen(heading, &format!("{heading}{ask}"), 1)
            } else {
                format!("{text}\n{heading}{ask}")
            }
        }),
    ];
    let mut results = Vec::new();
    for (kind, edit) in kinds {
        let (mut rebuilds, mut reloads) = (Vec::new(), Vec::new());
        for i in 0..7 {
            // Saves a second apart, as someone typing saves.
            std::thread::sleep(Duration::from_millis(1000));
            let text = edit(&std::fs::read_to_string(note).unwrap(), i);
            let saved = Instant::now();
            std::fs::write(note, text).unwrap();
            wait_for("reload");
            reloads.push(saved.elapsed());
            let build = lines
                .by_ref()
                .find(|l| l.starts_with("build "))
                .expect("a build line");
            let ms: u64 = build
                .split(": ")
                .nth(1)
                .and_then(|r| r.split(' ').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            rebuilds.push(Duration::from_millis(ms));
        }
        results.push((kind, rebuilds, reloads));
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&out);
    results
}

/// Commits the vault's notes to a new git repository in `commits` commits (oldest notes first),
/// with `git fast-import`, and returns how long reading the provenance of that history takes.
fn provenance(vault: &Path, commits: usize) -> Vec<Duration> {
    use std::io::Write as _;
    let status = Command::new("git")
        .arg("init")
        .args(["-q", "-b", "main"])
        .arg(vault)
        .status()
        .expect("git runs");
    assert!(status.success());
    let mut notes: Vec<PathBuf> = std::fs::read_dir(vault.join("1-1s"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    notes.sort();
    let per_commit = notes.len().div_ceil(commits);
    let mut child = Command::new("git")
        .arg("-C")
        .arg(vault)
        .args(["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("git fast-import runs");
    let mut stdin = std::io::BufWriter::new(child.stdin.take().unwrap());
    for (i, chunk) in notes.chunks(per_commit).enumerate() {
        let when = 1_500_000_000 + i as i64 * 86_400;
        let message = format!("notes {i}");
        write!(stdin, "commit refs/heads/main\ncommitter Bench <bench@example.com> {when} +0000\ndata {}\n{message}\n", message.len()).unwrap();
        for note in chunk {
            let text = std::fs::read(note).unwrap();
            let name = note.file_name().unwrap().to_string_lossy();
            write!(stdin, "M 100644 inline 1-1s/{name}\ndata {}\n", text.len()).unwrap();
            stdin.write_all(&text).unwrap();
            stdin.write_all(b"\n").unwrap();
        }
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
    (0..3)
        .map(|_| {
            let started = Instant::now();
            let read = upward::provenance::Provenance::read(vault);
            let elapsed = started.elapsed();
            assert_eq!(read.notes.len(), notes.len());
            elapsed
        })
        .collect()
}

fn walk_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum()
}
