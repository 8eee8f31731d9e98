//! piiscan finds personal data (PII) in files, call logs and database dumps,
//! with Russian (152-FZ) identifiers first.
//!
//! The pipeline: [`walk`] the inputs in parallel → read each in bounded
//! memory ([`source`]) → [`detect`] every kind in one pass over the buffer
//! (a trigger-byte tokenizer, validators from [`validators`], context
//! scoring) → place hits (offset, line, column) → [`sink`]s (reports).
//! [`app`] wires it together; the engine never sees flags or files.
//! Around it, each operations feature is a module of its own: [`config`]
//! (`piiscan.toml`), [`suppress`] (allowlists, inline marker, baseline),
//! [`state`] (incremental scans), [`shard`] and [`merge`] (scale-out),
//! [`gate`] (exit codes), [`progress`], [`manual`] (completions, man).
//!
//! ```
//! use piiscan::detect::{Engine, RuleSet};
//! let engine = Engine::new(RuleSet::builtin()).unwrap();
//! let text = "Клиент: тел. +7 912 345-67-89, ivan@example.ru";
//! let found = engine.scan_text(text.as_bytes());
//! let values: Vec<&str> = found.iter().map(|d| &text[d.start..d.end]).collect();
//! assert_eq!(values, ["+7 912 345-67-89", "ivan@example.ru"]);
//! ```
pub mod app;
pub mod cli;
pub mod config;
pub mod decode;
pub mod detect;
pub mod diff;
pub mod eval;
pub mod extract;
pub mod finding;
pub mod gate;
pub mod inventory;
pub mod manual;
pub mod merge;
pub mod private_file;
pub mod progress;
pub mod redact;
pub mod shard;
pub mod sink;
pub mod source;
pub mod state;
pub mod subject;
pub mod suppress;
pub mod text;
pub mod validators;
pub mod walk;
