//! A data subject's identifiers: parsed from flags or `subject.toml`,
//! checked and normalised the way the engine normalises what it finds.
//!
//! Owns the `subject.toml` schema (unknown keys rejected) and the
//! normalised [`Subject`]. Phones go through the project's phone
//! normaliser (E.164), e-mails through the e-mail normaliser (domain
//! case-folded, IDNA), numeric ids to their digits after their checksum
//! passed; names through the name detector itself, so the subject's name
//! has the same lemmas a finding's name gets. It does not match anything
//! (see [`super::matcher`]).

use crate::detect::names::{Lang, NameHit, NameMatcher, translit_skeleton};
use crate::finding::Kind;
use crate::validators::{card, email, inn, phone, snils};
use anyhow::{Context as _, Result, bail};
use serde::Deserialize;

/// Which identifier of the subject matched (the `identifier` of a match).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdKind {
    Phone,
    Email,
    Inn,
    Snils,
    Passport,
    Card,
    Name,
}

impl IdKind {
    pub fn id(self) -> &'static str {
        match self {
            IdKind::Phone => "phone",
            IdKind::Email => "email",
            IdKind::Inn => "inn",
            IdKind::Snils => "snils",
            IdKind::Passport => "passport",
            IdKind::Card => "card",
            IdKind::Name => "name",
        }
    }

    /// The finding kind this identifier is found as.
    pub fn kind(self) -> Kind {
        match self {
            IdKind::Phone => Kind::Phone,
            IdKind::Email => Kind::Email,
            IdKind::Inn => Kind::Inn,
            IdKind::Snils => Kind::Snils,
            IdKind::Passport => Kind::PassportRu,
            IdKind::Card => Kind::Card,
            IdKind::Name => Kind::Person,
        }
    }
}

/// One value or a list of them (`phone = "..."` or `phone = ["...", "..."]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// One subject as written by a person: flags or a `[[subject]]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubjectSpec {
    /// How reports name the subject (default `subject`, `subject-2`, ...).
    pub id: Option<String>,
    pub phone: Vec<String>,
    pub email: Vec<String>,
    pub inn: Vec<String>,
    pub snils: Vec<String>,
    pub passport: Vec<String>,
    pub card: Vec<String>,
    pub name: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecToml {
    id: Option<String>,
    phone: Option<OneOrMany>,
    email: Option<OneOrMany>,
    inn: Option<OneOrMany>,
    snils: Option<OneOrMany>,
    passport: Option<OneOrMany>,
    card: Option<OneOrMany>,
    name: Option<OneOrMany>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileToml {
    subject: Vec<SpecToml>,
}

impl SubjectSpec {
    pub fn is_empty(&self) -> bool {
        self.phone.is_empty()
            && self.email.is_empty()
            && self.inn.is_empty()
            && self.snils.is_empty()
            && self.passport.is_empty()
            && self.card.is_empty()
            && self.name.is_empty()
    }

    /// Parses a `subject.toml`: one `[[subject]]` table per person.
    pub fn parse_file(text: &str, origin: &str) -> Result<Vec<SubjectSpec>> {
        let file: FileToml =
            toml::from_str(text).with_context(|| format!("{origin}: not a subject file"))?;
        if file.subject.is_empty() {
            bail!("{origin}: no [[subject]] table");
        }
        let v = |o: Option<OneOrMany>| o.map(OneOrMany::into_vec).unwrap_or_default();
        Ok(file
            .subject
            .into_iter()
            .map(|s| SubjectSpec {
                id: s.id,
                phone: v(s.phone),
                email: v(s.email),
                inn: v(s.inn),
                snils: v(s.snils),
                passport: v(s.passport),
                card: v(s.card),
                name: v(s.name),
            })
            .collect())
    }
}

/// A person's name, as lemmas: surname, first name, patronymic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName {
    pub surname: String,
    pub first: String,
    pub patronymic: Option<String>,
    /// Written forms of the surname in every case (`иванова`, `ивановой`,
    /// `иванову`): next to initials only, a surname has no gender for the
    /// detector to pick its lemma by (`Иванову А.С.` reads as `иванов`).
    pub surname_forms: Vec<String>,
    /// A Cyrillic name's Latin spellings, for passports and
    /// foreign-facing systems (`Ivanova Anna Sergeevna`, `A. Ivanova`).
    /// `None` for a name written in Latin: it is compared by its lemmas
    /// only (a skeleton would also make `Smyth` a `Smith`).
    pub latin: Option<LatinName>,
}

/// Transliteration skeletons ([`translit_skeleton`]) of a Cyrillic name's
/// parts: one per spelling family, so `Ivanova`/`IVANOVA`, `Sergeevna`/
/// `Sergeyevna` and `Iuliia`/`Yulia`/`Julia` each meet one value. The
/// same skeleton the name detector reads Latin names by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatinName {
    /// Skeletons of every written surname form (`ivanova`, `ivanovoi`).
    pub surname_forms: Vec<String>,
    pub first: String,
    pub patronymic: Option<String>,
}

