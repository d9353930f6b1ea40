//! The Obsidian behaviours a vault already relies on (shared/OBSIDIAN.md), one test each, as a
//! user of `upward` would notice them: properties, task items, block IDs, comments, private
//! callouts, tags, and the request ledger built from them.

mod common;

use common::{TestVault, seen};
use serde_json::{Value, json};
use upward::config::{Config, Kind};
use upward::date::Date;
use upward::diagnostic::{Diagnostic, Severity};
use upward::frontmatter::DateProperty;
use upward::model::Model;
use upward::note::{Item, Note, NoteKind};
use upward::task::Status;

// ---------------------------------------------------------------------------------------------
// Helpers

const DANA: &str = "1-1s/2026-11-20 Dana.md";

fn day(text: &str) -> Date {
    upward::date::parse(text).expect("a date")
}

/// Lines joined by `\n`, ending in one: line N of the file is `lines[N - 1]`.
fn lines(lines: &[&str]) -> String {
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// A 1:1 note on `date` with `person`; its body (the `body` lines) starts on line 6.
fn meeting(date: &str, person: &str, body: &[&str]) -> String {
    let mut text = format!("---\ntype: one-on-one\ndate: {date}\nwith: \"[[{person}]]\"\n---\n");
    for line in body {
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// Parses one note with the default settings.
fn parse(path: &str, text: &str) -> (Note, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let note = upward::note::parse(path, text, &Config::default(), &mut diagnostics);
    (note, diagnostics)
}

/// Line, column and severity of each diagnostic.
fn positions(diagnostics: &[Diagnostic]) -> Vec<(usize, usize, Severity)> {
    diagnostics
        .iter()
        .map(|d| (d.line, d.column, d.severity))
        .collect()
}

fn item<'a>(note: &'a Note, id: &str) -> &'a Item {
    note.items
        .iter()
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("no item ^{id} in {:#?}", note.items))
}

fn ids(note: &Note) -> Vec<&str> {
    note.items.iter().map(|i| i.id.as_str()).collect()
}

/// `upward check --format json`, whatever the exit code.
fn check(vault: &TestVault) -> Vec<Value> {
    vault.run(&["check", "--format", "json"]).diagnostics()
}

/// Path, line, column and severity of each JSON diagnostic.
fn located(diagnostics: &[Value]) -> Vec<(String, u64, u64, String)> {
    diagnostics
        .iter()
        .map(|d| {
            (
                d["path"].as_str().expect("a path").to_owned(),
                d["line"].as_u64().expect("a line"),
                d["column"].as_u64().expect("a column"),
                d["severity"].as_str().expect("a severity").to_owned(),
            )
        })
        .collect()
}

fn at(path: &str, line: u64, column: u64, severity: &str) -> (String, u64, u64, String) {
    (path.to_owned(), line, column, severity.to_owned())
}

/// `upward requests --json args…`, which must succeed.
fn requests(vault: &TestVault, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["requests", "--json"];
    all.extend_from_slice(args);
    vault
        .run(&all)
        .code(0)
        .json()
        .as_array()
        .expect("an array")
        .clone()
}

fn request<'a>(records: &'a [Value], id: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no request ^{id} in {records:#?}"))
}

