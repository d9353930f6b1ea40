//! `upward new` and `upward init`: the next note from a template, open requests carried
//! forward, never an overwrite.

mod common;

use common::{Run, TestVault, files as snapshot, upward};
use serde_json::Value;

fn requests(vault: &TestVault) -> Vec<Value> {
    vault
        .run(&["requests", "--json"])
        .code(0)
        .json()
        .as_array()
        .unwrap()
        .clone()
}

fn headings(note: &str) -> Vec<&str> {
    note.lines().filter_map(|l| l.strip_prefix("## ")).collect()
}

const DANA_OPEN: &str = "---\ntype: one-on-one\ndate: 2026-11-10\nwith: \"[[Dana]]\"\n---\n\
## What do you need from me to ensure your success?\n\
- [ ] Budget for RustConf ^budget\n\
- [/] Access to billing ^billing\n\
- [x] Laptop ✅ 2026-11-10 ^laptop\n\
- [-] Move the launch ❌ 2026-11-10 ^launch\n\
- [ ] A mentor outside the team\n\
## Status of tasks you asked me to follow up on\n\
- [ ] Write the runbook 📅 2026-11-30 ^runbook\n\
- [x] Fix the alert ✅ 2026-11-09 ^alert\n";

const PRIYA: &str = "---\ntype: skip-level\ndate: 2026-11-12\nwith: \"[[Priya]]\"\n---\n\
## What do you need from me to ensure your success?\n- [ ] Visibility for the migration ^visibility\n";

#[test]
fn new_on_the_sample_vault_carries_every_open_request_and_counts_a_mention() {
    let vault = TestVault::sample();
    let before = requests(&vault);
    let run = vault.run(&["new", "--date", "2026-11-24"]).code(0);
    let path = run.stdout.trim();
    assert!(path.ends_with("1-1s/2026-11-24 Dana Whitaker.md"), "{path}");
    let note = std::fs::read_to_string(path).unwrap();
    // upward check accepts it: no error and no warning.
    let check = vault.run(&["check", "--format", "json"]).code(0);
    for d in check.diagnostics() {
        assert_eq!(d["severity"], "info", "{d}");
    }
    let after = requests(&vault);
    for request in &before {
        let id = request["id"].as_str().unwrap();
        let open = ["open", "in-progress"].contains(&request["status"].as_str().unwrap());
        let again = after.iter().find(|r| r["id"] == id).unwrap();
        if open {
            assert!(
                note.contains(&format!("^{id}\n")),
                "{id} is carried:\n{note}"
            );
            assert_eq!(
                again["mentions"],
                request["mentions"].as_u64().unwrap() + 1,
                "{id}"
            );
            assert_eq!(again["status"], request["status"], "{id} keeps its status");
            assert_eq!(
                again["raised"], request["raised"],
                "{id} keeps its first date"
            );
        } else {
            assert!(
                !note.contains(&format!("^{id}")),
                "{id} is closed and not carried"
            );
            assert_eq!(again["mentions"], request["mentions"], "{id}");
        }
    }
    assert!(
        note.contains("Previous: [[2026-11-17 Dana Whitaker]]"),
        "{note}"
    );
    assert!(
        note.contains("- [/] Review of the retries design doc"),
        "in progress stays [/]"
    );
    assert!(
        note.contains("(raised:: 2026-05-26, 19 times) ^promo-case"),
        "{note}"
    );
}

