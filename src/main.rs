//! The `upward` command line: parses arguments and calls the library.

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use upward::commands::{build, check, init, new, recap, requests, review, serve};
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
    /// Start a vault: upward.yaml, the templates, the meetings folder, a .gitignore
    Init {
        /// The folder [default: the current folder]
        dir: Option<PathBuf>,
        /// Write a copy of the sample vault instead, to try upward on
        #[arg(long)]
        example: bool,
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
    /// Validate every note; print `path:line:col: severity: message`; exit 1 on errors
    Check {
        /// Output format
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
        /// Show each problem's source line [default: on a terminal]
        #[arg(long)]
        snippets: bool,
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
    /// Compile the site: every published note, the request ledger, wins, decisions, people
    Build {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Build, then rebuild after every change, printing each build's problems and time
    Watch {
        #[command(flatten)]
        watch: WatchArgs,
    },
    /// Watch, and serve the site on this machine with live reload
    Serve {
        #[command(flatten)]
        watch: WatchArgs,
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

/// Where and how `build`, `watch` and `serve` write the site.
#[derive(Args)]
struct SiteArgs {
    /// The output folder [default: `output` of upward.yaml inside the vault, `_site`]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Build into a folder that holds files upward did not write (they are left alone)
    #[arg(long)]
    force: bool,
}

/// How `watch` and `serve` learn of changes.
#[derive(Args)]
struct WatchArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Poll for changes instead of waiting for file-system events (network drives, WSL)
    #[arg(long)]
    poll: bool,
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

/// Returns freed memory to the system soon, keeping the peak of a large build low.
fn tune_allocator() {
    // SAFETY: setting mimalloc options is allowed at any time; these are numbers, not pointers.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 10);
    }
}

/// For `watch` and `serve`: memory freed by one rebuild is kept ten seconds for the next,
/// which then needs no fresh (zeroed) pages from the system; idle, it goes back. Huge pages
/// stay off: each fresh one is 2 MiB to clear, and rebuilds were measured faster without
/// them (a request added to one of 10,000 notes: a median of 50-54 ms against 57-61).
fn keep_freed_memory() {
    no_huge_pages();
    // SAFETY: as in `tune_allocator`.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 10_000);
    }
}

/// Stops the system from backing this process's memory with transparent huge pages.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain numbers and changes only this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    tune_allocator();
    upward::timing::phase("start");
    let cli = Cli::parse();
    let result = run(cli);
    upward::timing::phase("free and finish");
    match result {
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

/// The exit status of a command that did its job or failed with `result`'s error.
fn done(result: upward::error::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    let mut stdout = std::io::stdout().lock();
    match cli.command {
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "upward", &mut stdout);
            return Ok(ExitCode::SUCCESS);
        }
        Command::Init { dir, example } => {
            let dir = dir.or(cli.vault).unwrap_or_else(|| PathBuf::from("."));
            return Ok(done(init::run(&dir, example, &mut stdout)));
        }
        Command::Watch { watch } => {
            keep_freed_memory();
            let root = vault_root(cli.vault)?;
            let WatchArgs { site, poll } = watch;
            return Ok(done(serve::run(&root, site.out, site.force, poll, None)));
        }
        Command::Serve {
            watch,
            port,
            bind,
            open,
        } => {
            keep_freed_memory();
            let root = vault_root(cli.vault)?;
            let WatchArgs { site, poll } = watch;
            let server = serve::Server { bind, port, open };
            return Ok(done(serve::run(
                &root,
                site.out,
                site.force,
                poll,
                Some(server),
            )));
        }
        _ => {}
    }
    let root = vault_root(cli.vault)?;
    // The time `build` reports counts from here: reading the notes is part of a build.
    let started = std::time::Instant::now();
    // The command ends with the process: the vault and its model are not freed piece by piece
    // (about 30 ms for 10,000 notes); the end of the process gives their memory back at once.
    // Notes read before come from the note cache. `new`, `check` and `requests` need only the
    // ledger (and what reading each note found): their cache holds notes without bodies or
    // other items. The others' holds whole notes, and their bodies are their texts'. What
    // changed is saved in the cache beside the rest of the command.
    let (vault, remember) = match cli.command {
        Command::New { .. } | Command::Check { .. } | Command::Requests { .. } => {
            // `check` holds every link against the notes and anchors it points to.
            let links = matches!(cli.command, Command::Check { .. });
            vault::load_for_ledger(&root, links)
        }
        _ => vault::load_whole(&root),
    };
    let saving = std::thread::spawn(move || remember.save());
    let vault = std::mem::ManuallyDrop::new(vault);
    // The notes are read on transparent huge pages (where the system gives them). Pages are
    // made from notes all over memory, and a build of 10,000 notes takes about 8% less CPU
    // that way (fewer misses of the processor's address cache, presumably). What comes after
    // stays on small pages, since each huge one touched is 2 MiB resident however little of
    // it is used: with huge pages throughout, that build peaks at about 205 MB rather than 165.
    no_huge_pages();
    upward::timing::phase("load the vault");
    let model = std::mem::ManuallyDrop::new(Model::build(&vault, date::today()));
    upward::timing::phase("join the model");
    let code = command(cli.command, vault, model, stdout, started);
    // Whatever happened, the note cache is written whole (or not at all) before the end.
    let saved = saving
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("the thread saving it failed")));
    if let Err(error) = saved {
        eprintln!("upward: could not save the note cache (the next run reads every note): {error}");
    }
    code
}

