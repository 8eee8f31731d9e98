//! stub: filled in by the validators work.
pub fn snils_valid_or_unchecked(_d: &[u8]) -> bool {
    todo!()
}
