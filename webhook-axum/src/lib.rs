//! axum adapter for webhook-verify.
