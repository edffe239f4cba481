//! The envelope readers and the JSON scanner over arbitrary verified bodies: every
//! provider's envelope, and envelopes built from arbitrary JSON pointers for the type,
//! data, action and id, parsed into `serde_json::Value`. Never a panic;
//! and when the scanner finds the event type, serde_json reads the same value.
//!
//! Input: pointer texts (type, data, action, id) split by 0xff, then the body after 0xfe.

#![no_main]

#[path = "../common/mod.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use webhook_verify::{Delivery, Envelope, Provider};

fuzz_target!(|data: &[u8]| {
    let (pointers, body) = match data.iter().position(|&b| b == 0xfe) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&[][..], data),
    };
    // GitHub signs the body alone: any bytes become a verified delivery.
    let provider = Provider::GITHUB;
    let mut headers = common::signed_headers(&provider, body).expect("github signs");
    headers.push(("x-github-event".into(), "push".into()));
    let verified = common::verifier(&provider, false)
        .verify(&Delivery::new(&headers, body.to_vec()))
        .expect("a signed body verifies");
    common::exercise_verified(&verified);

    let texts: Vec<&str> = pointers
        .split(|&b| b == 0xff)
        .filter_map(|p| std::str::from_utf8(p).ok())
        .collect();
    let Some(type_pointer) = texts.first() else {
        return;
    };
    let Ok(mut envelope) = Envelope::json_pointer(type_pointer) else {
        return;
    };
    for (i, text) in texts.iter().enumerate().skip(1).take(3) {
        let next = match i {
            1 => envelope.clone().with_data_at(text),
            2 => envelope.clone().with_action_at(text),
            _ => envelope.clone().with_id_at(text),
        };
        if let Ok(next) = next {
            envelope = next;
        }
    }
    let _ = format!("{envelope:?}");
    let parsed = envelope.parse::<serde_json::Value>(&verified);
    if let Ok(event) = &parsed {
        if texts.len() == 1 {
            // The scanner's event type is what serde_json sees at that pointer.
            let value: serde_json::Value =
                serde_json::from_slice(body).expect("the scanner accepted this JSON");
            if let Some(serde_json::Value::String(s)) = value.pointer(type_pointer) {
                assert_eq!(event.event_type(), s, "scanner and serde_json disagree");
            }
        }
    }
});
