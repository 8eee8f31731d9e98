//! piiscan finds personal data (PII) in files, call logs and database dumps.
//!
//! The pipeline: walk → read → decode → detect in one pass → locate hits → sinks.
pub mod eval;
pub mod finding;
pub mod validators;
