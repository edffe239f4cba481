//! Explaining a failed verification, for logs and debugging tools.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::delivery::Body;
use crate::provider::KeyForm;
use crate::{Delivery, Error, Provider, Tolerance, Verifier};

/// Likely causes of a failed verification, in plain words.
///
/// Meant for logs and debugging tools, never for the HTTP response: a hint may say that the
/// delivery verifies under a different key derivation or provider, which an attacker should
/// not learn. Hints never contain secrets, signatures or the body.
///
/// ```
/// use webhook_verify::{Delivery, Error, FixedClock, Provider, Verifier};
///
/// let verifier = Verifier::builder(Provider::STANDARD_WEBHOOKS)
///     .secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
///     .clock(FixedClock::from_unix(1614265330 + 412))
///     .build()?;
/// let headers: &[(&str, &str)] = &[
///     ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
///     ("webhook-timestamp", "1614265330"),
///     ("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
/// ];
/// let delivery = Delivery::new(&headers, &br#"{"test": 2432232314}"#[..]);
/// let err = verifier.verify(&delivery).unwrap_err();
/// let diagnosis = verifier.diagnose(&delivery, &err);
/// assert!(diagnosis.to_string().contains("412 s old (tolerance 300 s)"));
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnosis {
    hints: Vec<String>,
}

impl Diagnosis {
    /// The largest body [`Verifier::diagnose`] re-verifies: 16 KiB. Above it, the checks
    /// that re-run verification over the body (another key form, another provider, a
    /// re-encoded body) are skipped and a hint says so.
    pub const MAX_BODY: usize = 16 * 1024;

    /// The most re-verifications one [`Verifier::diagnose`] call runs: 8. Whatever the
    /// delivery carries (many providers' headers, a body that parses as JSON), a diagnosis
    /// costs at most this many verifications of a body of at most [`MAX_BODY`](Self::MAX_BODY)
    /// bytes, plus one verification for a timestamp outside the tolerance: less than a
    /// single verification of a 256 KiB body.
    pub const MAX_CHECKS: usize = 8;

    /// The hints, most likely cause first.
    #[must_use]
    pub fn hints(&self) -> &[String] {
        &self.hints
    }

    /// Whether there is nothing to add to the error itself.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.hints.is_empty()
    }

    fn push(&mut self, hint: impl Into<String>) {
        self.hints.push(hint.into());
    }
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hints.join("; "))
    }
}

impl Verifier {
    /// Explains why `delivery` failed with `error`: clock skew in seconds, a secret used in
    /// the wrong form for this provider, a body changed after signing (trailing newline,
    /// re-encoded JSON), headers that belong to another provider.
    ///
    /// This re-runs verification under relaxed assumptions, so it costs more than
    /// [`verify`](Self::verify): call it only on failures you log. The cost is bounded
    /// so that logging every rejection cannot be turned into a CPU sink: at most
    /// [`Diagnosis::MAX_CHECKS`] re-verifications, only for bodies of at most
    /// [`Diagnosis::MAX_BODY`] bytes, and only providers whose signature header the
    /// delivery carries are tried.
    #[must_use]
    pub fn diagnose<B: Body>(&self, delivery: &Delivery<'_, B>, error: &Error) -> Diagnosis {
        self.diagnose_slice(&delivery.with_body(delivery.body()), error)
    }

    fn diagnose_slice(&self, delivery: &Delivery<'_, &[u8]>, error: &Error) -> Diagnosis {
        let mut d = Diagnosis::default();
        match error {
            Error::TimestampTooOld {
                age_secs,
                tolerance_secs,
            } => {
                d.push(format!(
                    "timestamp is {age_secs} s old (tolerance {tolerance_secs} s): check the \
                     sender's and this machine's clocks, or verify with a fixed clock when \
                     replaying a captured delivery"
                ));
                if !self.verifies_as(self.provider().clone(), delivery) {
                    d.push("the signature does not match either");
                }
            }
            Error::TimestampInFuture {
                ahead_secs,
                tolerance_secs,
            } => d.push(format!(
                "timestamp is {ahead_secs} s in the future (tolerance {tolerance_secs} s): \
                 check this machine's clock"
            )),
            Error::MissingHeader { name } => {
                d.push(format!("the request has no {name} header"));
                self.other_providers(delivery, &mut d);
            }
            Error::MissingUrl { .. } => d.push(
                "this provider signs the URL it called: pass the public URL (scheme, host, \
                 port, path and query) with Delivery::with_url",
            ),
            Error::SignatureMismatch => self.mismatch(delivery, &mut d),
            Error::DuplicateHeader { name } => d.push(format!(
                "{name} appears more than once with different values: a proxy may be adding \
                 its own"
            )),
            Error::MalformedHeader { name, reason } => {
                d.push(format!("{name} could not be read ({reason})"));
            }
            _ => {}
        }
        d
    }

