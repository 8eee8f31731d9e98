//! Office files (OOXML .docx/.xlsx, OpenDocument .odt/.ods): which zip
//! members hold the text, and a streaming XML-to-text reader for them.
//!
//! Owns telling an Office zip from a plain one by its directory, the list
//! of text parts per format (document body, headers, footers, notes,
//! comments, shared strings and sheets, author metadata) and turning their
//! XML into plain text: tags dropped, entities decoded, paragraph/row ends
//! as newlines and cell ends as tabs (so values in adjacent cells do not
//! run together). Word splits a word over several runs, so tags inside a
//! paragraph add nothing. Attributes are not text and are dropped.
//!
//! Spans reported for these leaves index the *extracted text*, not the
//! compressed member or its XML: `report.docx!/word/document.xml` at 120..135
//! means bytes 120..135 of the text this reader produces.

use super::ContainerKind;
use std::io::{self, Read, Seek};

/// How a part's XML maps to text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XmlMode {
    /// WordprocessingML (`w:p`, `w:tab`, table cells).
    Word,
    /// SpreadsheetML: shared strings and sheets; shared-string indexes
    /// (`<c t="s"><v>12</v></c>`) and formulas are not text.
    Sheet,
    /// OpenDocument (`text:p`, `text:s`, `table:table-cell`).
    Odf,
    /// Metadata (`docProps/core.xml`, `meta.xml`): one line per element.
    Plain,
}

/// The Office format of an opened zip, from its directory.
pub(crate) fn kind_of<R: Read + Seek>(archive: &zip::ZipArchive<R>) -> Option<ContainerKind> {
    let has = |n: &str| archive.index_for_name(n).is_some();
    if has("word/document.xml") {
        Some(ContainerKind::Docx)
    } else if has("xl/workbook.xml") {
        Some(ContainerKind::Xlsx)
    } else if has("content.xml") && (has("mimetype") || has("META-INF/manifest.xml")) {
        Some(ContainerKind::Odt)
    } else {
        None
    }
}

/// Whether a member of an Office file of `kind` holds text, and how to
/// read it.
pub(crate) fn text_part(kind: ContainerKind, name: &str) -> Option<XmlMode> {
    let numbered = |prefix: &str| {
        name.strip_prefix(prefix)
            .and_then(|r| r.strip_suffix(".xml"))
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
    };
    match kind {
        ContainerKind::Docx => match name {
            "word/document.xml" | "word/footnotes.xml" | "word/endnotes.xml"
            | "word/comments.xml" => Some(XmlMode::Word),
            "docProps/core.xml" => Some(XmlMode::Plain),
            _ if numbered("word/header") || numbered("word/footer") => Some(XmlMode::Word),
            _ => None,
        },
        ContainerKind::Xlsx => match name {
            "xl/sharedStrings.xml" => Some(XmlMode::Sheet),
            "docProps/core.xml" => Some(XmlMode::Plain),
            _ if numbered("xl/worksheets/sheet") || numbered("xl/comments") => Some(XmlMode::Sheet),
            _ => None,
        },
        ContainerKind::Odt => match name {
            "content.xml" | "styles.xml" => Some(XmlMode::Odf),
            "meta.xml" => Some(XmlMode::Plain),
            _ => None,
        },
        _ => None,
    }
}

/// Files embedded in an Office document (a spreadsheet pasted into a
/// letter): walked like any archive member.
pub(crate) fn is_embedding(name: &str) -> bool {
    ["word/embeddings/", "xl/embeddings/", "ppt/embeddings/"]
        .iter()
        .any(|p| name.starts_with(p))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Text,
    Tag,
    Entity,
    Comment,
    CData,
}

/// Longest tag kept for inspection (name and the attributes we look at);
/// longer tags are still skipped correctly, just not inspected.
const TAG_CAP: usize = 512;
/// Longest entity (`&#x10FFFF;`); anything longer is literal text.
const ENTITY_CAP: usize = 12;

/// Streams the text of an XML part.
pub struct XmlText<R> {
    inner: R,
    mode: XmlMode,
    state: State,
    tag: Vec<u8>,
    entity: Vec<u8>,
    /// `]` or `-` seen at the end of CDATA/comment so far.
    run: usize,
    /// Inside an element whose content is not text.
    suppress: Option<&'static [u8]>,
    chunk: Box<[u8]>,
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
}

