//! Bytes as a file of every kind, through the engine, to every reporter.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    preflight::fuzzing::pipeline(data);
});
