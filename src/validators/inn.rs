//! stub: filled in by the validators work.
pub fn inn_valid(_d: &[u8]) -> bool {
    todo!()
}
pub fn inn10_valid(_d: &[u8]) -> bool {
    todo!()
}
pub fn inn12_valid(_d: &[u8]) -> bool {
    todo!()
}