fn request_ids(records: &[Value]) -> Vec<&str> {
    records
        .iter()
        .map(|r| r["id"].as_str().expect("an id"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Frontmatter (Obsidian Properties)

#[test]
fn a_bom_does_not_hide_the_properties() {
    // Outside the meetings folder, only `type:` makes this a meeting: the BOM must not hide it.
    let text = format!(
        "\u{feff}{}",
        meeting(
            "2026-11-20",
            "Dana",
            &["## Help", "- [ ] Budget for RustConf ^budget"]
        )
    );
    let vault = TestVault::new().file("journal/standup.md", text);
    assert_eq!(check(&vault), Vec::<Value>::new());
    let records = requests(&vault, &[]);
    assert_eq!(request_ids(&records), ["budget"]);
    let budget = request(&records, "budget");
    assert_eq!(budget["raised"], "2026-11-20");
    assert_eq!(budget["with"], "Dana");
    assert_eq!(budget["history"][0]["line"], 7);
}

#[test]
fn crlf_line_endings_read_exactly_like_lf() {
    let lf = lines(&[
        "---",                                // 1
        "type: one-on-one",                   // 2
        "date: 2026-11-20",                   // 3
        "with: [[Dana]]",                     // 4
        "tags: #one-on-one",                  // 5
        "---",                                // 6
        "## Help",                            // 7
        "- [x] Budget ✅ 2026-11-12 ^budget", // 8
        "    - outcome:: approved",           // 9
        "- [/] Access to billing",            // 10
        "%% - [ ] secret ^secret %%",         // 11
    ]);
    let crlf = lf.replace('\n', "\r\n");
    let (a, a_diagnostics) = parse(DANA, &lf);
    let (b, b_diagnostics) = parse(DANA, &crlf);
    let a_items: Vec<_> = a.items.iter().map(seen).collect();
    let b_items: Vec<_> = b.items.iter().map(seen).collect();
    assert_eq!(a_items, b_items);
    assert_eq!(a_diagnostics, b_diagnostics);
    assert_eq!(a.properties.with, b.properties.with);
    assert_eq!(b.date, Some(day("2026-11-20")));
    assert_eq!(b.person(), Some("Dana"));
    assert_eq!(ids(&b), ["budget", "access-to-billing"]);
    let budget = item(&b, "budget");
    assert_eq!((budget.line, budget.column), (8, 1));
    assert_eq!(budget.outcome.as_deref(), Some("approved"));
    assert_eq!(budget.done, Some(day("2026-11-12")));
    assert_eq!(
        positions(&b_diagnostics),
        [
            (4, 1, Severity::Warning),
            (5, 1, Severity::Warning),
            (10, 1, Severity::Warning)
        ]
    );
}

#[test]
fn a_properties_block_after_a_blank_line_is_body_text() {
    let text = "\n---\npublish: true\n---\n# Salary thoughts\n";
    let (note, diagnostics) = parse("notes/Salary thoughts.md", text);
    assert_eq!(diagnostics, []);
    assert_eq!(note.properties.publish, None);
    assert!(!note.published(), "the note must stay private");
    assert_eq!(note.body, text);
    assert_eq!(note.body_line, 1);
}

#[test]
fn trailing_spaces_after_the_closing_fence_are_fine() {
    let text = "---\ndate: 2026-11-20\nwith: Dana\n--- \t \n## Help\n- [ ] Budget ^budget\n";
    let (note, diagnostics) = parse("1-1s/weekly.md", text);
    assert_eq!(diagnostics, []);
    assert_eq!(note.date, Some(day("2026-11-20")));
    assert_eq!(note.person(), Some("Dana"));
    assert_eq!(note.body_line, 5);
    assert_eq!(item(&note, "budget").line, 6);
}

#[test]
fn three_dots_close_the_properties_block() {
    let text = "---\ndate: 2026-11-20\n...\n## Help\n- [ ] Budget ^budget\n";
    let (note, diagnostics) = parse("1-1s/weekly.md", text);
    assert_eq!(diagnostics, []);
    assert_eq!(note.date, Some(day("2026-11-20")));
    assert_eq!(note.body_line, 4);
    assert_eq!(item(&note, "budget").line, 5);
}

#[test]
fn an_empty_properties_block_is_no_properties_and_no_error() {
    let (note, diagnostics) = parse("notes/Ideas.md", "---\n---\n# Ideas\n");
    assert_eq!(diagnostics, []);
    assert_eq!(note.properties, Default::default());
    assert_eq!(note.body, "# Ideas\n");
    assert_eq!(note.body_line, 3);
}

#[test]
fn an_unclosed_block_is_an_error_on_line_one_and_no_body_line_is_lost() {
    let text = lines(&[
        "---",                  // 1
        "date: 2026-11-20",     // 2
        "## Help",              // 3
        "- [ ] Budget ^budget", // 4
    ]);
    let (note, diagnostics) = parse(DANA, &text);
    assert!(
        diagnostics.iter().any(
            |d| (d.line, d.column, d.severity) == (1, 1, Severity::Error)
                && d.message.contains("never closed")
        ),
        "{diagnostics:#?}"
    );
    assert!(diagnostics.iter().all(|d| d.line == 1), "{diagnostics:#?}");
    assert!(note.properties.unreadable);
    assert_eq!(note.properties.kind, None);
    assert_eq!(note.body, text);
    // The meeting date falls back to the file name, and the request is still read.
    assert_eq!(note.date, Some(day("2026-11-20")));
    assert_eq!(item(&note, "budget").line, 4);
}

#[test]
fn a_second_frontmatter_block_after_a_blank_line_is_body_text() {
    let text = meeting(
        "2026-11-20",
        "Dana",
        &[
            "Intro.",               // 6
            "",                     // 7
            "---",                  // 8
            "## Help",              // 9
            "- [ ] Budget ^budget", // 10
            "---",                  // 11
            "",                     // 12
            "---",                  // 13
            "status: draft",        // 14
            "---",                  // 15
        ],
    );
    let (note, diagnostics) = parse(DANA, &text);
    assert_eq!(diagnostics, []);
    assert_eq!(ids(&note), ["budget"]);
    assert_eq!(item(&note, "budget").line, 10);
    assert!(!note.properties.extra.contains_key("status"));
    assert_eq!(note.properties.kind.as_deref(), Some("one-on-one"));
}

#[test]
fn a_body_line_ending_in_dashes_is_not_an_excerpt_marker() {
    let text = meeting(
        "2026-11-20",
        "Dana",
        &[
            "Quick notes ---",      // 6
            "## Help",              // 7
            "- [ ] Budget ^budget", // 8
            "- [ ] Travel ---",     // 9
            "- [ ] Access ^access", // 10
        ],
    );
    let (note, _) = parse(DANA, &text);
    let found: Vec<_> = note
        .items
        .iter()
        .map(|i| (i.id.as_str(), i.text.as_str(), i.line))
        .collect();
    assert_eq!(
        found,
        [
            ("budget", "Budget", 8),
            ("travel", "Travel ---", 9),
            ("access", "Access", 10)
        ]
    );
}

#[test]
fn yaml_error_is_reported_at_the_file_line_not_the_block_line() {
    let text = lines(&[
        "---",                  // 1
        "type: one-on-one",     // 2
        "date: 2026-11-20",     // 3
        "with: Dana: Whitaker", // 4: the second `:` is column 11
        "---",
        "## Help",
        "- [ ] Budget ^budget",
    ]);
    let vault = TestVault::new().file(DANA, &text);
    let diagnostics = check(&vault);
    let yaml: Vec<_> = diagnostics
        .iter()
        .filter(|d| d["message"].as_str().unwrap().starts_with("invalid YAML"))
        .cloned()
        .collect();
    assert_eq!(
        located(&yaml),
        [at(DANA, 4, 11, "error")],
        "{diagnostics:#?}"
    );
    vault.run(&["check"]).code(1);
}

#[test]
fn yaml_error_position_ignores_a_bom_and_crlf() {
    let text = format!(
        "\u{feff}{}",
        lines(&[
            "---",
            "type: one-on-one",
            "date: 2026-11-20",
            "with: Dana: Whitaker",
            "---"
        ])
        .replace('\n', "\r\n")
    );
    let vault = TestVault::new().file(DANA, text);
    let diagnostics = check(&vault);
    assert!(
        located(&diagnostics).contains(&at(DANA, 4, 11, "error")),
        "{diagnostics:#?}"
    );
}

#[test]
fn yaml_error_column_counts_characters_not_bytes() {
    // `ë` is two bytes: the second `:` is the 10th character and the 11th byte.
    let (_, diagnostics) = parse(DANA, "---\ndate: 2026-11-20\nwith: Zoë: x\n---\n");
    let yaml: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.message.starts_with("invalid YAML"))
        .cloned()
        .collect();
    assert_eq!(positions(&yaml), [(3, 10, Severity::Error)]);
}

#[test]
fn invalid_yaml_leaves_the_note_without_properties_and_the_vault_still_builds() {
    let vault = TestVault::new()
        .file(
            "1-1s/2026-11-17 Dana.md",
            meeting("2026-11-17", "Dana", &["## Help", "- [ ] Budget ^budget"]),
        )
        .file(
            "1-1s/2026-11-20 Dana.md",
            "---\ndate: [2026-11-20\nwith: Dana\n---\n## Help\n- [ ] Access ^access\n",
        );
    vault.run(&["check"]).code(1);
    let records = requests(&vault, &[]);
    assert_eq!(request_ids(&records), ["budget", "access"]);
    let access = request(&records, "access");
    // No properties: the date comes from the file name, and no person is known.
    assert_eq!(access["raised"], "2026-11-20");
    assert_eq!(access["with"], Value::Null);
    assert_eq!(access["history"][0]["line"], 6);
    assert_eq!(request(&records, "budget")["with"], "Dana");
}

#[test]
fn a_duplicate_key_is_a_yaml_error_at_the_second_key() {
    let text = "---\ndate: 2026-11-20\nwith: Dana\ndate: 2026-11-21\n---\n";
    let (note, diagnostics) = parse(DANA, text);
    let duplicate: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.message.contains("duplicate key `date`"))
        .collect();
    assert_eq!(duplicate.len(), 1, "{diagnostics:#?}");
    assert_eq!(
        (
            duplicate[0].line,
            duplicate[0].column,
            duplicate[0].severity
        ),
        (4, 1, Severity::Error)
    );
    assert!(note.properties.unreadable);
    assert_eq!(note.properties.kind, None);
}

#[test]
fn a_properties_block_that_is_a_list_is_an_error() {
    let (note, diagnostics) = parse("notes/a.md", "---\n- a\n- b\n---\n");
    assert_eq!(positions(&diagnostics), [(2, 1, Severity::Error)]);
    assert!(diagnostics[0].message.contains("must be a mapping"));
    assert!(note.properties.unreadable);
    assert_eq!(note.properties.kind, None);
}

#[test]
fn date_property_accepts_a_date_a_quoted_date_and_a_date_time() {
    for value in [
        "2026-11-20",
        "\"2026-11-20\"",
        "'2026-11-20'",
        "2026-11-20T10:30:00",
        "2026-11-20T10:30",
        "2026-11-20 10:30:00",
    ] {
        let (note, diagnostics) = parse("1-1s/weekly.md", &format!("---\ndate: {value}\n---\n"));
        assert_eq!(diagnostics, [], "date: {value}");
        assert_eq!(note.date, Some(day("2026-11-20")), "date: {value}");
    }
}

#[test]
fn an_impossible_date_is_an_error_on_its_line_and_the_file_name_date_is_used() {
    let text = "---\ntype: one-on-one\ndate: 2026-02-30\n---\n";
    let (note, diagnostics) = parse(DANA, text);
    assert_eq!(positions(&diagnostics), [(3, 1, Severity::Error)]);
    assert!(
        diagnostics[0]
            .message
            .contains("`date: 2026-02-30` is not a valid date")
    );
    assert_eq!(
        note.properties.date,
        DateProperty::Invalid("2026-02-30".into())
    );
    assert_eq!(note.date, Some(day("2026-11-20")));
}

#[test]
fn string_false_keeps_a_note_unpublished() {
    let (note, diagnostics) = parse(DANA, "---\ndate: 2026-11-20\npublish: \"false\"\n---\n");
    assert_eq!(diagnostics, []);
    assert_eq!(note.properties.publish, Some(false));
    assert!(!note.published());
    let (note, diagnostics) = parse("notes/Career goals.md", "---\npublish: \"true\"\n---\n");
    assert_eq!(diagnostics, []);
    assert!(note.published());
}

#[test]
fn an_ordinary_note_is_private_unless_publish_is_true() {
    let cases = [
        ("# Career goals\n", false),
        ("---\npublish: true\n---\n", true),
        ("---\npublish: false\n---\n", false),
        ("---\ndescription: goals\n---\n", false),
    ];
    for (text, published) in cases {
        let (note, diagnostics) = parse("notes/Career goals.md", text);
        assert_eq!(diagnostics, [], "{text:?}");
        assert_eq!(note.kind, NoteKind::Ordinary);
        assert_eq!(note.published(), published, "{text:?}");
    }
    let (meeting_note, _) = parse(DANA, "---\ndate: 2026-11-20\n---\n");
    assert!(
        meeting_note.published(),
        "a meeting is published by default"
    );
}

#[test]
fn draft_true_keeps_a_note_off_the_site() {
    let (note, diagnostics) = parse(DANA, "---\ndate: 2026-11-20\ndraft: true\n---\n");
    assert_eq!(diagnostics, []);
    assert!(!note.published());
    let (note, _) = parse("notes/a.md", "---\npublish: true\ndraft: \"true\"\n---\n");
    assert!(!note.published());
}

#[test]
fn a_publish_value_that_is_not_a_boolean_is_a_warning_and_keeps_the_note_private() {
    let (note, diagnostics) = parse(DANA, "---\ndate: 2026-11-20\npublish: maybe\n---\n");
    assert_eq!(positions(&diagnostics), [(3, 1, Severity::Warning)]);
    assert!(
        diagnostics[0]
            .message
            .contains("`publish` should be true or false")
    );
    assert!(!note.published());
}

#[test]
fn unquoted_wikilink_in_with_is_accepted_with_a_warning_on_its_line() {
    let text = lines(&[
        "---",
        "type: one-on-one",
        "date: 2026-11-20",
        "with: [[Dana Whitaker]]", // 4
        "---",
        "## Help",
        "- [ ] Budget ^budget",
    ]);
    let vault = TestVault::new().file(DANA, text);
    let diagnostics = check(&vault);
    assert_eq!(located(&diagnostics), [at(DANA, 4, 1, "warning")]);
    let message = diagnostics[0]["message"].as_str().unwrap();
    assert!(message.contains("unquoted wikilink"), "{message}");
    assert!(message.contains("with: \"[[Dana Whitaker]]\""), "{message}");
    vault.run(&["check"]).code(0);
    assert_eq!(
        request(&requests(&vault, &[]), "budget")["with"],
        "Dana Whitaker"
    );
}

#[test]
fn unquoted_wikilinks_in_a_with_list_give_every_person_and_one_warning() {
    let text = "---\ndate: 2026-11-20\nwith:\n  - [[Dana]]\n  - [[Sam Ortiz]]\n---\n";
    let (note, diagnostics) = parse(DANA, text);
    assert_eq!(note.properties.with, ["Dana", "Sam Ortiz"]);
    assert_eq!(positions(&diagnostics), [(3, 1, Severity::Warning)]);
    assert!(diagnostics[0].message.contains("unquoted wikilink"));
}

#[test]
fn quoted_wikilinks_in_with_give_the_person_note_name() {
    let cases = [
        ("\"[[people/Dana Whitaker|Dana]]\"", vec!["Dana Whitaker"]),
        ("\"[[Dana Whitaker#Agenda]]\"", vec!["Dana Whitaker"]),
        ("\"[[Dana Whitaker.md]]\"", vec!["Dana Whitaker"]),
        ("Dana Whitaker", vec!["Dana Whitaker"]),
        ("[\"[[Dana]]\", \"[[Sam]]\"]", vec!["Dana", "Sam"]),
    ];
    for (value, people) in cases {
        let (note, diagnostics) = parse(
            DANA,
            &format!("---\ndate: 2026-11-20\nwith: {value}\n---\n"),
        );
        assert_eq!(diagnostics, [], "with: {value}");
        assert_eq!(note.properties.with, people, "with: {value}");
    }
}

#[test]
fn a_mapping_where_people_are_expected_is_a_warning() {
    let text = "---\ndate: 2026-11-20\nwith: {name: Dana}\n---\n";
    let (note, diagnostics) = parse(DANA, text);
    assert_eq!(positions(&diagnostics), [(3, 1, Severity::Warning)]);
    assert!(diagnostics[0].message.contains("`with` should be a list"));
    assert!(note.properties.with.is_empty());
}

#[test]
fn a_recap_date_that_is_not_a_date_is_a_warning_on_its_line() {
    let text = "---\ndate: 2026-11-20\nrecap_sent: yesterday\n---\n";
    let (note, diagnostics) = parse(DANA, text);
    assert_eq!(positions(&diagnostics), [(3, 1, Severity::Warning)]);
    assert!(
        diagnostics[0]
            .message
            .contains("`recap_sent: yesterday` is not a date")
    );
    assert_eq!(note.properties.recap_sent, None);
    let (note, _) = parse(DANA, "---\ndate: 2026-11-20\nrecap_sent: 2026-11-21\n---\n");
    assert_eq!(note.properties.recap_sent, Some(day("2026-11-21")));
}

#[test]
fn a_hash_tag_in_properties_is_a_yaml_comment_and_gets_a_warning() {
    let text = "---\ndate: 2026-11-20\ntags: #one-on-one\n---\n";
    let (note, diagnostics) = parse(DANA, text);
    assert_eq!(positions(&diagnostics), [(3, 1, Severity::Warning)]);
    assert!(diagnostics[0].message.contains("comment"));
    assert!(note.properties.tags.is_empty());
    assert!(note.tags.is_empty());
}

#[test]
fn property_tags_are_a_list_without_hash_in_block_or_flow_style() {
    let block = "---\ntags:\n  - one-on-one\n  - Growth\ntag: solo\n---\n";
    let (note, diagnostics) = parse("notes/a.md", block);
    assert_eq!(diagnostics, []);
    assert_eq!(note.properties.tags, ["one-on-one", "Growth", "solo"]);
    assert_eq!(note.tags, ["growth", "one-on-one", "solo"]);
    let flow = "---\ntags: [one-on-one, \"#growth\"]\n---\n";
    let (note, diagnostics) = parse("notes/a.md", flow);
    assert_eq!(diagnostics, []);
    assert_eq!(note.tags, ["growth", "one-on-one"]);
}

#[test]
fn old_singular_alias_key_still_counts_and_cssclasses_are_kept() {
    let text = "---\nalias: D. Whitaker\naliases:\n  - Dana W\ncssclasses:\n  - wide\n---\n";
    let (note, diagnostics) = parse("people/Dana Whitaker.md", text);
    assert_eq!(diagnostics, []);
    assert_eq!(note.properties.aliases, ["D. Whitaker", "Dana W"]);
    assert_eq!(note.properties.extra["cssclasses"], json!(["wide"]));
}

#[test]
fn unknown_properties_of_every_type_are_kept_in_file_order() {
    let text = lines(&[
        "---",
        "date: 2026-11-20",
        "mood: 7",
        "energized: true",
        "started: 2020-08-21T10:30:00",
        "topics:",
        "  - hiring",
        "  - budget",
        "description: Weekly sync",
        "permalink: dana/weekly",
        "---",
    ]);
    let (note, diagnostics) = parse(DANA, &text);
    assert_eq!(diagnostics, []);
    let extra = &note.properties.extra;
    let keys: Vec<_> = extra.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "mood",
            "energized",
            "started",
            "topics",
            "description",
            "permalink"
        ]
    );
    assert_eq!(extra["mood"], json!(7));
    assert_eq!(extra["energized"], json!(true));
    assert_eq!(extra["started"], json!("2020-08-21T10:30:00"));
    assert_eq!(extra["topics"], json!(["hiring", "budget"]));
    assert_eq!(note.properties.line_of("topics"), Some(6));
}

