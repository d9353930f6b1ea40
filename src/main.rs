//! The `upward` command line: parses arguments and calls the library.

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use upward::commands::{check, init, new, requests};
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
    /// Print a shell completion script
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
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
        Command::Completions { .. } | Command::Init { .. } => {
            unreachable!("handled before the vault is loaded")
        }
    }
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
