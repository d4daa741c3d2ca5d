//! One format's parser: the format this binary is named after (see `Cargo.toml`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    preflight::fuzzing::run(env!("CARGO_BIN_NAME"), data);
});