impl LatinName {
    fn of(surname_forms: &[String], first: &str, patronymic: Option<&str>) -> Option<LatinName> {
        let cyrillic = |w: &str| w.chars().any(|c| matches!(c, '\u{400}'..='\u{4FF}'));
        if !cyrillic(first) && !surname_forms.iter().any(|f| cyrillic(f)) {
            return None;
        }
        let mut forms = Vec::new();
        for f in surname_forms {
            let k = skeleton(f);
            if !k.is_empty() && !forms.contains(&k) {
                forms.push(k);
            }
        }
        let first = skeleton(first);
        if forms.is_empty() || first.is_empty() {
            return None;
        }
        Some(LatinName {
            surname_forms: forms,
            first,
            patronymic: patronymic.map(skeleton).filter(|p| !p.is_empty()),
        })
    }
}

/// A word's transliteration skeleton (empty: not Cyrillic or Latin).
pub fn skeleton(word: &str) -> String {
    let mut out = Vec::new();
    translit_skeleton(word, &mut out);
    // Skeletons are ASCII: built from lower-case Latin letters.
    String::from_utf8(out).unwrap_or_default()
}

/// One normalised identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identifier {
    pub id: IdKind,
    /// The normalised value (what the fingerprint is computed from).
    pub norm: String,
}

