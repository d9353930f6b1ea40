//! The command line on the sample vault: `check`, `requests`, vault discovery, exit codes.

mod common;

use common::{TestVault, sample_vault, upward};
use serde_json::Value;

fn sample_requests(args: &[&str]) -> Vec<Value> {
    let mut command = upward();
    command
        .arg("--vault")
        .arg(sample_vault())
        .args(["requests", "--json"])
        .args(args);
    let run = common::Run::of(command).code(0);
    run.json().as_array().expect("an array").clone()
}

fn by_id<'a>(requests: &'a [Value], id: &str) -> &'a Value {
    requests
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no request {id}"))
}

#[test]
fn the_sample_vault_checks_clean() {
    let mut command = upward();
    command
        .arg("--vault")
        .arg(sample_vault())
        .args(["check", "--format", "json"]);
    let run = common::Run::of(command).code(0);
    for d in run.diagnostics() {
        assert_eq!(d["severity"], "info", "only information expected: {d}");
    }
    assert!(run.stderr.contains("0 errors"), "{}", run.stderr);
}

#[test]
fn requests_json_has_the_documented_shape() {
    let requests = sample_requests(&[]);
    assert!(requests.len() >= 8);
    for request in &requests {
        for key in [
            "id",
            "title",
            "status",
            "raised",
            "resolved",
            "mentions",
            "days_open",
            "with",
            "outcome",
            "notes",
        ] {
            assert!(request.get(key).is_some(), "{key} missing in {request}");
        }
        let status = request["status"].as_str().unwrap();
        assert!(["open", "in-progress", "done", "declined"].contains(&status));
        assert_eq!(request["raised"].as_str().unwrap().len(), 10);
    }
}

