//! Where the time goes: with `UPWARD_TIMINGS` set, each phase of a command prints how long it
//! took on stderr. Off (the default), a phase costs one relaxed load.

use std::sync::Mutex;
use std::sync::OnceLock;
use std::time::Instant;

/// Whether timings are on.
pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("UPWARD_TIMINGS").is_some())
}

/// Marks the end of a phase: prints its name and the time since the previous mark.
pub fn phase(name: &str) {
    if !enabled() {
        return;
    }
    static LAST: Mutex<Option<Instant>> = Mutex::new(None);
    let now = Instant::now();
    let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(previous) = *last {
        eprintln!(
            "timing: {name}: {:.1} ms{}",
            (now - previous).as_secs_f64() * 1e3,
            resident().map_or_else(String::new, |mb| format!(", {mb} MB resident"))
        );
    }
    *last = Some(now);
}

/// With timings on, names a file that took a millisecond or more to make since `started`.
pub fn slow(file: &str, started: Instant) {
    let took = started.elapsed();
    if enabled() && took.as_micros() >= 1000 {
        eprintln!("timing:   {file}: {:.1} ms", took.as_secs_f64() * 1e3);
    }
}

/// The resident memory of the process, where the system tells it.
fn resident() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096 / 1_000_000)
}
