//! Does a finding belong to a subject, and which of a record's findings
//! does a match claim?
//!
//! Owns [`SubjectMatcher`]. Strong identifiers (phone, e-mail, INN, SNILS,
//! passport, card) are compared by fingerprint: the subject's normalised
//! value is fingerprinted with the run's key exactly as the engine
//! fingerprints what it finds, so `8 912 345 67 89` and `+79123456789`
//! meet as `+79123456789` and a phone one digit off never matches. Names
//! are read by the engine's own name detector and compared by lemma:
//! surname, then first name (in full or as an initial), then patronymic
//! when both sides have one.
//!
//! Confidence of a match: a strong identifier [`STRONG`]; a name
//! [`NAME_CORROBORATED`] when a strong identifier of the same subject
//! matched in the same record (or free-text line), else [`NAME_ONLY`]; a
//! field linked by a strong match [`LINKED`]. A name alone claims nothing.

use super::identifiers::{IdKind, PersonName, Subject, name_hit, name_parts, skeleton};
use super::linkage::RecordKey;
use crate::detect::Engine;
use crate::detect::names::NameMatcher;
use crate::finding::{Finding, Fingerprinter, Kind, Signals};
use std::collections::HashMap;
use std::sync::Arc;

pub const STRONG: f32 = 0.99;
pub const NAME_CORROBORATED: f32 = 0.9;
pub const LINKED: f32 = 0.8;
pub const NAME_ONLY: f32 = 0.3;

/// How a finding came to belong to a subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum How {
    /// It equals one of the subject's identifiers.
    Direct(IdKind),
    /// It shares a record with a strong direct match.
    Linked,
}

impl How {
    pub fn id(self) -> &'static str {
        match self {
            How::Direct(_) => "direct",
            How::Linked => "linked",
        }
    }

    pub fn identifier(self) -> Option<IdKind> {
        match self {
            How::Direct(i) => Some(i),
            How::Linked => None,
        }
    }
}

/// One finding that belongs to one subject.
#[derive(Debug, Clone)]
pub struct SubjectMatch {
    /// Index into the matcher's subjects.
    pub subject: usize,
    pub path: String,
    pub record: RecordKey,
    pub how: How,
    pub confidence: f32,
    pub finding: Finding,
}

/// Matches findings against a set of subjects.
pub struct SubjectMatcher {
    subjects: Vec<Subject>,
    /// Fingerprint → (kind, subject, identifier). The fingerprint covers
    /// the kind already; the kind is compared too, so a look-up needs no
    /// key built per finding.
    by_fingerprint: HashMap<String, Vec<(Kind, usize, IdKind)>>,
    engine: Arc<Engine>,
    own_names: Option<NameMatcher>,
    /// Link a record's other fields to a strong match in it.
    pub linkage: bool,
    /// Linked fields below this detection confidence stay out.
    pub min_confidence: f32,
}

impl SubjectMatcher {
    pub fn new(
        subjects: Vec<Subject>,
        fingerprinter: &Fingerprinter,
        engine: Arc<Engine>,
    ) -> SubjectMatcher {
        let mut by_fingerprint: HashMap<String, Vec<(Kind, usize, IdKind)>> = HashMap::new();
        for (i, s) in subjects.iter().enumerate() {
            for id in &s.identifiers {
                let kind = id.id.kind();
                let fp = fingerprinter.fingerprint(kind, id.norm.as_bytes());
                by_fingerprint
                    .entry(fp.to_string())
                    .or_default()
                    .push((kind, i, id.id));
            }
        }
        let own_names = engine.name_matcher().is_none().then(NameMatcher::new);
        SubjectMatcher {
            subjects,
            by_fingerprint,
            engine,
            own_names,
            linkage: true,
            min_confidence: crate::detect::DEFAULT_MIN_CONFIDENCE,
        }
    }

    pub fn subjects(&self) -> &[Subject] {
        &self.subjects
    }

    pub fn names(&self) -> &NameMatcher {
        match (&self.own_names, self.engine.name_matcher()) {
            (Some(n), _) => n,
            (None, Some(n)) => n,
            // `new` keeps its own whenever the engine has none.
            (None, None) => unreachable!("a name matcher is always present"),
        }
    }

