//! Person names: Russian ФИО in every order, case and with initials,
//! Latin transliterations of Russian names, and English first + last
//! names. A dictionary + shape detector, not a statistical model.
//!
//! Owns the embedded name dictionaries (`rules/names/`, see SOURCES.md
//! there), analysing one capitalised word as a possible first name,
//! surname or patronymic (with its gender and grammatical cases), and
//! combining 2–3 neighbouring words and initials into a name by the
//! orderings people write. It does not score confidence: the engine does
//! that with the rules `person.ru`, `person.en` and `person.partial`.
//!
//! Why looked up, not scanned for (DESIGN.md §6): only words that start
//! with a capital letter are examined; a full-text automaton over 45k
//! names measured slower than the rest of the engine together. Each word
//! costs a few hash look-ups, and only when a capitalised neighbour or an
//! initial stands next to it.
//!
//! How a word is read:
//! - first names: inflected forms from the paradigm files (`Анны` → `анна`,
//!   `Павла` → `павел`), so case and gender are known exactly;
//! - surnames: suffix rules undo the case ending (`Ивановой` → `иванова`,
//!   `Толстого` → `толстой`) and the lemma is looked up; a lemma that is not
//!   listed still counts, weakly, when it has a surname suffix
//!   (-ов/-ев/-ин/-ский/-ова/-ская/-енко …);
//! - patronymics: by suffix (-ович/-евич/-овна/-евна/-ична + case endings),
//!   stronger when the lemma is listed (so `Москвич` alone is weak).
//!
//! Parts of one name must agree in gender and case (`Ивановой Анны
//! Сергеевны` is genitive throughout; `Иванова Анна` is feminine). Each part
//! scores 2 (dictionary), or 1 (shape only, or a name that is also a common
//! word: `Вера`, `Роза`, `Will`, `Grant`). A name is strong at 3+ points for
//! two parts and 4+ for three; one point less makes it weak (reported only
//! with a context word or column hint). Two everyday English words
//! (`Mark Brown`) become strong when they stand alone mid-sentence or in a
//! field, not at a sentence start or inside a Title Case run.
//!
//! Unknown surnames score 0 and only complete a name: a declinable
//! Cyrillic word after a first name and a patronymic (`Аркадием
//! Борисовичем Зильберштейном`), or a capitalised Latin word that no
//! dictionary knows, not even SCOWL's word list, after a known first name
//! (`Dwayne Koppen`).
//!
//! A single first name or surname is not a full name: it is reported only
//! right after a strong address word (`Уважаемый Иван`, `Dear John`,
//! `г-н Петров`, `Mr Smith`), as `Strength::Partial`, which the rule
//! `person.partial` keeps at low confidence.
//!
//! Not names: capitalised words in street, city and institution names
//! (after `ул.`, `г.`, `им.`, `проспект`, `St`…), company names in quotes
//! after ООО/АО/LLC, words glued to paths, e-mails or code (`obj.Name`,
//! `Name_1`), and words in mixed case (`JavaScript`).

use super::Norm;
use super::words::{
    FxMap, FxSet, dict_lines, dict_set, fold_in_place, is_upper_at, letter_before, letter_len,
    lower_into,
};
use crate::finding::Signals;

/// Which language's name rules matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ru,
    En,
}

/// How sure the shape alone makes a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    /// A full name with enough dictionary evidence to report on its own.
    Full,
    /// A plausible full name that needs a context word or column hint.
    Weak,
    /// A lone first name or surname after a strong address word.
    Partial,
}

/// One name found in a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameHit {
    /// Half-open byte range covering the whole name (initials' dots too).
    pub start: usize,
    pub end: usize,
    pub lang: Lang,
    pub signals: Signals,
    /// Lower-case, nominative where known, in the order surname, first
    /// name, patronymic (Russian) or first, middle, last (English):
    /// `Ивановой Анны` and `Анна Иванова` give the same fingerprint.
    pub norm: Norm,
    pub strength: Strength,
}

const RU_FIRST_M: &str = include_str!("../../rules/names/ru_first_m.txt");
const RU_FIRST_F: &str = include_str!("../../rules/names/ru_first_f.txt");
const RU_SURNAMES: &str = include_str!("../../rules/names/ru_surnames.txt");
const RU_PATRONYMICS: &str = include_str!("../../rules/names/ru_patronymics.txt");
const RU_COMMON: &str = include_str!("../../rules/names/ru_common.txt");
const EN_FIRST: &str = include_str!("../../rules/names/en_first.txt");
const EN_LAST: &str = include_str!("../../rules/names/en_last.txt");
const EN_COMMON: &str = include_str!("../../rules/names/en_common.txt");
const EN_WORDS: &str = include_str!("../../rules/names/en_words.txt");

// Grammatical cases as bits.
const NOM: u8 = 1;
const GEN: u8 = 2;
const DAT: u8 = 4;
const ACC: u8 = 8;
const INS: u8 = 16;
const LOC: u8 = 32;
const ALL: u8 = 63;
// Genders as bits.
const M: u8 = 1;
const F: u8 = 2;
const MF: u8 = 3;

/// The longest name span we build (bytes); keeps chunk overlaps valid.
pub const MAX_NAME_LEN: usize = 200;
/// The longest word we look up.
const MAX_WORD: usize = 64;

#[derive(Debug, Clone, Copy)]
struct FirstEntry {
    lemma: &'static [u8],
    gender: u8,
    cases: u8,
}

/// Tables only Latin words need: transliteration skeletons of the Russian
/// dictionaries (`Dmitriy`, `Ivanova`) and the English word list.
struct Translit {
    /// First-name skeleton → genders.
    first: FxMap<Box<[u8]>, u8>,
    /// Surname skeletons.
    sur: FxSet<Box<[u8]>>,
    /// English words and proper nouns that are not names (`en_words.txt`).
    en_words: FxSet<&'static [u8]>,
}

impl Translit {
    fn new() -> Translit {
        let mut first: FxMap<Box<[u8]>, u8> = FxMap::default();
        let mut sk = Vec::new();
        for (text, gender) in [(RU_FIRST_M, M), (RU_FIRST_F, F)] {
            for line in dict_lines(text) {
                let nom = line.split([' ', '/']).next().unwrap_or(line);
                skeleton_cyr(nom.as_bytes(), &mut sk);
                *first.entry(sk.clone().into_boxed_slice()).or_insert(0) |= gender;
            }
        }
        let mut sur: FxSet<Box<[u8]>> = FxSet::default();
        sur.reserve(RU_SURNAMES.len() / 16);
        for w in dict_lines(RU_SURNAMES) {
            skeleton_cyr(w.as_bytes(), &mut sk);
            sur.insert(sk.clone().into_boxed_slice());
        }
        Translit {
            first,
            sur,
            en_words: dict_set(EN_WORDS),
        }
    }
}

/// The matcher: embedded dictionaries, built once, shared by all threads.
pub struct NameMatcher {
    /// Inflected first-name form → range in `first_entries`.
    first: FxMap<&'static [u8], (u32, u32)>,
    first_entries: Vec<FirstEntry>,
    surnames: FxSet<&'static [u8]>,
    patronymics: FxSet<&'static [u8]>,
    ru_common: FxSet<&'static [u8]>,
    en_first: FxSet<&'static [u8]>,
    en_last: FxSet<&'static [u8]>,
    en_common: FxSet<&'static [u8]>,
    /// Transliteration skeletons of Russian first names → genders.
    /// Built on first use: Russian-only inputs never pay for it.
    tr: std::sync::OnceLock<Translit>,
    /// Words before a sequence: places, forms of address, titles.
    cues: FxMap<&'static [u8], Cue>,
    /// Per byte length (up to 24), the last bytes of the cue words of
    /// that length: most words before a capital are rejected by this
    /// before they are lower-cased and looked up.
    cue_tails: Box<[[u64; 4]; 25]>,
    /// The `tail_key`s of the cue words, hashed into a bitmap: the words
    /// before most capitals are rejected by their last three letters before
    /// they are walked over (see `prev_word`).
    cue_ends: Box<[u64; CUE_END_WORDS]>,
}

impl std::fmt::Debug for NameMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NameMatcher")
            .field("first_forms", &self.first.len())
            .field("surnames", &self.surnames.len())
            .field("en_first", &self.en_first.len())
            .field("en_last", &self.en_last.len())
            .finish_non_exhaustive()
    }
}

impl Default for NameMatcher {
    fn default() -> Self {
        NameMatcher::new()
    }
}

// ------------------------------------------------------------------ tokens

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Cyr,
    Lat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokKind {
    Word,
    /// One capital letter and a dot: `И.`, `J.`
    Initial,
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    start: usize,
    end: usize,
    kind: TokKind,
    script: Script,
    /// Written in capitals throughout (`ИВАНОВ`).
    caps: bool,
}

/// Roles a word or initial can play in a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    First,
    Sur,
    Patr,
    /// One or two initials (`И.`, `И.И.`, `И. И.`).
    Init,
}

