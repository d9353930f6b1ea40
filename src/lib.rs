//! upward keeps the paper trail of an employee's 1:1s: a folder of Markdown notes read into
//! meetings and a ledger of every request, follow-up, win and decision.
//!
//! The pipeline, in the order data flows: [`vault`] finds and reads the notes, [`note`] parses
//! each one (with [`frontmatter`], [`markdown`] and [`task`]), [`model`] joins them across notes,
//! and [`commands`] turn the result into output.

pub mod commands;
pub mod config;
pub mod date;
pub mod diagnostic;
pub mod frontmatter;
pub mod markdown;
pub mod model;
pub mod note;
pub mod task;
pub mod vault;
pub mod yaml;