    /// The subjects (and identifiers) `f` equals. Names need the raw
    /// value (`Finding::value`); without it a name never matches.
    pub fn direct(&self, f: &Finding, out: &mut Vec<(usize, IdKind)>) {
        // A watching engine marks every value equal to an identifier and
        // every name written with a subject's surname: nothing else can
        // match, so most findings cost one bit test.
        if self.engine.watching() && !f.signals.contains(Signals::WATCHED) {
            return;
        }
        if f.kind == Kind::Person {
            let Some(value) = f.value.as_deref() else {
                return;
            };
            if self.subjects.iter().all(|s| s.names.is_empty()) {
                return;
            }
            let Some(hit) = name_hit(value, self.names()) else {
                return;
            };
            let (surname, given) = name_parts(&hit);
            let words: Vec<String> = value
                .split(|c: char| !c.is_alphabetic())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect();
            for (i, s) in self.subjects.iter().enumerate() {
                if s.names
                    .iter()
                    .any(|n| name_matches(n, &surname, &given, &words))
                {
                    out.push((i, IdKind::Name));
                }
            }
            return;
        }
        if let Some(v) = self.by_fingerprint.get(f.fingerprint.as_str()) {
            out.extend(
                v.iter()
                    .filter(|(k, ..)| *k == f.kind)
                    .map(|&(_, s, id)| (s, id)),
            );
        }
    }

    /// Decides one complete record: its direct matches, and (structured
    /// records, linkage on) the fields a strong match claims.
    pub fn record(
        &self,
        path: &str,
        key: &RecordKey,
        findings: &[Finding],
        out: &mut Vec<SubjectMatch>,
    ) {
        if self.engine.watching()
            && !findings
                .iter()
                .any(|f| f.signals.contains(Signals::WATCHED))
        {
            return;
        }
        let mut direct: Vec<Vec<(usize, IdKind)>> = Vec::with_capacity(findings.len());
        let mut any = false;
        for f in findings {
            let mut v = Vec::new();
            self.direct(f, &mut v);
            any |= !v.is_empty();
            direct.push(v);
        }
        if !any {
            return;
        }
        for subject in 0..self.subjects.len() {
            let strong = direct
                .iter()
                .flatten()
                .any(|&(s, id)| s == subject && id != IdKind::Name);
            for (f, d) in findings.iter().zip(&direct) {
                let own = d.iter().find(|(s, _)| *s == subject).map(|&(_, id)| id);
                let (how, confidence) = match own {
                    Some(IdKind::Name) if strong => (How::Direct(IdKind::Name), NAME_CORROBORATED),
                    Some(IdKind::Name) => (How::Direct(IdKind::Name), NAME_ONLY),
                    Some(id) => (How::Direct(id), STRONG),
                    None if strong
                        && self.linkage
                        && key.structured()
                        && f.confidence >= self.min_confidence =>
                    {
                        (How::Linked, LINKED)
                    }
                    None => continue,
                };
                out.push(SubjectMatch {
                    subject,
                    path: path.to_string(),
                    record: key.clone(),
                    how,
                    confidence,
                    finding: f.clone(),
                });
            }
        }
    }
}

/// Does a name found in text (its surname lemma, given names and written
/// words) name this person? Surname by lemma (or, next to initials, by any of
/// its case forms as written), then the first name in full or as an
/// initial, then the patronymic when both sides give one. A Latin name
/// and a Cyrillic subject are compared the same way, part by part, by
/// their transliteration skeletons (`Ivanova A.` is `Иванова Анна`):
/// the surname still decides first, so no other surname ever matches.
fn name_matches(n: &PersonName, sur: &str, tokens: &[String], words: &[String]) -> bool {
    if let Some(l) = &n.latin
        && !words.is_empty()
        && words.iter().all(|w| w.is_ascii())
    {
        let tokens: Vec<String> = tokens.iter().map(|t| latin_given(t)).collect();
        let words: Vec<String> = words.iter().map(|w| skeleton(w)).collect();
        let sur = skeleton(sur);
        // Latin is rarely declined: any form's skeleton may be the lemma.
        let surname =
            l.surname_forms.contains(&sur) || words.iter().any(|w| l.surname_forms.contains(w));
        return surname && given_match(&tokens, &l.first, l.patronymic.as_deref());
    }
    let surname = sur == n.surname || words.iter().any(|w| n.surname_forms.contains(w));
    surname && given_match(tokens, &n.first, n.patronymic.as_deref())
}