#[derive(Debug, Clone, Copy)]
enum Lemma {
    Dict(&'static [u8]),
    /// The lower-cased word's first `keep` bytes plus `add`.
    Derived {
        keep: u8,
        add: &'static str,
    },
}

#[derive(Debug, Clone, Copy)]
struct Reading {
    role: Role,
    gender: u8,
    cases: u8,
    score: u8,
    /// Came from Russian rules (decides `Lang` for Latin names).
    ru: bool,
    lemma: Lemma,
}

const MAX_READINGS: usize = 16;

#[derive(Clone, Copy)]
struct Readings {
    r: [Option<Reading>; MAX_READINGS],
    n: usize,
}

impl Readings {
    fn new() -> Readings {
        Readings {
            r: [None; MAX_READINGS],
            n: 0,
        }
    }
    fn push(&mut self, x: Reading) {
        if self.n < MAX_READINGS {
            self.r[self.n] = Some(x);
            self.n += 1;
        }
    }
    fn iter(&self) -> impl Iterator<Item = &Reading> {
        self.r[..self.n].iter().flatten()
    }
}

/// One word or initial group of a candidate sequence, analysed.
#[derive(Clone, Copy)]
struct Part {
    start: usize,
    end: usize,
    script: Script,
    caps: bool,
    is_init: bool,
    readings: Readings,
}

/// What a word before a capitalised sequence says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    /// A street, place, institution or company word: not a person.
    Place,
    /// A form of address before a first name (`Уважаемый`, `Dear`).
    First,
    /// A title before a surname (`г-н`, `Mr`).
    Surname,
    /// A role before a first name or a surname (`Оператор Анна`,
    /// `менеджер Петров`).
    Role,
}

/// Word analyses of one `find` call, keyed by the word's bytes.
///
/// Why by content: a word's readings depend on its bytes alone (script,
/// caps and length are read off them), and real inputs repeat the same
/// few hundred capitalised words (`Оператор`, `Windows`, the same
/// customers' names) tens of thousands of times; an analysis costs ~3,000
/// instructions, a look-up ~100. The old cache (the last four start
/// offsets) hit once in a thousand.
struct Cache<'b> {
    /// Word → index in `readings`: the map's entries stay small, so
    /// growing it moves no 520-byte `Readings` around.
    words: FxMap<&'b [u8], u32>,
    readings: Vec<Readings>,
    /// `read_token` at the word after the last sequence's first word:
    /// (offset, result). `read_token` depends on the buffer and offset
    /// alone, so reusing it is exact.
    next_tok: Option<(usize, Option<Tok>)>,
    /// Scratch for transliteration skeletons.
    sk: Vec<u8>,
}

/// Entries kept before the word cache starts over (bounds its memory to
/// about 2 MiB on inputs with many distinct capitalised words).
const CACHE_WORDS: usize = 4096;

impl Default for Cache<'_> {
    fn default() -> Self {
        Cache {
            words: FxMap::default(),
            readings: Vec::new(),
            next_tok: None,
            sk: Vec::with_capacity(MAX_WORD + 8),
        }
    }
}

/// Tokens of one candidate sequence (at most this many).
const MAX_SEQ: usize = 4;

/// Name patterns, longest first. The matcher takes the longest that fits.
const RU_PATTERNS: &[&[Role]] = &[
    &[Role::Sur, Role::First, Role::Patr],
    &[Role::First, Role::Patr, Role::Sur],
    &[Role::Sur, Role::First, Role::Init],
    &[Role::Init, Role::Sur],
    &[Role::Sur, Role::Init],
    &[Role::First, Role::Patr],
    &[Role::Sur, Role::First],
    &[Role::First, Role::Sur],
];
const LAT_PATTERNS: &[&[Role]] = &[
    &[Role::Sur, Role::First, Role::Patr],
    &[Role::First, Role::Patr, Role::Sur],
    &[Role::First, Role::Init, Role::Sur],
    &[Role::First, Role::First, Role::Sur],
    &[Role::First, Role::Patr],
    &[Role::First, Role::Sur],
    &[Role::Sur, Role::First],
    &[Role::Init, Role::Sur],
    &[Role::Sur, Role::Init],
];

/// Words that, right before a capitalised sequence, make it a place, an
/// institution or a company rather than a person (lower case, no dot).
const PLACE_MARKERS: &[&str] = &[
    "ул",
    "улица",
    "улице",
    "улицы",
    "пр",
    "пр-т",
    "пр-кт",
    "просп",
    "проспект",
    "проспекте",
    "пер",
    "переулок",
    "переулке",
    "пл",
    "площадь",
    "площади",
    "б-р",
    "бул",
    "бульвар",
    "наб",
    "набережная",
    "ш",
    "шоссе",
    "им",
    "имени",
    "г",
    "гор",
    "город",
    "городе",
    "пос",
    "поселок",
    "пгт",
    "с",
    "д",
    "п",
    "село",
    "дер",
    "деревня",
    "мкр",
    "р-н",
    "район",
    "обл",
    "область",
    "край",
    "респ",
    "республика",
    "ст",
    "станция",
    "метро",
    "м",
    "пр-д",
    "проезд",
    "тупик",
    "аллея",
    "ооо",
    "оао",
    "зао",
    "пао",
    "ао",
    "нко",
    "гуп",
    "муп",
    "фгуп",
    "тк",
    "тц",
    "трц",
    "бц",
    "жк",
    "кафе",
    "ресторан",
    "магазин",
    "отель",
    "гостиница",
    "st",
    "street",
    "ave",
    "avenue",
    "rd",
    "road",
    "blvd",
    "boulevard",
    "ln",
    "lane",
    "drive",
    "llc",
    "inc",
    "ltd",
    "corp",
    // Vehicles: `а/м Kia Rio` is a car model.
    "а/м",
    "автомобиль",
    "автомобиля",
    "авто",
    "марка",
    "модель",
    "car",
    "model",
    "vehicle",
    "university",
    "school",
    "hotel",
    "airport",
    "station",
    "hospital",
    "mount",
    "mt",
    "lake",
    "fort",
    "port",
    "saint",
    "san",
    "santa",
    "los",
    "las",
    "new",
    "north",
    "south",
    "east",
    "west",
];

/// Strong address words before a lone first name (lower case, no dot).
const FIRST_NAME_CUES: &[&str] = &[
    "уважаемый",
    "уважаемая",
    "дорогой",
    "дорогая",
    "здравствуйте",
    "привет",
    "dear",
    "hi",
    "hello",
];
/// Roles that name the person right after them.
const ROLE_CUES: &[&str] = &[
    "оператор",
    "менеджер",
    "специалист",
    "консультант",
    "курьер",
    "сотрудник",
    "сотрудница",
    "коллега",
    "colleague",
];

/// Strong address words before a lone surname.
const SURNAME_CUES: &[&str] = &[
    "г-н",
    "г-жа",
    "господин",
    "госпожа",
    "гр",
    "гражданин",
    "гражданка",
    "тов",
    "товарищ",
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
];

