//! upward keeps the paper trail of an employee's 1:1s: a folder of Markdown notes read into
//! meetings and a ledger of every request, follow-up, win and decision.
//!
//! The pipeline, in the order data flows: [`vault`] finds and reads the notes, [`note`] parses
//! each one (with [`frontmatter`], [`markdown`] and [`task`]), [`model`] joins them across notes,
//! and [`commands`] turn the result into output. [`template`] renders the note
//! templates, and [`write`](mod@write) is the one way anything is written into a vault.

pub mod commands;
pub mod config;
pub mod date;
pub mod diagnostic;
pub mod digest;
pub mod error;
pub mod frontmatter;
pub mod links;
pub mod markdown;
pub mod model;
pub mod note;
pub mod note_cache;
pub mod provenance;
pub mod questions;
pub mod seen;
pub mod serve;
pub mod site;
pub mod slug;
pub mod task;
pub mod template;
pub mod timing;
pub mod vault;
pub mod watch;
pub mod write;
pub mod yaml;
