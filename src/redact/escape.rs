//! Where a replacement lands, and how to make it legal there.
//!
//! Owns [`Slot`] (the syntactic place a value sits in: a quoted CSV field,
//! a JSON string, a SQL literal, a COPY field, a number, free text), the
//! escaping of replacement text for each slot, and what "drop the field"
//! writes in each (`""`, `null`, `NULL`, `\N`). It knows nothing about
//! strategies or streams: [`super::tracker`] says which slot a byte is in,
//! [`super::strategies`] makes the text, this makes it legal.
//!
//! Replacements are built from a small alphabet (`*`, ASCII letters and
//! digits, `[]_@.+-`) plus separators copied from the value itself, so
//! escaping rarely changes anything. It is still applied every time, so
//! that a separator that happened to be an escape sequence in the input
//! (`\n` inside a JSON string) or a future custom label cannot break the
//! output.

use std::borrow::Cow;

/// The syntactic place of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// Free text, logs: anything goes.
    Text,
    /// A CSV/TSV field (also call logs).
    Csv { quoted: bool, delimiter: u8 },
    /// Inside a JSON string that is a value.
    JsonString,
    /// Inside a JSON object key: never dropped.
    JsonKey,
    /// A bare JSON scalar (a number): a replacement must stay a number.
    JsonBare,
    /// Inside a SQL quoted literal or identifier; `element` when it is
    /// (part of) a VALUES tuple element, which can be set to NULL.
    SqlString {
        quote: u8,
        backslash: bool,
        element: bool,
    },
    /// A bare token in a VALUES tuple (a number): must stay a number.
    SqlBare,
    /// A `--` comment (ends at a newline) or `/* */` comment.
    SqlComment { block: bool },
    /// Elsewhere in a SQL dump (DDL, a dollar-quoted body).
    SqlOther,
    /// A field of a text-format COPY block.
    CopyText { delimiter: u8 },
    /// A field of a CSV-format COPY block.
    CopyCsv {
        quoted: bool,
        delimiter: u8,
        quote: u8,
    },
}

impl Slot {
    /// The replacement must be a number (digits, keeping `-`/`.`/`e`).
    pub fn numeric(self) -> bool {
        matches!(self, Slot::JsonBare | Slot::SqlBare)
    }

    /// What replaces the whole field when the strategy is `drop`; `None`
    /// where a field cannot be dropped (a JSON key, DDL) and only the
    /// value itself is removed.
    pub fn drop_token(self) -> Option<&'static str> {
        match self {
            // `""`, not nothing: a record whose only field is dropped
            // would be an empty line, which CSV readers skip.
            Slot::Csv { .. } => Some("\"\""),
            Slot::CopyCsv { .. } => Some(""),
            Slot::JsonString | Slot::JsonBare => Some("null"),
            Slot::SqlString { element: true, .. } | Slot::SqlBare => Some("NULL"),
            Slot::CopyText { .. } => Some("\\N"),
            _ => None,
        }
    }

    /// Makes `text` legal in this slot.
    pub fn escape(self, text: &str) -> Cow<'_, str> {
        match self {
            Slot::Text => Cow::Borrowed(text),
            Slot::Csv { quoted: true, .. } => double(text, '"'),
            Slot::Csv {
                quoted: false,
                delimiter,
            } => replace_chars(text, |c| {
                c == '"' || c == '\r' || c == '\n' || c == char::from(delimiter)
            }),
            Slot::JsonString | Slot::JsonKey => json_escape(text),
            Slot::JsonBare | Slot::SqlBare => numeric(text),
            Slot::SqlString {
                quote, backslash, ..
            } => {
                let t = replace_chars(text, |c| c == '\0');
                let t = if backslash {
                    Cow::Owned(double(&t, '\\').into_owned())
                } else {
                    t
                };
                let q = char::from(quote);
                if quote == b']' {
                    // A `[bracket]` identifier has no escape for `]`.
                    Cow::Owned(replace_chars(&t, |c| c == ']').into_owned())
                } else {
                    Cow::Owned(double(&t, q).into_owned())
                }
            }
            Slot::SqlComment { block: false } => replace_chars(text, |c| c == '\r' || c == '\n'),
            Slot::SqlComment { block: true } => {
                if text.contains("*/") || text.contains("/*") {
                    Cow::Owned(text.replace("*/", "*_").replace("/*", "_*"))
                } else {
                    Cow::Borrowed(text)
                }
            }
            Slot::SqlOther => replace_chars(text, |c| {
                matches!(c, '\'' | '"' | '`' | '\\' | ';' | '$' | '\r' | '\n')
            }),
            Slot::CopyText { delimiter } => copy_text_escape(text, delimiter),
            Slot::CopyCsv {
                quoted: true,
                quote,
                ..
            } => double(text, char::from(quote)),
            Slot::CopyCsv {
                quoted: false,
                delimiter,
                quote,
            } => replace_chars(text, |c| {
                c == char::from(quote) || c == '\r' || c == '\n' || c == char::from(delimiter)
            }),
        }
    }
}

