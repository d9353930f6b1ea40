//! Every kind of bad input gets a located diagnostic, and the rest of the vault still loads.

mod common;

use common::TestVault;
use serde_json::Value;

const GOOD: &str =
    "---\ndate: 2026-11-20\nwith: \"[[Dana]]\"\n---\n## Help\n- [ ] Budget ^budget\n";

/// A vault with one good note beside the bad input.
fn vault_with(rel: &str, contents: impl AsRef<[u8]>) -> TestVault {
    TestVault::new()
        .file("1-1s/2026-11-20 Dana.md", GOOD)
        .file(rel, contents)
}

fn diagnostics_for(vault: &TestVault, rel: &str) -> Vec<Value> {
    let run = vault.run(&["check", "--format", "json"]);
    assert!(matches!(run.code, Some(0 | 1)), "check ran: {}", run.stderr);
    run.diagnostics()
        .into_iter()
        .filter(|d| d["path"] == rel)
        .collect()
}

fn request_ids(vault: &TestVault) -> Vec<String> {
    let run = vault.run(&["requests", "--json"]).code(0);
    run.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

fn assert_good_note_still_loads(vault: &TestVault) {
    let ids = request_ids(vault);
    assert!(
        ids.iter().any(|id| id == "budget"),
        "the good note loads: {ids:?}"
    );
}

fn position(d: &Value) -> (u64, u64, &str) {
    (
        d["line"].as_u64().unwrap(),
        d["column"].as_u64().unwrap(),
        d["severity"].as_str().unwrap(),
    )
}

#[test]
fn a_utf8_bom_does_not_hide_the_properties() {
    let vault = vault_with(
        "1-1s/bom.md",
        format!("\u{feff}{}", GOOD.replace("budget", "bom")),
    );
    assert!(diagnostics_for(&vault, "1-1s/bom.md").is_empty());
    let run = vault.run(&["requests", "--json"]).code(0);
    assert_eq!(run.json().as_array().unwrap().len(), 2);
}

#[test]
fn crlf_line_endings_read_like_lf() {
    let crlf = "---\r\ndate: 2026-11-21\r\n---\r\n## Help\r\n- [x] Laptop ✅ 2026-11-21 ^laptop\r\n    - outcome:: ordered\r\n";
    let vault = vault_with("1-1s/crlf.md", crlf);
    assert!(diagnostics_for(&vault, "1-1s/crlf.md").is_empty());
    let run = vault.run(&["requests", "--json"]).code(0);
    let laptop = &run.json()[1];
    assert_eq!(laptop["id"], "laptop");
    assert_eq!(laptop["status"], "done");
    assert_eq!(laptop["outcome"], "ordered");
}

#[test]
fn an_empty_file_is_reported_and_the_rest_loads() {
    let vault = vault_with("notes/empty.md", "").file("1-1s/empty.md", "");
    let ordinary = diagnostics_for(&vault, "notes/empty.md");
    assert_eq!(ordinary.len(), 1);
    assert_eq!(position(&ordinary[0]), (1, 1, "info"));
    let meeting = diagnostics_for(&vault, "1-1s/empty.md");
    assert!(
        meeting.iter().any(|d| position(d) == (1, 1, "error")
            && d["message"].as_str().unwrap().contains("no `date`"))
    );
    assert_good_note_still_loads(&vault);
}

#[test]
fn non_utf8_bytes_are_located_and_the_note_still_loads() {
    let mut bytes = b"---\ndate: 2026-11-21\n---\n## Help\n- [ ] Caf".to_vec();
    bytes.extend([0xE9, b' ']);
    bytes.extend(b"budget ^cafe\n");
    let vault = vault_with("1-1s/latin1.md", bytes);
    let found = diagnostics_for(&vault, "1-1s/latin1.md");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(position(&found[0]), (5, 10, "error"));
    assert!(found[0]["message"].as_str().unwrap().contains("UTF-8"));
    let run = vault.run(&["requests", "--json"]).code(0);
    assert_eq!(run.json()[1]["id"], "cafe");
}

#[test]
fn a_binary_file_named_md_is_skipped_with_a_warning() {
    let vault = vault_with(
        "attachments/photo.md",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    );
    let found = diagnostics_for(&vault, "attachments/photo.md");
    assert_eq!(found.len(), 1);
    assert_eq!(position(&found[0]), (3, 1, "warning"));
    assert!(found[0]["message"].as_str().unwrap().contains("binary"));
    assert_good_note_still_loads(&vault);
}

#[test]
fn a_very_large_file_is_refused_without_reading_it_all() {
    let mut big = String::from("---\ndate: 2026-11-21\n---\n");
    while big.len() <= 9 * 1024 * 1024 {
        big.push_str("- a line of a very long export that nobody wrote by hand\n");
    }
    let vault = vault_with("1-1s/huge.md", big);
    let found = diagnostics_for(&vault, "1-1s/huge.md");
    assert_eq!(found.len(), 1);
    assert_eq!(position(&found[0]), (1, 1, "error"));
    assert!(found[0]["message"].as_str().unwrap().contains("too large"));
    assert_good_note_still_loads(&vault);
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_reported_not_followed_forever() {
    let vault = vault_with("notes/a.md", "# a\n");
    std::os::unix::fs::symlink(vault.path().join("notes"), vault.path().join("notes/again"))
        .unwrap();
    let found = diagnostics_for(&vault, "notes/again");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(position(&found[0]), (1, 1, "warning"));
    assert!(found[0]["message"].as_str().unwrap().contains("loop"));
    assert_good_note_still_loads(&vault);
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_is_reported() {
    let vault = vault_with("notes/a.md", "# a\n");
    std::os::unix::fs::symlink("/no/such/target.md", vault.path().join("notes/gone.md")).unwrap();
    let found = diagnostics_for(&vault, "notes/gone.md");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot read")
    );
    assert_good_note_still_loads(&vault);
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_reported_when_the_system_refuses_it() {
    use std::os::unix::fs::PermissionsExt;
    let vault = vault_with("1-1s/locked.md", GOOD.replace("budget", "locked"));
    let path = vault.path().join("1-1s/locked.md");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let found = diagnostics_for(&vault, "1-1s/locked.md");
    // Root reads any file; everyone else is refused. Either way the outcome is asserted.
    if std::fs::File::open(&path).is_ok() {
        assert!(found.is_empty(), "{found:?}");
    } else {
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(position(&found[0]), (1, 1, "error"));
        assert!(
            found[0]["message"]
                .as_str()
                .unwrap()
                .contains("cannot read")
        );
    }
    assert_good_note_still_loads(&vault);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
}

#[cfg(unix)]
#[test]
fn a_fifo_named_md_is_skipped_without_blocking() {
    let vault = vault_with("notes/a.md", "# a\n");
    let status = std::process::Command::new("mkfifo")
        .arg(vault.path().join("notes/pipe.md"))
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    let found = diagnostics_for(&vault, "notes/pipe.md");
    assert_eq!(found.len(), 1);
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("not a regular file")
    );
    assert_good_note_still_loads(&vault);
}

/// Malformed YAML of every kind: (name, properties block, expected file line of the error).
const MALFORMED: &[(&str, &str, u64)] = &[
    (
        "unclosed flow list",
        "type: one-on-one\ndate: [2026-11-21\n",
        4,
    ),
    (
        "unclosed quote",
        "type: one-on-one\nwith: \"Dana\ndate: 2026-11-21\n",
        5,
    ),
    ("tab indentation", "type: one-on-one\ntags:\n\t- a\n", 4),
    (
        "bad indentation",
        "type: one-on-one\nwith: Dana\n  date: 2026-11-21\n",
        4,
    ),
    (
        "mapping value in a plain scalar",
        "type: one-on-one\nwith: a: b\n",
        3,
    ),
    (
        "duplicate key",
        "date: 2026-11-21\nwith: Dana\ndate: 2026-11-22\n",
        4,
    ),
    ("undefined alias", "type: one-on-one\nwith: *dana\n", 3),
    (
        "unclosed mapping",
        "type: one-on-one\nwith: {name: Dana\n",
        4,
    ),
    ("stray block sequence", "type: one-on-one\n- a\n", 3),
    (
        "deep nesting",
        "x: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n",
        2,
    ),
];

#[test]
fn malformed_yaml_of_every_kind_is_located_in_the_file() {
    for (name, yaml, line) in MALFORMED {
        let rel = "1-1s/2026-11-21 Dana.md";
        let vault = vault_with(rel, format!("---\n{yaml}---\n## Help\n- [ ] Ask ^ask\n"));
        let found = diagnostics_for(&vault, rel);
        let yaml_error = found
            .iter()
            .find(|d| d["message"].as_str().unwrap().starts_with("invalid YAML"))
            .unwrap_or_else(|| panic!("{name}: no YAML error in {found:?}"));
        assert_eq!(yaml_error["line"], *line, "{name}: {yaml_error}");
        assert_eq!(yaml_error["severity"], "error", "{name}");
        // The note is still read, without properties; its date comes from its file name.
        let ids = request_ids(&vault);
        assert!(ids.contains(&"ask".to_owned()), "{name}: {ids:?}");
        assert!(ids.contains(&"budget".to_owned()), "{name}: {ids:?}");
    }
}

#[test]
fn properties_that_are_not_a_mapping_are_an_error() {
    for (name, yaml) in [
        ("a list", "- a\n- b\n"),
        ("a scalar", "just text\n"),
        ("a number", "42\n"),
    ] {
        let vault = vault_with("1-1s/x.md", format!("---\n{yaml}---\nbody\n"));
        let found = diagnostics_for(&vault, "1-1s/x.md");
        assert!(
            found.iter().any(|d| position(d) == (2, 1, "error")
                && d["message"].as_str().unwrap().contains("must be a mapping")),
            "{name}: {found:?}"
        );
        assert_good_note_still_loads(&vault);
    }
}

#[test]
fn an_unclosed_properties_block_is_an_error_on_line_one() {
    let vault = vault_with(
        "1-1s/open.md",
        "---\ndate: 2026-11-21\n## Help\n- [ ] Ask ^ask\n",
    );
    let found = diagnostics_for(&vault, "1-1s/open.md");
    assert!(
        found.iter().any(|d| position(d) == (1, 1, "error")
            && d["message"].as_str().unwrap().contains("never closed")),
        "{found:?}"
    );
    assert_good_note_still_loads(&vault);
}

#[test]
fn a_broken_settings_file_is_located_and_defaults_apply() {
    let vault = vault_with("upward.yaml", "meetings: [1-1s\n");
    let found = diagnostics_for(&vault, "upward.yaml");
    assert_eq!(found.len(), 1);
    assert_eq!(position(&found[0]), (2, 1, "error"));
    assert_good_note_still_loads(&vault);
}
