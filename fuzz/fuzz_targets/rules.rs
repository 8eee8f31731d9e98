#![no_main]
//! The rule loader: any text either loads as a rule set or is a clean
//! error; a loaded set compiles into an engine or is a clean error, and the
//! engine then scans and checks its own examples without panicking.
use libfuzzer_sys::fuzz_target;
use piiscan::detect::{Engine, RuleSet};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(user) = RuleSet::from_toml(text, "fuzz.toml", false) else {
        return;
    };
    let mut set = RuleSet::builtin();
    set.retain(|r| r.id().starts_with("email"));
    if set.extend(user).is_err() {
        return;
    }
    let Ok(engine) = Engine::new(set) else {
        return;
    };
    let _ = engine.check_examples();
    let _ = engine.scan_text(b"ivan@example.ru +7 912 345-67-89 test 123-45-678 90");
    let _ = engine.scan_text(data);
});
