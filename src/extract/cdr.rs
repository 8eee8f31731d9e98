//! Call logs (CDRs): recognising a layout from `rules/cdr.toml` and naming
//! every field of it.
//!
//! Owns loading the layouts (embedded, `deny_unknown_fields`, checked:
//! delimiters, field names, checks that name real fields), [`detect`]
//! (which layout, if any, a file's first records fit) and [`locator`],
//! which reuses the delimited state machine of [`super::delimited`] with
//! the layout's names and answers `Location::Cdr { record, field }`.
//!
//! Headerless logs (Asterisk Master.csv, FreeSWITCH mod_cdr_csv) are told
//! apart by field count plus light value checks (timestamps, integers,
//! UUIDs in the right columns), so an ordinary 16-column CSV is not taken
//! for a call log. Exports with a header (Sipuni, call tracking) are told
//! by their column names.

use super::delimited::{self, DelimitedLocator, Dialect};
use serde::Deserialize;
use std::sync::OnceLock;

/// The built-in layouts, embedded so the binary works from anywhere.
pub const CDR_LAYOUTS: &str = include_str!("../../rules/cdr.toml");

/// Share of sampled records that must fit a headerless layout.
const MATCH_SHARE: f32 = 0.8;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayoutFile {
    #[serde(default)]
    layout: Vec<LayoutSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayoutSpec {
    id: String,
    description: String,
    delimiter: String,
    #[serde(default)]
    header: bool,
    fields: Vec<String>,
    #[serde(default)]
    checks: Vec<CheckSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckSpec {
    field: String,
    kind: CheckKind,
    #[serde(default)]
    optional: bool,
}

/// What a value in a checked column must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    Timestamp,
    Integer,
    Uuid,
}

/// One value check of a headerless layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// 0-based column.
    pub column: usize,
    pub kind: CheckKind,
    /// An empty value passes.
    pub optional: bool,
}

/// A loaded, checked layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub id: String,
    pub description: String,
    pub delimiter: u8,
    /// The file starts with a header row holding every name in `fields`.
    pub header: bool,
    pub fields: Vec<String>,
    pub checks: Vec<Check>,
}

/// Parses and checks a layout file.
pub fn parse_layouts(text: &str) -> Result<Vec<Layout>, String> {
    let file: LayoutFile = toml::from_str(text).map_err(|e| format!("cdr layouts: {e}"))?;
    let mut out: Vec<Layout> = Vec::new();
    for spec in file.layout {
        let id = spec.id;
        if out.iter().any(|l| l.id == id) {
            return Err(format!("cdr layout {id}: duplicate id"));
        }
        let delimiter = match spec.delimiter.as_bytes() {
            [d] if delimited::DELIMITERS.contains(d) => *d,
            _ => {
                return Err(format!(
                    "cdr layout {id}: delimiter must be one of , ; \\t |"
                ));
            }
        };
        if spec.fields.is_empty() || spec.fields.iter().any(|f| f.trim().is_empty()) {
            return Err(format!("cdr layout {id}: fields must be non-empty names"));
        }
        if spec.header && !spec.checks.is_empty() {
            return Err(format!(
                "cdr layout {id}: checks apply to headerless layouts only"
            ));
        }
        let mut checks = Vec::new();
        for c in spec.checks {
            let column = spec
                .fields
                .iter()
                .position(|f| *f == c.field)
                .ok_or_else(|| format!("cdr layout {id}: check on unknown field {:?}", c.field))?;
            checks.push(Check {
                column,
                kind: c.kind,
                optional: c.optional,
            });
        }
        if !spec.header && checks.is_empty() {
            // A field count alone matches too many ordinary CSV files.
            return Err(format!("cdr layout {id}: a headerless layout needs checks"));
        }
        out.push(Layout {
            id,
            description: spec.description,
            delimiter,
            header: spec.header,
            fields: spec.fields,
            checks,
        });
    }
    Ok(out)
}

