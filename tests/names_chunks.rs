//! Names and addresses through the chunked stream reader: a long text
//! (several chunks, with lines long enough that chunks end mid-line)
//! yields exactly the findings of one in-memory scan, and no name or
//! address is reported twice or cut at a chunk edge.

use piiscan::detect::{Engine, RuleSet};
use piiscan::source::StreamScanner;
use std::io::Read;

/// Reads in odd-sized pieces, as a pipe might deliver them.
struct Dribble<'a>(&'a [u8], usize);
impl Read for Dribble<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.1.min(out.len()).min(self.0.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

#[test]
fn chunked_names_and_addresses_match_one_pass() {
    let lines = [
        "Клиент Иванов Иван Иванович, адрес: 119021, г. Москва, ул. Льва Толстого, д. 16, кв. 5; ",
        "встреча с Петром Ивановичем Сидоровым, исп. Орлов Д.А.; ",
        "Name: John A. Smith, ship to 1600 Amphitheatre Pkwy, Mountain View, CA 94043; ",
        "passenger Ivanov Ivan Ivanovich; ООО «Ромашка»; Понедельник; ",
    ];
    let mut text = String::new();
    let mut k = 0;
    while text.len() < 700 * 1024 {
        text.push_str(lines[k % lines.len()]);
        // Long lines (no newline for ~40 KB) so chunks also end mid-line.
        if k % 500 == 499 {
            text.push('\n');
        }
        k += 1;
    }
    let engine = Engine::new(RuleSet::builtin()).unwrap();
    let kinds = |rule: &str| rule.starts_with("person") || rule.starts_with("address");
    let mut one: Vec<(u64, u64, String)> = engine
        .scan_text(text.as_bytes())
        .into_iter()
        .map(|d| {
            (
                d.start as u64,
                d.end as u64,
                engine.rules().get(d.rule).id().to_string(),
            )
        })
        .filter(|(_, _, r)| kinds(r))
        .collect();
    one.sort();
    assert!(one.len() > 1000, "{}", one.len());

    let mut s = StreamScanner::default();
    let mut chunked = Vec::new();
    s.scan(
        &engine,
        Dribble(text.as_bytes(), 4093),
        "names.txt",
        None,
        None,
        |l| {
            let rule = engine.rules().get(l.detection.rule).id().to_string();
            if kinds(&rule) {
                chunked.push((l.abs_start, l.abs_end, rule));
            }
        },
    )
    .unwrap()
    .unwrap();
    chunked.sort();
    if chunked != one {
        let a: std::collections::BTreeSet<_> = one.iter().collect();
        let b: std::collections::BTreeSet<_> = chunked.iter().collect();
        let only_one: Vec<_> = a.difference(&b).take(5).collect();
        let only_chunked: Vec<_> = b.difference(&a).take(5).collect();
        panic!(
            "one pass {} vs chunked {}; only in one pass: {only_one:?}; only chunked: {only_chunked:?}",
            one.len(),
            chunked.len()
        );
    }
}
