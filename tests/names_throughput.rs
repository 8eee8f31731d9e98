//! Throughput of the name and address matchers, alone and inside the
//! engine, on a generated mixed Russian/English text (logs, prose, CSV,
//! JSON). Run it in release mode:
//!
//! ```sh
//! cargo test --release --test names_throughput -- --ignored --nocapture
//! ```
//!
//! Ignored by default: it measures, it does not check behaviour.

use piiscan::detect::address::AddressMatcher;
use piiscan::detect::names::NameMatcher;
use piiscan::detect::{Engine, RuleSet, Scratch};
use std::time::Instant;

const RU_FIRST: &[&str] = &[
    "Иван",
    "Анна",
    "Сергей",
    "Ольга",
    "Дмитрий",
    "Елена",
    "Алексей",
    "Мария",
    "Павел",
    "Татьяна",
];
const RU_LAST_M: &[&str] = &[
    "Иванов",
    "Петров",
    "Смирнов",
    "Кузнецов",
    "Волков",
    "Соколов",
];
const RU_PATR_M: &[&str] = &["Иванович", "Сергеевич", "Петрович", "Андреевич"];
const EN_FIRST: &[&str] = &["John", "Mary", "Robert", "Linda", "Michael", "Susan"];
const EN_LAST: &[&str] = &["Smith", "Johnson", "Williams", "Davis", "Miller", "Wilson"];

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.next() % xs.len()]
    }
}

fn corpus(size: usize) -> Vec<u8> {
    let mut r = Lcg(42);
    let mut s = String::with_capacity(size + 1000);
    while s.len() < size {
        let n = r.next() % 100000;
        match r.next() % 10 {
            0..=2 => s.push_str(&format!(
                "2024-01-15T10:23:{:02}.123Z INFO [worker-{}] GET /api/v1/users/{n} 200 {}ms user_id={} Request completed OK\n",
                n % 60,
                n % 8,
                n % 300,
                n * 7
            )),
            3 | 4 => s.push_str(&format!(
                "Клиент {} {} {} обратился в поддержку по вопросу доставки заказа №{n}. Менеджер ответил, что посылка будет доставлена в течение трёх дней, а Служба Качества проверит обращение.\n",
                r.pick(RU_LAST_M),
                r.pick(RU_FIRST),
                r.pick(RU_PATR_M)
            )),
            5 => s.push_str(&format!(
                "Meeting notes: {} {} discussed the Q3 Roadmap with the Customer Success team in New York. Action items were assigned to Engineering.\n",
                r.pick(EN_FIRST),
                r.pick(EN_LAST)
            )),
            6 | 7 => s.push_str(&format!(
                "{n},{} {} {},+7 912 345-{:02}-{:02},user{n}@example.ru,\"г. Москва, ул. Тверская, д. {}, кв. {}\"\n",
                r.pick(RU_LAST_M),
                r.pick(RU_FIRST),
                r.pick(RU_PATR_M),
                n % 100,
                n % 97,
                n % 200 + 1,
                n % 300 + 1
            )),
            8 => s.push_str(&format!(
                "{{\"id\":{n},\"name\":\"{} {}\",\"address\":\"{} Main St, Springfield, IL 62701\",\"status\":\"Active\"}}\n",
                r.pick(EN_FIRST),
                r.pick(EN_LAST),
                n % 2000 + 1
            )),
            _ => s.push_str(
                "В Москве прошла конференция Яндекс Практикум, где выступили Сбербанк, Газпром и Российские Железные Дороги; Новый Год отметили в Понедельник.\n",
            ),
        }
    }
    s.into_bytes()
}

/// Timings per measurement; the best one counts (shared machines are noisy).
const RUNS: usize = 7;

fn mb_s(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / 1e6 / secs
}

/// CPU time of this thread in seconds (`/proc/thread-self/schedstat`),
/// so that other processes on a shared machine do not count; wall time
/// where that file is missing.
fn cpu_now() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Best of `runs` timings of `f` (thread CPU time where available).
fn best(runs: usize, mut f: impl FnMut() -> usize) -> (f64, usize) {
    let mut t = f64::MAX;
    let mut n = 0;
    for _ in 0..runs {
        let (c, w) = (cpu_now(), Instant::now());
        n = f();
        let secs = match (c, cpu_now()) {
            (Some(a), Some(b)) => b - a,
            _ => w.elapsed().as_secs_f64(),
        };
        t = t.min(secs);
    }
    (t, n)
}

#[test]
#[ignore]
fn throughput() {
    let data = corpus(8 << 20);
    let t = Instant::now();
    let names = NameMatcher::new();
    let load = t.elapsed();
    let (load_cpu, _) = best(RUNS, || {
        drop(NameMatcher::new());
        0
    });
    // The Latin transliteration tables are built on the first Latin word.
    let (translit_cpu, _) = best(RUNS, || {
        let m = NameMatcher::new();
        let mut out = Vec::new();
        m.find(b"to Ivan Petrov", 0, 14, &mut out);
        out.len()
    });
    let addr = AddressMatcher::new();
    eprintln!(
        "corpus {:.1} MB; NameMatcher::new {:.1} ms wall, {:.1} ms CPU (best of {RUNS}); MB/s below from thread CPU time",
        data.len() as f64 / 1e6,
        load.as_secs_f64() * 1e3,
        load_cpu * 1e3
    );
    eprintln!(
        "first Latin name builds the transliteration tables: +{:.1} ms CPU",
        (translit_cpu - load_cpu) * 1e3
    );

    let (secs, n) = best(RUNS, || {
        let mut out = Vec::new();
        names.find(&data, 0, data.len(), &mut out);
        out.len()
    });
    eprintln!(
        "names alone:    {:7.1} MB/s ({n} hits)",
        mb_s(data.len(), secs)
    );
    let (secs, n) = best(RUNS, || {
        let mut out = Vec::new();
        addr.find(&data, 0, data.len(), &mut out);
        out.len()
    });
    eprintln!(
        "addresses alone:{:7.1} MB/s ({n} hits)",
        mb_s(data.len(), secs)
    );

    let with = Engine::new(RuleSet::builtin()).unwrap();
    let mut set = RuleSet::builtin();
    set.retain(|r| !r.id().starts_with("person") && !r.id().starts_with("address"));
    let without = Engine::new(set).unwrap();
    for (label, engine) in [("engine without", &without), ("engine with", &with)] {
        let (secs, n) = best(RUNS, || {
            let mut scratch = Scratch::default();
            let mut out = Vec::new();
            // Chunked like the stream reader: 256 KiB scan windows.
            let mut from = 0;
            while from < data.len() {
                let to = (from + (256 << 10)).min(data.len());
                from = engine.scan(&data, from, to, true, &mut scratch, &mut out, None);
            }
            out.len()
        });
        eprintln!(
            "{label:15} {:7.1} MB/s ({n} detections)",
            mb_s(data.len(), secs)
        );
    }
}