/// A Latin given name or initials token as skeletons: `sergeyevna` →
/// `sergeevna`; `a.s.` → `a.s.` (each initial by itself: `y.` → `i.`,
/// which [`given_match`] takes as a prefix of `iulia`).
fn latin_given(t: &str) -> String {
    if !t.contains('.') {
        return skeleton(t);
    }
    t.split('.')
        .filter(|i| !i.is_empty())
        .map(|i| format!("{}.", skeleton(i)))
        .collect()
}

/// The given names of a name whose surname matched, on lemmas or on
/// skeletons: the first name in full or as an initial, then the
/// patronymic when both sides give one.
fn given_match(tokens: &[String], first: &str, patronymic: Option<&str>) -> bool {
    // The given names after the surname: full words, or initials
    // (`а.с.`, `a.s.`; a Latin initial's skeleton may be two letters:
    // `C.` → `ts.`, a prefix of `tsvetana`).
    let mut given: Vec<(&str, bool)> = Vec::new();
    for t in tokens {
        if t.contains('.') {
            given.extend(t.split('.').filter(|i| !i.is_empty()).map(|i| (i, true)));
        } else {
            given.push((t.as_str(), t.chars().count() == 1));
        }
    }
    let fits = |&(g, initial): &(&str, bool), full: &str| {
        if initial {
            // `K.` (of `Kh`, `Kristina` for Христина) for `Х`, whose skeleton
            // letter is `h`: a skeleton made from Cyrillic has `h` from `Х`
            // alone. (On lemmas, Cyrillic, neither letter occurs.)
            !g.is_empty() && (full.starts_with(g) || g == "k" && full.starts_with('h'))
        } else {
            g == full
        }
    };
    let Some(first_given) = given.first() else {
        return false;
    };
    if !fits(first_given, first) {
        return false;
    }
    match (given.get(1), patronymic) {
        (Some(g), Some(p)) => fits(g, p),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::RuleSet;
    use crate::subject::identifiers::SubjectSpec;

    fn matcher() -> SubjectMatcher {
        let engine = Arc::new(Engine::new(RuleSet::builtin()).unwrap());
        let spec = SubjectSpec {
            phone: vec!["+7 912 345-67-89".into()],
            name: vec!["Иванова Анна Сергеевна".into()],
            ..SubjectSpec::default()
        };
        let names = engine.name_matcher().unwrap();
        let s = Subject::from_spec(&spec, "anna", names).unwrap();
        SubjectMatcher::new(vec![s], &Fingerprinter::from_secret(b"k"), engine)
    }

    fn person(value: &str) -> Finding {
        Finding {
            kind: Kind::Person,
            rule: Arc::from("person.ru"),
            start: 0,
            end: value.len() as u64,
            line: 1,
            column: 1,
            confidence: 0.9,
            signals: Default::default(),
            masked: Default::default(),
            fingerprint: Default::default(),
            location: None,
            value: Some(value.into()),
        }
    }

    #[test]
    fn names_match_in_any_case_and_with_initials() {
        let m = matcher();
        for v in [
            "Иванова Анна Сергеевна",
            "Ивановой Анны Сергеевны",
            "Ивановой А.С.",
            "Иванову А. С.",
            "А.С. Иванова",
            "Анна Иванова",
            "ИВАНОВА АННА СЕРГЕЕВНА",
        ] {
            let mut out = Vec::new();
            m.direct(&person(v), &mut out);
            assert_eq!(out, [(0, IdKind::Name)], "{v}");
        }
        for v in [
            "Иванова Мария Сергеевна",
            "Иванова Анна Петровна",
            "Петрова Анна Сергеевна",
            "Иванов Алексей Сергеевич",
            "Ивановой М.С.",
            "Анна Сергеевна",
        ] {
            let mut out = Vec::new();
            m.direct(&person(v), &mut out);
            assert!(out.is_empty(), "{v}: {out:?}");
        }
    }

    #[test]
    fn latin_spellings_of_a_cyrillic_name_match() {
        let m = matcher();
        for v in [
            "Ivanova Anna Sergeevna",
            "Ivanova Anna Sergeyevna",
            "IVANOVA ANNA SERGEEVNA",
            "Ivanova Anna",
            "Anna Ivanova",
            "A. Ivanova",
            "A. S. Ivanova",
            "Ivanova A.",
            "Ivanova A.S.",
        ] {
            let mut out = Vec::new();
            m.direct(&person(v), &mut out);
            assert_eq!(out, [(0, IdKind::Name)], "{v}");
        }
        // Another surname, first name, initial or patronymic: someone else.
        for v in [
            "Ivanov Anton",
            "Ivanov Anna",
            "Petrova Anna",
            "Ivanova Maria",
            "M. Ivanova",
            "A. P. Ivanova",
            "Ivanova M.",
            "Ivanova A.P.",
            "Ivanova Anna Petrovna",
            "Anna Sergeevna",
        ] {
            let mut out = Vec::new();
            m.direct(&person(v), &mut out);
            assert!(out.is_empty(), "{v}: {out:?}");
        }
    }

    /// Letters with several Latin spellings (ICAO 9303 / MVD 2014 and
    /// the older informal ones) meet, in a name and in its initials
    /// (`Y.`, `Yu.`, `I.`, `J.` for `Ю`; `K.`, `Kh.`, `H.` for `Х`).
    #[test]
    fn transliteration_variants_meet() {
        let engine = Arc::new(Engine::new(RuleSet::builtin()).unwrap());
        let names = engine.name_matcher().unwrap();
        let spec = |n: &str| SubjectSpec {
            name: vec![n.into()],
            ..SubjectSpec::default()
        };
        let subjects = vec![
            Subject::from_spec(&spec("Щербакова Юлия Андреевна"), "a", names).unwrap(),
            Subject::from_spec(&spec("Жуков Яков Харитонович"), "b", names).unwrap(),
            Subject::from_spec(&spec("John Smith"), "c", names).unwrap(),
            Subject::from_spec(&spec("Хромова Христина Олеговна"), "d", names).unwrap(),
        ];
        let m = SubjectMatcher::new(subjects, &Fingerprinter::from_secret(b"k"), engine);
        for (v, who) in [
            ("Shcherbakova Iuliia Andreevna", Some(0)),
            ("Shcherbakova Yulia", Some(0)),
            ("Julia Shcherbakova", Some(0)),
            ("Y. A. Shcherbakova", Some(0)),
            ("I. Shcherbakova", Some(0)),
            ("J. A. Shcherbakova", Some(0)),
            ("Y. P. Shcherbakova", None),
            ("Zhukov Iakov", Some(1)),
            ("Zhukov Yakov Kharitonovich", Some(1)),
            ("Y. Zhukov", Some(1)),
            ("Zhukov Ivan", None),
            ("Yu. A. Shcherbakova", Some(0)),
            ("Yu. Shcherbakova", Some(0)),
            ("Ya. Shcherbakova", None),
            ("Ya. Kh. Zhukov", Some(1)),
            ("K. O. Khromova", Some(3)),
            ("Kh. Khromova", Some(3)),
            ("H. Khromova", Some(3)),
            ("Khromova Kristina", None),
            ("C. Khromova", None),
            ("K. A. Khromova", None),
            ("John Smith", Some(2)),
            // A Latin subject is compared by lemma: no skeleton for it.
            ("John Smyth", None),
        ] {
            let mut out = Vec::new();
            m.direct(&person(v), &mut out);
            let got: Vec<usize> = out.iter().map(|&(s, _)| s).collect();
            assert_eq!(got, who.into_iter().collect::<Vec<_>>(), "{v}");
        }
    }
}