#[test]
fn a_heading_written_over_two_lines_is_matched_with_a_space_between_them() {
    let (note, _) = parse(
        DANA,
        &meeting(
            "2026-11-20",
            "Dana",
            &[
                "What do you need",
                "from me?",
                "--------",
                "- [ ] Budget ^budget",
            ],
        ),
    );
    assert_eq!(ids(&note), ["budget"]);
    assert_eq!(note.items[0].kind, Kind::Requests);
    assert_eq!(&*note.items[0].section, "What do you need from me?");
}

// ---------------------------------------------------------------------------------------------
// Tasks: checkboxes

#[test]
fn open_in_progress_done_and_declined_checkboxes_give_the_status() {
    let vault = TestVault::new().file(
        DANA,
        meeting(
            "2026-11-20",
            "Dana",
            &[
                "## Help / Resources / Action Needed",
                "- [ ] Approval for travel ^open",
                "- [/] Access to billing ^progress",
                "- [x] Headcount ^done",
                "- [X] Laptop upgrade ^capital",
                "- [-] Move the launch ^declined",
            ],
        ),
    );
    let records = requests(&vault, &[]);
    let statuses: Vec<_> = records
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("open", "open"),
            ("progress", "in-progress"),
            ("done", "done"),
            ("capital", "done"),
            ("declined", "declined")
        ]
    );
    assert_eq!(request(&records, "progress")["title"], "Access to billing");
    assert_eq!(request(&records, "declined")["title"], "Move the launch");
    assert_eq!(request(&records, "open")["resolved"], Value::Null);
    assert_eq!(request(&records, "done")["resolved"], "2026-11-20");
    assert_eq!(request(&records, "declined")["resolved"], "2026-11-20");
}

#[test]
fn forwarded_checkbox_counts_as_open() {
    let vault = TestVault::new().file(
        DANA,
        meeting(
            "2026-11-20",
            "Dana",
            &["## Help", "- [>] Budget, moved to next week ^budget"],
        ),
    );
    let records = requests(&vault, &["--open"]);
    assert_eq!(request_ids(&records), ["budget"]);
    assert_eq!(records[0]["status"], "open");
    assert_eq!(records[0]["title"], "Budget, moved to next week");
    assert_eq!(records[0]["resolved"], Value::Null);
}

#[test]
fn an_unknown_checkbox_character_counts_as_done() {
    let (note, _) = parse(
        DANA,
        &meeting(
            "2026-11-20",
            "Dana",
            &[
                "## Help",
                "- [?] Question ^q",
                "- [!] Important ^i",
                "- [*] Star ^s",
            ],
        ),
    );
    let statuses: Vec<_> = note
        .items
        .iter()
        .map(|i| (i.id.as_str(), i.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("q", Some(Status::Done)),
            ("i", Some(Status::Done)),
            ("s", Some(Status::Done))
        ]
    );
    assert_eq!(item(&note, "q").text, "Question");
}

