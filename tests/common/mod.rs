//! A small helper shared by the integration tests: a vault in a temporary folder, and the
//! `upward` binary run on it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The date every test runs on, so days open are the same on every machine.
pub const TODAY: &str = "2026-11-24";

/// A vault in a temporary folder, removed when dropped, with its own folder for the note
/// cache (so no test reads another's cache or writes to the user's).
pub struct TestVault {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

impl TestVault {
    /// An empty vault.
    pub fn new() -> Self {
        TestVault {
            dir: tempfile::tempdir().expect("a temporary folder"),
            cache: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    /// The folder of this vault's note cache.
    pub fn cache(&self) -> &Path {
        self.cache.path()
    }

    /// A copy of the repository's `sample-vault`.
    pub fn sample() -> Self {
        let vault = TestVault::new();
        copy_dir(&sample_vault(), vault.path());
        vault
    }

    /// The vault's folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating its folders) and returns the vault for chaining.
    pub fn file(self, rel: &str, contents: impl AsRef<[u8]>) -> Self {
        self.write(rel, contents);
        self
    }

    /// Writes a file, creating its folders.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent folder")).expect("folders");
        std::fs::write(&path, contents).expect("a written file");
    }

    /// Reads a file of the vault as text.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).expect("a readable file")
    }

    /// Runs `upward --vault <this vault> args…`, with the vault's own note cache.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut command = upward();
        command
            .env("UPWARD_CACHE_DIR", self.cache())
            .arg("--vault")
            .arg(self.path())
            .args(args);
        Run::of(command)
    }
}

impl TestVault {
    /// Runs `upward --vault <this vault> args…` with no note cache at all: what a run with the
    /// cache must print.
    pub fn run_uncached(&self, args: &[&str]) -> Run {
        let mut command = upward();
        command.arg("--vault").arg(self.path()).args(args);
        Run::of(command)
    }
}

/// The `upward` binary, with a fixed date, no colour and no note cache.
pub fn upward() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_upward"));
    command
        .env("UPWARD_TODAY", TODAY)
        .env("UPWARD_CACHE_DIR", "")
        .env_remove("CLICOLOR_FORCE");
    command
}

/// The repository's sample vault.
pub fn sample_vault() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-vault")
}

/// What a run of the binary printed and how it exited.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Runs a prepared command to completion.
    pub fn of(mut command: Command) -> Run {
        let Output {
            status,
            stdout,
            stderr,
        } = command.output().expect("upward runs");
        Run {
            code: status.code(),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }

    /// Asserts the exit code, showing the output when it differs.
    pub fn code(self, expected: i32) -> Run {
        assert_eq!(
            self.code,
            Some(expected),
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Parses stdout as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// The diagnostics of `check --format json`.
    pub fn diagnostics(&self) -> Vec<serde_json::Value> {
        self.json().as_array().expect("an array").clone()
    }
}

/// Every file of a folder (relative path with `/`) and its bytes: to compare two folders, or
/// one before and after, byte for byte.
pub fn files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("a readable entry"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).expect("a readable file"))
        })
        .collect()
}

/// What a reader sees of an item: everything but byte offsets, which differ between LF and CRLF.
#[allow(clippy::type_complexity)]
pub fn seen(
    item: &upward::note::Item,
) -> (
    (upward::config::Kind, String, usize, usize),
    (String, Option<upward::task::Status>, String, bool),
    (Option<String>, [Option<upward::date::Date>; 4]),
    (Vec<String>, Vec<String>, Vec<(String, String)>),
) {
    (
        (item.kind, item.section.to_string(), item.line, item.column),
        (
            item.text.clone(),
            item.status,
            item.id.clone(),
            item.explicit_id,
        ),
        (
            item.outcome.clone(),
            [item.done, item.cancelled, item.created, item.due],
        ),
        (item.details.clone(), item.tags.clone(), item.fields.clone()),
    )
}

/// Copies a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("a readable entry");
        let target = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("a folder");
        } else {
            std::fs::copy(entry.path(), &target).expect("a copied file");
        }
    }
}

/// Asserts that the site in `out` is, byte for byte, what a fresh build of the vault gives.
#[allow(dead_code)]
pub fn assert_same_as_fresh(vault: &TestVault, out: &Path, after: &str) {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh");
    vault
        .run(&["build", "--out", fresh.to_str().unwrap()])
        .code(0);
    let incremental = files(out);
    let full = files(&fresh);
    assert_eq!(
        incremental.keys().collect::<Vec<_>>(),
        full.keys().collect::<Vec<_>>(),
        "after {after}"
    );
    for (path, bytes) in &incremental {
        assert!(
            bytes == &full[path],
            "after {after}, {path} differs from a fresh build"
        );
    }
}
