//! stub: filled in by the validators work.
pub fn ogrn_or_ogrnip_valid(_d: &[u8]) -> bool {
    todo!()
}