#[test]
fn a_plain_item_under_a_requests_heading_is_an_open_request() {
    let (note, _) = parse(
        DANA,
        &meeting(
            "2026-11-20",
            "Dana",
            &["## Help", "- Budget for RustConf ^budget"],
        ),
    );
    let budget = item(&note, "budget");
    assert_eq!(budget.status, Some(Status::Open));
    assert_eq!(budget.kind, Kind::Requests);
    assert_eq!(budget.text, "Budget for RustConf");
}

#[test]
fn brackets_that_are_not_a_checkbox_are_text() {
    let (note, _) = parse(
        DANA,
        &meeting(
            "2026-11-20",
            "Dana",
            &[
                "## Help",
                "- [[Budget]] approval ^budget",
                "- [link] to the doc ^doc",
            ],
        ),
    );
    assert_eq!(item(&note, "budget").text, "[[Budget]] approval");
    assert_eq!(item(&note, "doc").text, "[link] to the doc");
    assert_eq!(item(&note, "budget").status, Some(Status::Open));
}

// ---------------------------------------------------------------------------------------------
// Tasks: emoji fields and Dataview fields

#[test]
fn done_date_from_the_check_emoji_is_the_resolution_date() {
    let vault = TestVault::new()
        .file(
            "1-1s/2026-11-03 Dana.md",
            meeting("2026-11-03", "Dana", &["## Help", "- [ ] Budget ^budget"]),
        )
        .file(
            "1-1s/2026-11-17 Dana.md",
            meeting(
                "2026-11-17",
                "Dana",
                &["## Help", "- [x] Budget ✅ 2026-11-12 ^budget"],
            ),
        );
    let budget = request(&requests(&vault, &[]), "budget").clone();
    assert_eq!(budget["status"], "done");
    assert_eq!(budget["title"], "Budget");
    assert_eq!(budget["raised"], "2026-11-03");
    assert_eq!(budget["resolved"], "2026-11-12");
    assert_eq!(budget["days_open"], 9);
    assert_eq!(budget["mentions"], 2);
}

#[test]
fn cancelled_date_from_the_cross_emoji_is_the_resolution_date() {
    let vault = TestVault::new()
        .file(
            "1-1s/2026-11-03 Dana.md",
            meeting(
                "2026-11-03",
                "Dana",
                &["## Help", "- [ ] Move the launch ^launch"],
            ),
        )
        .file(
            "1-1s/2026-11-17 Dana.md",
            meeting(
                "2026-11-17",
                "Dana",
                &["## Help", "- [-] Move the launch ❌ 2026-11-15 ^launch"],
            ),
        );
    let launch = request(&requests(&vault, &[]), "launch").clone();
    assert_eq!(launch["status"], "declined");
    assert_eq!(launch["resolved"], "2026-11-15");
    assert_eq!(launch["days_open"], 12);
}

#[test]
fn a_done_request_without_a_done_date_is_resolved_on_its_meeting_date() {
    let vault = TestVault::new()
        .file(
            "1-1s/2026-11-03 Dana.md",
            meeting("2026-11-03", "Dana", &["## Help", "- [ ] Budget ^budget"]),
        )
        .file(
            "1-1s/2026-11-17 Dana.md",
            meeting("2026-11-17", "Dana", &["## Help", "- [x] Budget ^budget"]),
        );
    let budget = request(&requests(&vault, &[]), "budget").clone();
    assert_eq!(budget["resolved"], "2026-11-17");
    assert_eq!(budget["days_open"], 14);
}

#[test]
fn a_created_date_before_the_first_meeting_is_when_it_was_raised() {
    let vault = TestVault::new().file(
        DANA,
        meeting(
            "2026-11-20",
            "Dana",
            &["## Help", "- [ ] Budget ➕ 2026-10-01 ^budget"],
        ),
    );
    let budget = request(&requests(&vault, &[]), "budget").clone();
    assert_eq!(budget["raised"], "2026-10-01");
    assert_eq!(budget["days_open"], 54);
    assert_eq!(budget["title"], "Budget");
}

#[test]
fn emoji_fields_in_any_order_are_not_part_of_the_title() {
    let line = "- [ ] Budget 📅 2026-12-24 ⏫ ➕ 2026-10-01 ⏳ 2026-12-01 🛫 2026-11-30 \
                🔁 every month #finance 🆔 abc123 ⛔ def456 ^budget";
    let (note, _) = parse(DANA, &meeting("2026-11-20", "Dana", &["## Help", line]));
    let budget = item(&note, "budget");
    assert_eq!(budget.text, "Budget #finance");
    assert_eq!(budget.due, Some(day("2026-12-24")));
    assert_eq!(budget.created, Some(day("2026-10-01")));
    assert_eq!(budget.done, None);
    assert_eq!(budget.tags, ["finance"]);
    assert_eq!(budget.status, Some(Status::Open));
}

#[test]
fn a_variation_selector_after_an_emoji_is_accepted() {
    let (note, _) = parse(
        DANA,
        &meeting(
            "2026-11-20",
            "Dana",
            &[
                "## Help",
                "- [x] Budget ✅\u{fe0f} 2026-11-12 ^budget",
                "- [-] Launch ❌\u{fe0f}2026-11-13 ➕\u{fe0f} 2026-10-01 ^launch",
            ],
        ),
    );
    assert_eq!(item(&note, "budget").done, Some(day("2026-11-12")));
    assert_eq!(item(&note, "budget").text, "Budget");
    assert_eq!(item(&note, "launch").cancelled, Some(day("2026-11-13")));
    assert_eq!(item(&note, "launch").created, Some(day("2026-10-01")));
    assert_eq!(item(&note, "launch").text, "Launch");
}

#[test]
fn dataview_fields_give_the_dates() {
    let (note, _) = parse(
        DANA,
        &meeting(
            "2026-11-20",
            "Dana",
            &[
                "## Help",
                "- [x] Budget [completion:: 2026-11-12] ^a",
                "- [x] Travel [done:: 2026-11-13] ^b",
                "- [-] Launch [cancelled:: 2026-11-14] ^c",
                "- [ ] Access [created:: 2026-10-01] [due:: 2026-12-01] ^d",
            ],
        ),
    );
    assert_eq!(item(&note, "a").done, Some(day("2026-11-12")));
    assert_eq!(item(&note, "b").done, Some(day("2026-11-13")));
    assert_eq!(item(&note, "c").cancelled, Some(day("2026-11-14")));
    assert_eq!(item(&note, "d").created, Some(day("2026-10-01")));
    assert_eq!(item(&note, "d").due, Some(day("2026-12-01")));
    let titles: Vec<_> = note.items.iter().map(|i| i.text.as_str()).collect();
    assert_eq!(titles, ["Budget", "Travel", "Launch", "Access"]);
}

#[test]
fn dataview_keys_are_normalised() {
    let (note, _) = parse(
        DANA,
        &meeting(
            "2026-11-20",
            "Dana",
            &[
                "## Help",
                "- [ ] Budget [Basic Field:: x] (Owner  Name:: Dana) ^budget",
                "    - outcome:: approved",
            ],
        ),
    );
    let budget = item(&note, "budget");
    assert_eq!(budget.text, "Budget");
    let fields: Vec<_> = budget
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("basic-field", "x"),
            ("owner-name", "Dana"),
            ("outcome", "approved")
        ]
    );
}

#[test]
fn a_multi_word_key_on_its_own_line_is_normalised_whole() {
    let (note, _) = parse(
        DANA,
        &meeting(
            "2026-11-20",
            "Dana",
            &[
                "## Help",
                "- [ ] Budget ^budget",
                "    - Next Step:: ask finance",
                "    - Basic Field:: x",
            ],
        ),
    );
    let budget = item(&note, "budget");
    let fields: Vec<_> = budget
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(fields, [("next-step", "ask finance"), ("basic-field", "x")]);
    // The nested lines are fields, not details with a leftover first word.
    assert!(budget.details.is_empty(), "{:?}", budget.details);
}

#[test]
fn links_and_parentheses_in_a_request_are_not_fields() {
    let line = "- [ ] Ask about [[Budget Q1|the budget]] (soon) [doc](http://x) ^ask";
    let (note, _) = parse(DANA, &meeting("2026-11-20", "Dana", &["## Help", line]));
    let ask = item(&note, "ask");
    assert_eq!(
        ask.text,
        "Ask about [[Budget Q1|the budget]] (soon) [doc](http://x)"
    );
    assert!(ask.fields.is_empty());
}

#[test]
fn outcome_from_a_nested_outcome_item() {
    let vault = TestVault::new().file(
        DANA,
        meeting(
            "2026-11-20",
            "Dana",
            &[
                "## Help",
                "- [x] Headcount for on-call ✅ 2026-11-20 ^hc",
                "    - outcome:: approved, one contractor for Q1",
                "    - Dana will ask finance",
            ],
        ),
    );
    let records = requests(&vault, &[]);
    let hc = request(&records, "hc");
    assert_eq!(hc["outcome"], "approved, one contractor for Q1");
    assert_eq!(hc["title"], "Headcount for on-call");
    assert_eq!(hc["mentions"], 1);
    let (note, _) = parse(DANA, &vault.read(DANA));
    assert_eq!(item(&note, "hc").details, ["Dana will ask finance"]);
}