#[test]
fn a_request_raised_for_months_is_one_record_across_its_notes() {
    let requests = sample_requests(&[]);
    let promo = by_id(&requests, "promo-case");
    assert_eq!(promo["status"], "open");
    assert_eq!(promo["raised"], "2026-05-26");
    assert_eq!(promo["resolved"], Value::Null);
    assert_eq!(promo["mentions"], 19);
    assert_eq!(promo["days_open"], 182);
    let notes = promo["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 19);
    assert_eq!(notes[0], "1-1s/2026-05-26 Dana Whitaker.md");
    assert_eq!(notes[18], "1-1s/2026-11-17 Dana Whitaker.md");
    let mut sorted = notes.clone();
    sorted.sort_by_key(|n| n.as_str().unwrap()[5..15].to_owned());
    assert_eq!(&sorted, notes, "notes are oldest first");
}

#[test]
fn resolved_requests_carry_their_date_outcome_and_age() {
    let requests = sample_requests(&[]);
    let oncall = by_id(&requests, "oncall-hc");
    assert_eq!(oncall["status"], "done");
    assert_eq!(oncall["resolved"], "2026-09-15");
    assert_eq!(oncall["mentions"], 13);
    assert!(oncall["outcome"].as_str().is_some_and(|o| !o.is_empty()));
    let declined = by_id(&requests, "cutover-date");
    assert_eq!(declined["status"], "declined");
    assert_eq!(declined["resolved"], "2026-07-14");
    assert_eq!(declined["days_open"], 21);
    let once = by_id(&requests, "intern-access");
    assert_eq!(
        (once["mentions"].as_u64(), once["days_open"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(by_id(&requests, "retry-review")["status"], "in-progress");
}

#[test]
fn open_filter_keeps_open_and_in_progress_requests() {
    let open = sample_requests(&["--open"]);
    let ids: Vec<&str> = open.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["promo-case", "retry-review", "staging-db"]);
}

#[test]
fn with_filter_matches_the_person_case_insensitively() {
    let priya = sample_requests(&["--with", "priya raman"]);
    let ids: Vec<&str> = priya.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["recon-owner"]);
    assert!(sample_requests(&["--with", "Nobody"]).is_empty());
}

#[test]
fn the_table_is_aligned_and_plain_when_piped() {
    let mut command = upward();
    command.arg("--vault").arg(sample_vault()).arg("requests");
    let run = common::Run::of(command).code(0);
    assert!(!run.stdout.contains('\u{1b}'), "no colour codes when piped");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("ID"));
    let status_column = lines[0].find("STATUS").unwrap();
    for line in &lines[1..] {
        let status = &line[status_column..];
        assert!(
            ["open", "in-progress", "done", "declined"]
                .iter()
                .any(|s| status.starts_with(s)),
            "{line}"
        );
    }
}

#[test]
fn colour_can_be_forced_and_no_color_wins() {
    let mut command = upward();
    command
        .arg("--vault")
        .arg(sample_vault())
        .arg("requests")
        .env("CLICOLOR_FORCE", "1")
        .env_remove("NO_COLOR");
    let run = common::Run::of(command).code(0);
    assert!(run.stdout.contains('\u{1b}'), "colour when forced");
    let mut command = upward();
    command
        .arg("--vault")
        .arg(sample_vault())
        .arg("requests")
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1");
    let run = common::Run::of(command).code(0);
    assert!(!run.stdout.contains('\u{1b}'), "NO_COLOR turns colour off");
}

#[test]
fn errors_make_check_exit_one_and_print_path_line_column() {
    let vault = TestVault::new()
        .file(
            "1-1s/2026-11-20 Dana.md",
            "---\ntype: one-on-one\nwith: Dana\n---\n## Help\n- [ ] Budget ^b\n",
        )
        .file("notes/fine.md", "# fine\n");
    let run = vault.run(&["check"]).code(1);
    assert_eq!(
        run.stdout.trim(),
        "1-1s/2026-11-20 Dana.md:1:1: error: this 1:1 note has no `date` property; \
         add `date: YYYY-MM-DD` to its properties"
    );
    assert!(run.stderr.contains("1 error"), "{}", run.stderr);
}

#[test]
fn check_json_lists_every_field() {
    let vault = TestVault::new().file("1-1s/a.md", "---\ndate: 2026-13-01\n---\n");
    let run = vault.run(&["check", "--format", "json"]).code(1);
    let diagnostics = run.diagnostics();
    assert_eq!(diagnostics.len(), 1);
    let d = &diagnostics[0];
    assert_eq!(d["path"], "1-1s/a.md");
    assert_eq!(d["line"], 2);
    assert_eq!(d["column"], 1);
    assert_eq!(d["severity"], "error");
    assert!(d["message"].as_str().unwrap().contains("2026-13-01"));
}

#[test]
fn usage_errors_exit_two_as_clap_has_them() {
    TestVault::new().run(&["check", "--format", "xml"]).code(2);
    TestVault::new().run(&["no-such-command"]).code(2);
    let run = Run::of({
        let mut c = upward();
        c.args(["--vault", "/no/such/folder", "check"]);
        c
    })
    .code(2);
    assert!(run.stderr.contains("/no/such/folder"), "{}", run.stderr);
}

use common::Run;

#[test]
fn the_vault_is_found_from_a_subfolder() {
    let vault = TestVault::new()
        .file("upward.yaml", "meetings: meetings\n")
        .file(
            "meetings/2026-11-20 Dana.md",
            "---\ndate: 2026-11-20\n---\n## Help\n- [ ] Budget ^b\n",
        )
        .file("meetings/deep/keep.txt", "");
    let mut command = upward();
    command
        .current_dir(vault.path().join("meetings/deep"))
        .args(["requests", "--json"]);
    let run = Run::of(command).code(0);
    assert_eq!(run.json()[0]["id"], "b");
    assert_eq!(run.json()[0]["notes"][0], "meetings/2026-11-20 Dana.md");
}

#[test]
fn requests_warns_about_broken_notes_on_stderr() {
    let vault = TestVault::new()
        .file("1-1s/bad.md", "---\ndate: [\n---\n")
        .file(
            "1-1s/2026-11-20 Dana.md",
            "---\ndate: 2026-11-20\n---\n## Help\n- [ ] Budget ^b\n",
        );
    let run = vault.run(&["requests", "--json"]).code(0);
    assert_eq!(run.json().as_array().unwrap().len(), 1);
    assert!(run.stderr.contains("1-1s/bad.md:"), "{}", run.stderr);
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = TestVault::new().run(&["completions", shell]).code(0);
        assert!(run.stdout.contains("requests"), "{shell}");
    }
}

#[test]
fn check_can_show_each_problem_in_its_source_line() {
    let vault = TestVault::new().file("1-1s/a.md", "---\ndate: 2026-13-01\n---\n");
    let run = vault.run(&["check", "--snippets"]).code(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].starts_with("1-1s/a.md:2:1: error: "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("2 | date: 2026-13-01"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains('^'), "{}", run.stdout);
    assert!(!run.stdout.contains('\u{1b}'), "no colour when piped");
    // Without the flag, and not on a terminal, only the `path:line:col` lines.
    let plain = vault.run(&["check"]).code(1);
    assert_eq!(plain.stdout.lines().count(), 1, "{}", plain.stdout);
}
