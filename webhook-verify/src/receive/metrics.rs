//! Outcome metrics through the [`metrics`](https://docs.rs/metrics) facade (feature
//! `metrics`): recorded by the receive path, once, for both adapters, the router and the
//! CLI's listener. Without a recorder installed they cost a few atomic loads.
//!
//! | name | kind | labels | what |
//! |---|---|---|---|
//! | `webhook_deliveries_total` | counter | `provider`, `outcome` | deliveries by how they ended |
//! | `webhook_verify_duration_seconds` | histogram | `provider` | time to verify (and resolve a tenant's keys) |
//! | `webhook_handler_duration_seconds` | histogram | `provider` | from verification to the handler's answer |
//! | `webhook_claims_in_flight` | gauge | `provider` | replay claims held by deliveries being handled |
//!
//! `outcome` is the [`Outcome`] name, the same as the `webhook` span's
//! `outcome` field: `handled`, `verified` (handed to a handler whose answer the receive
//! path does not see: the extractors), `challenge`, `unrouted`, `duplicate`,
//! `in_progress`, `missing_header`, `duplicate_header`, `malformed_header`,
//! `malformed_body`, `signature_mismatch`, `timestamp_too_old`, `timestamp_in_future`,
//! `payload_too_large`, `body_read`, `body_timeout`, `invalid_payload`,
//! `invalid_payload_accepted`, `handler_failed`, `store_unavailable`, `shadow_accepted`,
//! `tenant_missing`, `unknown_tenant`, `keys_unavailable`, `keys_failed`, and for the
//! receiver's own misconfiguration `missing_url`, `invalid_secret`, `config`.
//!
//! Serve them with `metrics-exporter-prometheus` (the listeners' `--metrics-addr`):
//!
//! ```text
//! // In the service's start-up, inside its tokio runtime:
//! metrics_exporter_prometheus::PrometheusBuilder::new()
//!     .with_http_listener(([127, 0, 0, 1], 9000))
//!     .install()?;
//! ```
//!
//! For OpenTelemetry, install a `metrics` recorder that forwards to an OpenTelemetry meter
//! (for example the `metrics-exporter-opentelemetry` crate, or a small `metrics::Recorder`
//! over `opentelemetry::metrics::Meter`); the names and labels stay the same. Traces carry
//! the same outcome names on the `webhook` span (`provider`, `id`, `tenant`, `outcome`),
//! so `tracing-opentelemetry` exports them as span attributes.

use std::time::Instant;

use metrics::{SharedString, counter, gauge, histogram};

use super::Outcome;

/// The counter of deliveries.
pub const DELIVERIES: &str = "webhook_deliveries_total";
/// The histogram of verify time.
pub const VERIFY_SECONDS: &str = "webhook_verify_duration_seconds";
/// The histogram of handler time.
pub const HANDLER_SECONDS: &str = "webhook_handler_duration_seconds";
/// The gauge of replay claims in flight.
pub const CLAIMS_IN_FLIGHT: &str = "webhook_claims_in_flight";

/// Describes the metrics to the installed recorder (units and help texts).
pub(crate) fn describe() {
    metrics::describe_counter!(
        DELIVERIES,
        "Webhook deliveries received, by provider and outcome"
    );
    metrics::describe_histogram!(
        VERIFY_SECONDS,
        metrics::Unit::Seconds,
        "Time to verify a webhook delivery (with its tenant's key lookup)"
    );
    metrics::describe_histogram!(
        HANDLER_SECONDS,
        metrics::Unit::Seconds,
        "Time from verification to the handler's answer"
    );
    metrics::describe_gauge!(
        CLAIMS_IN_FLIGHT,
        "Replay claims held by deliveries being handled"
    );
}

/// A delivery's final outcome.
pub(crate) fn delivery(provider: &SharedString, outcome: Outcome) {
    counter!(DELIVERIES, "provider" => provider.clone(), "outcome" => outcome.as_str())
        .increment(1);
}

/// Time spent verifying.
pub(crate) fn verify_time(provider: &SharedString, took: std::time::Duration) {
    histogram!(VERIFY_SECONDS, "provider" => provider.clone()).record(took);
}

/// Time spent since `start` (verification) until the handler answered.
pub(crate) fn handler_time(provider: &SharedString, start: Instant) {
    histogram!(HANDLER_SECONDS, "provider" => provider.clone()).record(start.elapsed());
}

/// A replay claim held while its delivery is handled: counted in
/// [`CLAIMS_IN_FLIGHT`] until dropped.
pub(crate) struct InFlight(SharedString);

impl InFlight {
    pub(crate) fn new(provider: &str) -> Self {
        let provider = SharedString::from(provider.to_owned());
        gauge!(CLAIMS_IN_FLIGHT, "provider" => provider.clone()).increment(1);
        Self(provider)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        gauge!(CLAIMS_IN_FLIGHT, "provider" => self.0.clone()).decrement(1);
    }
}