/// Runs a command on the loaded vault.
fn command(
    command: Command,
    vault: std::mem::ManuallyDrop<vault::Vault>,
    model: std::mem::ManuallyDrop<Model>,
    mut stdout: std::io::StdoutLock<'static>,
    started: std::time::Instant,
) -> Result<ExitCode, String> {
    let io = |e: std::io::Error| format!("cannot write the output: {e}");
    match command {
        Command::Check { format, snippets } => {
            let format = match format {
                CheckFormat::Text => check::Format::Text,
                CheckFormat::Json => check::Format::Json,
            };
            let terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
            let colour = terminal && std::env::var_os("NO_COLOR").is_none();
            let snippets = (snippets || terminal).then_some(colour);
            let failed = check::run(
                &vault,
                &model,
                format,
                snippets,
                &mut stdout,
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
            drop(stdout);
            if json {
                requests::write_json(&vault, &model, &filter, &mut std::io::stdout().lock())
            } else {
                let mut out = anstream::stdout().lock();
                requests::write_table(&vault, &model, &filter, &mut out).and_then(|()| out.flush())
            }
            .map_err(io)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Build { site } => {
            match build::run(
                std::mem::ManuallyDrop::into_inner(vault),
                std::mem::ManuallyDrop::into_inner(model),
                site.out,
                site.force,
                started,
                &mut std::io::stderr(),
            ) {
                Ok(true) => Ok(ExitCode::FAILURE),
                Ok(false) => Ok(ExitCode::SUCCESS),
                Err(error) => Ok(fail(&error)),
            }
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
            for warning in &planned.warnings {
                eprintln!("{warning}");
            }
            if dry_run {
                write!(stdout, "{}", planned.text).map_err(io)?;
                return Ok(ExitCode::SUCCESS);
            }
            match new::write(&vault, &planned) {
                Ok(path) => {
                    writeln!(stdout, "{}", path.display()).map_err(io)?;
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
            let format = match format {
                RecapFormat::Text => recap::Format::Text,
                RecapFormat::Markdown => recap::Format::Markdown,
                RecapFormat::Eml => recap::Format::Eml,
            };
            let options = recap::Options {
                note,
                format,
                mailto,
                mark_sent,
                from,
            };
            Ok(done(recap::run(&vault, &model, &options, &mut stdout)))
        }
        Command::Review {
            from,
            to,
            format,
            out,
            force,
        } => {
            report_errors(&vault, &model);
            let format = match format {
                ReviewFormat::Html => review::Format::Html,
                ReviewFormat::Markdown => review::Format::Markdown,
            };
            let options = review::Options {
                from,
                to,
                format,
                out,
                force,
            };
            Ok(done(review::run(
                std::mem::ManuallyDrop::into_inner(vault),
                std::mem::ManuallyDrop::into_inner(model),
                &options,
                &mut stdout,
            )))
        }
        Command::Completions { .. }
        | Command::Init { .. }
        | Command::Watch { .. }
        | Command::Serve { .. } => {
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
    for error in check::diagnostics(vault, model)
        .iter()
        .filter(|d| d.severity == upward::diagnostic::Severity::Error)
    {
        eprintln!("{error}");
    }
}