#[test]
fn an_outcome_field_on_the_item_or_its_next_line_is_the_outcome() {
    let (note, _) = parse(
        DANA,
        &meeting(
            "2026-11-20",
            "Dana",
            &[
                "## Help",
                "- [x] Budget [outcome:: approved] ^budget",
                "- [x] Travel to RustConf ✅ 2026-11-18",
                "  outcome:: booked",
            ],
        ),
    );
    assert_eq!(item(&note, "budget").outcome.as_deref(), Some("approved"));
    assert_eq!(item(&note, "budget").text, "Budget");
    let travel = item(&note, "travel-to-rustconf");
    assert_eq!(travel.outcome.as_deref(), Some("booked"));
    assert_eq!(travel.done, Some(day("2026-11-18")));
}

#[test]
fn the_latest_outcome_written_is_the_outcome() {
    let vault = TestVault::new()
        .file(
            "1-1s/2026-11-03 Dana.md",
            meeting(
                "2026-11-03",
                "Dana",
                &[
                    "## Help",
                    "- [ ] Budget ^budget",
                    "    - outcome:: finance wants a quote",
                ],
            ),
        )
        .file(
            "1-1s/2026-11-10 Dana.md",
            meeting(
                "2026-11-10",
                "Dana",
                &[
                    "## Help",
                    "- [/] Budget ^budget",
                    "    - outcome:: quote sent",
                ],
            ),
        )
        .file(
            "1-1s/2026-11-17 Dana.md",
            meeting("2026-11-17", "Dana", &["## Help", "- [/] Budget ^budget"]),
        );
    assert_eq!(
        request(&requests(&vault, &[]), "budget")["outcome"],
        "quote sent"
    );
}

// ---------------------------------------------------------------------------------------------
// Block IDs

#[test]
fn a_block_id_with_an_underscore_or_digits_is_accepted() {
    let (note, _) = parse(
        DANA,
        &meeting(
            "2026-11-20",
            "Dana",
            &[
                "## Help",
                "- [ ] Budget ^budget_q1",
                "- [ ] Travel ^2026-travel",
            ],
        ),
    );
    assert_eq!(ids(&note), ["budget_q1", "2026-travel"]);
    assert!(note.items.iter().all(|i| i.explicit_id));
    assert_eq!(item(&note, "budget_q1").text, "Budget");
}

#[test]
fn a_caret_without_a_space_before_it_is_not_a_block_id() {
    let (note, diagnostics) = parse(
        DANA,
        &meeting(
            "2026-11-20",
            "Dana",
            &["## Help", "- [ ] Raise the limit to 10^3"],
        ),
    );
    assert_eq!(ids(&note), ["raise-the-limit-to-10-3"]);
    assert!(!note.items[0].explicit_id);
    assert_eq!(note.items[0].text, "Raise the limit to 10^3");
    assert_eq!(positions(&diagnostics), [(7, 1, Severity::Warning)]);
    assert!(note.block_ids.is_empty());
}

#[test]
fn a_block_id_with_other_characters_is_not_a_block_id() {
    let (note, _) = parse(
        DANA,
        &meeting(
            "2026-11-20",
            "Dana",
            &["## Help", "- [ ] Budget ^not.valid"],
        ),
    );
    assert!(!note.items[0].explicit_id);
    assert_eq!(note.items[0].text, "Budget ^not.valid");
    assert_eq!(note.items[0].id, "budget-not-valid");
}

#[test]
fn a_block_id_used_twice_in_one_note_is_an_error_at_the_second() {
    let vault = TestVault::new().file(
        DANA,
        meeting(
            "2026-11-20",
            "Dana",
            &[
                "## Help",
                "- [ ] Budget ^budget", // 7
                "- [ ] Travel ^budget", // 8: `^` is column 14
            ],
        ),
    );
    let diagnostics = check(&vault);
    let errors: Vec<_> = diagnostics
        .iter()
        .filter(|d| d["severity"] == "error")
        .cloned()
        .collect();
    assert_eq!(located(&errors), [at(DANA, 8, 14, "error")]);
    let message = errors[0]["message"].as_str().unwrap();
    assert!(
        message.contains("^budget is already used on line 7"),
        "{message}"
    );
    vault.run(&["check"]).code(1);
}

#[test]
fn a_block_id_on_its_own_line_after_a_callout_or_table_is_recorded() {
    let text = lines(&[
        "> [!note] Context",        // 1
        "> Finance wants a quote.", // 2
        "",                         // 3
        "^quote-id",                // 4
        "",                         // 5
        "| who | what |",           // 6
        "| --- | ---- |",           // 7
        "| Dana | budget |",        // 8
        "",                         // 9
        "^table-id",                // 10
        "",                         // 11
        "A paragraph. ^para-id",    // 12
    ]);
    let (note, diagnostics) = parse("notes/Context.md", &text);
    assert_eq!(diagnostics, []);
    assert_eq!(
        note.block_ids,
        [
            ("quote-id".to_owned(), 4),
            ("table-id".to_owned(), 10),
            ("para-id".to_owned(), 12)
        ]
    );
}