    fn mismatch(&self, delivery: &Delivery<'_, &[u8]>, d: &mut Diagnosis) {
        let spec = self.provider().spec();
        let name = self.provider().name();
        let body = delivery.body();
        if body.len() > Diagnosis::MAX_BODY {
            d.push(format!(
                "the body is {} bytes: checks that re-verify it are skipped above {} bytes",
                body.len(),
                Diagnosis::MAX_BODY
            ));
            self.no_key_matched(spec, d);
            return;
        }
        let mut budget = Diagnosis::MAX_CHECKS;
        // Only verifications count: a scheme whose key cannot be made from this secret (a
        // certificate, a public key) is refused before any work.
        let mut verifies_as =
            |provider: Provider, delivery: &Delivery<'_, &[u8]>| -> Option<bool> {
                let Some(verifier) = self.relaxed(provider) else {
                    return Some(false);
                };
                budget = budget.checked_sub(1)?;
                Some(verifier.verify(delivery).is_ok())
            };
        // The secret in another form.
        for alt in [
            KeyForm::Utf8,
            KeyForm::Base64 { prefix: "whsec_" },
            KeyForm::Hex,
        ] {
            if alt == spec.key
                || (alt == KeyForm::Base64 { prefix: "whsec_" }
                    && spec.key == KeyForm::StandardWebhooks)
            {
                continue;
            }
            let mut s = spec.clone();
            s.key = alt;
            if verifies_as(Provider::from_spec(s), delivery) == Some(true) {
                d.push(format!(
                    "the signature matches when the key is the {}, but provider {name} uses the \
                     {}: check that the provider is right",
                    describe(alt),
                    describe(spec.key)
                ));
                return;
            }
        }
        // Another provider's scheme, when the delivery carries its signature header (or,
        // for schemes signed inside the body, always: there are two).
        for p in Provider::all() {
            let mut carried = p.spec().message.scheme().is_some_and(|s| s.in_body());
            delivery
                .headers()
                .for_each_value(p.signature_header(), &mut |_| carried = true);
            if carried
                && p.name() != name
                && !p.needs_url()
                && verifies_as(p.clone(), delivery) == Some(true)
            {
                d.push(format!(
                    "the delivery verifies as provider {}, not {name}",
                    p.name()
                ));
                return;
            }
        }
        // The body changed after signing.
        let mut variants: Vec<(&str, Vec<u8>)> = Vec::new();
        if let Some(trimmed) = body.strip_suffix(b"\n") {
            variants.push(("a trailing newline was added", trimmed.to_vec()));
        }
        variants.push(("a trailing newline was removed", [body, b"\n"].concat()));
        if body.windows(2).any(|w| w == b"\r\n") {
            let lf = String::from_utf8_lossy(body)
                .replace("\r\n", "\n")
                .into_bytes();
            variants.push(("line endings were changed", lf));
        }
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
            if let Ok(compact) = serde_json::to_vec(&value) {
                variants.push(("the JSON was re-serialized", compact));
            }
            if let Ok(pretty) = serde_json::to_vec_pretty(&value) {
                variants.push(("the JSON was re-serialized", pretty));
            }
        }
        let Some(relaxed) = self.relaxed(self.provider().clone()) else {
            return;
        };
        for (what, bytes) in variants {
            let alt = delivery.with_body(&bytes[..]);
            if budget.checked_sub(1).map(|b| budget = b).is_none() {
                break;
            }
            if relaxed.verify(&alt).is_ok() {
                d.push(format!(
                    "the body was changed after it was signed ({what}): verify the raw bytes \
                     exactly as received, before any parsing"
                ));
                return;
            }
        }
        if body.is_empty() {
            d.push("the body is empty: was it read by something else before verification?");
        }
        self.no_key_matched(spec, d);
    }

    /// The closing hints of a mismatch.
    fn no_key_matched(&self, spec: &crate::provider::Spec, d: &mut Diagnosis) {
        if let Some(hint) = spec.message.scheme().and_then(|s| s.mismatch_hint) {
            d.push(hint);
        }
        d.push(format!(
            "no configured key ({}) produced the signature: check that the secret is this \
             endpoint's (each endpoint has its own) and was copied whole",
            self.secrets().len()
        ));
    }

    fn other_providers(&self, delivery: &Delivery<'_, &[u8]>, d: &mut Diagnosis) {
        let own = self.provider().name();
        for p in Provider::all() {
            let mut present = false;
            delivery
                .headers()
                .for_each_value(p.signature_header(), &mut |_| present = true);
            if present && p.name() != own {
                d.push(format!(
                    "it does carry {}, which provider {} uses",
                    p.signature_header(),
                    p.name()
                ));
                return;
            }
        }
    }

    /// This verifier's secrets with another scheme and no timestamp check; `None` when a
    /// secret cannot be used with that scheme (so it cannot explain anything).
    fn relaxed(&self, provider: Provider) -> Option<Verifier> {
        let mut b = Verifier::builder(provider)
            .tolerance_policy(Tolerance::NONE)
            .shared_clock(self.shared_clock());
        for s in self.secrets() {
            b = b.secret(s);
        }
        b.build().ok()
    }

    fn verifies_as(&self, provider: Provider, delivery: &Delivery<'_, &[u8]>) -> bool {
        self.relaxed(provider)
            .is_some_and(|v| v.verify(delivery).is_ok())
    }
}

fn describe(form: KeyForm) -> &'static str {
    match form {
        KeyForm::Utf8 => "secret text itself",
        KeyForm::Base64 { .. } | KeyForm::StandardWebhooks => "base64 after whsec_",
        KeyForm::Hex => "hex-decoded secret",
        KeyForm::Ed25519Hex => "hex public key",
        KeyForm::P256Base64Der => "base64 DER public key",
        KeyForm::Token => "token compared as it is",
        KeyForm::Ed25519Base64 => "base64 public key",
        KeyForm::X509Pem => "certificate's RSA public key",
    }
}
