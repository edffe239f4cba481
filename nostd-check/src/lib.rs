//! Proof that `webhook-verify`'s verification builds without the standard library.
//!
//! A `#![no_std]` library over `webhook-verify` with `default-features = false`: it
//! verifies a Stripe (HMAC-SHA256) and a Discord (Ed25519) delivery with a fixed clock,
//! refuses a tampered and a stale one, and signs and verifies a delivery of its own.
//! [`verify_examples`] is called and its answer checked by this crate's host test.
//!
//! An rlib does not prove much on its own: a dependency may still link `std`. CI therefore
//! also builds it as a static library with `panic = abort`, its own `#[panic_handler]` and
//! global allocator (`--cfg nostd_check_bare`); if anything in the graph linked `std`, its
//! panic handler would clash with this one and the build would fail:
//!
//! ```text
//! cargo rustc -p webhook-verify-nostd-check --lib --crate-type staticlib -- \
//!     -C panic=abort --cfg nostd_check_bare
//! ```

#![no_std]

extern crate alloc;

#[cfg(nostd_check_bare)]
pub mod bare;

use alloc::string::{String, ToString};

use webhook_verify::{Delivery, ErrorKind, FixedClock, Provider, SignOptions, Signer, Verifier};

/// Stripe's test secret and a delivery it signed at [`NOW`].
const STRIPE_SECRET: &str = "whsec_test_secret";
const STRIPE_BODY: &[u8] = b"{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\"\n}";
const STRIPE_SIGNATURE: &str =
    "t=1700000000,v1=4f1cd7feda9826e746b7d482c4badebb657398df1099e1046364f6196a230150";

/// A Discord application's public key, the seed it comes from, and an interaction signed
/// with that seed at [`NOW`].
const DISCORD_PUBLIC: &str = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
const DISCORD_SEED: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const DISCORD_BODY: &[u8] =
    br#"{"id":"787053080478613555","token":"ThisIsATokenFromDiscordThatIsVeryLong","type":1,"version":1}"#;
const DISCORD_SIGNATURE: &str = "81d7269c4a7ffcec3d0e612cbf333e052282a6d3c913296937ebc937bdc7821690ce825568ac2f91057bd34a640c1ddfca8faeeda4446b68f663d61d753c6102";

/// The instant both deliveries were signed at, in Unix seconds.
pub const NOW: i64 = 1_700_000_000;

/// What [`verify_examples`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The id of the verified Stripe event (from its body).
    pub stripe_id: Option<String>,
    /// The signed timestamp of the Stripe delivery.
    pub stripe_timestamp: Option<i64>,
    /// Why the Stripe delivery with one byte of its body changed was refused.
    pub stripe_tampered: Option<ErrorKind>,
    /// Why the Stripe delivery was refused ten minutes later.
    pub stripe_stale: Option<ErrorKind>,
    /// The id of the verified Discord interaction (from its body).
    pub discord_id: Option<String>,
    /// The event type of the verified Discord interaction.
    pub discord_type: Option<String>,
    /// Why the Discord interaction with another timestamp was refused.
    pub discord_tampered: Option<ErrorKind>,
    /// The id of a Discord interaction signed here with the seed, then verified.
    pub discord_signed_id: Option<String>,
}

/// Verifies the example Stripe and Discord deliveries with a clock fixed at [`NOW`], and
/// reports what each check gave.
///
/// # Errors
///
/// When a verifier or signer cannot be built, or an authentic delivery is refused.
pub fn verify_examples() -> Result<Report, webhook_verify::Error> {
    let clock = FixedClock::from_unix(NOW);

    let stripe = Verifier::builder(Provider::STRIPE)
        .secret(STRIPE_SECRET)
        .clock(clock)
        .build()?;
    let headers = [("Stripe-Signature", STRIPE_SIGNATURE)];
    let verified = stripe.verify(&Delivery::new(&headers, STRIPE_BODY))?;
    let mut tampered = [0u8; STRIPE_BODY.len()];
    tampered.copy_from_slice(STRIPE_BODY);
    tampered[10] ^= 1;
    let stripe_tampered = stripe
        .verify(&Delivery::new(&headers, &tampered[..]))
        .err()
        .map(|e| e.kind());
    let later = Verifier::builder(Provider::STRIPE)
        .secret(STRIPE_SECRET)
        .clock(FixedClock::from_unix(NOW + 600))
        .build()?;
    let stripe_stale = later
        .verify(&Delivery::new(&headers, STRIPE_BODY))
        .err()
        .map(|e| e.kind());

    let discord = Verifier::builder(Provider::DISCORD)
        .secret(DISCORD_PUBLIC)
        .clock(clock)
        .build()?;
    let headers = [
        ("X-Signature-Ed25519", DISCORD_SIGNATURE),
        ("X-Signature-Timestamp", "1700000000"),
    ];
    let interaction = discord.verify(&Delivery::new(&headers, DISCORD_BODY))?;
    let moved = [
        ("X-Signature-Ed25519", DISCORD_SIGNATURE),
        ("X-Signature-Timestamp", "1700000001"),
    ];
    let discord_tampered = discord
        .verify(&Delivery::new(&moved, DISCORD_BODY))
        .err()
        .map(|e| e.kind());

    let body = br#"{"id":"1","type":2}"#;
    let signed = Signer::new(&Provider::DISCORD, DISCORD_SEED)?
        .sign(body, &SignOptions::new().timestamp(NOW))?;
    let signed = discord.verify(&Delivery::new(&signed, &body[..]))?;

    Ok(Report {
        stripe_id: verified.id().map(ToString::to_string),
        stripe_timestamp: verified.timestamp(),
        stripe_tampered,
        stripe_stale,
        discord_id: interaction.id().map(ToString::to_string),
        discord_type: interaction.event_type().map(ToString::to_string),
        discord_tampered,
        discord_signed_id: signed.id().map(ToString::to_string),
    })
}