impl<R: Read> XmlText<R> {
    pub fn new(inner: R, mode: XmlMode) -> Self {
        XmlText {
            inner,
            mode,
            state: State::Text,
            tag: Vec::new(),
            entity: Vec::new(),
            run: 0,
            suppress: None,
            chunk: vec![0; 16 * 1024].into_boxed_slice(),
            out: Vec::new(),
            out_pos: 0,
            eof: false,
        }
    }

    fn text(&mut self, b: u8) {
        if self.suppress.is_none() {
            self.out.push(b);
        }
    }

    fn byte(&mut self, b: u8) {
        match self.state {
            State::Text => match b {
                b'<' => {
                    self.tag.clear();
                    self.state = State::Tag;
                }
                b'&' => {
                    self.entity.clear();
                    self.state = State::Entity;
                }
                _ => self.text(b),
            },
            State::Tag => {
                if b == b'>' {
                    self.state = State::Text;
                    self.end_tag();
                    return;
                }
                if self.tag.len() < TAG_CAP {
                    self.tag.push(b);
                }
                if self.tag == b"!--" {
                    self.state = State::Comment;
                    self.run = 0;
                } else if self.tag == b"![CDATA[" {
                    self.state = State::CData;
                    self.run = 0;
                }
            }
            State::Entity => {
                if b == b';' {
                    self.state = State::Text;
                    self.decode_entity();
                } else if self.entity.len() < ENTITY_CAP && (b.is_ascii_alphanumeric() || b == b'#')
                {
                    self.entity.push(b);
                } else {
                    // Not an entity: the `&` was literal text.
                    self.state = State::Text;
                    self.text(b'&');
                    for i in 0..self.entity.len() {
                        let c = self.entity[i];
                        self.text(c);
                    }
                    self.byte(b);
                }
            }
            State::Comment => {
                if b == b'>' && self.run >= 2 {
                    self.state = State::Text;
                }
                self.run = if b == b'-' { self.run + 1 } else { 0 };
            }
            State::CData => {
                if b == b']' {
                    self.run += 1;
                    return;
                }
                if b == b'>' && self.run >= 2 {
                    for _ in 0..self.run - 2 {
                        self.text(b']');
                    }
                    self.run = 0;
                    self.state = State::Text;
                    return;
                }
                for _ in 0..self.run {
                    self.text(b']');
                }
                self.run = 0;
                self.text(b);
            }
        }
    }

    fn decode_entity(&mut self) {
        let e = std::mem::take(&mut self.entity);
        let ch = match e.as_slice() {
            b"lt" => Some('<'),
            b"gt" => Some('>'),
            b"amp" => Some('&'),
            b"quot" => Some('"'),
            b"apos" => Some('\''),
            [b'#', b'x' | b'X', hex @ ..] => std::str::from_utf8(hex)
                .ok()
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .and_then(char::from_u32),
            [b'#', dec @ ..] => std::str::from_utf8(dec)
                .ok()
                .and_then(|d| d.parse::<u32>().ok())
                .and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                let mut buf = [0u8; 4];
                for &b in c.encode_utf8(&mut buf).as_bytes() {
                    self.text(b);
                }
            }
            None => {
                self.text(b'&');
                for &b in &e {
                    self.text(b);
                }
                self.text(b';');
            }
        }
        self.entity = e;
        self.entity.clear();
    }

    /// Acts on a complete tag (`self.tag` holds what was between `<` and
    /// `>`).
    fn end_tag(&mut self) {
        let tag = std::mem::take(&mut self.tag);
        let closing = tag.first() == Some(&b'/');
        let self_closing = tag.last() == Some(&b'/');
        let body = if closing { &tag[1..] } else { &tag[..] };
        let name_end = body
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
            .unwrap_or(body.len());
        let name = &body[..name_end];
        if matches!(name.first(), Some(b'?' | b'!')) {
            self.tag = tag;
            return;
        }
        if let Some(until) = self.suppress {
            if closing && name == until {
                self.suppress = None;
                if self.mode == XmlMode::Sheet && name == b"c" {
                    self.text(b'\t');
                }
            }
            self.tag = tag;
            return;
        }
        let emit = match self.mode {
            XmlMode::Word => match name {
                b"w:tab" | b"w:ptab" if !closing => Some(b'\t'),
                b"w:br" | b"w:cr" if !closing => Some(b'\n'),
                b"w:p" | b"w:tr" if closing => Some(b'\n'),
                b"w:tc" if closing => Some(b'\t'),
                _ => None,
            },
            XmlMode::Sheet => match name {
                b"c" if !closing && !self_closing && is_shared_string_cell(body) => {
                    self.suppress = Some(b"c");
                    None
                }
                b"f" if !closing && !self_closing => {
                    self.suppress = Some(b"f");
                    None
                }
                b"c" if closing => Some(b'\t'),
                b"row" | b"si" | b"comment" if closing => Some(b'\n'),
                _ => None,
            },
            XmlMode::Odf => match name {
                b"text:tab" if !closing => Some(b'\t'),
                b"text:s" if !closing => Some(b' '),
                b"text:line-break" if !closing => Some(b'\n'),
                b"text:p" | b"text:h" | b"table:table-row" if closing => Some(b'\n'),
                b"table:table-cell" if closing => Some(b'\t'),
                _ => None,
            },
            XmlMode::Plain => closing.then_some(b'\n'),
        };
        if let Some(b) = emit {
            self.text(b);
        }
        self.tag = tag;
        self.tag.clear();
    }

    fn flush_at_eof(&mut self) {
        if self.state == State::Entity {
            self.text(b'&');
            let e = std::mem::take(&mut self.entity);
            for &b in &e {
                self.text(b);
            }
        }
        self.state = State::Text;
    }
}

