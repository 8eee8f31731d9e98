//! JSON string escapes decoded for detection, with a map back to the
//! original bytes.
//!
//! Owns [`EscapeView`]: for a scan window of JSON/NDJSON text that holds a
//! backslash, a copy with every escape sequence (`\uXXXX` with surrogate
//! pairs, `\n`, `\t`, `\"`, `\/`, ...) replaced by the character it
//! stands for, and the offset map from that copy back to the window, so
//! `{"email":"ivan\u0040example.com"}` is detected as an e-mail and its
//! span still covers `ivan\u0040example.com` in the file. It also owns
//! [`ViewLocator`], which lets a [`Locator`] that reads the original bytes
//! answer for offsets in the view. It knows nothing about rules or files:
//! [`crate::source`] builds a view per chunk and runs the engine on it.
//!
//! Decisions worth knowing:
//! - **Zero cost without escapes.** [`EscapeView::build`] is one `memchr`
//!   for `\` over the window; a window with none is scanned as it is. Only
//!   windows with an escape are copied (a memcpy per chunk plus a map
//!   entry per escape).
//! - **No string tracking.** Valid JSON has backslashes only inside
//!   strings, so every `\` starts an escape; a sequence that is not a JSON
//!   escape (`\x`, a cut `\u12`) is copied as it is. Decoding runs left to
//!   right, so `\\u0041` is a backslash and the text `u0041`.
//!   A window that starts inside a run of backslashes (the scanner cut
//!   its look-back there) may pair that run wrongly up to its end: only
//!   look-back context is affected, never a value the chunk reports,
//!   unless the run is longer than the look-back.
//! - **Offsets.** A view offset inside a decoded character maps to the
//!   escape's first byte, one just after it to the byte after the escape,
//!   so a value's start and end map to the whole escaped text (`\u0418`
//!   from its `\` to its last hex digit). A surrogate pair is one
//!   character of twelve original bytes; a lone surrogate is U+FFFD.
//! - **Memory.** The view is at most the window's size (escapes only
//!   shrink text), and the map is 12 bytes per escape, both reused.

use super::{FieldInfo, Locator};

/// One decoded escape: `olen` window bytes at `orig` became `vlen` view
/// bytes at `view`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Esc {
    view: u32,
    orig: u32,
    vlen: u8,
    olen: u8,
}

/// A window with its JSON escapes decoded; see the module doc.
#[derive(Debug, Default)]
pub struct EscapeView {
    bytes: Vec<u8>,
    esc: Vec<Esc>,
}

impl EscapeView {
    /// Decodes the escapes of `buf`. Returns false, and leaves the view
    /// empty, when `buf` holds no escape to decode: scan `buf` itself.
    /// Never inlined, so a profile shows its cost on its own line.
    #[inline(never)]
    pub fn build(&mut self, buf: &[u8]) -> bool {
        self.bytes.clear();
        self.esc.clear();
        let Some(first) = memchr::memchr(b'\\', buf) else {
            return false;
        };
        if u32::try_from(buf.len()).is_err() {
            return false;
        }
        self.bytes.reserve(buf.len());
        self.bytes.extend_from_slice(&buf[..first]);
        let mut i = first;
        loop {
            // buf[i] is a backslash.
            let mut tmp = [0u8; 4];
            match decode_escape(&buf[i..], &mut tmp) {
                Some((olen, vlen)) => {
                    self.esc.push(Esc {
                        view: self.bytes.len() as u32,
                        orig: i as u32,
                        vlen: vlen as u8,
                        olen: olen as u8,
                    });
                    self.bytes.extend_from_slice(&tmp[..vlen]);
                    i += olen;
                }
                None => {
                    // Not a JSON escape: the backslash stays, and the
                    // next byte is read as ordinary text.
                    self.bytes.push(b'\\');
                    i += 1;
                }
            }
            let rest = &buf[i..];
            match memchr::memchr(b'\\', rest) {
                Some(k) => {
                    self.bytes.extend_from_slice(&rest[..k]);
                    i += k;
                }
                None => {
                    self.bytes.extend_from_slice(rest);
                    break;
                }
            }
        }
        if self.esc.is_empty() {
            self.bytes.clear();
            return false;
        }
        true
    }

    /// The decoded text.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Escapes decoded (for tests and `--debug`).
    pub fn escapes(&self) -> usize {
        self.esc.len()
    }

    /// The window offset for view offset `v`: of the character holding
    /// `v`, so a value's start and its (exclusive) end both map to whole
    /// escapes.
    pub fn to_buf(&self, v: usize) -> usize {
        let k = self.esc.partition_point(|e| e.view as usize <= v);
        let Some(e) = k.checked_sub(1).map(|k| self.esc[k]) else {
            return v;
        };
        let vend = e.view as usize + usize::from(e.vlen);
        if v < vend {
            e.orig as usize
        } else {
            e.orig as usize + usize::from(e.olen) + (v - vend)
        }
    }

    /// The view offset for window offset `b`; inside an escape, the
    /// offset of its decoded character.
    pub fn to_view(&self, b: usize) -> usize {
        let k = self.esc.partition_point(|e| e.orig as usize <= b);
        let Some(e) = k.checked_sub(1).map(|k| self.esc[k]) else {
            return b;
        };
        let oend = e.orig as usize + usize::from(e.olen);
        if b < oend {
            e.view as usize
        } else {
            e.view as usize + usize::from(e.vlen) + (b - oend)
        }
    }
}

