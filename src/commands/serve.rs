//! `upward watch` and `upward serve`: the rebuild loop, its report on the terminal, and for
//! `serve` the HTTP server told of every rebuild.

use crate::diagnostic::Severity;
use crate::error::{Error, Result};
use crate::serve::{self, Live};
use crate::watch::{self, Rebuild};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where to serve: address, port, and whether to open a browser.
#[derive(Debug, Clone)]
pub struct Server {
    pub bind: String,
    pub port: u16,
    pub open: bool,
}

fn print(rebuild: &Rebuild) {
    for d in rebuild
        .diagnostics
        .iter()
        .filter(|d| d.severity != Severity::Info)
    {
        eprintln!("{d}");
    }
    match &rebuild.report {
        Ok(report) => println!(
            "build {}: {} ms, {} pages rendered, {} written, {} unchanged, {} removed",
            rebuild.number,
            rebuild.elapsed.as_millis(),
            report.rendered,
            report.output.written,
            report.output.unchanged,
            report.output.removed
        ),
        Err(error) => println!("build {}: failed: {error}", rebuild.number),
    }
    let _ = std::io::stdout().flush();
}

/// Watches the vault at `root` until the process ends; with `server`, serves the site too,
/// starting the server after the first build.
pub fn run(
    root: &Path,
    out: Option<PathBuf>,
    force: bool,
    poll: bool,
    server: Option<Server>,
) -> Result<()> {
    let (config, _) = crate::config::Config::load(root);
    let out = out.unwrap_or_else(|| root.join(&config.output));
    let options = watch::Options {
        out: out.clone(),
        force,
        poll,
    };
    let live = Arc::new(Live::default());
    let mut failure: Option<Error> = None;
    let mut started = false;
    let result = watch::run(root, &options, |rebuild| {
        print(rebuild);
        let Some(server) = &server else {
            return true;
        };
        live.rebuilt(rebuild.problems());
        if started {
            return true;
        }
        started = true;
        match serve::start(out.clone(), &server.bind, server.port, Arc::clone(&live)) {
            Ok(address) => {
                if !address.ip().is_loopback() {
                    eprintln!(
                        "upward: warning: serving on {address}: anyone on your network can read the site"
                    );
                }
                println!("serving http://{address}/");
                let _ = std::io::stdout().flush();
                if server.open {
                    let opener = if cfg!(target_os = "macos") {
                        "open"
                    } else {
                        "xdg-open"
                    };
                    let _ = std::process::Command::new(opener)
                        .arg(format!("http://{address}/"))
                        .spawn();
                }
            }
            Err(error) => {
                failure = Some(Error::Invalid(format!(
                    "cannot serve on {}:{}: {error}",
                    server.bind, server.port
                )));
                return false;
            }
        }
        true
    });
    if let Some(error) = failure {
        return Err(error);
    }
    result
}
