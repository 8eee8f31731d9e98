//! Byte-level text helpers shared by detectors and validators: case
//! folding for ASCII and Russian Cyrillic without decoding or allocating.
//!
//! Hand-written because they run per candidate on the hot path; they keep
//! byte lengths unchanged so offsets stay valid.

/// `bytes` as text: borrowed when they are UTF-8 (as detected values
/// are), with U+FFFD for invalid sequences otherwise. `from_utf8` first:
/// its ASCII fast path is cheaper than the lossy scan's chunking (~190
/// instructions a value, callgrind), which runs only when it fails.
pub fn utf8_lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Lower-cases ASCII and Cyrillic (А-Я, Ё) in UTF-8 in place, byte for
/// byte: every such letter keeps its length, so offsets stay valid.
pub fn fold_in_place(out: &mut [u8]) {
    let mut i = 0;
    while i < out.len() {
        let b = out[i];
        if b.is_ascii_uppercase() {
            out[i] = b + 32;
        } else if b == 0xD0 && i + 1 < out.len() {
            let c = out[i + 1];
            match c {
                // А..П -> а..п
                0x90..=0x9F => out[i + 1] = c + 0x20,
                // Р..Я -> р..я (D1 80..8F)
                0xA0..=0xAF => {
                    out[i] = 0xD1;
                    out[i + 1] = c - 0x20;
                }
                // Ё -> ё
                0x81 => {
                    out[i] = 0xD1;
                    out[i + 1] = 0x91;
                }
                _ => {}
            }
            i += 1;
        }
        i += 1;
    }
}

/// Lower-cases a short word into `out`; `None` when it does not fit.
pub fn lowercase_small<'a>(src: &[u8], out: &'a mut [u8; 32]) -> Option<&'a [u8]> {
    let out = out.get_mut(..src.len())?;
    out.copy_from_slice(src);
    fold_in_place(out);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_lossy_is_from_utf8_lossy() {
        for b in [
            &b"plain"[..],
            "Иванова".as_bytes(),
            b"",
            b"bad \xff\xfe tail",
            b"cut \xd0",
            b"\xed\xa0\x80 surrogate",
        ] {
            let got = utf8_lossy(b);
            assert_eq!(got, String::from_utf8_lossy(b));
            assert_eq!(
                matches!(got, std::borrow::Cow::Borrowed(_)),
                std::str::from_utf8(b).is_ok()
            );
        }
    }

    #[test]
    fn lowercases_cyrillic_and_ascii() {
        let mut out = "ПАСПОРТ Серия ЁЛКА Dob".as_bytes().to_vec();
        fold_in_place(&mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "паспорт серия ёлка dob");
        let mut upper = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
            .to_uppercase()
            .into_bytes();
        fold_in_place(&mut upper);
        assert_eq!(
            String::from_utf8(upper).unwrap(),
            "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
        );
        let mut small = [0u8; 32];
        assert_eq!(
            lowercase_small("МАРТА".as_bytes(), &mut small),
            Some("марта".as_bytes())
        );
        assert_eq!(lowercase_small(&[b'a'; 40], &mut small), None);
    }
}