#[test]
fn a_block_id_in_a_code_block_is_not_a_block_id() {
    let (note, diagnostics) = parse(
        DANA,
        &meeting(
            "2026-11-20",
            "Dana",
            &[
                "## Help",
                "```",
                "- [ ] not a request ^code",
                "```",
                "~~~",
                "^tilde",
                "~~~",
            ],
        ),
    );
    assert_eq!(diagnostics, []);
    assert!(note.block_ids.is_empty());
    assert!(note.items.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Comments

#[test]
fn an_item_inside_a_comment_is_not_a_request() {
    let vault = TestVault::new().file(
        DANA,
        meeting(
            "2026-11-20",
            "Dana",
            &[
                "## Help",                     // 6
                "%%",                          // 7
                "- [ ] A raise for me ^raise", // 8
                "%%",                          // 9
                "- [ ] Budget ^budget",        // 10
            ],
        ),
    );
    let records = requests(&vault, &[]);
    assert_eq!(request_ids(&records), ["budget"]);
    assert_eq!(records[0]["history"][0]["line"], 10);
    assert_eq!(check(&vault), Vec::<Value>::new());
}

#[test]
fn an_inline_comment_is_not_part_of_the_title() {
    let (note, _) = parse(
        DANA,
        &meeting(
            "2026-11-20",
            "Dana",
            &[
                "## Help",
                "- [ ] Budget %%ask finance first%% for RustConf ^budget",
            ],
        ),
    );
    assert_eq!(item(&note, "budget").text, "Budget for RustConf");
}

#[test]
fn percent_signs_in_code_are_not_a_comment() {
    let (note, _) = parse(
        DANA,
        &meeting(
            "2026-11-20",
            "Dana",
            &[
                "## Help",
                "- [ ] Fix the `%%` parser ^fix",
                "- [ ] Second %% hidden %% ^second",
            ],
        ),
    );
    assert_eq!(item(&note, "fix").text, "Fix the `%%` parser");
    assert_eq!(item(&note, "second").text, "Second");
}

#[test]
fn a_block_id_inside_a_comment_is_not_a_block_id() {
    let (note, diagnostics) = parse(
        DANA,
        &meeting(
            "2026-11-20",
            "Dana",
            &["## Help", "%% old: ^budget %%", "- [ ] Budget ^budget"],
        ),
    );
    assert_eq!(diagnostics, []);
    assert_eq!(note.block_ids, [("budget".to_owned(), 8)]);
}

#[test]
fn a_tag_inside_a_comment_is_not_a_tag() {
    let (note, _) = parse(
        "notes/a.md",
        "Public #visible\n%% #secret\nstill hidden #hidden %%\n",
    );
    assert_eq!(note.tags, ["visible"]);
}

// ---------------------------------------------------------------------------------------------
// Callouts

#[test]
fn items_in_a_private_callout_are_not_requests() {
    let vault = TestVault::new().file(
        DANA,
        meeting(
            "2026-11-20",
            "Dana",
            &[
                "## Help",                         // 6
                "> [!private]",                    // 7
                "> - [ ] A raise for me ^raise",   // 8
                "",                                // 9
                "> [!PRIVATE]- Folded away",       // 10
                "> - [ ] Therapy days ^therapy",   // 11
                "",                                // 12
                "> [!note] Context",               // 13
                "> > [!private]",                  // 14
                "> > - [ ] Nested secret ^nested", // 15
                "",                                // 16
                "- [ ] Budget ^budget",            // 17
            ],
        ),
    );
    let records = requests(&vault, &[]);
    assert_eq!(request_ids(&records), ["budget"]);
    assert_eq!(records[0]["history"][0]["line"], 17);
    let (note, _) = parse(DANA, &vault.read(DANA));
    assert_eq!(ids(&note), ["budget"]);
}

// ---------------------------------------------------------------------------------------------
// Tags

#[test]
fn a_number_is_not_a_tag() {
    let (note, _) = parse("notes/a.md", "Read #1984 and #y2026 and #2026/q4.\n");
    assert_eq!(note.tags, ["2026/q4", "y2026"]);
}

#[test]
fn nested_and_unicode_tags_are_tags() {
    let (note, _) = parse(
        "notes/a.md",
        "#project/alpha #über, #日本語 #snake_case #kebab-case\n",
    );
    assert_eq!(
        note.tags,
        [
            "kebab-case",
            "project/alpha",
            "snake_case",
            "über",
            "日本語"
        ]
    );
}

#[test]
fn tags_are_case_insensitive_across_properties_and_body() {
    let (note, _) = parse(
        "notes/a.md",
        "---\ntags: [Growth]\n---\nSome #GROWTH and #growth and #Career.\n",
    );
    assert_eq!(note.tags, ["career", "growth"]);
}

#[test]
fn a_hash_in_a_link_or_url_is_not_a_tag() {
    let (note, _) = parse(
        "notes/a.md",
        "See [[Budget#Q1]], [[#Heading]], https://example.com/#frag and [x](#heading).\n",
    );
    assert!(note.tags.is_empty(), "{:?}", note.tags);
}

#[test]
fn a_heading_marker_is_not_a_tag_but_a_tag_in_a_heading_is() {
    let (note, _) = parse("notes/a.md", "# Title\n## Help #urgent\n#standalone\n");
    assert_eq!(note.tags, ["standalone", "urgent"]);
}

#[test]
fn a_hash_in_a_code_block_is_not_a_tag() {
    let (note, _) = parse("notes/a.md", "```c\n#include <stdio.h>\n```\n#real\n");
    assert_eq!(note.tags, ["real"]);
}

#[test]
fn a_hash_inside_inline_code_is_not_a_tag() {
    let (note, _) = parse(
        "notes/a.md",
        "Use `#include` in C; I ran `grep -rn #todo src/` and `a #b`. #real\n",
    );
    assert_eq!(note.tags, ["real"]);
}

#[test]
fn a_tag_in_a_request_stays_in_its_title_and_is_a_tag_of_the_item() {
    let (note, _) = parse(
        DANA,
        &meeting(
            "2026-11-20",
            "Dana",
            &["## Help", "- [ ] Budget #Finance ^budget"],
        ),
    );
    let budget = item(&note, "budget");
    assert_eq!(budget.text, "Budget #Finance");
    assert_eq!(budget.tags, ["finance"]);
    assert_eq!(note.tags, ["finance"]);
}

// ---------------------------------------------------------------------------------------------
// The request ledger

#[test]
fn a_request_carried_across_three_notes_is_one_record_with_three_mentions() {
    // File names out of date order: the ledger follows the meeting dates.
    let vault = TestVault::new()
        .file(
            "1-1s/a.md",
            meeting(
                "2026-11-17",
                "Dana",
                &[
                    "## Help",
                    "- [/] Budget for RustConf, finance asked for a quote ^budget",
                ],
            ),
        )
        .file(
            "1-1s/b.md",
            meeting(
                "2026-11-03",
                "Dana",
                &["## Help", "- [ ] Budget for RustConf ^budget"],
            ),
        )
        .file(
            "1-1s/c.md",
            meeting(
                "2026-11-10",
                "Dana",
                &[
                    "## Notes",
                    "Talked.",
                    "## Help",
                    "- [ ] Budget for RustConf ^budget",
                ],
            ),
        );
    assert_eq!(check(&vault), Vec::<Value>::new());
    let records = requests(&vault, &[]);
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0],
        json!({
            "id": "budget",
            "title": "Budget for RustConf, finance asked for a quote",
            "status": "in-progress",
            "raised": "2026-11-03",
            "resolved": null,
            "mentions": 3,
            "days_open": 21,
            "with": "Dana",
            "outcome": null,
            "notes": ["1-1s/b.md", "1-1s/c.md", "1-1s/a.md"],
            "history": [
                {"date": "2026-11-03", "note": "1-1s/b.md", "line": 7, "status": "open"},
                {"date": "2026-11-10", "note": "1-1s/c.md", "line": 9, "status": "open"},
                {"date": "2026-11-17", "note": "1-1s/a.md", "line": 7, "status": "in-progress"}
            ]
        })
    );
}

#[test]
fn status_comes_from_the_latest_mention_even_after_it_was_done() {
    let vault = TestVault::new()
        .file(
            "1-1s/2026-11-03 Dana.md",
            meeting("2026-11-03", "Dana", &["## Help", "- [ ] Budget ^budget"]),
        )
        .file(
            "1-1s/2026-11-10 Dana.md",
            meeting(
                "2026-11-10",
                "Dana",
                &["## Help", "- [x] Budget ✅ 2026-11-08 ^budget"],
            ),
        )
        .file(
            "1-1s/2026-11-17 Dana.md",
            meeting(
                "2026-11-17",
                "Dana",
                &["## Help", "- [ ] Budget, reopened ^budget"],
            ),
        );
    let budget = request(&requests(&vault, &[]), "budget").clone();
    assert_eq!(budget["status"], "open");
    assert_eq!(budget["resolved"], Value::Null);
    assert_eq!(budget["days_open"], 21);
    assert_eq!(budget["mentions"], 3);
    let statuses: Vec<_> = budget["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["open", "done", "open"]);
}

#[test]
fn a_done_date_after_the_latest_meeting_makes_that_mention_the_latest() {
    // The request was carried into the 11-17 note while still open; on 11-22 it was ticked off
    // where the Tasks plugin showed it, in the 11-10 note. Its latest event is that ✅ date.
    let vault = TestVault::new()
        .file(
            "1-1s/2026-11-10 Dana.md",
            meeting(
                "2026-11-10",
                "Dana",
                &["## Help", "- [x] Budget ✅ 2026-11-22 ^budget"],
            ),
        )
        .file(
            "1-1s/2026-11-17 Dana.md",
            meeting("2026-11-17", "Dana", &["## Help", "- [ ] Budget ^budget"]),
        );
    let budget = request(&requests(&vault, &[]), "budget").clone();
    assert_eq!(budget["status"], "done");
    assert_eq!(budget["resolved"], "2026-11-22");
    assert_eq!(budget["days_open"], 12);
}

#[test]
fn days_open_counts_to_today_while_open() {
    let vault = TestVault::new().file(
        "1-1s/2026-11-03 Dana.md",
        meeting("2026-11-03", "Dana", &["## Help", "- [ ] Budget ^budget"]),
    );
    // The binary counts to UPWARD_TODAY (2026-11-24); the library to the day it is given.
    assert_eq!(request(&requests(&vault, &[]), "budget")["days_open"], 21);
    let loaded = upward::vault::load(vault.path());
    let model = Model::build(&loaded, day("2026-12-03"));
    let record = model.record("budget").expect("the record");
    assert_eq!(record.raised, day("2026-11-03"));
    assert_eq!(record.days_open(model.today), 30);
    assert_eq!(record.mentions(), 1);
    assert_eq!(record.status, Status::Open);
}

#[test]
fn with_is_the_person_of_the_latest_mention() {
    let vault = TestVault::new()
        .file(
            "1-1s/2026-11-03 Dana.md",
            meeting("2026-11-03", "Dana", &["## Help", "- [ ] Budget ^budget"]),
        )
        .file(
            "1-1s/2026-11-17 Priya.md",
            meeting(
                "2026-11-17",
                "Priya Raman",
                &["## Help", "- [ ] Budget ^budget"],
            ),
        );
    assert_eq!(
        request(&requests(&vault, &[]), "budget")["with"],
        "Priya Raman"
    );
}

#[test]
fn requests_open_lists_only_open_and_in_progress_requests() {
    let vault = TestVault::new().file(
        DANA,
        meeting(
            "2026-11-20",
            "Dana",
            &[
                "## Help",
                "- [ ] Travel ^travel",
                "- [x] Headcount ^headcount",
                "- [/] Access ^access",
                "- [-] Launch ^launch",
                "- [>] Laptop ^laptop",
            ],
        ),
    );
    assert_eq!(
        request_ids(&requests(&vault, &["--open"])),
        ["travel", "access", "laptop"]
    );
    assert_eq!(requests(&vault, &[]).len(), 5);
}

#[test]
fn requests_with_matches_any_mention_person_ignoring_case() {
    let vault = TestVault::new()
        .file(
            "1-1s/2026-11-03 Dana.md",
            meeting(
                "2026-11-03",
                "Dana Whitaker",
                &["## Help", "- [ ] Budget ^budget"],
            ),
        )
        .file(
            "1-1s/2026-11-17 Priya.md",
            meeting(
                "2026-11-17",
                "Priya Raman",
                &["## Help", "- [ ] Budget ^budget", "- [ ] Mentoring ^mentor"],
            ),
        );
    assert_eq!(
        request_ids(&requests(&vault, &["--with", "dana whitaker"])),
        ["budget"]
    );
    assert_eq!(
        request_ids(&requests(&vault, &["--with", "PRIYA RAMAN"])),
        ["budget", "mentor"]
    );
    assert!(requests(&vault, &["--with", "Sam Ortiz"]).is_empty());
    assert_eq!(
        request_ids(&requests(&vault, &["--with", "Dana Whitaker", "--open"])),
        ["budget"]
    );
}

#[test]
fn implicit_id_joins_items_without_block_ids() {
    let vault = TestVault::new()
        .file(
            "1-1s/2026-11-10 Dana.md",
            meeting(
                "2026-11-10",
                "Dana",
                &["## Help", "- [ ] Budget for **RustConf**!"],
            ),
        )
        .file(
            "1-1s/2026-11-17 Dana.md",
            meeting(
                "2026-11-17",
                "Dana",
                &["## Help", "- [/] budget for RustConf"],
            ),
        );
    let records = requests(&vault, &[]);
    assert_eq!(request_ids(&records), ["budget-for-rustconf"]);
    assert_eq!(records[0]["mentions"], 2);
    assert_eq!(records[0]["status"], "in-progress");
    assert_eq!(records[0]["title"], "budget for RustConf");
    let diagnostics = check(&vault);
    assert_eq!(
        located(&diagnostics),
        [
            at("1-1s/2026-11-10 Dana.md", 7, 1, "warning"),
            at("1-1s/2026-11-17 Dana.md", 7, 1, "warning")
        ]
    );
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("^budget-for-rustconf")
    );
}

