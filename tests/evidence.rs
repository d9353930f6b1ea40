//! `recap`, `review` and git provenance: the evidence after each meeting and at review time.

mod common;

use common::{Run, TestVault, upward};
use std::path::Path;
use std::process::Command;

fn sample_run(vault: &TestVault, args: &[&str]) -> Run {
    vault.run(args).code(0)
}

#[test]
fn the_recap_lists_outcomes_requests_with_their_age_and_follow_ups() {
    let vault = TestVault::sample();
    let text = sample_run(&vault, &["recap"]).stdout;
    assert!(
        text.starts_with("Hi Dana,\n\nThanks for our 1:1 on 2026-11-17."),
        "{text}"
    );
    assert!(
        text.contains("Outcomes\n--------\n- Agreed: Dana sends the promotion-conversation invite"),
        "{text}"
    );
    assert!(text.contains("- The promotion-case conversation, before calibration on Dec 3 (open; first raised 2026-05-26, raised 19 times)"), "{text}");
    assert!(
        text.contains("(in progress; first raised 2026-09-22, raised 8 times)"),
        "{text}"
    );
    assert!(text.contains("What you asked me to follow up on\n---------------------------------\n- Cost estimate for a prod-sized staging cluster (open)"), "{text}");
    // An earlier meeting by its date: times are counted up to that meeting.
    let earlier = sample_run(&vault, &["recap", "2026-06-16"]).stdout;
    assert!(
        earlier.contains("(open; first raised 2026-05-26, raised 4 times)"),
        "{earlier}"
    );
    let markdown = sample_run(&vault, &["recap", "--format", "markdown"]).stdout;
    assert!(
        markdown.starts_with("# Recap of our 1:1 on 2026-11-17\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains("\n## Requests for help\n\n- "),
        "{markdown}"
    );
}

#[test]
fn the_eml_recap_parses_as_a_message_to_the_manager() {
    let vault = TestVault::sample();
    let eml = vault
        .run(&[
            "recap",
            "--format",
            "eml",
            "--from",
            "Alex Moreno <alex@example.com>",
        ])
        .code(0)
        .stdout;
    assert!(eml.contains("\r\n"), "CRLF line endings");
    let message = mail_parser::MessageParser::default()
        .parse(eml.as_bytes())
        .expect("a message");
    assert_eq!(message.subject(), Some("Recap of our 1:1 on 2026-11-17"));
    let to = message.to().and_then(|a| a.first()).expect("a recipient");
    assert_eq!(to.address(), Some("dana.whitaker@example.com"));
    let from = message.from().and_then(|a| a.first()).expect("a sender");
    assert_eq!(from.address(), Some("alex@example.com"));
    assert_eq!(
        message.date().map(|d| d.to_rfc3339()),
        Some("2026-11-24T12:00:00Z".to_owned())
    );
    let text = vault.run(&["recap"]).code(0).stdout;
    let body = message.body_text(0).expect("a text body");
    assert_eq!(body.replace("\r\n", "\n").trim_end(), text.trim_end());
}

#[test]
fn the_mailto_link_decodes_back_to_the_recap() {
    let vault = TestVault::sample();
    let link = vault.run(&["recap", "--mailto"]).code(0).stdout;
    let link = link.trim();
    let rest = link
        .strip_prefix("mailto:dana.whitaker@example.com?")
        .expect(link);
    for c in rest.chars() {
        assert!(
            c.is_ascii_alphanumeric() || "%-._~=&".contains(c),
            "unencoded {c:?}"
        );
    }
    let mut fields = std::collections::BTreeMap::new();
    for pair in rest.split('&') {
        let (key, value) = pair.split_once('=').unwrap();
        let decoded = percent_encoding::percent_decode_str(value)
            .decode_utf8()
            .unwrap()
            .into_owned();
        fields.insert(key.to_owned(), decoded);
    }
    assert_eq!(fields["subject"], "Recap of our 1:1 on 2026-11-17");
    let text = vault.run(&["recap"]).code(0).stdout;
    assert_eq!(fields["body"], text.replace('\n', "\r\n"));
}

#[test]
fn mark_sent_changes_that_one_line_and_no_other_byte() {
    let vault = TestVault::sample();
    let rel = "1-1s/2026-11-10 Dana Whitaker.md";
    let before = std::fs::read(vault.path().join(rel)).unwrap();
    assert!(String::from_utf8_lossy(&before).contains("\nrecap_sent: 2026-11-10\n"));
    vault.run(&["recap", "2026-11-10", "--mark-sent"]).code(0);
    let after = std::fs::read(vault.path().join(rel)).unwrap();
    let expected = String::from_utf8(before)
        .unwrap()
        .replace("\nrecap_sent: 2026-11-10\n", "\nrecap_sent: 2026-11-24\n");
    assert_eq!(String::from_utf8(after).unwrap(), expected);
    // A note without the key gets it as the last property; CRLF and a BOM are kept.
    let crlf = "\u{feff}---\r\ntype: one-on-one\r\ndate: 2026-11-20\r\nwith: \"[[Dana]]\"\r\n---\r\n## Outcomes\r\n- Ship it\r\n";
    let vault = TestVault::new().file("1-1s/2026-11-20 Dana.md", crlf);
    vault.run(&["recap", "--mark-sent"]).code(0);
    let after = std::fs::read_to_string(vault.path().join("1-1s/2026-11-20 Dana.md")).unwrap();
    assert_eq!(
        after,
        crlf.replace(
            "with: \"[[Dana]]\"\r\n---",
            "with: \"[[Dana]]\"\r\nrecap_sent: 2026-11-24\r\n---"
        )
    );
    let names: Vec<_> = std::fs::read_dir(vault.path().join("1-1s"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "no temporary file is left: {names:?}");
    // And upward reads it back.
    let run = vault.run(&["check", "--format", "json"]).code(0);
    assert!(run.diagnostics().is_empty(), "{:?}", run.diagnostics());
}

/// A vault whose review figures are known: Dana answers one of three requests raised in the
/// half year, declines none; Priya answers her one.
fn review_vault() -> TestVault {
    let meeting = |date: &str, with: &str, sent: bool, body: &str| {
        format!(
            "---\ntype: one-on-one\ndate: {date}\nwith: \"[[{with}]]\"\n{}---\n{body}",
            if sent {
                format!("recap_sent: {date}\n")
            } else {
                String::new()
            }
        )
    };
    TestVault::new()
        .file("1-1s/2026-06-20 Dana.md", meeting("2026-06-20", "Dana", false, "## Help\n- [ ] Old ask ^old\n"))
        .file("1-1s/2026-07-07 Dana.md", meeting("2026-07-07", "Dana", true, "## Wins\n- Shipped the ledger\n## Help\n- [ ] Old ask ^old\n- [ ] Budget ^budget\n- [ ] Headcount ^hc\n## Outcomes\n### Decisions\n- Freeze in August\n"))
        .file("1-1s/2026-07-14 Dana.md", meeting("2026-07-14", "Dana", false, "## Help\n- [x] Budget ✅ 2026-07-14 ^budget\n    - outcome:: approved\n- [ ] Headcount ^hc\n- [ ] Time off ^pto\n"))
        .file("1-1s/2026-07-21 Dana.md", meeting("2026-07-21", "Dana", true, "## Help\n- [-] Headcount ❌ 2026-07-21 ^hc\n- [ ] Time off ^pto\n## Outcomes\n### Agreements\n- Pair on the runbook\n"))
        .file("1-1s/2026-08-01 Priya.md", meeting("2026-08-01", "Priya", false, "## Help\n- [x] Sponsor ✅ 2026-08-11 ^sponsor\n"))
        .file("1-1s/2026-08-15 Priya.md", meeting("2026-08-15", "Priya", false, "## Wins\n- Talk accepted\n## Help\n- [x] Sponsor ✅ 2026-08-11 ^sponsor\n"))
}

/// The Markdown packet of July to December 2026.
fn second_half_packet(vault: &TestVault) -> String {
    vault
        .run(&[
            "review",
            "--from",
            "2026-07-01",
            "--to",
            "2026-12-31",
            "--format",
            "markdown",
        ])
        .code(0)
        .stdout
}

#[test]
fn the_review_packet_has_the_figures_of_its_period() {
    let vault = review_vault();
    let packet = second_half_packet(&vault);
    assert!(
        packet.starts_with("# Review packet, 2026-07-01 to 2026-12-31\n\n5 meetings.\n"),
        "{packet}"
    );
    assert!(
        packet.contains("- Shipped the ledger (2026-07-07)\n- Talk accepted (2026-08-15)\n"),
        "{packet}"
    );
    // Raised in the period: budget, hc, pto, sponsor (old was raised in June).
    assert!(
        packet.contains("4 raised; 75% answered, in 10 days (median)."),
        "{packet}"
    );
    assert!(!packet.contains("^old"), "{packet}");
    assert!(packet.contains("- **Budget** (`^budget`): raised 2026-07-07, raised again 1 time, resolved 2026-07-14 after 7 days; outcome: approved"), "{packet}");
    assert!(packet.contains("- **Headcount** (`^hc`): raised 2026-07-07, raised again 2 times, declined 2026-07-21 after 14 days"), "{packet}");
    assert!(packet.contains("- **Time off** (`^pto`): raised 2026-07-14, raised again 1 time, never answered, open 133 days"), "{packet}");
    assert!(packet.contains("| Dana | 3 | 66% | 10 |"), "{packet}");
    assert!(packet.contains("| Priya | 1 | 100% | 10 |"), "{packet}");
    assert!(packet.contains("- Decisions: Freeze in August (2026-07-07)\n- Agreements: Pair on the runbook (2026-07-21)"), "{packet}");
    assert!(packet.contains("## Recaps sent\n\n- 2026-07-07 1:1 with Dana: recap sent 2026-07-07\n- 2026-07-21 1:1 with Dana: recap sent 2026-07-21\n"), "{packet}");
}

#[test]
fn the_html_packet_is_one_self_contained_printable_file() {
    let vault = review_vault();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("packet.html");
    let f = file.to_str().unwrap();
    vault
        .run(&[
            "review",
            "--from",
            "2026-07-01",
            "--to",
            "2026-12-31",
            "--out",
            f,
        ])
        .code(0);
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(
        html.contains("<style>") && html.contains("@media print"),
        "the stylesheet is inside"
    );
    assert!(
        !html.contains("<script") && !html.contains("<link ") && !html.contains("src="),
        "nothing external"
    );
    assert!(html.contains("Content-Security-Policy"));
    assert!(html.contains("Time off") && html.contains("never answered"));
    // An existing file is not replaced without --force.
    let run = vault
        .run(&[
            "review",
            "--from",
            "2026-07-01",
            "--to",
            "2026-12-31",
            "--out",
            f,
        ])
        .code(1);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    vault
        .run(&[
            "review",
            "--from",
            "2026-07-01",
            "--to",
            "2026-12-31",
            "--out",
            f,
            "--force",
        ])
        .code(0);
}

#[test]
fn the_site_has_a_review_page_per_half_year() {
    let vault = review_vault();
    vault.run(&["build"]).code(0);
    let site = vault.path().join("_site");
    for page in [
        "review/index.html",
        "review/2026-h1/index.html",
        "review/2026-h2/index.html",
    ] {
        assert!(site.join(page).is_file(), "{page}");
    }
    let h2 = std::fs::read_to_string(site.join("review/2026-h2/index.html")).unwrap();
    assert!(h2.contains("Review packet: 2026 H2 (2026-07-01 to 2026-12-31)"));
    assert!(h2.contains("href=\"../../requests/pto/\""), "{h2}");
}

fn git(dir: &Path, args: &[&str], date: &str) {
    let status = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Alex",
            "-c",
            "user.email=alex@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn provenance_shows_first_commits_and_flags_a_note_committed_late() {
    let vault = review_vault();
    let dir = vault.path();
    git(dir, &["init", "-q"], "2026-07-07T18:00:00+00:00");
    git(
        dir,
        &["add", "1-1s/2026-06-20 Dana.md", "1-1s/2026-07-07 Dana.md"],
        "2026-07-07T18:00:00+00:00",
    );
    git(
        dir,
        &["commit", "-q", "-m", "July 7"],
        "2026-07-07T18:00:00+00:00",
    );
    git(
        dir,
        &["add", "1-1s/2026-07-14 Dana.md"],
        "2026-07-14T18:00:00+00:00",
    );
    git(
        dir,
        &["commit", "-q", "-m", "July 14"],
        "2026-07-14T18:00:00+00:00",
    );
    // The 21 July note, with the first mention of nothing new, is committed a month late.
    git(dir, &["add", "."], "2026-08-25T09:00:00+00:00");
    git(
        dir,
        &["commit", "-q", "-m", "the rest"],
        "2026-08-25T09:00:00+00:00",
    );
    let head = String::from_utf8(
        Command::new("git")
            .current_dir(dir)
            .args(["log", "--format=%H"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let hashes: Vec<&str> = head.lines().collect();
    let (late, july14, july7) = (hashes[0], hashes[1], hashes[2]);

    vault.run(&["build"]).code(0);
    let site = dir.join("_site");
    let budget = std::fs::read_to_string(site.join("requests/budget/index.html")).unwrap();
    assert!(
        budget.contains(&format!(
            "<code title=\"{july7}\">{}</code> 2026-07-07",
            &july7[..10]
        )),
        "{budget}"
    );
    assert!(!budget.contains("late:"), "{budget}");
    let pto = std::fs::read_to_string(site.join("requests/pto/index.html")).unwrap();
    assert!(pto.contains(&format!("<code title=\"{july14}\">")), "{pto}");
    let meeting =
        std::fs::read_to_string(site.join("meetings/2026-07-21-dana/index.html")).unwrap();
    assert!(meeting.contains(&format!("First committed <code title=\"{late}\">{}</code> on 2026-08-25: <strong class=\"late\">35 days after the meeting</strong>", &late[..10])), "{meeting}");
    let on_time =
        std::fs::read_to_string(site.join("meetings/2026-07-14-dana/index.html")).unwrap();
    assert!(
        on_time.contains("on 2026-07-14.") && !on_time.contains("class=\"late\""),
        "{on_time}"
    );
    let packet = second_half_packet(&vault);
    assert!(packet.contains("## Notes committed late\n\n- 2026-07-21 1:1 with Dana: first committed 2026-08-25 (35 days later)"), "{packet}");
    assert!(
        packet.contains(&format!("first committed 2026-07-07 ({})", &july7[..10])),
        "{packet}"
    );
}

#[test]
fn without_git_everything_else_still_works() {
    let vault = review_vault();
    let mut command = upward();
    command
        .arg("--vault")
        .arg(vault.path())
        .args(["build"])
        .env("PATH", "/nonexistent");
    Run::of(command).code(0);
    let budget =
        std::fs::read_to_string(vault.path().join("_site/requests/budget/index.html")).unwrap();
    assert!(!budget.contains("First committed"));
}
