//! The `upward` command line: parses arguments and calls the library.

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use upward::commands::{check, init, new, recap, requests, review};
use upward::site;
use upward::{date, model::Model, vault};

/// Keeps the paper trail of your 1:1s: requests for help, wins, decisions and agreements,
/// compiled from a folder of Markdown notes.
#[derive(Parser)]
#[command(name = "upward", version, about, propagate_version = true)]
struct Cli {
    /// The vault folder [default: the nearest folder upwards holding upward.yaml, else the
    /// current folder]
    #[arg(long, global = true, value_name = "DIR")]
    vault: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate every note; print `path:line:col: severity: message`; exit 1 on errors
    Check {
        /// Output format
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
    /// Compile the site: every published note, the request ledger, wins, decisions, people
    Build {
        /// The output folder [default: `output` of upward.yaml inside the vault, `_site`]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Build into a folder that holds files upward did not write (they are left alone)
        #[arg(long)]
        force: bool,
    },
    /// Build, then rebuild after every change, printing each build's problems and time
    Watch {
        /// The output folder [default: `output` of upward.yaml inside the vault, `_site`]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Build into a folder that holds files upward did not write (they are left alone)
        #[arg(long)]
        force: bool,
        /// Poll for changes instead of waiting for file-system events (network drives, WSL)
        #[arg(long)]
        poll: bool,
    },
    /// Watch, and serve the site on this machine with live reload
    Serve {
        /// The output folder [default: `output` of upward.yaml inside the vault, `_site`]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Build into a folder that holds files upward did not write (they are left alone)
        #[arg(long)]
        force: bool,
        /// Poll for changes instead of waiting for file-system events (network drives, WSL)
        #[arg(long)]
        poll: bool,
        /// The port (0: any free port)
        #[arg(long, short, default_value_t = 1111)]
        port: u16,
        /// The address to listen on; anything but loopback shares your notes with the network
        #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
        bind: String,
        /// Open the site in the default browser
        #[arg(long)]
        open: bool,
    },
    /// The request ledger: every request, how often it was raised and what came of it
    Requests {
        /// Only open and in-progress requests
        #[arg(long)]
        open: bool,
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
        /// Only requests raised with this person
        #[arg(long, value_name = "PERSON")]
        with: Option<String>,
    },
    /// Write the next 1:1 note from a template, carrying open requests forward; prints its path
    New {
        /// The template [default: `template` in upward.yaml, else five-questions]
        #[arg(long, short, value_name = "NAME")]
        template: Option<String>,
        /// The meeting date, YYYY-MM-DD [default: today]
        #[arg(long, short, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        date: Option<date::Date>,
        /// The person [default: the person of the latest 1:1]
        #[arg(long, short, value_name = "PERSON")]
        with: Option<String>,
        /// Print the note instead of writing it
        #[arg(long)]
        dry_run: bool,
    },
    /// Start a vault: upward.yaml, the templates, the meetings folder, a .gitignore
    Init {
        /// The folder [default: the current folder]
        dir: Option<PathBuf>,
        /// Write a copy of the sample vault instead, to try upward on
        #[arg(long)]
        example: bool,
    },
    /// The recap of a meeting for your manager: outcomes, decisions, agreements, requests
    Recap {
        /// The meeting: a path, a note name or a date [default: the latest 1:1]
        note: Option<String>,
        /// Output format
        #[arg(long, value_enum, default_value_t = RecapFormat::Text)]
        format: RecapFormat,
        /// Print a mailto: link instead
        #[arg(long, conflicts_with = "format")]
        mailto: bool,
        /// Record `recap_sent: <today>` in the note (one line changed or added)
        #[arg(long)]
        mark_sent: bool,
        /// The sender of the .eml message [default: $EMAIL, else me@localhost]
        #[arg(long, value_name = "ADDRESS")]
        from: Option<String>,
    },
    /// The review packet for a period: wins, requests and what came of them, decisions
    Review {
        /// First day of the period, YYYY-MM-DD
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        from: date::Date,
        /// Last day of the period, YYYY-MM-DD
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        to: date::Date,
        /// Output format
        #[arg(long, value_enum, default_value_t = ReviewFormat::Html)]
        format: ReviewFormat,
        /// Write to this file instead of printing
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace FILE if it exists
        #[arg(long, requires = "out")]
        force: bool,
    },
    /// Print a shell completion script
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RecapFormat {
    Text,
    Markdown,
    Eml,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReviewFormat {
    Html,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    Text,
    Json,
}

fn parse_date(text: &str) -> Result<date::Date, String> {
    date::parse(text).ok_or_else(|| format!("`{text}` is not a date; write it as YYYY-MM-DD"))
}

// mimalloc: the parsers allocate many small strings, and it is markedly faster at that than
// the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// Option numbers of mimalloc (`mi_option_e`), which libmimalloc-sys does not name: checked
// against one it does name, so another version fails to build rather than set the wrong one.
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
const _: () = assert!(libmimalloc_sys::mi_option_os_tag == 18);

/// Returns freed memory to the system promptly, keeping the peak of a large build low.
fn tune_allocator() {
    // SAFETY: setting mimalloc options is allowed at any time; these are numbers, not pointers.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 1);
    }
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("upward: {message}");
            ExitCode::from(2)
        }
    }
}