impl NameMatcher {
    /// Loads the embedded dictionaries (about 10 ms; build it once).
    pub fn new() -> NameMatcher {
        let mut entries: Vec<(&'static [u8], FirstEntry)> = Vec::with_capacity(40_000);
        for (text, gender) in [(RU_FIRST_M, M), (RU_FIRST_F, F)] {
            for line in dict_lines(text) {
                let mut slots = line.split(' ');
                let Some(nom) = slots.clone().next() else {
                    continue;
                };
                let lemma = nom.split('/').next().unwrap_or(nom).as_bytes();
                for (k, slot) in slots.by_ref().take(6).enumerate() {
                    for form in slot.split('/').filter(|f| !f.is_empty()) {
                        entries.push((
                            form.as_bytes(),
                            FirstEntry {
                                lemma,
                                gender,
                                cases: 1 << k,
                            },
                        ));
                    }
                }
            }
        }
        // Merge the case bits of one (form, lemma, gender) and index forms.
        entries.sort_by(|a, b| (a.0, a.1.lemma, a.1.gender).cmp(&(b.0, b.1.lemma, b.1.gender)));
        let mut first_entries: Vec<FirstEntry> = Vec::with_capacity(entries.len());
        let mut first: FxMap<&'static [u8], (u32, u32)> = FxMap::default();
        first.reserve(entries.len());
        let mut prev: Option<(&[u8], &[u8], u8)> = None;
        for (form, e) in entries {
            if prev == Some((form, e.lemma, e.gender)) {
                if let Some(last) = first_entries.last_mut() {
                    last.cases |= e.cases;
                }
                continue;
            }
            prev = Some((form, e.lemma, e.gender));
            let idx = first_entries.len() as u32;
            first_entries.push(e);
            first
                .entry(form)
                .and_modify(|r| r.1 = idx + 1)
                .or_insert((idx, idx + 1));
        }

        let surnames = dict_set(RU_SURNAMES);
        let mut cues = FxMap::default();
        for (list, cue) in [
            (FIRST_NAME_CUES, Cue::First),
            (SURNAME_CUES, Cue::Surname),
            (ROLE_CUES, Cue::Role),
            (PLACE_MARKERS, Cue::Place),
        ] {
            for w in list {
                cues.entry(w.as_bytes()).or_insert(cue);
            }
        }
        let mut cue_tails = Box::new([[0u64; 4]; 25]);
        for w in cues.keys() {
            if let (Some(&last), Some(tails)) = (w.last(), cue_tails.get_mut(w.len())) {
                tails[usize::from(last) / 64] |= 1 << (last % 64);
            }
        }
        let mut cue_ends = Box::new([0u64; CUE_END_WORDS]);
        for w in cues.keys() {
            let bit = cue_end_bit(tail_key(w, w.len()));
            cue_ends[bit / 64] |= 1 << (bit % 64);
        }
        NameMatcher {
            cues,
            cue_tails,
            cue_ends,
            first,
            first_entries,
            surnames,
            patronymics: dict_set(RU_PATRONYMICS),
            ru_common: dict_set(RU_COMMON),
            en_first: dict_set(EN_FIRST),
            en_last: dict_set(EN_LAST),
            en_common: dict_set(EN_COMMON),
            tr: std::sync::OnceLock::new(),
        }
    }

    /// Finds names whose first word starts in `buf[from..to]`, appending
    /// them to `out` in order. Words after `to` may complete a name.
    pub fn find(&self, buf: &[u8], from: usize, to: usize, out: &mut Vec<NameHit>) {
        let to = to.min(buf.len());
        let mut lower = Vec::with_capacity(MAX_WORD);
        let mut cache = Cache::default();
        let mut i = from;
        while i < to {
            // Skip to a capital letter that starts a word.
            i = next_name_start(buf, i, to);
            if i >= to {
                break;
            }
            // A failed match restarts at its first word's end, so the next
            // start is most often the second word it read: reuse that read.
            let first = match cache.next_tok.take() {
                Some((at, t)) if at == i => t,
                _ => read_token(buf, i),
            };
            let Some(first) = first else {
                i = skip_word(buf, i);
                continue;
            };
            match self.match_at(buf, first, &mut lower, &mut cache) {
                Some(hit) => {
                    i = hit.end;
                    out.push(hit);
                }
                None => i = first.end.max(i + 1),
            }
        }
    }

    /// Tries to build a name starting with token `t0`.
    fn match_at<'b>(
        &self,
        buf: &'b [u8],
        t0: Tok,
        lower: &mut Vec<u8>,
        cache: &mut Cache<'b>,
    ) -> Option<NameHit> {
        // Collect the sequence of capitalised words / initials after t0.
        let mut toks = [t0; MAX_SEQ + 1];
        let mut n = 1;
        while n < MAX_SEQ {
            let prev = toks[n - 1];
            let Some(next_start) = gap_after(buf, prev) else {
                break;
            };
            let read = read_token(buf, next_start);
            if n == 1 {
                cache.next_tok = Some((next_start, read));
            }
            let Some(t) = read else {
                break;
            };
            if t.script != t0.script || t.end - t0.start > MAX_NAME_LEN {
                break;
            }
            toks[n] = t;
            n += 1;
        }
        // A lone word (or one `И.И.` group) is only worth a look after a cue
        // word. Decided from the tokens, before the parts are built: most
        // capitalised words stand alone (sentence starts, product names),
        // and building the four parts (their readings arrays, ~2 KiB) first
        // cost more than the cue check that then rejected them; callgrind
        // put the copies and their memset/memcpy at ~3 % of a scan.
        let single =
            n == 1 || (n == 2 && t0.kind == TokKind::Initial && toks[1].kind == TokKind::Initial);
        let mut cue = None;
        if single {
            if t0.kind == TokKind::Initial {
                return None;
            }
            // A short ALL-CAPS word (`GET`, `API`) scores at most 1 in
            // `analyse`, and a lone word after a cue needs 2: no cue makes
            // it a name, so its cue is not looked for.
            if t0.caps && t0.end - t0.start <= 3 {
                return None;
            }
            cue = match self.cue_before(buf, t0.start, lower) {
                Some(Cue::Place) | None => return None,
                c => c,
            };
        }
        // Group initials: `И.И.` / `И. И.` is one part.
        let blank = Part {
            start: t0.start,
            end: t0.end,
            script: t0.script,
            caps: false,
            is_init: false,
            readings: Readings::new(),
        };
        let mut all = [blank; MAX_SEQ];
        let mut np = 0;
        let mut k = 0;
        while k < n {
            let t = toks[k];
            let part = &mut all[np];
            part.start = t.start;
            part.script = t.script;
            if t.kind == TokKind::Initial {
                let mut e = t.end;
                let mut count = 1u8;
                while k + 1 < n && toks[k + 1].kind == TokKind::Initial && count < 2 {
                    k += 1;
                    e = toks[k].end;
                    count += 1;
                }
                part.readings.push(Reading {
                    role: Role::Init,
                    gender: MF,
                    cases: ALL,
                    score: count,
                    ru: t.script == Script::Cyr,
                    lemma: Lemma::Dict(b""),
                });
                part.end = e;
                part.caps = true;
                part.is_init = true;
            } else {
                part.end = t.end;
                part.caps = t.caps;
            }
            np += 1;
            k += 1;
        }
        let parts = &mut all[..np];
        debug_assert_eq!(parts.len() == 1, single);
        // Analyse lazily: nothing can start at a word that is no name part.
        if !parts[0].is_init {
            self.analyse_cached(buf, &mut parts[0], lower, cache);
            // Score-0 readings (unknown surnames) only ever start a
            // three-part name.
            // With a fourth word (`Получатель Павел Олегович Соколов`) the
            // name more likely starts at the second one.
            let useful = parts[0].readings.iter().any(|r| r.score > 0);
            if !useful && (parts.len() != 3 || parts[0].readings.n == 0) {
                return None;
            }
        }
        if parts.len() > 1 {
            // Places and companies: `ул. Льва Толстого`, `ООО «Иван Петров»`.
            cue = match self.cue_before(buf, t0.start, lower) {
                Some(Cue::Place) => return None,
                c => c,
            };
            for p in parts[1..].iter_mut() {
                if !p.is_init {
                    self.analyse_cached(buf, p, lower, cache);
                }
            }
        }
        let script = t0.script;
        let patterns = if script == Script::Cyr {
            RU_PATTERNS
        } else {
            LAT_PATTERNS
        };
        for pat in patterns {
            if pat.len() > parts.len() {
                continue;
            }
            if let Some(hit) = self.try_pattern(buf, &parts[..pat.len()], pat, lower) {
                return Some(hit);
            }
        }
        // A lone first name or surname after a strong cue word.
        let p = &parts[0];
        if let Some(cue) = cue
            && !p.is_init
        {
            let wanted = |r: &Reading| match cue {
                Cue::First => r.role == Role::First,
                Cue::Surname => r.role == Role::Sur,
                Cue::Role => matches!(r.role, Role::First | Role::Sur),
                Cue::Place => false,
            };
            // First names before surnames (`Оператор Анна`).
            let best = p
                .readings
                .iter()
                .filter(|r| wanted(r) && r.score >= 2)
                .max_by_key(|r| (r.score, r.role == Role::First))
                .copied()?;
            let mut norm = Vec::new();
            push_lemma(buf, p, &best, lower, &mut norm);
            return Some(NameHit {
                start: p.start,
                end: p.end,
                lang: if script == Script::Cyr || best.ru {
                    Lang::Ru
                } else {
                    Lang::En
                },
                signals: Signals::DICTIONARY,
                norm: norm.into(),
                strength: Strength::Partial,
            });
        }
        None
    }

    /// What the word before `start` says about a name there.
    fn cue_before(&self, buf: &[u8], start: usize, lower: &mut Vec<u8>) -> Option<Cue> {
        let dot = prev_word(buf, start, &self.cue_tails, &self.cue_ends, lower)?;
        let cue = *self.cues.get(lower.as_slice())?;
        // One-letter abbreviations (`г.`, `с.`, `м.`) count only with their
        // dot: `с Петром` is a person.
        (dot || lower.len() > 2).then_some(cue)
    }

