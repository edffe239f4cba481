//! The custom provider's signed-content template parser against arbitrary text: it must
//! build or refuse with an error, never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use webhook_verify::Provider;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (template, header) = text.split_once('\n').unwrap_or((text, "x-sig"));
    let _ = Provider::custom("fuzz")
        .signature_header(header)
        .timestamp_header("x-ts")
        .id_header("x-id")
        .signed_content(template)
        .build();
});
