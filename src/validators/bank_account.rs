//! stub: filled in by the validators work.