    /// Fills a word's readings, reusing an earlier analysis of the same
    /// bytes (see `Cache`).
    fn analyse_cached<'b>(
        &self,
        buf: &'b [u8],
        p: &mut Part,
        lower: &mut Vec<u8>,
        cache: &mut Cache<'b>,
    ) {
        let word = &buf[p.start..p.end];
        if let Some(&k) = cache.words.get(word) {
            // `p.readings` is empty here (parts start blank), so copying
            // the used entries gives the same value as copying all 16.
            let r = &cache.readings[k as usize];
            p.readings.r[..r.n].copy_from_slice(&r.r[..r.n]);
            p.readings.n = r.n;
            return;
        }
        self.analyse(buf, p, lower, &mut cache.sk);
        if cache.words.len() >= CACHE_WORDS {
            cache.words.clear();
            cache.readings.clear();
        }
        cache.words.insert(word, cache.readings.len() as u32);
        cache.readings.push(p.readings);
    }

    /// Fills a word's readings.
    fn analyse(&self, buf: &[u8], p: &mut Part, lower: &mut Vec<u8>, sk: &mut Vec<u8>) {
        let word = &buf[p.start..p.end];
        if word.len() > MAX_WORD {
            return;
        }
        lower_into(word, lower);
        let w = lower.as_slice();
        match p.script {
            Script::Cyr => {
                self.first_readings(w, &mut p.readings);
                self.surname_readings(w, &mut p.readings);
                self.patronymic_readings(w, &mut p.readings);
            }
            Script::Lat => self.latin_readings(w, &mut p.readings, sk),
        }
        if p.caps {
            // ALL-CAPS words (ИВАНОВ) are common in exports but so are
            // acronyms: short ones count less.
            if p.end - p.start <= 3 {
                for r in p.readings.r.iter_mut().flatten() {
                    r.score = r.score.min(1);
                }
            }
        }
    }

    fn first_readings(&self, w: &[u8], out: &mut Readings) {
        // Double first names (Анна-Мария): both parts must be names; the
        // last one declines.
        if !self.first.contains_key(w)
            && let Some(h) = w.iter().position(|&c| c == b'-')
            && self.first.contains_key(&w[..h])
        {
            let mut last = Readings::new();
            self.first_readings(&w[h + 1..], &mut last);
            for r in last.iter() {
                out.push(Reading {
                    lemma: Lemma::Derived {
                        keep: w.len().min(255) as u8,
                        add: "",
                    },
                    ..*r
                });
            }
            return;
        }
        if let Some(&(a, b)) = self.first.get(w) {
            for e in &self.first_entries[a as usize..b as usize] {
                let common = self.ru_common.contains(e.lemma);
                out.push(Reading {
                    role: Role::First,
                    gender: e.gender,
                    cases: e.cases,
                    score: if common { 1 } else { 2 },
                    ru: true,
                    lemma: Lemma::Dict(e.lemma),
                });
            }
        }
    }

    fn surname_readings(&self, w: &[u8], out: &mut Readings) {
        // Hyphenated surnames: the last part carries case and gender, the
        // first part must look like a surname (or be listed) too.
        if let Some(h) = w.iter().rposition(|&c| c == b'-') {
            let (a, b) = (&w[..h], &w[h + 1..]);
            let mut first_part = Readings::new();
            self.surname_readings(a, &mut first_part);
            let mut last = Readings::new();
            self.surname_readings(b, &mut last);
            let a_ok = first_part.n > 0 || self.first.contains_key(a);
            for r in last.iter() {
                if a_ok {
                    out.push(Reading {
                        lemma: Lemma::Derived {
                            keep: w.len().min(255) as u8,
                            add: "",
                        },
                        ..*r
                    });
                }
            }
            return;
        }
        let letters = w.len() / 2;
        if letters < 3 {
            return;
        }
        let mut cand = [0u8; MAX_WORD + 8];
        for rule in SURNAME_RULES {
            let Some(stem) = strip(w, rule.strip.as_bytes()) else {
                continue;
            };
            if stem.len() < 4 {
                continue;
            }
            let add = rule.add.as_bytes();
            let len = stem.len() + add.len();
            if len > cand.len() {
                continue;
            }
            cand[..stem.len()].copy_from_slice(stem);
            cand[stem.len()..len].copy_from_slice(add);
            let lemma = &cand[..len];
            if !rule.family.fits(lemma) {
                continue;
            }
            let listed = self.surname_listed(lemma);
            let shaped = rule.family.shaped(lemma);
            // Any declinable word may be a surname we do not know
            // (Зильберштейном), but only as the third part next to a first
            // name and a patronymic: score 0.
            // Agent nouns (получатель, заявитель) are not surnames.
            let unknown = matches!(rule.family, Family::Consonant | Family::SoftSign)
                && !ends(lemma, "тель".as_bytes());
            if !listed && !shaped && !unknown {
                continue;
            }
            let common = listed && self.ru_common.contains(lemma);
            let score = match (listed, common, shaped) {
                (true, false, _) => 2,
                (true, true, _) | (false, _, true) => 1,
                _ => 0,
            };
            out.push(Reading {
                role: Role::Sur,
                gender: rule.gender,
                cases: rule.cases,
                score,
                ru: true,
                lemma: Lemma::Derived {
                    keep: stem.len().min(255) as u8,
                    add: rule.add,
                },
            });
        }
    }

    /// Is a surname lemma listed (directly or via its masculine form)?
    fn surname_listed(&self, lemma: &[u8]) -> bool {
        if self.surnames.contains(lemma) {
            return true;
        }
        for suf in ["ова", "ева", "ина", "ына"] {
            if ends(lemma, suf.as_bytes()) {
                return self.surnames.contains(&lemma[..lemma.len() - 2]);
            }
        }
        for (f, m) in [("ская", "ский"), ("цкая", "цкий")] {
            if let Some(stem) = strip(lemma, f.as_bytes()) {
                let mut v = stem.to_vec();
                v.extend_from_slice(m.as_bytes());
                return self.surnames.contains(v.as_slice());
            }
        }
        false
    }

    fn patronymic_readings(&self, w: &[u8], out: &mut Readings) {
        if w.len() < 10 {
            return;
        }
        // Masculine: lemma ends in -ич; endings "", а, у, ем, е.
        for (end, cases) in [
            ("", NOM),
            ("а", GEN | ACC),
            ("у", DAT),
            ("ем", INS),
            ("е", LOC),
        ] {
            let Some(lemma) = strip(w, end.as_bytes()) else {
                continue;
            };
            if !ends(lemma, "ич".as_bytes()) {
                continue;
            }
            let listed = self.patronymics.contains(lemma);
            let shaped = ends(lemma, "ович".as_bytes()) || ends(lemma, "евич".as_bytes());
            if listed || shaped {
                out.push(Reading {
                    role: Role::Patr,
                    gender: M,
                    cases,
                    score: if listed { 2 } else { 1 },
                    ru: true,
                    lemma: Lemma::Derived {
                        keep: lemma.len().min(255) as u8,
                        add: "",
                    },
                });
            }
        }
        // Feminine: stem -овн/-евн/-ичн + а, ы, е, у, ой, ою.
        for (end, cases) in [
            ("а", NOM),
            ("ы", GEN),
            ("е", DAT | LOC),
            ("у", ACC),
            ("ой", INS),
            ("ою", INS),
        ] {
            let Some(stem) = strip(w, end.as_bytes()) else {
                continue;
            };
            if !(ends(stem, "овн".as_bytes())
                || ends(stem, "евн".as_bytes())
                || ends(stem, "ичн".as_bytes()))
            {
                continue;
            }
            let mut lemma = [0u8; MAX_WORD + 2];
            let len = stem.len() + 2;
            if len > lemma.len() {
                continue;
            }
            lemma[..stem.len()].copy_from_slice(stem);
            lemma[stem.len()..len].copy_from_slice("а".as_bytes());
            let listed = self.patronymics.contains(&lemma[..len]);
            out.push(Reading {
                role: Role::Patr,
                gender: F,
                cases,
                score: if listed { 2 } else { 1 },
                ru: true,
                lemma: Lemma::Derived {
                    keep: stem.len().min(255) as u8,
                    add: "а",
                },
            });
        }
    }

    fn latin_readings(&self, w: &[u8], out: &mut Readings, sk: &mut Vec<u8>) {
        // The census lists spell O'Neil as ONEIL.
        let mut plain = [0u8; MAX_WORD];
        let w = if w.contains(&b'\'') && w.len() <= MAX_WORD {
            let mut n = 0;
            for &c in w.iter().filter(|&&c| c != b'\'') {
                plain[n] = c;
                n += 1;
            }
            &plain[..n]
        } else {
            w
        };
        let dict = |score_common: bool| if score_common { 1 } else { 2 };
        let common = self.en_common.contains(w);
        let word = Lemma::Derived {
            keep: w.len().min(255) as u8,
            add: "",
        };
        let base = Reading {
            role: Role::First,
            gender: MF,
            cases: ALL,
            score: 2,
            ru: false,
            lemma: word,
        };
        if self.en_first.contains(w) {
            out.push(Reading {
                score: dict(common),
                ..base
            });
        }
        if self.en_last.contains(w) {
            out.push(Reading {
                role: Role::Sur,
                score: dict(common),
                ..base
            });
        }
        skeleton_lat(w, sk);
        let tr = self.tr.get_or_init(Translit::new);
        if let Some(&g) = tr.first.get(sk.as_slice()) {
            out.push(Reading {
                gender: g,
                ru: true,
                score: dict(common),
                ..base
            });
        }
        // Russian surnames in Latin: listed skeletons, or the suffixes.
        let fem = [
            "ova", "eva", "ina", "yna", "skaya", "skaia", "tskaya", "aya",
        ];
        let masc = ["ov", "ev", "in", "yn", "sky", "skiy", "skii", "skij", "ski"];
        let any = ["enko", "chuk", "yuk", "iuk", "shvili", "dze", "yan", "ian"];
        let gender = if fem.iter().any(|s| ends(w, s.as_bytes())) {
            F
        } else if masc.iter().any(|s| ends(w, s.as_bytes())) {
            M
        } else {
            MF
        };
        let shaped = gender != MF || any.iter().any(|s| ends(w, s.as_bytes()));
        let listed = tr.sur.contains(sk.as_slice()) || {
            // Feminine -ova/-eva/-ina: the masculine skeleton is listed.
            gender == F && sk.len() > 4 && tr.sur.contains(&sk[..sk.len() - 1])
        };
        if (listed || shaped) && w.len() >= 4 {
            out.push(Reading {
                role: Role::Sur,
                gender,
                ru: true,
                score: if listed && !common { 2 } else { 1 },
                ..base
            });
        } else if w.len() >= 3
            && !common
            && !self.en_last.contains(w)
            && !self.en_first.contains(w)
            && !tr.en_words.contains(w)
        {
            // A surname we do not know (Koppen): score 0, only after a
            // known first name, mid-sentence or alone in a field.
            out.push(Reading {
                role: Role::Sur,
                ru: false,
                score: 0,
                ..base
            });
        }
        // Patronymics: -ovich/-evich/-ovna/-evna/-ichna (+ -yevich spellings).
        let pm = ["ovich", "evich"];
        let pf = ["ovna", "evna", "ichna"];
        if w.len() >= 7 {
            let g = if pm.iter().any(|s| ends(w, s.as_bytes())) {
                M
            } else if pf.iter().any(|s| ends(w, s.as_bytes())) {
                F
            } else {
                0
            };
            if g != 0 {
                out.push(Reading {
                    role: Role::Patr,
                    gender: g,
                    ru: true,
                    score: 2,
                    ..base
                });
            }
        }
        // Ilyich, Kuzmich, Fomich: weaker, -ich alone is common in surnames.
        if w.len() >= 5 && ends(w, b"ich") && !ends(w, b"vich") {
            out.push(Reading {
                role: Role::Patr,
                gender: M,
                ru: true,
                score: 1,
                ..base
            });
        }
    }

    /// The best agreeing assignment of `pat` to `parts`, if strong enough.
    fn try_pattern(
        &self,
        buf: &[u8],
        parts: &[Part],
        pat: &[Role],
        lower: &mut Vec<u8>,
    ) -> Option<NameHit> {
        let latin = parts[0].script == Script::Lat;
        // `Ivanov Ivan`, `Ivanova A.S.` (surname first) are a Russian
        // habit, not an English one: the words must read as Russian
        // (initials say nothing either way).
        let ru_only = latin && (pat == [Role::Sur, Role::First] || pat == [Role::Sur, Role::Init]);
        let mut best: Option<(u32, [Reading; 3])> = None;
        let pick = |i: usize| parts[i].readings.iter().filter(move |r| r.role == pat[i]);
        let mut consider = |rs: &[Reading]| {
            let mut g = MF;
            let mut c = ALL;
            let mut score = 0u32;
            for r in rs {
                g &= r.gender;
                c &= r.cases;
                score += r.score as u32;
            }
            if g == 0 || c == 0 || (ru_only && !rs.iter().all(|r| r.ru || r.role == Role::Init)) {
                return;
            }
            // Unknown-shape surnames only complete a first name + patronymic,
            // or (Latin) a dictionary first name: `Dwayne Koppen`.
            let zero_ok = if latin {
                rs.len() == 2 && rs[0].role == Role::First && rs[0].score >= 2
            } else {
                rs.len() == 3 && rs.iter().filter(|r| r.score >= 2).count() == 2
            };
            if rs.iter().any(|r| r.score == 0) && !zero_ok {
                return;
            }
            // Prefer nominative readings on ties (`Иванова Анна`).
            let key = score * 2 + u32::from(c & NOM != 0);
            if best.as_ref().is_none_or(|(k, _)| key > *k) {
                let mut arr = [rs[0]; 3];
                arr[..rs.len()].copy_from_slice(rs);
                best = Some((key, arr));
            }
        };
        match pat.len() {
            2 => {
                for a in pick(0) {
                    for b in pick(1) {
                        consider(&[*a, *b]);
                    }
                }
            }
            3 => {
                for a in pick(0) {
                    for b in pick(1) {
                        for c in pick(2) {
                            consider(&[*a, *b, *c]);
                        }
                    }
                }
            }
            _ => return None,
        }
        let (key, rs) = best?;
        let rs = &rs[..pat.len()];
        let score = key / 2;
        let (strong_at, weak_at) = if pat.len() == 3 { (4, 3) } else { (3, 2) };
        let mut strength = if score >= strong_at {
            Strength::Full
        } else if score >= weak_at {
            Strength::Weak
        } else {
            return None;
        };
        // Latin: ALL CAPS or initials-only names need full dictionary
        // support (acronyms and headings are everywhere in logs).
        if latin
            && (parts.iter().any(|p| p.caps && !p.is_init) || pat[0] == Role::Init)
            && strength == Strength::Full
            && rs.iter().any(|r| r.score < 2)
        {
            strength = Strength::Weak;
        }
        // `Mark Brown` (two everyday words) mid-sentence or alone in a field
        // is a name; the same pair at a sentence start or in a Title Case
        // heading is not sure.
        if latin
            && pat.len() == 2
            && strength == Strength::Weak
            && !is_month(&buf[parts[0].start..parts[0].end])
            && isolated(buf, parts[0].start, parts[1].end)
        {
            strength = Strength::Full;
        }
        let ru = rs
            .iter()
            .any(|r| r.ru && matches!(r.role, Role::Sur | Role::Patr))
            || parts[0].script == Script::Cyr;
        let start = parts[0].start;
        let end = parts[pat.len() - 1].end;
        let mut signals = Signals::DICTIONARY;
        if parts[..pat.len()].iter().any(|p| p.is_init) {
            signals.insert(Signals::FORMATTED);
        }
        let mut norm = Vec::with_capacity(end - start);
        // Canonical order: Russian surname, first, patronymic; English as written.
        let order: [Role; 4] = if ru {
            [Role::Sur, Role::First, Role::Init, Role::Patr]
        } else {
            [Role::First, Role::Init, Role::Patr, Role::Sur]
        };
        for role in order {
            for (i, r) in rs.iter().enumerate() {
                if r.role == role {
                    if !norm.is_empty() {
                        norm.push(b' ');
                    }
                    push_lemma(buf, &parts[i], r, lower, &mut norm);
                }
            }
        }
        Some(NameHit {
            start,
            end,
            lang: if ru { Lang::Ru } else { Lang::En },
            signals,
            norm: norm.into(),
            strength,
        })
    }
}