/// Doubles every `q` (CSV and SQL quotes, SQL backslashes).
fn double(text: &str, q: char) -> Cow<'_, str> {
    if !text.contains(q) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        out.push(c);
        if c == q {
            out.push(q);
        }
    }
    Cow::Owned(out)
}

/// Replaces every char `bad` accepts with `_`.
fn replace_chars(text: &str, bad: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&bad) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| if bad(c) { '_' } else { c }).collect())
}

fn json_escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c == '"' || c == '\\' || c < ' ') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Keeps a number a number: digits stay, `-+.eE` stay, anything else
/// becomes `0`. (Strategies already give digits here; this is the guard.)
fn numeric(text: &str) -> Cow<'_, str> {
    let ok = |c: char| c.is_ascii_digit() || "-+.eE".contains(c);
    if text.chars().all(ok) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| if ok(c) { c } else { '0' }).collect())
}

fn copy_text_escape(text: &str, delimiter: u8) -> Cow<'_, str> {
    let d = char::from(delimiter);
    if !text
        .chars()
        .any(|c| c == '\\' || c == d || c == '\n' || c == '\r')
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' if d == '\t' => out.push_str("\\t"),
            c if c == d => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_per_slot() {
        let csv_q = Slot::Csv {
            quoted: true,
            delimiter: b',',
        };
        assert_eq!(csv_q.escape("a\"b"), "a\"\"b");
        let csv = Slot::Csv {
            quoted: false,
            delimiter: b';',
        };
        assert_eq!(csv.escape("a;b\"c\nd"), "a_b_c_d");
        assert_eq!(
            Slot::JsonString.escape("a\"\\\n\u{1}"),
            "a\\\"\\\\\\n\\u0001"
        );
        let pg = Slot::SqlString {
            quote: b'\'',
            backslash: false,
            element: true,
        };
        assert_eq!(pg.escape("O'Brien\\"), "O''Brien\\");
        let my = Slot::SqlString {
            quote: b'\'',
            backslash: true,
            element: true,
        };
        assert_eq!(my.escape("O'Brien\\"), "O''Brien\\\\");
        assert_eq!(
            Slot::CopyText { delimiter: b'\t' }.escape("a\tb\\c\n"),
            "a\\tb\\\\c\\n"
        );
        assert_eq!(Slot::JsonBare.escape("1000*89"), "1000089");
        assert_eq!(Slot::SqlComment { block: true }.escape("**/**"), "**_**");
        assert_eq!(Slot::Text.escape("[PHONE]"), "[PHONE]");
    }

    #[test]
    fn drop_tokens() {
        assert_eq!(Slot::JsonString.drop_token(), Some("null"));
        assert_eq!(Slot::JsonKey.drop_token(), None);
        assert_eq!(Slot::SqlBare.drop_token(), Some("NULL"));
        assert_eq!(
            Slot::CopyText { delimiter: b'\t' }.drop_token(),
            Some("\\N")
        );
        assert_eq!(Slot::Text.drop_token(), None);
    }
}