fn vault_root(option: Option<PathBuf>) -> Result<PathBuf, String> {
    match option {
        Some(dir) if dir.is_dir() => Ok(dir),
        Some(dir) => Err(format!(
            "the vault folder `{}` does not exist",
            dir.display()
        )),
        None => {
            let here = std::env::current_dir()
                .map_err(|e| format!("cannot read the current folder: {e}"))?;
            Ok(vault::find_root(&here))
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    let io = |e: std::io::Error| format!("cannot write the output: {e}");
    if let Command::Completions { shell } = cli.command {
        clap_complete::generate(shell, &mut Cli::command(), "upward", &mut std::io::stdout());
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Init { dir, example } = &cli.command {
        let dir = dir
            .clone()
            .or(cli.vault.clone())
            .unwrap_or_else(|| PathBuf::from("."));
        let outcomes = if *example {
            init::example(&dir)
        } else {
            init::init(&dir)
        };
        let outcomes = outcomes.map_err(|e| e.to_string())?;
        for outcome in outcomes {
            match outcome {
                init::Outcome::Created(path) => println!("created {}", dir.join(path).display()),
                init::Outcome::Skipped(path) => {
                    println!(
                        "skipped {} (it exists; left as it was)",
                        dir.join(path).display()
                    )
                }
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let root = vault_root(cli.vault)?;
    match &cli.command {
        Command::Watch { out, force, poll } => {
            return watch_and_serve(&root, out.clone(), *force, *poll, None);
        }
        Command::Serve {
            out,
            force,
            poll,
            port,
            bind,
            open,
        } => {
            return watch_and_serve(
                &root,
                out.clone(),
                *force,
                *poll,
                Some((bind.clone(), *port, *open)),
            );
        }
        _ => {}
    }
    let vault = vault::load(&root);
    let model = Model::build(&vault, date::today());
    match cli.command {
        Command::Check { format } => {
            let format = match format {
                CheckFormat::Text => check::Format::Text,
                CheckFormat::Json => check::Format::Json,
            };
            let failed = check::run(
                &vault,
                &model,
                format,
                &mut std::io::stdout().lock(),
                &mut std::io::stderr().lock(),
            )
            .map_err(io)?;
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Requests { open, json, with } => {
            report_errors(&vault, &model);
            let filter = requests::Filter { open, with };
            if json {
                requests::write_json(&vault, &model, &filter, &mut std::io::stdout().lock())
            } else {
                let mut out = anstream::stdout().lock();
                requests::write_table(&vault, &model, &filter, &mut out).and_then(|()| out.flush())
            }
            .map_err(io)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Build { out, force } => {
            let diagnostics = check::diagnostics(&vault, &model);
            for d in diagnostics
                .iter()
                .filter(|d| d.severity != upward::diagnostic::Severity::Info)
            {
                eprintln!("{d}");
            }
            let errors = upward::diagnostic::error_count(&diagnostics);
            let out = out.unwrap_or_else(|| vault.root.join(&vault.config.output));
            let started = std::time::Instant::now();
            let options = site::Options {
                out: out.clone(),
                force,
            };
            let report = match site::build(vault, date::today(), &options) {
                Ok(report) => report,
                Err(error) => return Ok(fail(&error)),
            };
            eprintln!(
                "built {} files into {} in {} ms: {} written, {} unchanged, {} removed{}",
                report.files,
                out.display(),
                started.elapsed().as_millis(),
                report.output.written,
                report.output.unchanged,
                report.output.removed,
                match errors {
                    0 => String::new(),
                    1 => "; 1 error".to_owned(),
                    n => format!("; {n} errors"),
                }
            );
            Ok(if errors > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::New {
            template,
            date,
            with,
            dry_run,
        } => {
            let options = new::Options {
                template,
                date,
                with,
            };
            let planned = match new::plan(&vault, &model, &options, date::today()) {
                Ok(planned) => planned,
                Err(error) => return Ok(fail(&error)),
            };
            if dry_run {
                print!("{}", planned.text);
                return Ok(ExitCode::SUCCESS);
            }
            match new::write(&vault, &planned) {
                Ok(path) => {
                    println!("{}", path.display());
                    Ok(ExitCode::SUCCESS)
                }
                Err(error) => Ok(fail(&error)),
            }
        }
        Command::Recap {
            note,
            format,
            mailto,
            mark_sent,
            from,
        } => {
            report_errors(&vault, &model);
            let index = match recap::find_note(&vault, &model, note.as_deref()) {
                Ok(index) => index,
                Err(error) => return Ok(fail(&error)),
            };
            let recap = recap::recap(&vault, &model, index);
            let output = if mailto {
                format!("{}\n", recap::mailto(&recap))
            } else {
                match format {
                    RecapFormat::Text => recap::render(&recap, false),
                    RecapFormat::Markdown => recap::render(&recap, true),
                    RecapFormat::Eml => {
                        let from = from
                            .or_else(|| std::env::var("EMAIL").ok())
                            .unwrap_or_else(|| "me@localhost".to_owned());
                        match recap::eml(&recap, &from, now_seconds()) {
                            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                            Err(error) => return Ok(fail(&error)),
                        }
                    }
                }
            };
            print!("{output}");
            if mark_sent {
                if let Err(error) = recap::mark_sent(&vault, index, date::today()) {
                    return Ok(fail(&error));
                }
                eprintln!(
                    "marked {} as sent on {}",
                    vault.notes[index].path,
                    date::today()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Review {
            from,
            to,
            format,
            out,
            force,
        } => {
            report_errors(&vault, &model);
            if to < from {
                return Err(format!("--to {to} is before --from {from}"));
            }
            let provenance = upward::provenance::Provenance::read(&vault.root);
            let mut published = vault;
            published.notes.retain(upward::note::Note::published);
            let model = Model::build(&published, date::today());
            let packet = review::Packet::build(&published, &model, &provenance, from, to);
            let text = match format {
                ReviewFormat::Markdown => packet.markdown(),
                ReviewFormat::Html => {
                    let templates = match upward::template::SiteTemplates::load(
                        &published.root,
                        &published.config,
                    ) {
                        Ok(t) => t,
                        Err(error) => return Ok(fail(&error)),
                    };
                    let context = serde_json::json!({
                        "packet": packet,
                        "css": templates.file("style.css").unwrap_or_default(),
                        "today": model.today.to_string(),
                        "root": "",
                    });
                    match templates.render("review-standalone.html", &context) {
                        Ok(html) => html,
                        Err(error) => return Ok(fail(&error)),
                    }
                }
            };
            match out {
                None => print!("{text}"),
                Some(path) => {
                    let written = if force && path.exists() {
                        upward::write::replace(&path, text.as_bytes())
                    } else {
                        upward::write::create_new(&path, text.as_bytes())
                    };
                    if let Err(error) = written {
                        return Ok(fail(&error));
                    }
                    eprintln!("wrote {}", path.display());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { .. }
        | Command::Init { .. }
        | Command::Watch { .. }
        | Command::Serve { .. } => {
            unreachable!("handled before the vault is loaded")
        }
    }
}

/// `watch`, and with `server` (address, port, open a browser) `serve`.
fn watch_and_serve(
    root: &std::path::Path,
    out: Option<PathBuf>,
    force: bool,
    poll: bool,
    server: Option<(String, u16, bool)>,
) -> Result<ExitCode, String> {
    let (config, _) = upward::config::Config::load(root);
    let out = out.unwrap_or_else(|| root.join(&config.output));
    let options = upward::watch::Options {
        out: out.clone(),
        force,
        poll,
    };
    let live = std::sync::Arc::new(upward::serve::Live::default());
    let mut started = false;
    let result = upward::watch::run(root, &options, |rebuild| {
        for d in rebuild
            .diagnostics
            .iter()
            .filter(|d| d.severity != upward::diagnostic::Severity::Info)
        {
            eprintln!("{d}");
        }
        match &rebuild.report {
            Ok(report) => println!(
                "build {}: {} ms, {} written, {} unchanged, {} removed",
                rebuild.number,
                rebuild.elapsed.as_millis(),
                report.output.written,
                report.output.unchanged,
                report.output.removed
            ),
            Err(error) => println!("build {}: failed: {error}", rebuild.number),
        }
        let _ = std::io::stdout().flush();
        if let Some((bind, port, open)) = &server {
            live.rebuilt(rebuild.problems());
            if !started {
                started = true;
                match upward::serve::start(out.clone(), bind, *port, std::sync::Arc::clone(&live)) {
                    Ok(address) => {
                        if !address.ip().is_loopback() {
                            eprintln!(
                                "upward: warning: serving on {address}: anyone on your network can read the site"
                            );
                        }
                        println!("serving http://{address}/");
                        let _ = std::io::stdout().flush();
                        if *open {
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
                        eprintln!("upward: cannot serve on {bind}:{port}: {error}");
                        std::process::exit(1);
                    }
                }
            }
        }
    });
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(error) => Ok(fail(&error)),
    }
}

/// Now, in seconds since 1970: noon of `UPWARD_TODAY` when that is set, for reproducible output.
fn now_seconds() -> i64 {
    if std::env::var("UPWARD_TODAY").is_ok() {
        let day = date::today();
        return day
            .and_hms_opt(12, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp());
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A command that could not do its job: the message, and exit status 1.
fn fail(error: &upward::error::Error) -> ExitCode {
    eprintln!("upward: {error}");
    ExitCode::FAILURE
}

/// Commands other than `check` mention errors on stderr, so a broken note is not missed.
fn report_errors(vault: &vault::Vault, model: &Model) {
    let errors: Vec<_> = check::diagnostics(vault, model)
        .into_iter()
        .filter(|d| d.severity == upward::diagnostic::Severity::Error)
        .collect();
    for error in &errors {
        eprintln!("{error}");
    }
}