/// Month names that are also first names (`May Day`, `June Lake`): never
/// promoted to a full name without context.
fn is_month(w: &[u8]) -> bool {
    ["may", "june", "april", "august"]
        .iter()
        .any(|m| m.as_bytes().eq_ignore_ascii_case(w))
}

/// Is `buf[start..end]` neither at a sentence start nor inside a run of
/// capitalised words?
fn isolated(buf: &[u8], start: usize, end: usize) -> bool {
    let mut p = start;
    while p > 0 && matches!(buf[p - 1], b' ' | b'\t') {
        p -= 1;
    }
    let before_ok = p > 0
        && match buf[p - 1] {
            b'.' | b'!' | b'?' | b'\n' | b'\r' => false,
            c if c.is_ascii_alphabetic() => {
                // The previous word must be lower case.
                let mut s = p - 1;
                while s > 0 && buf[s - 1].is_ascii_alphabetic() {
                    s -= 1;
                }
                !buf[s].is_ascii_uppercase()
            }
            _ => true,
        };
    let mut q = end;
    while q < buf.len() && matches!(buf[q], b' ' | b'\t') {
        q += 1;
    }
    let after_ok = !(q > end && q < buf.len() && buf[q].is_ascii_uppercase());
    before_ok && after_ok
}

/// Appends a reading's normal form.
fn push_lemma(buf: &[u8], p: &Part, r: &Reading, lower: &mut Vec<u8>, out: &mut Vec<u8>) {
    lower_into(&buf[p.start..p.end], lower);
    match r.lemma {
        _ if r.role == Role::Init => {
            // Initials: letters and dots, no spaces.
            out.extend(lower.iter().copied().filter(|&c| c != b' ' && c != b'\t'));
        }
        Lemma::Dict(s) => out.extend_from_slice(s),
        Lemma::Derived { keep, add } => {
            let keep = (keep as usize).min(lower.len());
            out.extend_from_slice(&lower[..keep]);
            out.extend_from_slice(add.as_bytes());
        }
    }
}

// ------------------------------------------------------------ surname rules

#[derive(Clone, Copy)]
enum Family {
    /// -ов/-ев/-ин/-ын (masculine).
    Possessive,
    /// -ова/-ева/-ина/-ына (feminine).
    PossessiveF,
    /// -ский/-цкий/-ой/-ый/-ий (masculine adjectival).
    Adjective,
    /// -ая (feminine adjectival).
    AdjectiveF,
    /// Other consonant endings (Шмидт, Гусак): masculine declines.
    Consonant,
    /// -ь (Гоголь).
    SoftSign,
    /// Indeclinable: -ко, -их/-ых, -о, -е, -и, -у, -ю, and any listed word.
    Fixed,
}