/// A subject, checked and normalised.
#[derive(Debug, Clone)]
pub struct Subject {
    pub id: String,
    pub identifiers: Vec<Identifier>,
    pub names: Vec<PersonName>,
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

impl Subject {
    /// Checks and normalises `spec`. Errors name the identifier that does
    /// not parse: a typo must not make a search silently find nothing.
    pub fn from_spec(spec: &SubjectSpec, default_id: &str, names: &NameMatcher) -> Result<Subject> {
        if spec.is_empty() {
            bail!("subject {default_id}: no identifiers given");
        }
        let mut ids = Vec::new();
        let mut push = |id: IdKind, norm: String| {
            let i = Identifier { id, norm };
            if !ids.contains(&i) {
                ids.push(i);
            }
        };
        for p in &spec.phone {
            let n = phone::normalize_phone(p.trim().as_bytes())
                .with_context(|| format!("--phone {p:?}: not a valid phone number"))?;
            push(IdKind::Phone, n.e164);
        }
        for e in &spec.email {
            let t = e.trim();
            if !email::email_valid(t.as_bytes()) {
                bail!("--email {e:?}: not a valid e-mail address");
            }
            let n = email::normalize_email(t)
                .with_context(|| format!("--email {e:?}: not a valid e-mail address"))?;
            push(IdKind::Email, n);
        }
        for v in &spec.inn {
            let d = digits(v);
            if !inn::inn_valid(d.as_bytes()) {
                bail!("--inn {v:?}: not a valid INN (10 or 12 digits, checksum)");
            }
            push(IdKind::Inn, d);
        }
        for v in &spec.snils {
            let d = digits(v);
            if d.len() != 11 || snils::snils_check(d.as_bytes()) == snils::SnilsCheck::Invalid {
                bail!("--snils {v:?}: not a valid SNILS (11 digits, checksum)");
            }
            push(IdKind::Snils, d);
        }
        for v in &spec.passport {
            let d = digits(v);
            if d.len() != 10 {
                bail!("--passport {v:?}: a Russian passport is 10 digits (series and number)");
            }
            push(IdKind::Passport, d);
        }
        for v in &spec.card {
            let d = digits(v);
            if !card::card_valid(d.as_bytes()) {
                bail!("--card {v:?}: not a valid card number (Luhn)");
            }
            push(IdKind::Card, d);
        }
        let mut parsed = Vec::new();
        for n in &spec.name {
            parsed.push(parse_name(n, names)?);
        }
        Ok(Subject {
            id: spec.id.clone().unwrap_or_else(|| default_id.to_string()),
            identifiers: ids,
            names: parsed,
        })
    }
}

/// Reads a full name the way the detector reads one in text.
pub fn parse_name(name: &str, names: &NameMatcher) -> Result<PersonName> {
    let hit = name_hit(name.trim(), names).with_context(|| {
        format!("--name {name:?}: not read as a full name (surname and first name)")
    })?;
    let (surname, given) = name_parts(&hit);
    if given.is_empty() || given.iter().any(|p| p.contains('.')) {
        bail!("--name {name:?}: give the surname and the first name in full");
    }
    let forms = surname_forms(&surname);
    Ok(PersonName {
        latin: LatinName::of(&forms, &given[0], given.get(1).map(String::as_str)),
        surname_forms: forms,
        first: given[0].clone(),
        patronymic: given.get(1).cloned(),
        surname,
    })
}

/// A name hit's surname lemma and its given names in order (first name,
/// then patronymic or middle name; initials as written, `а.с.`). The
/// detector's norm puts a Russian surname first and an English one last.
pub fn name_parts(hit: &NameHit) -> (String, Vec<String>) {
    let norm = String::from_utf8_lossy(&hit.norm);
    let mut tokens: Vec<String> = norm.split(' ').map(str::to_string).collect();
    let surname = match hit.lang {
        Lang::En => tokens.pop().unwrap_or_default(),
        Lang::Ru => tokens.remove(0),
    };
    (surname, tokens)
}

/// The detector's reading of a whole string as one name.
pub fn name_hit(text: &str, names: &NameMatcher) -> Option<NameHit> {
    let mut hits = Vec::new();
    names.find(text.as_bytes(), 0, text.len(), &mut hits);
    hits.into_iter().max_by_key(|h| h.end - h.start)
}

/// Case forms of a Russian surname of the common declinable families, in
/// the lemma's own gender (`иванова`: `ивановой`, `иванову`; `иванов`:
/// `иванова`, `ивановым`, ...). Other surnames: the lemma only.
fn surname_forms(lemma: &str) -> Vec<String> {
    let mut out = vec![lemma.to_string()];
    let mut add = |stem: &str, ends: &[&str]| {
        for e in ends {
            let f = format!("{stem}{e}");
            if !out.contains(&f) {
                out.push(f);
            }
        }
    };
    for suf in ["ов", "ев", "ёв", "ин", "ын"] {
        if lemma.ends_with(suf) {
            add(lemma, &["а", "у", "ым", "е"]);
        } else if let Some(stem) = lemma.strip_suffix(&format!("{suf}а")) {
            add(&format!("{stem}{suf}"), &["ой", "у"]);
        }
    }
    for (m, f) in [("ский", "ская"), ("цкий", "цкая")] {
        if let Some(stem) = lemma.strip_suffix(m) {
            let s = &m[..m.len() - "ий".len()];
            add(&format!("{stem}{s}"), &["ого", "ому", "им", "ом"]);
        } else if let Some(stem) = lemma.strip_suffix(f) {
            let s = &f[..f.len() - "ая".len()];
            add(&format!("{stem}{s}"), &["ой", "ую"]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> NameMatcher {
        NameMatcher::new()
    }

    #[test]
    fn identifiers_are_normalised() {
        let spec = SubjectSpec {
            phone: vec!["8 (912) 345-67-89".into(), "+7 912 345 67 89".into()],
            email: vec!["Anna.Ivanova@EXAMPLE.RU".into()],
            snils: vec!["112-233-445 95".into()],
            passport: vec!["4508 123456".into()],
            name: vec!["Иванова Анна Сергеевна".into()],
            ..SubjectSpec::default()
        };
        let s = Subject::from_spec(&spec, "subject", &names()).unwrap();
        let got: Vec<(&str, &str)> = s
            .identifiers
            .iter()
            .map(|i| (i.id.id(), i.norm.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("phone", "+79123456789"),
                ("email", "anna.ivanova@example.ru"),
                ("snils", "11223344595"),
                ("passport", "4508123456"),
            ]
        );
        let n = &s.names[0];
        assert_eq!((n.surname.as_str(), n.first.as_str()), ("иванова", "анна"));
        assert_eq!(n.patronymic.as_deref(), Some("сергеевна"));
        assert!(n.surname_forms.iter().any(|f| f == "ивановой"));
        let l = n.latin.as_ref().unwrap();
        assert_eq!(
            (l.first.as_str(), l.patronymic.as_deref()),
            ("anna", Some("sergeevna"))
        );
        assert!(l.surname_forms.iter().any(|f| f == "ivanova"));
        assert!(l.surname_forms.iter().any(|f| f == "ivanovoi"));
        let en = parse_name("John Smith", &names()).unwrap();
        assert_eq!((en.surname.as_str(), en.first.as_str()), ("smith", "john"));
        assert_eq!(en.latin, None);
    }

    #[test]
    fn bad_identifiers_are_errors() {
        let n = names();
        for spec in [
            SubjectSpec {
                phone: vec!["12345".into()],
                ..SubjectSpec::default()
            },
            SubjectSpec {
                inn: vec!["1234567890".into()],
                ..SubjectSpec::default()
            },
            SubjectSpec {
                name: vec!["Анна".into()],
                ..SubjectSpec::default()
            },
            SubjectSpec::default(),
        ] {
            assert!(Subject::from_spec(&spec, "s", &n).is_err(), "{spec:?}");
        }
    }

    #[test]
    fn subject_file_rejects_unknown_keys() {
        let ok = "[[subject]]\nid = \"anna\"\nphone = \"+7 912 345-67-89\"\n\
                  [[subject]]\nemail = [\"a@example.ru\", \"b@example.ru\"]\n";
        let specs = SubjectSpec::parse_file(ok, "s.toml").unwrap();
        assert_eq!(specs.len(), 2);
        assert_eq!(specs[0].id.as_deref(), Some("anna"));
        assert_eq!(specs[1].email.len(), 2);
        let bad = "[[subject]]\nphon = \"+7 912 345-67-89\"\n";
        let e = SubjectSpec::parse_file(bad, "s.toml").unwrap_err();
        assert!(format!("{e:#}").contains("phon"), "{e:#}");
    }
}
