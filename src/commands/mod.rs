//! The subcommands, each over the loaded vault and its model.

pub mod build;
pub mod check;
pub mod init;
pub mod new;
pub mod recap;
pub mod requests;
pub mod review;
pub mod serve;

/// How many times, in words: `once`, `twice`, `3 times`.
pub fn times(n: usize) -> String {
    match n {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    }
}