impl Family {
    fn fits(self, lemma: &[u8]) -> bool {
        let ends = |s: &[&str]| s.iter().any(|x| ends(lemma, x.as_bytes()));
        match self {
            Family::Possessive => ends(&["ов", "ев", "ин", "ын"]),
            Family::PossessiveF => ends(&["ова", "ева", "ина", "ына"]),
            Family::Adjective => ends(&["ий", "ый", "ой"]),
            Family::AdjectiveF => ends(&["ая"]),
            Family::Consonant => {
                !ends(&[
                    "а", "е", "и", "о", "у", "ы", "э", "ю", "я", "й", "ь", "ов", "ев", "ин", "ын",
                ]) && lemma.len() >= 2
            }
            Family::SoftSign => ends(&["ь"]),
            Family::Fixed => ends(&["ко", "их", "ых", "о", "е", "и", "у", "ю", "ян", "дзе"]),
        }
    }

    /// Does the lemma look like a surname without a dictionary?
    fn shaped(self, lemma: &[u8]) -> bool {
        let ends = |s: &[&str]| s.iter().any(|x| ends(lemma, x.as_bytes()));
        match self {
            Family::Possessive => ends(&["ов", "ев", "ин", "ын"]) && lemma.len() >= 10,
            Family::PossessiveF => ends(&["ова", "ева", "ина", "ына"]) && lemma.len() >= 12,
            Family::Adjective => ends(&["ский", "цкий"]),
            Family::AdjectiveF => ends(&["ская", "цкая"]),
            Family::Fixed => ends(&["енко", "швили", "дзе", "чук", "юк"]),
            Family::Consonant | Family::SoftSign => false,
        }
    }
}

struct SurnameRule {
    strip: &'static str,
    add: &'static str,
    family: Family,
    gender: u8,
    cases: u8,
}

const fn sr(
    strip: &'static str,
    add: &'static str,
    family: Family,
    gender: u8,
    cases: u8,
) -> SurnameRule {
    SurnameRule {
        strip,
        add,
        family,
        gender,
        cases,
    }
}

/// Case endings of surnames: the word minus `strip` plus `add` is the
/// lemma, when the lemma is of `family`.
const SURNAME_RULES: &[SurnameRule] = &[
    sr("", "", Family::Possessive, M, NOM),
    sr("а", "", Family::Possessive, M, GEN | ACC),
    sr("у", "", Family::Possessive, M, DAT),
    sr("ым", "", Family::Possessive, M, INS),
    sr("е", "", Family::Possessive, M, LOC),
    sr("", "", Family::PossessiveF, F, NOM),
    sr("ой", "а", Family::PossessiveF, F, GEN | DAT | INS | LOC),
    sr("ою", "а", Family::PossessiveF, F, INS),
    sr("у", "а", Family::PossessiveF, F, ACC),
    sr("", "", Family::Adjective, M, NOM),
    sr("ого", "ий", Family::Adjective, M, GEN | ACC),
    sr("ого", "ый", Family::Adjective, M, GEN | ACC),
    sr("ого", "ой", Family::Adjective, M, GEN | ACC),
    sr("ому", "ий", Family::Adjective, M, DAT),
    sr("ому", "ый", Family::Adjective, M, DAT),
    sr("ому", "ой", Family::Adjective, M, DAT),
    sr("им", "ий", Family::Adjective, M, INS),
    sr("ым", "ый", Family::Adjective, M, INS),
    sr("ым", "ой", Family::Adjective, M, INS),
    sr("ом", "ий", Family::Adjective, M, LOC),
    sr("ом", "ый", Family::Adjective, M, LOC),
    sr("ом", "ой", Family::Adjective, M, LOC),
    sr("", "", Family::AdjectiveF, F, NOM),
    sr("ой", "ая", Family::AdjectiveF, F, GEN | DAT | INS | LOC),
    sr("ую", "ая", Family::AdjectiveF, F, ACC),
    sr("", "", Family::Consonant, MF, ALL),
    sr("а", "", Family::Consonant, M, GEN | ACC),
    sr("у", "", Family::Consonant, M, DAT),
    sr("ом", "", Family::Consonant, M, INS),
    sr("ем", "", Family::Consonant, M, INS),
    sr("е", "", Family::Consonant, M, LOC),
    sr("", "", Family::SoftSign, M, NOM),
    sr("я", "ь", Family::SoftSign, M, GEN | ACC),
    sr("ю", "ь", Family::SoftSign, M, DAT),
    sr("ем", "ь", Family::SoftSign, M, INS),
    sr("е", "ь", Family::SoftSign, M, LOC),
    sr("", "", Family::Fixed, MF, ALL),
];

// ---------------------------------------------------------------- scanning

/// The first `p` in `i..to` where a capital letter (ASCII `A`-`Z`, Cyrillic
/// `А`-`Я`, `Ё`) starts a word (`word_start_ok`), else `to`.
///
/// Eight bytes at a time (SWAR): `capital_leads` marks the bytes of a
/// word of the buffer where a capital may start, and only those are
/// checked, lowest first; most text has a capital every few dozen bytes.
/// Exact: the marks never miss a capital and every mark is verified with
/// `is_upper_at` (the byte test the old byte-by-byte walk used), so the
/// first verified mark is the first capital. The old loop walked the
/// nine bytes around each stop one by one, and stopped on any byte in
/// 0x90..=0xAF (`«`, `—`, capitals inside identifiers): 2 M stops on the
/// benchmark corpus at ~100 instructions each.
#[inline]
fn next_name_start(buf: &[u8], mut i: usize, to: usize) -> usize {
    while i + 8 <= to {
        let w = super::swar::load(buf, i);
        if let Some(p) = first_name_start(buf, i, capital_leads(w)) {
            return p;
        }
        i += 8;
    }
    while i < to {
        if is_upper_at(buf, i) && word_start_ok(buf, i) {
            return i;
        }
        i += 1;
    }
    to
}

/// The first of the `marks` (`capital_leads` of the word at `i`) where a
/// name word starts.
#[inline]
fn first_name_start(buf: &[u8], i: usize, mut marks: u64) -> Option<usize> {
    while marks != 0 {
        let p = i + (marks.trailing_zeros() / 8) as usize;
        if is_upper_at(buf, p) && word_start_ok(buf, p) {
            return Some(p);
        }
        marks &= marks - 1;
    }
    None
}

/// Bit 7 of byte `k` is set where byte `k` of `w` (little-endian) may be
/// the first byte of a capital letter: an ASCII `A`-`Z`, or a `D0` before
/// a capital's second byte (0x90..=0xAF, or 0x81 for `Ё`). A `D0` in the
/// last byte is always marked: its second byte is in the next word.
///
/// May mark more (`D0 80`..`D0 8F`, and the zero-byte test for `D0` can
/// flag the byte after a true match), never less: callers verify each
/// mark.
#[inline]
fn capital_leads(w: u64) -> u64 {
    use super::swar::{HI, LO};
    let low = w & !HI;
    let high = w & HI;
    let upper = super::swar::ascii_in(w, 0x41, 0x5A);
    if high == 0 {
        // All ASCII (most words of logs and JSON): no `D0`, and the
        // zero-byte test below would mark nothing either.
        return upper;
    }
    // High bytes in 0x80..=0xAF (low seven bits up to 0x2F): the second
    // bytes of capitals (0x90..=0xAF, `Ё` 0x81) and of the rare `Ѐ`-`Џ`,
    // which verification drops.
    let le_2f = (LO * (0x80 + 0x2F)).wrapping_sub(low) & HI;
    let second = le_2f & high;
    let eqd0 = super::swar::eq(w, 0xD0);
    upper | (eqd0 & ((second >> 8) | (HI << 56)))
}

/// May a name word start at `i`? Not inside a word, a path, an e-mail,
/// an identifier or a markup tag.
#[inline(always)]
fn word_start_ok(buf: &[u8], i: usize) -> bool {
    if i == 0 {
        return true;
    }
    if letter_before(buf, i) {
        return false;
    }
    !matches!(
        buf[i - 1],
        b'.' | b'_'
            | b'/'
            | b'\\'
            | b'@'
            | b'-'
            | b'#'
            | b'$'
            | b'%'
            | b'&'
            | b'*'
            | b'+'
            | b'<'
            | b'~'
            | b'^'
            | b'|'
            | b'`'
    )
}

fn skip_word(buf: &[u8], mut i: usize) -> usize {
    loop {
        let l = letter_len(buf, i);
        if l == 0 {
            return i + usize::from(i < buf.len() && !buf[i].is_ascii());
        }
        i += l;
    }
}

/// The letters of a transliterated initial at the start of `t` when it
/// is one (`Yu.`, `Ya.`, `Yo.`, `Ye.`, `Zh.`, `Kh.`, `Ts.`, `Ch.`, `Sh.`,
/// `Shch.`: Ю Я Ё Е Ж Х Ц Ч Ш Щ), before its dot. A dot at byte 2 or 4
/// is tested first: most capitalised words have none there.
#[inline(always)]
fn latin_digraph_initial(t: &[u8]) -> Option<usize> {
    if t.get(2) == Some(&b'.') {
        const PAIRS: [&[u8; 2]; 9] = [
            b"Yu", b"Ya", b"Yo", b"Ye", b"Zh", b"Kh", b"Ts", b"Ch", b"Sh",
        ];
        return PAIRS.iter().any(|p| t.starts_with(*p)).then_some(2);
    }
    (t.get(4) == Some(&b'.') && t.starts_with(b"Shch")).then_some(4)
}