/// `<c r="A1" t="s">`: the cell's value is an index into shared strings.
fn is_shared_string_cell(tag: &[u8]) -> bool {
    memchr::memmem::find(tag, b" t=\"s\"").is_some()
        || memchr::memmem::find(tag, b" t='s'").is_some()
}

impl<R: Read> Read for XmlText<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos >= self.out.len() {
            if self.eof || buf.is_empty() {
                return Ok(0);
            }
            self.out.clear();
            self.out_pos = 0;
            let n = match self.inner.read(&mut self.chunk) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                self.eof = true;
                self.flush_at_eof();
                continue;
            }
            for i in 0..n {
                let b = self.chunk[i];
                self.byte(b);
            }
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(xml: &str, mode: XmlMode) -> String {
        let mut out = String::new();
        XmlText::new(xml.as_bytes(), mode)
            .read_to_string(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn word_runs_join_and_paragraphs_break() {
        let xml = r#"<?xml version="1.0"?><w:document><w:body><w:p><w:r><w:t>Иван</w:t></w:r><w:r><w:t xml:space="preserve"> Пет</w:t></w:r><w:r><w:t>ров</w:t></w:r></w:p><w:p><w:r><w:t>a&amp;b &lt;x&gt; &#1046;&#x416;</w:t><w:tab/><w:t>c</w:t></w:r></w:p></w:body></w:document>"#;
        assert_eq!(text(xml, XmlMode::Word), "Иван Петров\na&b <x> ЖЖ\tc\n");
    }

    #[test]
    fn sheet_cells_are_tab_separated_and_indexes_dropped() {
        let xml = r#"<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>79000000001</v></c><c r="C1"><f>SUM(B1)</f><v>5</v></c></row></sheetData>"#;
        assert_eq!(text(xml, XmlMode::Sheet), "\t79000000001\t5\t\n");
    }

    #[test]
    fn comments_cdata_and_stray_ampersands() {
        let xml = "<p>a<!-- x > y -->b<![CDATA[<c> ]] d]]>e & f &bogusentitytoolong; g</p>";
        assert_eq!(
            text(xml, XmlMode::Odf),
            "ab<c> ]] de & f &bogusentitytoolong; g"
        );
    }

    #[test]
    fn odf_spaces_and_cells() {
        let xml = r#"<office:text><text:p>a<text:s/>b<text:tab/>c</text:p><table:table-row><table:table-cell><text:p>x</text:p></table:table-cell></table:table-row></office:text>"#;
        assert_eq!(text(xml, XmlMode::Odf), "a b\tc\nx\n\t\n");
    }

    #[test]
    fn part_lists() {
        assert_eq!(
            text_part(ContainerKind::Docx, "word/header2.xml"),
            Some(XmlMode::Word)
        );
        assert_eq!(text_part(ContainerKind::Docx, "word/styles.xml"), None);
        assert_eq!(
            text_part(ContainerKind::Xlsx, "xl/worksheets/sheet12.xml"),
            Some(XmlMode::Sheet)
        );
        assert_eq!(
            text_part(ContainerKind::Odt, "meta.xml"),
            Some(XmlMode::Plain)
        );
    }
}
