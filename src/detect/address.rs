//! Postal addresses (placeholder, filled in the next commit).