#[test]
fn following_the_suggested_block_id_keeps_a_request_joined() {
    let vault = TestVault::new().file(
        "1-1s/2026-11-10 Dana.md",
        meeting(
            "2026-11-10",
            "Dana",
            &["## Help", "- [ ] Überprüfung der Reisekosten"],
        ),
    );
    let diagnostics = check(&vault);
    assert_eq!(
        located(&diagnostics),
        [at("1-1s/2026-11-10 Dana.md", 7, 1, "warning")]
    );
    let message = diagnostics[0]["message"].as_str().unwrap();
    let suggested = message
        .split("` ^")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .unwrap_or_else(|| panic!("no suggested ID in {message}"));
    // The user does what check says, in the next note.
    vault.write(
        "1-1s/2026-11-17 Dana.md",
        meeting(
            "2026-11-17",
            "Dana",
            &[
                "## Help",
                &format!("- [ ] Überprüfung der Reisekosten ^{suggested}"),
            ],
        ),
    );
    let records = requests(&vault, &[]);
    assert_eq!(records.len(), 1, "{records:#?}");
    assert_eq!(records[0]["mentions"], 2);
    assert_eq!(records[0]["title"], "Überprüfung der Reisekosten");
}

#[test]
fn one_id_for_two_different_requests_is_a_warning() {
    let vault = TestVault::new()
        .file(
            "1-1s/2026-11-10 Dana.md",
            meeting(
                "2026-11-10",
                "Dana",
                &[
                    "## Help",
                    "- [ ] Approval for the RustConf travel budget ^ask",
                ],
            ),
        )
        .file(
            "1-1s/2026-11-17 Dana.md",
            meeting(
                "2026-11-17",
                "Dana",
                &["## Help", "- [ ] Access to the billing dashboard ^ask"],
            ),
        );
    let diagnostics = check(&vault);
    assert_eq!(
        located(&diagnostics),
        [at("1-1s/2026-11-17 Dana.md", 7, 1, "warning")]
    );
    let message = diagnostics[0]["message"].as_str().unwrap();
    assert!(
        message.contains("^ask names a different request in 1-1s/2026-11-10 Dana.md:7"),
        "{message}"
    );
}

#[test]
fn rewording_a_request_under_its_id_is_not_a_warning() {
    let vault = TestVault::new()
        .file(
            "1-1s/2026-11-10 Dana.md",
            meeting(
                "2026-11-10",
                "Dana",
                &[
                    "## Help",
                    "- [ ] Approval for the RustConf travel budget ^ask",
                ],
            ),
        )
        .file(
            "1-1s/2026-11-17 Dana.md",
            meeting(
                "2026-11-17",
                "Dana",
                &[
                    "## Help",
                    "- [ ] RustConf travel budget approval (finance asked for a quote) ^ask",
                ],
            ),
        );
    assert_eq!(check(&vault), Vec::<Value>::new());
    assert_eq!(requests(&vault, &[])[0]["mentions"], 2);
}

#[test]
fn a_request_open_longer_than_thirty_days_is_reported_as_stale() {
    let path = "1-1s/2026-10-01 Dana.md";
    let vault = TestVault::new().file(
        path,
        meeting("2026-10-01", "Dana", &["## Help", "- [ ] Budget ^budget"]),
    );
    let diagnostics = check(&vault);
    assert_eq!(located(&diagnostics), [at(path, 7, 1, "info")]);
    let message = diagnostics[0]["message"].as_str().unwrap();
    assert!(
        message.contains("open for 54 days, since 2026-10-01"),
        "{message}"
    );
    vault.run(&["check"]).code(0);
}

#[test]
fn follow_ups_are_tracked_apart_from_requests() {
    let vault = TestVault::new().file(
        DANA,
        meeting(
            "2026-11-20",
            "Dana",
            &[
                "## Status of tasks you asked me to follow up on",
                "- [ ] Write the postmortem ^postmortem",
                "## What do you need from me to ensure your success?",
                "- [ ] Budget ^budget",
            ],
        ),
    );
    assert_eq!(request_ids(&requests(&vault, &[])), ["budget"]);
    let loaded = upward::vault::load(vault.path());
    let model = Model::build(&loaded, day("2026-11-24"));
    let follow_ups: Vec<_> = model.follow_ups.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(follow_ups, ["postmortem"]);
    assert_eq!(model.follow_ups[0].kind, Kind::FollowUps);
}

// ---------------------------------------------------------------------------------------------
// Which files are 1:1 notes

#[test]
fn tasks_in_ordinary_notes_are_not_requests() {
    let vault = TestVault::new()
        .file("notes/Todo.md", "## Help\n- [ ] Not a request ^todo\n")
        .file(
            "notes/Project.md",
            "---\ntype: project\ndate: 2026-11-20\n---\n## Help\n- [ ] Neither ^project\n",
        );
    assert!(requests(&vault, &[]).is_empty());
    assert_eq!(check(&vault), Vec::<Value>::new());
}

#[test]
fn a_meeting_outside_the_meetings_folder_is_found_by_its_type() {
    let vault = TestVault::new()
        .file(
            "journal/duck.md",
            "---\ntype: rubber-duck\ndate: 2026-11-20\n---\n## Help\n- [ ] Budget ^budget\n",
        )
        .file(
            "1-1s/no type.md",
            "---\ndate: 2026-11-21\n---\n## Help\n- [ ] Travel ^travel\n",
        );
    let records = requests(&vault, &[]);
    assert_eq!(request_ids(&records), ["budget", "travel"]);
    assert_eq!(
        request(&records, "budget")["notes"],
        json!(["journal/duck.md"])
    );
}

#[test]
fn hidden_folders_output_and_ignored_paths_are_not_read() {
    let note = meeting("2026-11-20", "Dana", &["## Help", "- [ ] Hidden ^hidden"]);
    let vault = TestVault::new()
        .file("upward.yaml", "ignore: [private/]\n")
        .file(".obsidian/plugins/x.md", &note)
        .file(".trash/2026-11-20 Dana.md", &note)
        .file("_site/copy.md", &note)
        .file("private/1-1s/2026-11-20 Dana.md", &note)
        .file(
            DANA,
            meeting("2026-11-20", "Dana", &["## Help", "- [ ] Budget ^budget"]),
        );
    assert_eq!(request_ids(&requests(&vault, &[])), ["budget"]);
    assert_eq!(check(&vault), Vec::<Value>::new());
    let loaded = upward::vault::load(vault.path());
    let paths: Vec<_> = loaded.notes.iter().map(|n| n.path.as_str()).collect();
    assert_eq!(paths, [DANA]);
}

// ---------------------------------------------------------------------------------------------
// Bad input

#[test]
fn invalid_utf8_is_reported_at_its_line_and_column_and_the_note_is_still_read() {
    let mut bytes = meeting("2026-11-20", "Dana", &["## Help"]).into_bytes();
    bytes.extend_from_slice(b"- [ ] Bud\xffget ^budget\n"); // line 7, column 10
    let vault = TestVault::new().file(DANA, bytes);
    let diagnostics = check(&vault);
    assert_eq!(located(&diagnostics), [at(DANA, 7, 10, "error")]);
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("not valid UTF-8")
    );
    let records = requests(&vault, &[]);
    assert_eq!(records[0]["title"], "Bud\u{fffd}get");
}