/// Reads a capitalised word or an initial at `i` (a capital letter).
#[inline(always)]
fn read_token(buf: &[u8], i: usize) -> Option<Tok> {
    if !is_upper_at(buf, i) {
        return None;
    }
    let l0 = letter_len(buf, i);
    let script = if l0 == 2 { Script::Cyr } else { Script::Lat };
    // A Latin initial of a Russian name may take two letters or four, the
    // transliteration of one Cyrillic letter: `Yu.` (Ю), `Zh.` (Ж), `Shch.`.
    let l0 = if script == Script::Lat {
        latin_digraph_initial(&buf[i..]).unwrap_or(l0)
    } else {
        l0
    };
    let after = i + l0;
    // Initial: one capital and a dot, not followed by a lower-case letter
    // (`т.е.`, `St.John` are not initials).
    if buf.get(after) == Some(&b'.') {
        let n = after + 1;
        let glued_lower = letter_len(buf, n) > 0 && !is_upper_at(buf, n);
        if glued_lower {
            return None;
        }
        return Some(Tok {
            start: i,
            end: n,
            kind: TokKind::Initial,
            script,
            caps: true,
        });
    }
    // Word: letters, with `-` + capital inside (Римский-Корсаков) and, in
    // Latin, an apostrophe (O'Neil).
    let mut p = after;
    let mut lower_seen = false;
    let mut upper_seen = false;
    let mut letters = 1;
    loop {
        if !lower_seen {
            // Capitals before any lower-case letter need no prefix check
            // (`ok` below is true): `INFO`, `ИВАНОВ`.
            let (bytes, n) = upper_run(buf, p, script);
            if n > 0 {
                p += bytes;
                letters += n;
                upper_seen = true;
            }
        }
        let (bytes, n) = lower_run(buf, p, script);
        if n > 0 {
            p += bytes;
            letters += n;
            lower_seen = true;
        }
        let l = letter_len(buf, p);
        if l > 0 {
            if (l == 2) != (script == Script::Cyr) {
                return None; // mixed scripts: spoofing or garbage
            }
            if is_upper_at(buf, p) {
                // Internal capitals: McDonald, MacLeod, O'Neil only.
                let prefix = &buf[i..p];
                let ok = !lower_seen
                    || prefix == b"Mc"
                    || prefix == b"Mac"
                    || prefix.ends_with(b"'")
                    || prefix.ends_with(b"-");
                if !ok {
                    return None;
                }
                upper_seen = true;
            } else {
                lower_seen = true;
            }
            p += l;
            letters += 1;
            continue;
        }
        match buf.get(p) {
            Some(b'-') if is_upper_at(buf, p + 1) => p += 1,
            Some(b'\'') if script == Script::Lat && letter_len(buf, p + 1) == 1 && letters <= 2 => {
                p += 1
            }
            _ => break,
        }
        if p - i > MAX_WORD {
            return None;
        }
    }
    if letters < 2 || p - i > MAX_WORD {
        return None;
    }
    let caps = upper_seen && !lower_seen;
    // Glued to digits, `_`, `@`, or `.` + letter (file.Name, a.b.c).
    match buf.get(p) {
        Some(c) if c.is_ascii_digit() || matches!(c, b'_' | b'@' | b'/' | b'\\') => return None,
        Some(b'.') if letter_len(buf, p + 1) > 0 => return None,
        Some(0xE2) if buf.get(p + 1) == Some(&0x84) => return None, // №
        _ => {}
    }
    Some(Tok {
        start: i,
        end: p,
        kind: TokKind::Word,
        script,
        caps,
    })
}

/// The run of capital letters of `script` at `buf[p..]`: (bytes,
/// letters). Exact as `lower_run` is: these are the letters for which
/// `read_token`'s loop takes its `is_upper_at` branch.
#[inline]
fn upper_run(buf: &[u8], p: usize, script: Script) -> (usize, usize) {
    let rest = buf.get(p..).unwrap_or(&[]);
    match script {
        Script::Lat => {
            let n = rest.iter().take_while(|b| b.is_ascii_uppercase()).count();
            (n, n)
        }
        Script::Cyr => {
            let n = rest
                .chunks_exact(2)
                .take_while(|c| matches!(c, [0xD0, 0x81 | 0x90..=0xAF]))
                .count();
            (2 * n, n)
        }
    }
}

/// The run of lower-case letters of `script` at `buf[p..]`: (bytes,
/// letters). The common case of `read_token`'s letter loop, byte-matched
/// without `letter_len`/`is_upper_at` per letter; exact, because these
/// are the letters that loop would take as lower case of the same script.
#[inline]
fn lower_run(buf: &[u8], p: usize, script: Script) -> (usize, usize) {
    let rest = buf.get(p..).unwrap_or(&[]);
    match script {
        Script::Lat => {
            let n = rest.iter().take_while(|b| b.is_ascii_lowercase()).count();
            (n, n)
        }
        Script::Cyr => {
            let n = rest
                .chunks_exact(2)
                .take_while(|c| matches!(c, [0xD0, 0xB0..=0xBF] | [0xD1, 0x80..=0x8F | 0x91]))
                .count();
            (2 * n, n)
        }
    }
}

/// Where the next name token may start after `t`: one to three spaces
/// (tab, NBSP) on the same line; right away after an initial's dot.
fn gap_after(buf: &[u8], t: Tok) -> Option<usize> {
    let mut p = t.end;
    let mut spaces = 0;
    loop {
        match buf.get(p) {
            Some(b' ' | b'\t') => {
                p += 1;
                spaces += 1;
            }
            Some(0xC2) if buf.get(p + 1) == Some(&0xA0) => {
                p += 2;
                spaces += 1;
            }
            _ => break,
        }
        if spaces > 3 {
            return None;
        }
    }
    if spaces == 0 && t.kind != TokKind::Initial {
        return None;
    }
    Some(p)
}

/// The word before `start` on the same line, lower-cased into `lower`
/// (without a trailing dot), skipping spaces, quotes and `:`/`,`
/// (`ООО «`, `гр.`). Returns whether a dot followed the word.
///
/// `tails` (per length, a bitmap of last bytes) says which words can be
/// worth the look-up; any other word is not lower-cased and gives `None`.
fn prev_word(
    buf: &[u8],
    start: usize,
    tails: &[[u64; 4]; 25],
    ends: &[u64; CUE_END_WORDS],
    lower: &mut Vec<u8>,
) -> Option<bool> {
    let mut e = start;
    let mut skipped = 0;
    let mut dot = false;
    while e > 0 && skipped < 6 {
        let c = buf[e - 1];
        if matches!(c, b' ' | b'\t' | b'"' | b'\'' | b',' | b':' | b'.' | b'(') {
            dot |= c == b'.';
            e -= 1;
            skipped += 1;
        } else if e >= 2 && buf[e - 2] == 0xC2 && matches!(c, 0xAB | 0xA0) {
            // « and NBSP
            e -= 2;
            skipped += 1;
        } else {
            break;
        }
    }
    // A word whose last three letters end no cue word needs no walk: exact,
    // because the walk below takes the same steps (`step_back`), so a
    // word equal to a cue word once lower-cased has that word's key.
    let bit = cue_end_bit(tail_key(buf, e));
    if ends[bit / 64] & (1 << (bit % 64)) == 0 {
        lower.clear();
        return None;
    }
    // Cue and place words are short: the walk stops once the word is
    // longer than 24 bytes (any longer word gives `None` below).
    let mut s = e;
    while e - s <= 24 {
        let (step, _) = step_back(buf, s);
        if step == 0 {
            break;
        }
        s -= step;
    }
    if s == e || e - s > 24 {
        lower.clear();
        return None;
    }
    // The lower-cased last byte: of the last letter (a Cyrillic pair is
    // never split: its second byte is no lead byte) or of a digit, `-`, `/`.
    let mut tail = [0u8; 2];
    let k = (e - s).min(2);
    tail[..k].copy_from_slice(&buf[e - k..e]);
    fold_in_place(&mut tail[..k]);
    let last = tail[k - 1];
    if tails[e - s][usize::from(last) / 64] & (1 << (last % 64)) == 0 {
        lower.clear();
        return None;
    }
    lower_into(&buf[s..e], lower);
    Some(dot)
}

/// One step of the walk back over the word that ends at `s`: the byte
/// length of the letter or digit before `s` (1 for ASCII, 2 for a
/// Cyrillic letter), 1 for a `-` or `/` after a letter (`р-н`, `а/м`), or
/// 0 where the word starts; with the step's character lower-cased as a
/// number (`fold_unit`).
#[inline(always)]
fn step_back(buf: &[u8], s: usize) -> (usize, u16) {
    if s == 0 {
        return (0, 0);
    }
    let c = buf[s - 1];
    if c.is_ascii_alphanumeric() {
        // `letter_before`'s ASCII case, first: most words are Latin.
        // `| 0x20` lower-cases a letter and keeps a digit.
        (1, u16::from(c | 0x20))
    } else if c >= 0x80 {
        // `letter_before` for a non-ASCII byte: a Cyrillic letter ends here.
        if letter_before(buf, s) {
            (2, fold_unit(buf[s - 2], c))
        } else {
            (0, 0)
        }
    } else if s >= 2 && matches!(c, b'-' | b'/') && letter_before(buf, s - 1) {
        (1, u16::from(c))
    } else {
        (0, 0)
    }
}

