//! stub: filled in by the validators work.
pub fn oms_valid(_d: &[u8]) -> bool {
    todo!()
}
