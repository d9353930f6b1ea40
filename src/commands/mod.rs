//! The subcommands, each over the loaded vault and its model.

pub mod build;
pub mod check;
pub mod init;
pub mod new;
pub mod recap;
pub mod requests;
pub mod review;
pub mod serve;
