//! `upward watch`: one build, then a rebuild after every change to the vault, coalescing bursts
//! of changes into one rebuild. Folders are watched, not files (an editor's write-and-rename
//! replaces a file's inode); the output folder, hidden folders and editor temporary files are
//! ignored, so there is no rebuild loop. Idle, it waits on the watcher and uses no CPU.

use crate::commands::check;
use crate::date;
use crate::diagnostic::{Diagnostic, Severity};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::site;
use crate::vault::{self, Cache};
use notify::{Event, EventKind, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the vault must be quiet before a rebuild: a `git checkout` or an editor's save
/// is one burst of events.
pub const SETTLE: Duration = Duration::from_millis(40);
/// The longest a steady stream of changes can delay a rebuild.
pub const MAX_SETTLE: Duration = Duration::from_secs(3);

/// How to watch.
#[derive(Debug, Clone)]
pub struct Options {
    pub out: PathBuf,
    pub force: bool,
    /// Poll the file system instead of waiting for its events (network drives, WSL).
    pub poll: bool,
}

/// The result of one build.
#[derive(Debug)]
pub struct Rebuild {
    /// Counts from 1.
    pub number: u64,
    pub diagnostics: Vec<Diagnostic>,
    pub report: Result<site::Report>,
    pub elapsed: Duration,
}

impl Rebuild {
    /// The errors of the build's notes, one per line, for the browser's overlay.
    pub fn problems(&self) -> Option<String> {
        let mut lines: Vec<String> = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(ToString::to_string)
            .collect();
        if let Err(error) = &self.report {
            lines.push(error.to_string());
        }
        (!lines.is_empty()).then(|| lines.join("\n"))
    }
}

/// What `watch` keeps between builds, so a rebuild reads and renders only what changed: the
/// parsed notes, the joined model, the git history, and the site's manifest, index and
/// rendered pieces.
#[derive(Debug)]
pub struct State {
    notes: Cache,
    model: crate::model::Cache,
    history: crate::provenance::Cached,
    output: site::Memory,
}

impl Default for State {
    fn default() -> State {
        State::new()
    }
}

impl State {
    pub fn new() -> State {
        State {
            notes: Cache::new(),
            model: crate::model::Cache::default(),
            history: crate::provenance::Cached::default(),
            output: site::Memory::kept(),
        }
    }

    /// Forgets everything: the next build reads the vault and checks the output again.
    pub fn forget(&mut self) {
        self.notes = Cache::new();
        self.output = site::Memory::kept();
    }
}

/// Editor files that are never notes: swap, backup, lock and probe files.
fn editor_temporary(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name == "4913"
        || [".swp", ".swx", ".swo", ".tmp", ".crdownload", ".part"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

/// Whether a change to `path` can change the site.
pub fn relevant(root: &Path, out: &Path, path: &Path) -> bool {
    if path.starts_with(out) {
        return false;
    }
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let Some(name) = parts.last() else {
        return true;
    };
    !editor_temporary(name) && !parts[..parts.len() - 1].iter().any(|p| p.starts_with('.'))
}

/// Builds the site once with the notes that changed since the last build.
pub fn rebuild(
    root: &Path,
    state: &mut State,
    changed: Option<&[PathBuf]>,
    options: &Options,
    number: u64,
) -> Rebuild {
    let started = Instant::now();
    crate::timing::phase("rebuild starts");
    // Asking git where the history is takes a process: done beside reading and joining.
    let head = {
        let root = root.to_path_buf();
        std::thread::spawn(move || crate::provenance::head(&root))
    };
    let vault = vault::load_changed(root, &mut state.notes, changed);
    crate::timing::phase("load the changed notes");
    let today = date::today();
    let model = Model::build_cached(&vault, today, &mut state.model);
    crate::timing::phase("join the model");
    let diagnostics = check::diagnostics(&vault, &model);
    crate::timing::phase("diagnostics");
    let report = site::build_remembering(
        vault,
        Some(model),
        today,
        &site::Options {
            out: options.out.clone(),
            force: options.force,
            provenance: Some(state.history.at(root, head.join().unwrap_or(None))),
        },
        &mut state.output,
    );
    if report.is_err() {
        // The output may be half written: check every file next time.
        state.output = site::Memory::kept();
    }
    Rebuild {
        number,
        diagnostics,
        report,
        elapsed: started.elapsed(),
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    })
}

/// Watches the folders of the vault that can hold notes: the root itself (not recursively),
/// and each visible folder in it, so the output folder's files add no watches.
fn watch_tree(watcher: &mut dyn Watcher, root: &Path, out: &Path) -> notify::Result<()> {
    watcher.watch(root, RecursiveMode::NonRecursive)?;
    for entry in std::fs::read_dir(root)?.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if path.is_dir() && !hidden && !path.starts_with(out) {
            watcher.watch(&path, RecursiveMode::Recursive)?;
        }
    }
    Ok(())
}

/// Builds, then rebuilds after every relevant change until the process ends or `report`, told
/// of each build, returns false.
pub fn run(root: &Path, options: &Options, mut report: impl FnMut(&Rebuild) -> bool) -> Result<()> {
    let root = absolute(root);
    std::fs::create_dir_all(&options.out).map_err(|e| Error::io(&options.out, e))?;
    let out = absolute(&options.out);
    let (tx, rx) = mpsc::channel::<notify::Result<Event>>();
    let config = notify::Config::default().with_poll_interval(Duration::from_millis(500));
    let mut watcher: Box<dyn Watcher> = if options.poll {
        Box::new(notify::PollWatcher::new(tx, config).map_err(watch_error)?)
    } else {
        Box::new(notify::RecommendedWatcher::new(tx, config).map_err(watch_error)?)
    };
    watch_tree(watcher.as_mut(), &root, &out).map_err(watch_error)?;
    // Watching starts before the first build, so a save during it is not missed.
    let mut state = State::new();
    let mut number = 1;
    if !report(&rebuild(&root, &mut state, None, options, number)) {
        return Ok(());
    }
    loop {
        // Waits without a timeout: no CPU while nothing changes.
        let Ok(first) = rx.recv() else {
            return Ok(());
        };
        let started = Instant::now();
        let mut events = vec![first];
        while started.elapsed() < MAX_SETTLE {
            match rx.recv_timeout(SETTLE) {
                Ok(event) => events.push(event),
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
            }
        }
        let mut wanted = false;
        // The paths that changed, or None when everything must be read again.
        let mut changed: Option<Vec<PathBuf>> = Some(Vec::new());
        for event in events {
            match event {
                Ok(event) => {
                    if event.need_rescan() {
                        // Events were lost: read everything again.
                        state.forget();
                        changed = None;
                        wanted = true;
                    }
                    if matches!(event.kind, EventKind::Access(_)) {
                        continue;
                    }
                    for path in &event.paths {
                        if !relevant(&root, &out, path) {
                            continue;
                        }
                        wanted = true;
                        if let Some(changed) = &mut changed {
                            changed.push(path.clone());
                        }
                        // A folder created at the top is watched from now on.
                        if path.parent() == Some(root.as_path()) && path.is_dir() {
                            let _ = watcher.watch(path, RecursiveMode::Recursive);
                        }
                    }
                }
                Err(error) => {
                    eprintln!("upward: watching: {error}; reading the whole vault again");
                    state.forget();
                    changed = None;
                    wanted = true;
                }
            }
        }
        if wanted {
            number += 1;
            if let Some(changed) = &mut changed {
                changed.sort();
                changed.dedup();
            }
            let changed = changed.as_deref();
            if !report(&rebuild(&root, &mut state, changed, options, number)) {
                return Ok(());
            }
        }
    }
}

fn watch_error(error: notify::Error) -> Error {
    Error::Invalid(format!("cannot watch the vault: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_files_and_the_output_are_not_changes() {
        let root = Path::new("/v");
        let out = Path::new("/v/_site");
        assert!(relevant(root, out, Path::new("/v/1-1s/a.md")));
        assert!(relevant(root, out, Path::new("/v/upward.yaml")));
        assert!(relevant(root, out, Path::new("/v/1-1s")));
        for ignored in [
            "/v/_site/index.html",
            "/v/1-1s/.a.md.swp",
            "/v/1-1s/a.md~",
            "/v/1-1s/4913",
            "/v/1-1s/.#a.md",
            "/v/.obsidian/workspace.json",
            "/v/notes/.trash/x.md",
            "/elsewhere/a.md",
        ] {
            assert!(!relevant(root, out, Path::new(ignored)), "{ignored}");
        }
    }
}
