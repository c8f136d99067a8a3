//! Arbitrary bytes as a catalog file: loading must never panic, whatever the input.
//! Same code path as `itaku check FILE` after the file is read (UTF-8 decoding, then YAML).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let loaded = itaku::catalog::parse_str("fuzz.yaml", &text);
    // Every diagnostic must render (this walks the located source lines).
    for d in loaded.diagnostics.iter() {
        let _ = d.render(itaku::Lang::En, false);
    }
});
