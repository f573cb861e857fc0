#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| modelgate_fuzz::run("plain_yaml", data));