#[test]
fn a_binary_file_named_md_is_skipped_with_a_warning() {
    let vault = TestVault::new()
        .file("1-1s/scan.md", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
        .file(
            DANA,
            meeting("2026-11-20", "Dana", &["## Help", "- [ ] Budget ^budget"]),
        );
    let diagnostics = check(&vault);
    assert_eq!(located(&diagnostics), [at("1-1s/scan.md", 3, 1, "warning")]);
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("binary")
    );
    assert_eq!(request_ids(&requests(&vault, &[])), ["budget"]);
}

#[test]
fn an_empty_note_is_information_not_an_error() {
    let vault = TestVault::new().file("notes/empty.md", "");
    let diagnostics = check(&vault);
    assert_eq!(located(&diagnostics), [at("notes/empty.md", 1, 1, "info")]);
    vault.run(&["check"]).code(0);
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_loop_is_reported_and_the_vault_still_builds() {
    let vault = TestVault::new().file(
        DANA,
        meeting("2026-11-20", "Dana", &["## Help", "- [ ] Budget ^budget"]),
    );
    std::fs::create_dir_all(vault.path().join("1-1s/sub")).expect("a folder");
    std::os::unix::fs::symlink("..", vault.path().join("1-1s/sub/loop")).expect("a link");
    let diagnostics = check(&vault);
    assert_eq!(
        located(&diagnostics),
        [at("1-1s/sub/loop", 1, 1, "warning")]
    );
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("symbolic link loop")
    );
    assert_eq!(request_ids(&requests(&vault, &[])), ["budget"]);
}

#[test]
fn a_request_without_words_is_pointed_out_with_a_usable_suggestion() {
    let vault = TestVault::new().file(
        DANA,
        meeting(
            "2026-11-20",
            "Dana",
            &["## Help", "- [ ] 💰 ???", "- [ ] Budget ^budget"],
        ),
    );
    let diagnostics = check(&vault);
    assert_eq!(located(&diagnostics), [at(DANA, 7, 1, "warning")]);
    let message = diagnostics[0]["message"].as_str().unwrap();
    assert!(
        !message.contains("` ^`"),
        "an empty block ID is suggested: {message}"
    );
}

// ---------------------------------------------------------------------------------------------
// Links that lead nowhere (`check`)

/// A note with a heading, a paragraph block and an item block, and a heading only in a
/// private callout (which never reaches the site).
const OTHER: &str = "# Other\n\n## Goals for Q1\n\nA paragraph. ^para\n\n- item ^Item-One\n\n\
    > [!private]\n> ## Secret plan\n";

#[test]
fn check_points_at_each_link_that_leads_nowhere() {
    let vault = TestVault::new()
        .file("notes/Other.md", OTHER)
        .file("attachments/chart.png", "png")
        .file(
            "notes/Main.md",
            lines(&[
                "---",
                "publish: true",
                "---",
                "# Main",
                // Each of these resolves as Obsidian resolves it: by unique name, any case,
                // a heading by its words, a block by its ID, an embed by file name.
                "[[Other]] [[other#goals for q1]] [[Other#Goals for Q1#]] [[Other#^para]] \
             [[Other#^item-one|the item]] [[#Local]] ![[chart.png]] \
             [md](Other.md#goals-for-q1) [up](../notes/Other.md) [web](https://example.com)",
                "`[[In code]]` %% [[In a comment]] %%",
                "```",
                "[[In a fence]]",
                "```",
                "[[Nobody]] and [[Other#Nope]]",
                "  ![[missing.png]] [[Other#^gone]] [[#Missing]] [md](missing.md)",
                "[[Other#Secret plan]]",
                "[empty]()",
                "## Local",
            ]),
        )
        .file("notes/Private.md", "[[Nobody either]]\n");
    let diagnostics = check(&vault);
    let main = "notes/Main.md";
    assert_eq!(
        located(&diagnostics),
        [
            at(main, 10, 1, "info"),
            at(main, 10, 16, "warning"),
            at(main, 11, 3, "warning"),
            at(main, 11, 20, "warning"),
            at(main, 11, 36, "warning"),
            at(main, 11, 49, "warning"),
            at(main, 12, 1, "warning"),
            at(main, 13, 1, "warning"),
            // Unpublished notes are checked too: `check` validates the whole vault.
            at("notes/Private.md", 1, 1, "info"),
        ],
        "{diagnostics:#?}"
    );
    let messages: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(messages[0].contains("`Nobody`") && messages[0].contains("no such note yet"));
    assert!(messages[1].contains("`notes/Other.md`, which has no heading `Nope`"));
    assert!(messages[2].contains("embed of `missing.png`"));
    assert!(messages[3].contains("no block `^gone`"));
    assert!(messages[4].contains("`notes/Main.md`, which has no heading `Missing`"));
    assert!(messages[5].contains("`missing.md` leads nowhere"));
    // A heading in a private callout is not on the page the link leads to.
    assert!(messages[6].contains("no heading `Secret plan`"));
    assert_eq!(messages[7], "this link has no target");
    // The exit status is for errors only.
    vault.run(&["check"]).code(0);
}

#[test]
fn a_link_after_a_comment_of_accented_text_is_placed_at_its_column_as_written() {
    // The comment is blanked out before links are read: byte for byte, so `é` and `🙂` would
    // count as two and four characters if the blanked text were counted.
    let vault = TestVault::new().file(
        "Main.md",
        "%% café 🙂 %% [[Nobody]] and ![[gone.png]]\n%% multi\nlïne %% [[Nobody either]]\n",
    );
    assert_eq!(
        located(&check(&vault)),
        [
            at("Main.md", 1, 14, "info"),
            at("Main.md", 1, 29, "warning"),
            at("Main.md", 3, 9, "info"),
        ]
    );
}

#[test]
fn check_points_at_each_link_of_a_property_that_leads_nowhere() {
    let vault = TestVault::new()
        .file("notes/Other.md", OTHER)
        .file("attachments/chart.png", "png")
        .file(
            "notes/Main.md",
            lines(&[
                "---",
                "publish: true",
                // Links that resolve, in a value, a list and a block list.
                "image: \"[[chart.png]]\"",
                "related: [\"[[Other#Goals for Q1]]\", \"[[Other#^para]]\"]",
                "see:",
                "  - \"[[Other]]\"",
                "  - \"![[chart.png]]\"",
                // And links that do not, each at its place.
                "owner: \"[[Nobody]]\"",
                "plans: [\"[[Other#Nope]]\", \"x ![[missing.png]]\"]",
                "more:",
                "  - \"[doc](missing.md)\"",
                "  - \"[[Other#^gone|the gone block]]\"",
                // Keys upward reads itself, and the publishing keys, hold no links to check.
                "with: \"[[Someone]]\"",
                "description: \"[[Not a link on the page]]\"",
                "---",
                "Body.",
            ]),
        );
    let diagnostics = check(&vault);
    let main = "notes/Main.md";
    assert_eq!(
        located(&diagnostics),
        [
            at(main, 8, 9, "info"),
            at(main, 9, 10, "warning"),
            at(main, 9, 30, "warning"),
            at(main, 11, 6, "warning"),
            at(main, 12, 6, "warning"),
        ],
        "{diagnostics:#?}"
    );
    let messages: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(messages[0].contains("`Nobody`"), "{messages:?}");
    assert!(messages[1].contains("no heading `Nope`"), "{messages:?}");
    assert!(
        messages[2].contains("embed of `missing.png`"),
        "{messages:?}"
    );
    assert!(
        messages[3].contains("`missing.md` leads nowhere"),
        "{messages:?}"
    );
    assert!(messages[4].contains("no block `^gone`"), "{messages:?}");
}

#[test]
fn a_link_is_checked_against_the_note_as_it_is_now_with_or_without_the_cache() {
    let vault = TestVault::new()
        .file("Other.md", "# Other\n")
        .file("Main.md", "See [[Other#Plan]].\n");
    // `requests` fills the note cache first, with notes read without their links.
    vault.run(&["requests", "--json"]).code(0);
    let warned = [at("Main.md", 1, 5, "warning")];
    assert_eq!(located(&check(&vault)), warned);
    assert_eq!(located(&check(&vault)), warned, "from the cache");
    assert_eq!(
        located(
            &vault
                .run_uncached(&["check", "--format", "json"])
                .diagnostics()
        ),
        warned
    );
    // The heading is written: the link, in a note that did not change, now leads to it.
    std::fs::write(vault.path().join("Other.md"), "# Other\n## Plan\n").unwrap();
    assert_eq!(located(&check(&vault)), []);
}