/// The built-in layouts. A broken embedded file (caught by a unit test)
/// degrades to no layouts rather than a panic.
pub fn builtin_layouts() -> &'static [Layout] {
    static LAYOUTS: OnceLock<Vec<Layout>> = OnceLock::new();
    LAYOUTS.get_or_init(|| {
        parse_layouts(CDR_LAYOUTS).unwrap_or_else(|e| {
            log::error!("{e}");
            Vec::new()
        })
    })
}

/// The layout the first records of `prefix` fit, if any.
pub fn detect(prefix: &[u8]) -> Option<&'static Layout> {
    detect_in(builtin_layouts(), prefix)
}

fn detect_in<'a>(layouts: &'a [Layout], prefix: &[u8]) -> Option<&'a Layout> {
    // One sample per delimiter, shared by the layouts that use it.
    let mut samples: Vec<(u8, Vec<Vec<Vec<u8>>>)> = Vec::new();
    for layout in layouts {
        let records = match samples.iter().position(|(d, _)| *d == layout.delimiter) {
            Some(i) => &samples[i].1,
            None => {
                let r = delimited::sample_records(prefix, layout.delimiter);
                samples.push((layout.delimiter, r));
                &samples[samples.len() - 1].1
            }
        };
        if fits(layout, records) {
            log::debug!("cdr: layout {} fits", layout.id);
            return Some(layout);
        }
    }
    None
}

fn fits(layout: &Layout, records: &[Vec<Vec<u8>>]) -> bool {
    if layout.header {
        let Some(first) = records.first() else {
            return false;
        };
        let names: Vec<String> = first.iter().map(|c| normalise(c)).collect();
        return layout
            .fields
            .iter()
            .all(|f| names.contains(&f.trim().to_lowercase()));
    }
    if records.is_empty() {
        return false;
    }
    let good = records
        .iter()
        .filter(|r| {
            r.len() == layout.fields.len()
                && layout.checks.iter().all(|c| {
                    let v = r.get(c.column).map_or(&[][..], Vec::as_slice);
                    let v = v.trim_ascii();
                    (c.optional && v.is_empty()) || check(c.kind, v)
                })
        })
        .count();
    good > 0 && good as f32 >= MATCH_SHARE * records.len() as f32
}

/// A header cell compared case- and space-insensitively, BOM dropped.
fn normalise(cell: &[u8]) -> String {
    String::from_utf8_lossy(cell)
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .to_lowercase()
}

fn check(kind: CheckKind, v: &[u8]) -> bool {
    match kind {
        CheckKind::Integer => {
            let digits = v.strip_prefix(b"-").unwrap_or(v);
            !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
        }
        CheckKind::Uuid => {
            v.len() == 36
                && v.iter().enumerate().all(|(i, b)| match i {
                    8 | 13 | 18 | 23 => *b == b'-',
                    _ => b.is_ascii_hexdigit(),
                })
        }
        CheckKind::Timestamp => looks_timestamp(v),
    }
}

/// `2024-01-15 10:00:00`, `2024-01-15T10:00:00Z`, `15.01.2024 10:00`, a
/// bare date, or a 10-digit Unix time: the date part decides, a time part
/// (if any) must start `HH:MM`.
fn looks_timestamp(v: &[u8]) -> bool {
    let d = |i: usize| v.get(i).is_some_and(u8::is_ascii_digit);
    let all = |r: std::ops::Range<usize>| r.into_iter().all(d);
    if v.len() == 10 && all(0..10) {
        return true;
    }
    let ymd =
        all(0..4) && v.get(4) == Some(&b'-') && all(5..7) && v.get(7) == Some(&b'-') && all(8..10);
    let dmy =
        all(0..2) && v.get(2) == Some(&b'.') && all(3..5) && v.get(5) == Some(&b'.') && all(6..10);
    if !(ymd || dmy) {
        return false;
    }
    match v.get(10) {
        None => true,
        Some(b' ' | b'T') => all(11..13) && v.get(13) == Some(&b':') && all(14..16),
        Some(_) => false,
    }
}