fn hex4(s: &[u8]) -> Option<u32> {
    let h = s.get(..4)?;
    let mut v = 0;
    for &b in h {
        v = v * 16 + char::from(b).to_digit(16)?;
    }
    Some(v)
}

/// Decodes the escape at the start of `s` (which starts with `\`) into
/// `out`: (original length, decoded length), or `None` when it is not a
/// complete JSON escape.
fn decode_escape(s: &[u8], out: &mut [u8; 4]) -> Option<(usize, usize)> {
    let byte = match *s.get(1)? {
        b'"' => b'"',
        b'\\' => b'\\',
        b'/' => b'/',
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'u' => {
            let v = hex4(&s[2..])?;
            let (olen, c) = if (0xD800..0xDC00).contains(&v) {
                match (s.get(6..8), hex4(s.get(8..).unwrap_or_default())) {
                    (Some(b"\\u"), Some(lo)) if (0xDC00..0xE000).contains(&lo) => {
                        let c = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
                        (12, char::from_u32(c).unwrap_or('\u{fffd}'))
                    }
                    _ => (6, '\u{fffd}'),
                }
            } else {
                (6, char::from_u32(v).unwrap_or('\u{fffd}'))
            };
            return Some((olen, c.encode_utf8(out).len()));
        }
        _ => return None,
    };
    out[0] = byte;
    Some((2, 1))
}

/// A [`Locator`] over original bytes, asked about offsets in an
/// [`EscapeView`] of them: the engine scans the view and locates through
/// this.
pub struct ViewLocator<'a> {
    pub inner: &'a mut dyn Locator,
    pub view: &'a EscapeView,
    /// The original window and the absolute offset of its first byte.
    pub buf: &'a [u8],
    pub base: u64,
}

impl ViewLocator<'_> {
    /// Pass `base: 0` with this locator: offsets asked are view offsets.
    fn orig(&self, pos: u64) -> u64 {
        self.base + self.view.to_buf(usize::try_from(pos).unwrap_or(usize::MAX)) as u64
    }
}

impl Locator for ViewLocator<'_> {
    fn advance(&mut self, _view: &[u8], _base: u64, to: u64) {
        let to = self.orig(to);
        self.inner.advance(self.buf, self.base, to);
    }

    fn locate(&mut self, _view: &[u8], _base: u64, pos: u64) -> Option<FieldInfo> {
        let pos = self.orig(pos);
        self.inner.locate(self.buf, self.base, pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(s: &str) -> EscapeView {
        let mut v = EscapeView::default();
        v.build(s.as_bytes());
        v
    }

    #[test]
    fn decodes_every_json_escape() {
        let src = r#"{"n":"\u0418\u0432\u0430\u043d","e":"ivan\u0040example.com","x":"a\/b\n\t\"\\\b\f\r","s":"\ud83d\ude00!"}"#;
        let v = view(src);
        let text = std::str::from_utf8(v.bytes()).unwrap();
        assert_eq!(
            text,
            "{\"n\":\"Иван\",\"e\":\"ivan@example.com\",\"x\":\"a/b\n\t\"\\\u{8}\u{c}\r\",\"s\":\"\u{1f600}!\"}"
        );
        let serde: serde_json::Value = serde_json::from_str(src).unwrap();
        assert_eq!(serde["n"], "Иван");
        assert_eq!(serde["s"], "\u{1f600}!");
    }

    #[test]
    fn spans_map_to_whole_escapes() {
        let src = r#"{"e":"ivan\u0040example.com","n":"\u0418\u0432\u0430\u043d"}"#;
        let v = view(src);
        let text = std::str::from_utf8(v.bytes()).unwrap();
        for (value, orig) in [
            ("ivan@example.com", r"ivan\u0040example.com"),
            ("Иван", r"\u0418\u0432\u0430\u043d"),
            ("ван", r"\u0432\u0430\u043d"),
            ("@", r"\u0040"),
        ] {
            let s = text.find(value).unwrap();
            let (os, oe) = (v.to_buf(s), v.to_buf(s + value.len()));
            assert_eq!(&src[os..oe], orig, "{value}");
            assert_eq!(v.to_view(os), s);
            assert_eq!(v.to_view(oe), s + value.len());
        }
        // Inside a character: the escape's start, both ways.
        let s = text.find("Иван").unwrap();
        assert_eq!(v.to_buf(s + 1), src.find(r"\u0418").unwrap());
        assert_eq!(v.to_view(src.find(r"\u0418").unwrap() + 3), s);
        // Before the first escape: identity.
        assert_eq!(v.to_buf(3), 3);
        assert_eq!(v.to_view(3), 3);
    }

    #[test]
    fn no_escape_no_view() {
        let mut v = EscapeView::default();
        assert!(!v.build(br#"{"a":"ivan@example.com"}"#));
        assert!(v.bytes().is_empty());
        // Only invalid sequences: nothing decoded either.
        assert!(!v.build(br#"C:\x \u12"#));
    }

    #[test]
    fn broken_escapes_are_kept_or_replaced() {
        let src = r#""\\u0041 \x \u12G \ud800x \udc00 \ud83d\u0041 end\u00"#;
        let v = view(src);
        let text = std::str::from_utf8(v.bytes()).unwrap();
        assert_eq!(
            text,
            "\"\\u0041 \\x \\u12G \u{fffd}x \u{fffd} \u{fffd}A end\\u00"
        );
        // Every view offset maps into the source and back monotonically.
        let mut last = 0;
        for i in 0..=text.len() {
            let b = v.to_buf(i);
            assert!(b >= last && b <= src.len());
            last = b;
        }
        assert_eq!(v.to_buf(text.len()), src.len());
    }
}