/// A Cyrillic letter (`D0`/`D1` and its second byte) as 0x100 + its
/// offset from U+0400, lower-cased with `ё` folded to `е`, as
/// `fold_in_place` folds its bytes (`А`-`Я` are 0x10..=0x2F, `а`-`я`
/// 0x30..=0x4F; `Ё` 0x01 and `ё` 0x51 become `е` 0x35).
#[inline(always)]
fn fold_unit(lead: u8, second: u8) -> u16 {
    let cp = (u16::from(lead & 1) << 6) | u16::from(second & 0x3F);
    let cp = match cp {
        0x10..=0x2F => cp + 0x20,
        0x01 | 0x51 => 0x35,
        _ => cp,
    };
    0x100 | cp
}

/// The last three steps (`step_back`) of the word ending at `e`,
/// lower-cased, as a key (0 for a missing step). Lower-casing step by step
/// gives the same letters as lower-casing the whole word (a step never
/// splits a letter), so a word that equals a cue word once lower-cased
/// has the cue word's key.
#[inline(always)]
fn tail_key(buf: &[u8], e: usize) -> u64 {
    let (a, last) = step_back(buf, e);
    if a == 0 {
        return 0;
    }
    let (b, before) = step_back(buf, e - a);
    if b == 0 {
        return u64::from(last);
    }
    let (_, third) = step_back(buf, e - a - b);
    u64::from(last) | (u64::from(before) << 16) | (u64::from(third) << 32)
}

/// Words (of 64 bits) in the cue-end bitmap: 4,096 bits for ~150 cue
/// words keeps false passes to a few per cent.
const CUE_END_WORDS: usize = 64;

/// The bit of a `tail_key` in the cue-end bitmap (a multiplicative hash;
/// collisions only let a word through to the exact checks).
#[inline]
fn cue_end_bit(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize
}

/// `w.ends_with(suf)` as a byte loop: suffixes are a few bytes and the
/// library version calls `memcmp`, which dominated the profile.
#[inline]
fn ends(w: &[u8], suf: &[u8]) -> bool {
    w.len() >= suf.len()
        && w[w.len() - suf.len()..]
            .iter()
            .zip(suf)
            .all(|(a, b)| a == b)
}

#[inline]
fn strip<'a>(w: &'a [u8], suf: &[u8]) -> Option<&'a [u8]> {
    ends(w, suf).then(|| &w[..w.len() - suf.len()])
}

// ---------------------------------------------------------- transliteration

/// A spelling-insensitive skeleton of a Latin transliteration, so that
/// `Dmitriy`, `Dmitry` and `Dmitrii`, or `Yevgeny` and `Evgeniy`, meet.
fn skeleton_lat(w: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut i = 0;
    while i < w.len() {
        let c = w[i].to_ascii_lowercase();
        let next = w.get(i + 1).map(u8::to_ascii_lowercase);
        match (c, next) {
            (b'\'' | b'`', _) => {}
            (b'x', _) => out.extend_from_slice(b"ks"),
            (b'w', _) => out.push(b'v'),
            (b'k', Some(b'h')) => {
                out.push(b'h');
                i += 1;
            }
            (b'p', Some(b'h')) => {
                out.push(b'f');
                i += 1;
            }
            (b'c', Some(b'k')) => {
                out.push(b'k');
                i += 1;
            }
            (b'c', Some(b'h')) => {
                out.extend_from_slice(b"ch");
                i += 1;
            }
            (b'c', _) => out.extend_from_slice(b"ts"),
            (b'j' | b'y', _) => out.push(b'i'),
            (b't', Some(b'z')) => {
                out.extend_from_slice(b"ts");
                i += 1;
            }
            _ => out.push(c),
        }
        i += 1;
    }
    // ii → i, then ie → e (Yevgeny/Evgeny, Andreyev/Andreev), io → e (Fyodor/Fedor).
    let mut j = 0;
    let mut k = 0;
    while j < out.len() {
        let c = out[j];
        let n = out.get(j + 1).copied();
        if c == b'i' && matches!(n, Some(b'i')) {
            j += 1;
            continue;
        }
        if c == b'i' && matches!(n, Some(b'e') | Some(b'o')) {
            out[k] = b'e';
            k += 1;
            j += 2;
            continue;
        }
        out[k] = c;
        k += 1;
        j += 1;
    }
    out.truncate(k);
}

/// The transliteration skeleton of one written word, Cyrillic or Latin
/// (any case), into `out`: `Иванова`, `Ivanova` and `IVANOVA` give the
/// same bytes, as do `Сергеевна` and `Sergeyevna`, `Юлия` and `Iuliia`.
/// The one comparison the name detector uses for Latin names, public so
/// that a subject's Cyrillic name meets its Latin spellings the same way.
/// A word in any other script (or with other letters) gives an empty
/// skeleton, which callers must treat as no match.
pub fn translit_skeleton(word: &str, out: &mut Vec<u8>) {
    if word.is_ascii() {
        skeleton_lat(word.as_bytes(), out);
    } else if word
        .chars()
        .all(|c| matches!(c, '\u{410}'..='\u{44F}' | 'ё' | 'Ё' | '-'))
    {
        skeleton_cyr(word.to_lowercase().as_bytes(), out);
    } else {
        out.clear();
    }
}

/// Latin spelling of `а`..`я` (U+0430..=U+044F), in code point order.
const CYR_LAT: [&[u8]; 32] = [
    b"a", b"b", b"v", b"g", b"d", b"e", b"zh", b"z", b"i", b"i", b"k", b"l", b"m", b"n", b"o",
    b"p", b"r", b"s", b"t", b"u", b"f", b"kh", b"ts", b"ch", b"sh", b"shch", b"", b"y", b"", b"e",
    b"yu", b"ya",
];

/// Transliterates a lower-case Cyrillic word and takes its skeleton.
///
/// By table into a stack buffer: it runs for every dictionary surname
/// when the transliteration sets are built (47k words) and for Latin
/// words during scans; the `match` per char, a heap `Vec` per word and a
/// `memcpy` call per 1–4 byte piece cost ~1,300 instructions a word
/// (callgrind), ~1.5 % of a scan.
fn skeleton_cyr(w: &[u8], out: &mut Vec<u8>) {
    if !skeleton_cyr_lower(w, out) {
        skeleton_cyr_chars(w, out);
    }
}

/// `skeleton_cyr` of a word of lower-case `а`-`я`, `ё` and `-` only (every
/// dictionary word), read as byte pairs: the same table and the same
/// `skeleton_lat`, without validating UTF-8 and decoding chars first
/// (a third of building the transliteration tables). Returns false, with
/// `out` unspecified, for any other byte; then `skeleton_cyr_chars` runs.
fn skeleton_cyr_lower(w: &[u8], out: &mut Vec<u8>) -> bool {
    let mut lat = [0u8; 96];
    let mut n = 0;
    let mut i = 0;
    while i < w.len() {
        let (t, step): (&[u8], usize) = match (w[i], w.get(i + 1)) {
            (b'-', _) => (b"-", 1),
            (0xD0, Some(&c @ 0xB0..=0xBF)) => (CYR_LAT[usize::from(c - 0xB0)], 2),
            (0xD1, Some(&c @ 0x80..=0x8F)) => (CYR_LAT[16 + usize::from(c - 0x80)], 2),
            (0xD1, Some(0x91)) => (b"e", 2),
            _ => return false,
        };
        if n + t.len() > lat.len() {
            return false;
        }
        lat[n..n + t.len()].copy_from_slice(t);
        n += t.len();
        i += step;
    }
    skeleton_lat(&lat[..n], out);
    true
}

/// `skeleton_cyr` by chars: any valid UTF-8 (other chars transliterate to
/// nothing).
fn skeleton_cyr_chars(w: &[u8], out: &mut Vec<u8>) {
    // Invalid UTF-8 transliterates to nothing.
    let s = std::str::from_utf8(w).unwrap_or("");
    // A char yields at most twice its UTF-8 length (`щ`, 2 bytes: `shch`).
    let mut stack = [0u8; 96];
    let mut heap = Vec::new();
    let lat: &mut [u8] = if 2 * s.len() <= stack.len() {
        &mut stack
    } else {
        heap.resize(2 * s.len(), 0);
        &mut heap
    };
    let mut n = 0;
    for ch in s.chars() {
        let t: &[u8] = match ch {
            '\u{430}'..='\u{44F}' => CYR_LAT[ch as usize - 0x430],
            'ё' => b"e",
            '-' => b"-",
            _ => b"",
        };
        for &b in t {
            lat[n] = b;
            n += 1;
        }
    }
    skeleton_lat(&lat[..n], out);
}

#[cfg(test)]
mod tests;