#[test]
fn a_second_new_for_the_same_date_exits_one_and_changes_nothing() {
    let vault = TestVault::sample();
    vault.run(&["new", "--date", "2026-11-24"]).code(0);
    let before = snapshot(vault.path());
    let run = vault.run(&["new", "--date", "2026-11-24"]).code(1);
    assert!(
        run.stderr
            .contains("2026-11-24 Dana Whitaker.md already exists"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    assert_eq!(before, snapshot(vault.path()));
}

#[test]
fn an_existing_file_is_never_overwritten_even_if_the_user_wrote_it() {
    let vault = TestVault::new()
        .file("1-1s/2026-11-10 Dana.md", DANA_OPEN)
        .file("1-1s/2026-11-17 Dana.md", "my own notes, not a template\n");
    let before = snapshot(vault.path());
    vault.run(&["new", "--date", "2026-11-17"]).code(1);
    assert_eq!(before, snapshot(vault.path()));
}

#[test]
fn new_changes_no_other_file() {
    let vault = TestVault::sample();
    let before = snapshot(vault.path());
    let run = vault.run(&["new", "--date", "2026-11-24"]).code(0);
    let mut after = snapshot(vault.path());
    let created = after
        .remove("1-1s/2026-11-24 Dana Whitaker.md")
        .expect("the new note");
    assert_eq!(before, after);
    assert!(!created.is_empty(), "{}", run.stdout);
}

#[test]
fn dry_run_prints_the_note_and_writes_nothing() {
    let vault = TestVault::new().file("1-1s/2026-11-10 Dana.md", DANA_OPEN);
    let before = snapshot(vault.path());
    let run = vault
        .run(&["new", "--date", "2026-11-17", "--dry-run"])
        .code(0);
    assert!(
        run.stdout
            .starts_with("---\ntype: one-on-one\ndate: 2026-11-17\nwith: \"[[Dana]]\"\n")
    );
    assert_eq!(before, snapshot(vault.path()));
}

#[test]
fn only_open_requests_and_follow_ups_with_that_person_are_carried() {
    let vault = TestVault::new()
        .file("1-1s/2026-11-10 Dana.md", DANA_OPEN)
        .file("1-1s/2026-11-12 Priya.md", PRIYA);
    let note = vault
        .run(&["new", "--date", "2026-11-17", "--with", "Dana", "--dry-run"])
        .code(0)
        .stdout;
    for carried in [
        "^budget",
        "^billing",
        "^runbook",
        "^a-mentor-outside-the-team",
    ] {
        assert!(note.contains(carried), "{carried} carried:\n{note}");
    }
    for closed in ["^laptop", "^launch", "^alert", "^visibility"] {
        assert!(!note.contains(closed), "{closed} not carried:\n{note}");
    }
    // The follow-up keeps its due date and stands in the follow-ups section.
    let follow_ups = note.split("## Status of tasks").nth(1).unwrap();
    assert!(
        follow_ups
            .contains("- [ ] Write the runbook (raised:: 2026-11-10, once) 📅 2026-11-30 ^runbook")
    );
}

#[test]
fn the_person_defaults_to_the_latest_one_on_one_not_the_skip_level() {
    let vault = TestVault::new()
        .file("1-1s/2026-11-10 Dana.md", DANA_OPEN)
        .file("1-1s/2026-11-12 Priya.md", PRIYA);
    let run = vault.run(&["new", "--date", "2026-11-17"]).code(0);
    assert!(
        run.stdout.trim().ends_with("1-1s/2026-11-17 Dana.md"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_date_defaults_to_today() {
    let vault = TestVault::new().file("1-1s/2026-11-10 Dana.md", DANA_OPEN);
    let run = vault.run(&["new"]).code(0);
    assert!(
        run.stdout
            .trim()
            .ends_with(&format!("1-1s/{} Dana.md", common::TODAY))
    );
}

#[test]
fn a_request_without_an_id_gets_its_implicit_id_and_joins_its_record() {
    let vault = TestVault::new().file("1-1s/2026-11-10 Dana.md", DANA_OPEN);
    vault.run(&["new", "--date", "2026-11-17"]).code(0);
    let note = vault.read("1-1s/2026-11-17 Dana.md");
    assert!(note.contains(
        "- [ ] A mentor outside the team (raised:: 2026-11-10, once) ^a-mentor-outside-the-team"
    ));
    let all = requests(&vault);
    let mentor = all
        .iter()
        .find(|r| r["id"] == "a-mentor-outside-the-team")
        .unwrap();
    assert_eq!(mentor["mentions"], 2);
    assert_eq!(mentor["raised"], "2026-11-10");
    assert_eq!(
        mentor["notes"],
        serde_json::json!(["1-1s/2026-11-10 Dana.md", "1-1s/2026-11-17 Dana.md"])
    );
}

#[test]
fn question_phrasings_rotate_by_iso_week() {
    let vault = TestVault::new().file("1-1s/2026-11-10 Dana.md", DANA_OPEN);
    let week = |date: &str| {
        vault
            .run(&["new", "--date", date, "--dry-run"])
            .code(0)
            .stdout
    };
    let monday = week("2026-11-16");
    let sunday = week("2026-11-22");
    let next_monday = week("2026-11-23");
    assert_eq!(
        headings(&monday),
        headings(&sunday),
        "same ISO week, same wording"
    );
    let (this, next) = (headings(&monday), headings(&next_monday));
    assert_eq!(this.len(), next.len());
    for (a, b) in this.iter().zip(&next).take(5) {
        assert_ne!(a, b, "consecutive weeks differ");
    }
    // Whatever the wording, the sections are read as the five questions.
    let vault2 = TestVault::new().file(
        "1-1s/2026-11-23 Dana.md",
        next_monday.replace("- [ ] \n", "- [ ] New ask ^new-ask\n"),
    );
    let ids: Vec<String> = requests(&vault2)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        ids.contains(&"budget".to_owned()) && ids.contains(&"new-ask".to_owned()),
        "{ids:?}"
    );
}

#[test]
fn each_built_in_template_writes_a_note_that_checks_and_carries_requests() {
    for (template, kind) in [
        ("five-questions", "one-on-one"),
        ("wins-priorities-help", "one-on-one"),
        ("rubber-duck", "rubber-duck"),
    ] {
        let vault = TestVault::new().file("1-1s/2026-11-10 Dana.md", DANA_OPEN);
        vault
            .run(&["new", "--template", template, "--date", "2026-11-17"])
            .code(0);
        let note = vault.read("1-1s/2026-11-17 Dana.md");
        assert!(note.contains(&format!("type: {kind}\n")), "{template}");
        assert!(
            note.contains(&format!("template: {template}\n")),
            "{template}"
        );
        let check = vault.run(&["check", "--format", "json"]).code(0);
        let problems: Vec<_> = check
            .diagnostics()
            .into_iter()
            .filter(|d| d["path"] == "1-1s/2026-11-17 Dana.md" && d["severity"] != "info")
            .collect();
        assert!(problems.is_empty(), "{template}: {problems:?}");
        let all = requests(&vault);
        for id in ["budget", "billing"] {
            let record = all.iter().find(|r| r["id"] == id).unwrap();
            assert_eq!(record["mentions"], 2, "{template}: {id}");
        }
    }
}

#[test]
fn wins_priorities_help_fits_on_one_page() {
    let vault = TestVault::new();
    let note = vault
        .run(&[
            "new",
            "--template",
            "wins-priorities-help",
            "--with",
            "Dana",
            "--dry-run",
        ])
        .code(0)
        .stdout;
    assert!(
        note.lines().count() <= 45,
        "{} lines:\n{note}",
        note.lines().count()
    );
    for heading in [
        "Recent wins and completions",
        "Upcoming and high priorities",
        "Help / Resources / Action Needed",
        "Outcomes",
    ] {
        assert!(note.contains(&format!("## {heading}")), "{heading}");
    }
}

#[test]
fn the_vaults_own_template_replaces_the_built_in_one() {
    let vault = TestVault::new()
        .file("1-1s/2026-11-10 Dana.md", DANA_OPEN)
        .file(
            "templates/five-questions.md",
            "---\ntype: one-on-one\ndate: {{ date }}\nwith: \"[[{{ person }}]]\"\n---\n# Our own agenda ({{ week }})\n## Asks\n{% for r in requests %}- [{{ r.checkbox }}] {{ r.text }} ^{{ r.id }}\n{% endfor %}## Follow ups\n{% for t in follow_ups %}- [ ] {{ t.text }} ^{{ t.id }}\n{% endfor %}",
        );
    let note = vault
        .run(&["new", "--date", "2026-11-17", "--dry-run"])
        .code(0)
        .stdout;
    assert!(note.contains("# Our own agenda (2026-W47)"), "{note}");
    assert!(note.contains("- [/] Access to billing ^billing"));
    // A template of a new name is found in the same folder.
    vault.write("templates/retro.md", "---\ntype: one-on-one\ndate: {{ date }}\nwith: \"[[{{ person }}]]\"\n---\n## Asks\n{% for r in requests %}- [ ] {{ r.text }} ^{{ r.id }}\n{% endfor %}## Follow ups\n{% for t in follow_ups %}- [ ] {{ t.text }} ^{{ t.id }}\n{% endfor %}");
    vault
        .run(&[
            "new",
            "--template",
            "retro",
            "--date",
            "2026-11-17",
            "--dry-run",
        ])
        .code(0);
    // The templates folder is never read as notes.
    let check = vault.run(&["check", "--format", "json"]).code(0);
    assert!(
        check
            .diagnostics()
            .iter()
            .all(|d| !d["path"].as_str().unwrap().starts_with("templates/"))
    );
}

#[test]
fn an_unknown_template_names_the_ones_there_are() {
    let vault = TestVault::new().file("1-1s/2026-11-10 Dana.md", DANA_OPEN);
    let run = vault
        .run(&["new", "--template", "weekly", "--dry-run"])
        .code(1);
    assert!(
        run.stderr.contains("no template named `weekly`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("five-questions, rubber-duck, wins-priorities-help"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_template_syntax_error_is_reported_at_its_path_and_line() {
    let vault = TestVault::new()
        .file("1-1s/2026-11-10 Dana.md", DANA_OPEN)
        .file(
            "templates/five-questions.md",
            "---\ntype: one-on-one\ndate: {{date:YYYY-MM-DD}}\n---\n",
        );
    let before = snapshot(vault.path());
    let run = vault.run(&["new", "--date", "2026-11-17"]).code(1);
    assert!(
        run.stderr
            .contains("templates/five-questions.md:3: error: syntax error"),
        "{}",
        run.stderr
    );
    // Obsidian's own syntax, which this is, gets told what to write instead.
    assert!(
        run.stderr
            .contains("Obsidian's `{{date:FORMAT}}` is not minijinja: write `{{ date }}`"),
        "{}",
        run.stderr
    );
    assert_eq!(before, snapshot(vault.path()));
}

#[test]
fn templater_syntax_is_left_as_written_and_said_so() {
    let vault = TestVault::new()
        .file("1-1s/2026-11-10 Dana.md", DANA_OPEN)
        .file(
            "templates/five-questions.md",
            "---\ntype: one-on-one\ndate: {{ date }}\nwith: \"[[{{ person }}]]\"\n---\n\
             Made <% tp.date.now(\"YYYY-MM-DD\") %>\n\
             ## Help\n{% for r in requests %}- [ ] {{ r.text }} ^{{ r.id }}\n{% endfor %}\
             ## Status of tasks you asked me to follow up on\n\
             {% for t in follow_ups %}- [ ] {{ t.text }} ^{{ t.id }}\n{% endfor %}",
        );
    let run = vault.run(&["new", "--date", "2026-11-17"]).code(0);
    assert!(
        run.stderr.contains(
            "templates/five-questions.md:6:6: warning: Templater's `<% … %>` is not run by upward"
        ),
        "{}",
        run.stderr
    );
    let note = std::fs::read_to_string(vault.path().join(run.stdout.trim())).unwrap();
    assert!(
        note.contains("Made <% tp.date.now(\"YYYY-MM-DD\") %>\n"),
        "{note}"
    );
}

#[test]
fn a_template_has_obsidians_title_and_time() {
    let vault = TestVault::new()
        .file("1-1s/2026-11-10 Dana.md", DANA_OPEN)
        .file(
            "templates/five-questions.md",
            "---\ntype: one-on-one\ndate: {{date}}\nwith: \"[[{{ person }}]]\"\n---\n# {{title}}\n\
             Written at {{time}}.\n\
             ## Help\n{% for r in requests %}- [ ] {{ r.text }} ^{{ r.id }}\n{% endfor %}\
             ## Status of tasks you asked me to follow up on\n\
             {% for t in follow_ups %}- [ ] {{ t.text }} ^{{ t.id }}\n{% endfor %}",
        );
    let run = vault.run(&["new", "--date", "2026-11-17"]).code(0);
    let path = run.stdout.trim();
    assert!(path.ends_with("2026-11-17 Dana.md"), "{path}");
    let note = std::fs::read_to_string(vault.path().join(path)).unwrap();
    assert!(note.contains("\n# 2026-11-17 Dana\n"), "{note}");
    // `{{time}}`: the hour and minute it was written.
    let time = note
        .split("Written at ")
        .nth(1)
        .and_then(|rest| rest.split('.').next())
        .unwrap_or_default();
    assert!(
        time.len() == 5 && chrono::NaiveTime::parse_from_str(time, "%H:%M").is_ok(),
        "{note}"
    );
}

#[test]
fn an_undefined_template_variable_is_an_error_not_empty_text() {
    let vault = TestVault::new()
        .file("1-1s/2026-11-10 Dana.md", DANA_OPEN)
        .file(
            "templates/five-questions.md",
            "---\ntype: one-on-one\ndate: {{ date }}\n---\n\n## Help\n{{ manager_name }}\n",
        );
    let run = vault.run(&["new", "--date", "2026-11-17"]).code(1);
    assert!(
        run.stderr
            .contains("templates/five-questions.md:7: error: undefined value"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_template_that_drops_open_requests_or_the_date_is_refused() {
    let vault = TestVault::new()
        .file("1-1s/2026-11-10 Dana.md", DANA_OPEN)
        .file(
            "templates/five-questions.md",
            "---\ntype: one-on-one\n---\n# {{ date }} {{ person }}\n",
        );
    let run = vault.run(&["new", "--date", "2026-11-17"]).code(1);
    assert!(run.stderr.contains("no `date` property"), "{}", run.stderr);
    assert!(
        run.stderr.contains("^budget is not in the note"),
        "{}",
        run.stderr
    );
    assert!(!vault.path().join("1-1s/2026-11-17 Dana.md").exists());
}

#[test]
fn the_note_name_pattern_is_configurable() {
    let vault = TestVault::new()
        .file(
            "upward.yaml",
            "note_name: \"{{ meetings }}/{{ person }}/{{ date }}\"\n",
        )
        .file("1-1s/2026-11-10 Dana.md", DANA_OPEN);
    let run = vault
        .run(&[
            "new",
            "--date",
            "2026-11-17",
            "--with",
            "[[Dana/Whit:aker]]",
        ])
        .code(0);
    assert!(
        run.stdout.trim().ends_with("1-1s/Whit-aker/2026-11-17.md"),
        "{}",
        run.stdout
    );
    let escape = TestVault::new().file("upward.yaml", "note_name: \"../{{ date }}\"\n");
    let run = escape.run(&["new", "--with", "Dana"]).code(1);
    assert!(
        run.stderr.contains("not a path inside the vault"),
        "{}",
        run.stderr
    );
}

#[test]
fn without_any_one_on_one_the_person_must_be_given() {
    let run = TestVault::new().run(&["new"]).code(1);
    assert!(run.stderr.contains("--with"), "{}", run.stderr);
}

#[test]
fn init_writes_a_vault_and_never_replaces_a_file() {
    let vault = TestVault::new().file("upward.yaml", "meetings: mine\n");
    let run = Run::of({
        let mut c = upward();
        c.arg("init").arg(vault.path());
        c
    })
    .code(0);
    assert!(run.stdout.contains("skipped"), "{}", run.stdout);
    assert_eq!(vault.read("upward.yaml"), "meetings: mine\n");
    for file in [
        ".gitignore",
        "templates/five-questions.md",
        "templates/wins-priorities-help.md",
        "templates/rubber-duck.md",
        "templates/questions.yaml",
    ] {
        assert!(vault.path().join(file).is_file(), "{file}");
    }
    assert!(vault.read(".gitignore").contains("/_site/"));
    assert!(vault.path().join("1-1s").is_dir());
    let before = snapshot(vault.path());
    let again = Run::of({
        let mut c = upward();
        c.arg("init").arg(vault.path());
        c
    })
    .code(0);
    assert!(!again.stdout.contains("created"), "{}", again.stdout);
    assert_eq!(before, snapshot(vault.path()));
}

#[test]
fn init_settings_list_every_key_and_check_clean() {
    let vault = TestVault::new();
    Run::of({
        let mut c = upward();
        c.arg("init").arg(vault.path());
        c
    })
    .code(0);
    let settings = vault.read("upward.yaml");
    for key in [
        "meetings:",
        "output:",
        "templates:",
        "template:",
        "note_name:",
        "ignore:",
        "stale_after_days:",
        "sections:",
    ] {
        assert!(settings.contains(&format!("\n{key}")), "{key}");
    }
    vault.run(&["new", "--with", "Dana Whitaker"]).code(0);
    let check = vault.run(&["check", "--format", "json"]).code(0);
    assert!(check.diagnostics().is_empty(), "{:?}", check.diagnostics());
}

#[test]
fn init_example_writes_the_sample_vault() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("try");
    Run::of({
        let mut c = upward();
        c.args(["init", "--example"]).arg(&target);
        c
    })
    .code(0);
    let mut sample = snapshot(&common::sample_vault());
    // A site built in the repository's sample vault is not part of it.
    sample.retain(|path, _| !path.starts_with("_site"));
    assert_eq!(snapshot(&target), sample);
}

#[test]
fn the_default_template_comes_from_the_settings() {
    let vault = TestVault::new()
        .file("upward.yaml", "template: wins-priorities-help\n")
        .file("1-1s/2026-11-10 Dana.md", DANA_OPEN);
    let note = vault
        .run(&["new", "--date", "2026-11-17", "--dry-run"])
        .code(0)
        .stdout;
    assert!(note.contains("template: wins-priorities-help\n"), "{note}");
    assert!(
        note.contains("## Help / Resources / Action Needed"),
        "{note}"
    );
}

/// `new --dry-run` on `vault` with no note cache at all: what every cached run must print.
fn uncached_dry_run(vault: &TestVault) -> String {
    vault
        .run_uncached(&["new", "--dry-run", "--date", "2026-11-24"])
        .code(0)
        .stdout
}

/// The note cache files of a vault's cache folder.
fn cache_files(vault: &TestVault) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(vault.cache())
        .map(|entries| entries.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default()
}

#[test]
fn new_remembers_notes_and_still_sees_every_edit() {
    let later = "---\nwith: \"[[Dana]]\"\n---\n\
        ## What do you need from me to ensure your success?\n- [ ] A second monitor ^monitor\n";
    let vault = TestVault::new()
        .file("1-1s/2026-11-10 Dana.md", DANA_OPEN)
        .file("1-1s/2026-11-12 Priya.md", PRIYA)
        .file("1-1s/2026-11-17 Dana.md", later);
    let dry_run = || {
        vault
            .run(&["new", "--dry-run", "--date", "2026-11-24"])
            .code(0)
    };
    let first = dry_run();
    assert!(first.stdout.contains("^monitor\n"), "{}", first.stdout);
    assert_eq!(first.stdout, uncached_dry_run(&vault));
    assert_eq!(cache_files(&vault).len(), 1, "one cache file for the vault");
    // From the cache: the same note.
    let cache = &cache_files(&vault)[0];
    let written = std::fs::metadata(cache).unwrap().modified().unwrap();
    let second = dry_run();
    assert_eq!(second.stdout, first.stdout);
    assert!(second.stdout.contains("^budget\n"), "{}", second.stdout);
    assert_eq!(
        std::fs::metadata(cache).unwrap().modified().unwrap(),
        written,
        "nothing changed, nothing written"
    );
    // An edit of the same length, so neither size nor anything but the text tells it apart:
    // the request is done now, and no longer carried.
    let edited = DANA_OPEN.replace("- [ ] Budget for RustConf", "- [x] Budget for RustConf");
    assert_eq!(edited.len(), DANA_OPEN.len());
    vault.write("1-1s/2026-11-10 Dana.md", &edited);
    let third = dry_run();
    assert!(!third.stdout.contains("^budget"), "{}", third.stdout);
    assert_eq!(third.stdout, uncached_dry_run(&vault));
    // A note removed is gone from what new sees.
    std::fs::remove_file(vault.path().join("1-1s/2026-11-17 Dana.md")).unwrap();
    let fourth = dry_run();
    assert!(!fourth.stdout.contains("^monitor"), "{}", fourth.stdout);
    assert!(
        fourth.stdout.contains("Previous: [[2026-11-10 Dana]]"),
        "{}",
        fourth.stdout
    );
    assert_eq!(fourth.stdout, uncached_dry_run(&vault));
    // A run that fails (the note exists) still leaves one whole cache file and nothing else.
    vault.run(&["new", "--date", "2026-11-24"]).code(0);
    vault.write(
        "1-1s/2026-11-12 Priya.md",
        PRIYA.replace("Visibility", "Vision"),
    );
    vault.run(&["new", "--date", "2026-11-24"]).code(1);
    let left = cache_files(&vault);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(
        left[0].extension().is_some_and(|e| e == "notes"),
        "{left:?}"
    );
}

#[test]
fn new_on_the_sample_vault_prints_the_same_note_from_its_cache() {
    let vault = TestVault::sample();
    let expected = uncached_dry_run(&vault);
    for _ in 0..2 {
        let run = vault
            .run(&["new", "--dry-run", "--date", "2026-11-24"])
            .code(0);
        assert_eq!(run.stdout, expected);
        assert!(run.stderr.is_empty(), "{}", run.stderr);
    }
    // And the note it writes from the cache checks clean and joins the ledger.
    let path = vault.run(&["new", "--date", "2026-11-24"]).code(0).stdout;
    let note = std::fs::read_to_string(path.trim()).unwrap();
    assert_eq!(note, expected);
    vault.run(&["check"]).code(0);
}

#[test]
fn a_damaged_note_cache_is_no_cache() {
    let vault = TestVault::new()
        .file("1-1s/2026-11-10 Dana.md", DANA_OPEN)
        .file("1-1s/2026-11-12 Priya.md", PRIYA)
        .file(
            "1-1s/2026-11-17 Dana.md",
            "---\nwith: \"[[Dana]]\"\n---\n## Wins\n- Shipped\n",
        );
    let expected = uncached_dry_run(&vault);
    let dry_run = || {
        vault
            .run(&["new", "--dry-run", "--date", "2026-11-24"])
            .code(0)
    };
    dry_run();
    let cache = cache_files(&vault).remove(0);
    let good = std::fs::read(&cache).unwrap();
    // Cut short anywhere, a byte changed anywhere, or not a cache at all.
    let mut damaged: Vec<Vec<u8>> = (0..good.len())
        .step_by(7)
        .map(|cut| good[..cut].to_vec())
        .collect();
    for at in (0..good.len()).step_by(5) {
        let mut bytes = good.clone();
        bytes[at] = bytes[at].wrapping_add(0x41);
        damaged.push(bytes);
    }
    damaged.push(b"\x00\xff garbage".to_vec());
    for bytes in damaged {
        std::fs::write(&cache, &bytes).unwrap();
        let run = dry_run();
        assert_eq!(
            run.stdout,
            expected,
            "with a damaged cache of {} bytes",
            bytes.len()
        );
        assert!(run.stderr.is_empty(), "{}", run.stderr);
    }
}

#[test]
fn a_note_cache_that_cannot_be_written_only_costs_time() {
    let vault = TestVault::new().file("1-1s/2026-11-10 Dana.md", DANA_OPEN);
    // The cache folder is a file: nothing can be written there.
    let blocked = vault.cache().join("not-a-folder");
    std::fs::write(&blocked, "").unwrap();
    let mut command = upward();
    command
        .env("UPWARD_CACHE_DIR", &blocked)
        .arg("--vault")
        .arg(vault.path())
        .args(["new", "--date", "2026-11-24"]);
    let run = Run::of(command).code(0);
    assert!(
        run.stdout.trim().ends_with("2026-11-24 Dana.md"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("could not save the note cache"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_and_requests_print_the_same_from_the_note_cache() {
    // A note with problems of every kind reading finds (invalid YAML, a reused ID, a bad
    // date), so what check reports comes from the cache on the second run.
    let broken = "---\ntype: one-on-one\ndate: 2026-13-40\nwith: \"[[Dana]]\"\n---\n\
        ## What do you need from me to ensure your success?\n\
        - [ ] Budget ^same\n- [ ] Access ^same\n";
    let unreadable = "---\nwith: [\n---\n## Wins\n- Shipped\n";
    let vault = TestVault::new()
        .file("1-1s/2026-11-10 Dana.md", DANA_OPEN)
        .file("1-1s/2026-11-12 Priya.md", PRIYA)
        .file("1-1s/2026-11-14 Dana.md", broken)
        .file("1-1s/2026-11-15 Dana.md", unreadable);
    let uncached = |args: &[&str]| {
        let run = vault.run_uncached(args);
        (run.code, run.stdout, run.stderr)
    };
    let cached = |args: &[&str]| {
        let run = vault.run(args);
        (run.code, run.stdout, run.stderr)
    };
    let commands: [&[&str]; 4] = [
        &["check", "--format", "json"],
        &["check"],
        &["requests", "--json"],
        &["requests", "--open"],
    ];
    let mut cache_written = false;
    for round in ["cold", "warm"] {
        for args in commands {
            let expected = uncached(args);
            assert_eq!(
                expected.0,
                Some(if args[0] == "check" { 1 } else { 0 }),
                "{args:?}"
            );
            assert_eq!(cached(args), expected, "{round}: {args:?}");
        }
        cache_written |= !cache_files(&vault).is_empty();
    }
    assert!(cache_written, "check and requests keep the cache too");
    // The broken note mended: the cache sees the new text.
    vault.write(
        "1-1s/2026-11-14 Dana.md",
        broken
            .replace("2026-13-40", "2026-11-14")
            .replace("Access ^same", "Access ^other"),
    );
    for args in commands {
        assert_eq!(cached(args), uncached(args), "mended: {args:?}");
    }
}