/// A CDR locator for the layout `prefix` fits. Without a fitting layout
/// (the format was forced, or a `Master.csv` of a custom template) a
/// headerless layout with the sniffed field count lends its names;
/// failing that the sniffed header or the column indices name the fields.
pub fn locator(prefix: &[u8]) -> DelimitedLocator {
    if let Some(layout) = detect(prefix) {
        return layout_locator(layout);
    }
    let dialect = Dialect::sniff(prefix);
    if !dialect.has_header
        && let Some(guess) = delimited::guess_delimiter(prefix)
        && let Some(layout) = builtin_layouts()
            .iter()
            .find(|l| !l.header && l.delimiter == guess.delimiter && l.fields.len() == guess.fields)
    {
        log::debug!("cdr: no layout fits; naming fields after {}", layout.id);
        return layout_locator(layout);
    }
    DelimitedLocator::cdr(dialect, Vec::new())
}

fn layout_locator(layout: &Layout) -> DelimitedLocator {
    let dialect = Dialect {
        delimiter: layout.delimiter,
        has_header: layout.header,
    };
    let names = if layout.header {
        Vec::new()
    } else {
        layout.fields.clone()
    };
    DelimitedLocator::cdr(dialect, names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Locator;
    use crate::finding::Location;

    #[test]
    fn builtin_layouts_load() {
        let layouts = parse_layouts(CDR_LAYOUTS).unwrap();
        let ids: Vec<&str> = layouts.iter().map(|l| l.id.as_str()).collect();
        for id in [
            "asterisk.16",
            "asterisk.18",
            "asterisk.21",
            "freeswitch.example",
        ] {
            assert!(ids.contains(&id), "{id} missing from {ids:?}");
        }
        let count = |id: &str| layouts.iter().find(|l| l.id == id).unwrap().fields.len();
        assert_eq!(count("asterisk.16"), 16);
        assert_eq!(count("asterisk.18"), 18);
        assert_eq!(count("asterisk.21"), 21);
        assert_eq!(count("freeswitch.example"), 15);
        assert_eq!(builtin_layouts().len(), layouts.len());
    }

    #[test]
    fn bad_layout_files_are_rejected() {
        let base = "[[layout]]\nid = \"x\"\ndescription = \"d\"\ndelimiter = \",\"\nfields = [\"a\", \"b\"]\n";
        let checks = "checks = [{ field = \"a\", kind = \"integer\" }]\n";
        assert!(parse_layouts(&format!("{base}{checks}")).is_ok());
        assert!(parse_layouts(&format!("{base}{checks}colour = 1\n")).is_err());
        assert!(parse_layouts(base).is_err(), "headerless without checks");
        assert!(
            parse_layouts(&format!(
                "{base}checks = [{{ field = \"zz\", kind = \"integer\" }}]\n"
            ))
            .is_err()
        );
        assert!(
            parse_layouts(&format!(
                "{base}checks = [{{ field = \"a\", kind = \"colour\" }}]\n"
            ))
            .is_err()
        );
        assert!(parse_layouts(&base.replace("\",\"", "\"::\"")).is_err());
        assert!(parse_layouts(&format!("{base}{checks}{base}{checks}")).is_err());
    }

    fn asterisk_row(n: u32, columns: usize) -> String {
        let mut f = vec![
            String::new(),
            format!("7900000{n:04}"),
            format!("8900000{n:04}"),
            "from-internal".into(),
            format!("\"Иван {n}\" <7900000{n:04}>"),
            format!("SIP/7900000{n:04}-0000002a"),
            "SIP/trunk-0000002b".into(),
            "Dial".into(),
            format!("SIP/trunk/8900000{n:04},60"),
            "2024-01-15 10:00:00".into(),
            if n.is_multiple_of(2) {
                String::new()
            } else {
                "2024-01-15 10:00:05".into()
            },
            "2024-01-15 10:01:00".into(),
        ];
        let mut out: Vec<String> = f
            .drain(..)
            .enumerate()
            .map(|(i, s)| quote(&s, n, i))
            .collect();
        out.push("60".into());
        out.push("55".into());
        out.push("\"ANSWERED\"".into());
        out.push("\"DOCUMENTATION\"".into());
        let extra = [
            "\"1705312800.42\"",
            "\"\"",
            "\"\"",
            "\"1705312800.42\"",
            "3",
        ];
        out.extend(extra.iter().take(columns - 16).map(|s| s.to_string()));
        out.join(",")
    }

    /// Asterisk quotes strings and leaves an empty answer time unquoted.
    fn quote(s: &str, n: u32, column: usize) -> String {
        if s.is_empty() && column == 10 && n.is_multiple_of(2) {
            String::new()
        } else {
            format!("\"{}\"", s.replace('"', "\"\""))
        }
    }

    #[test]
    fn asterisk_layouts_are_picked_by_field_count() {
        for (columns, id) in [
            (16, "asterisk.16"),
            (18, "asterisk.18"),
            (21, "asterisk.21"),
        ] {
            let text: String = (1..=5).map(|n| asterisk_row(n, columns) + "\n").collect();
            assert_eq!(
                detect(text.as_bytes()).map(|l| l.id.as_str()),
                Some(id),
                "{text}"
            );
        }
    }

    #[test]
    fn freeswitch_and_header_layouts() {
        let fs = "\"Иван\",\"79000000001\",\"89000000002\",\"default\",\"2024-01-15 10:00:00\",\"2024-01-15 10:00:03\",\"2024-01-15 10:01:00\",\"60\",\"57\",\"NORMAL_CLEARING\",\"a1b2c3d4-0000-4000-8000-000000000001\",\"\",\"\",\"PCMA\",\"PCMA\"\n";
        assert_eq!(
            detect(fs.as_bytes()).map(|l| l.id.as_str()),
            Some("freeswitch.example")
        );
        let ct = "\u{feff}Дата;Номер абонента;Номер сотрудника;Длительность;Комментарий\n15.01.2024 10:00;+79000000001;101;60;\n";
        assert_eq!(
            detect(ct.as_bytes()).map(|l| l.id.as_str()),
            Some("calltracking.ru")
        );
    }

    #[test]
    fn ordinary_csv_is_not_a_call_log() {
        let row = (0..16)
            .map(|i| format!("v{i}"))
            .collect::<Vec<_>>()
            .join(",");
        let text = format!("{row}\n{row}\n{row}\n");
        assert_eq!(detect(text.as_bytes()), None);
        assert_eq!(detect(b"id,name,phone\n1,a,2\n"), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn locator_names_asterisk_fields() {
        let text: String = (1..=3).map(|n| asterisk_row(n, 18) + "\r\n").collect();
        let mut loc = locator(text.as_bytes());
        let bytes = text.as_bytes();
        let second = text.find("\r\n").unwrap() + 2;
        let mut at = |needle: &str| {
            let pos = second + text[second..].find(needle).unwrap();
            loc.locate(bytes, 0, pos as u64)
        };
        let src = at("79000000002").unwrap();
        assert_eq!(
            src.location,
            Location::Cdr {
                record: 2,
                field: "src".into()
            }
        );
        assert_eq!(src.field.as_deref(), Some("src"));
        assert_eq!(at("89000000002").unwrap().field.as_deref(), Some("dst"));
        assert_eq!(at("Иван 2").unwrap().field.as_deref(), Some("clid"));
        assert_eq!(
            at("ANSWERED").unwrap().field.as_deref(),
            Some("disposition")
        );
        assert_eq!(at("1705312800").unwrap().field.as_deref(), Some("uniqueid"));
    }

    #[test]
    fn header_layout_uses_the_file_header() {
        let text = "Дата;Номер абонента;Номер сотрудника;Длительность\n15.01.2024 10:00;+79000000001;9000000002;60\n";
        let mut loc = locator(text.as_bytes());
        let pos = text.find("+7900").unwrap() as u64;
        let got = loc.locate(text.as_bytes(), 0, pos).unwrap();
        assert_eq!(
            got.location,
            Location::Cdr {
                record: 1,
                field: "Номер абонента".into()
            }
        );
        let pos = text.find("9000000002").unwrap() as u64;
        let got = loc.locate(text.as_bytes(), 0, pos).unwrap();
        assert_eq!(got.field.as_deref(), Some("Номер сотрудника"));
    }

    #[test]
    fn forced_cdr_without_a_layout_falls_back() {
        // 18 fields but no timestamps: named after asterisk.18 anyway.
        let row = (0..18)
            .map(|i| format!("\"{i}\""))
            .collect::<Vec<_>>()
            .join(",");
        let text = format!("{row}\n{row}\n");
        let mut loc = locator(text.as_bytes());
        let pos = text.find("\"1\"").unwrap() as u64 + 1;
        assert_eq!(
            loc.locate(text.as_bytes(), 0, pos)
                .unwrap()
                .field
                .as_deref(),
            Some("src")
        );
        // No layout of that size: indices.
        let mut loc = locator(b"1,2,3\n4,5,6\n");
        assert_eq!(
            loc.locate(b"1,2,3\n4,5,6\n", 0, 2).unwrap().location,
            Location::Cdr {
                record: 1,
                field: "2".into()
            }
        );
    }

    /// The engine, fed this locator, takes bare 10-digit numbers in the
    /// caller and callee fields as phones (their names are column hints of
    /// the phone rules in builtin.toml).
    #[test]
    fn number_fields_are_phone_columns() {
        use crate::detect::{Engine, Located, RuleSet, Scratch};
        use crate::finding::Signals;
        let engine = Engine::new(RuleSet::builtin()).unwrap();
        let text = "\"\",\"9000000001\",\"9000000002\",\"ctx\",\"\",\"SIP/a-1\",\"\",\"Dial\",\"\",\"2024-01-15 10:00:00\",,\"2024-01-15 10:01:00\",60,0,\"NO ANSWER\",\"DOCUMENTATION\"\n";
        let mut loc = locator(text.as_bytes());
        let mut out = Vec::new();
        engine.scan(
            text.as_bytes(),
            0,
            text.len(),
            true,
            &mut Scratch::default(),
            &mut out,
            Some(Located {
                locator: &mut loc,
                base: 0,
            }),
        );
        let fields: Vec<_> = out.iter().map(|d| d.location.clone()).collect();
        assert_eq!(
            fields,
            [
                Some(Location::Cdr {
                    record: 1,
                    field: "src".into()
                }),
                Some(Location::Cdr {
                    record: 1,
                    field: "dst".into()
                })
            ]
        );
        assert!(out.iter().all(|d| d.signals.contains(Signals::COLUMN_HINT)));
        // Every caller/callee name of the layouts is a hint.
        for layout in builtin_layouts() {
            for name in &layout.fields {
                let is_number = [
                    "src",
                    "dst",
                    "clid",
                    "caller_id_number",
                    "destination_number",
                    "Номер абонента",
                    "Номер сотрудника",
                    "Откуда",
                    "Куда",
                ]
                .contains(&name.as_str());
                if !is_number {
                    continue;
                }
                let line = "9000000003\n";
                let mut loc = DelimitedLocator::cdr(
                    Dialect {
                        delimiter: b',',
                        has_header: false,
                    },
                    vec![name.clone()],
                );
                let mut out = Vec::new();
                engine.scan(
                    line.as_bytes(),
                    0,
                    line.len(),
                    true,
                    &mut Scratch::default(),
                    &mut out,
                    Some(Located {
                        locator: &mut loc,
                        base: 0,
                    }),
                );
                assert_eq!(out.len(), 1, "{name}: a bare number is a phone here");
            }
        }
    }

    #[test]
    fn timestamps() {
        for ok in [
            "2024-01-15 10:00:00",
            "2024-01-15T10:00:00Z",
            "15.01.2024 10:00",
            "2024-01-15",
            "1705312800",
        ] {
            assert!(looks_timestamp(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "",
            "2024-1-15",
            "10:00:00",
            "15/01/2024",
            "2024-01-15 x",
            "abc",
        ] {
            assert!(!looks_timestamp(bad.as_bytes()), "{bad}");
        }
    }
}
