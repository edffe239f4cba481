//! The no_std check crate's example verification, run on the host.

use webhook_verify::ErrorKind;
use webhook_verify_nostd_check::{Report, verify_examples};

#[test]
fn examples_verify_and_forgeries_fail() {
    let report = verify_examples().expect("the authentic deliveries verify");
    assert_eq!(
        report,
        Report {
            stripe_id: Some("evt_test_webhook".into()),
            stripe_timestamp: Some(1_700_000_000),
            stripe_tampered: Some(ErrorKind::SignatureMismatch),
            stripe_stale: Some(ErrorKind::TimestampTooOld),
            discord_id: Some("787053080478613555".into()),
            discord_type: Some("1".into()),
            discord_tampered: Some(ErrorKind::SignatureMismatch),
            discord_signed_id: Some("1".into()),
        }
    );
}
