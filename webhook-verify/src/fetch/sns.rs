//! AWS SNS subscription confirmation: after a `SubscriptionConfirmation` verified, a GET of
//! its `SubscribeURL` (opt-in).

use std::time::Duration;

use url::Host;

use super::{FetchError, KeyFetcher, Url};
use crate::Verified;

/// The longest answer read from a `SubscribeURL` (AWS answers with a short XML document).
const MAX_ANSWER: usize = 16 * 1024;

/// Confirms an AWS SNS subscription: for a **verified** `SubscriptionConfirmation`, GETs
/// its `SubscribeURL` once the URL is checked to be AWS's
/// (`https://sns.<region>.amazonaws.com[.cn]/?Action=ConfirmSubscription&…`, default
/// port), within `timeout`. Returns `Ok(false)` without any request for a message of
/// another type or another provider.
///
/// Confirming subscribes your endpoint to the topic named in the message; call it only for
/// topics you expect (check [`Verified::json`]'s `TopicArn` first).
///
/// ```no_run
/// # async fn run(verified: webhook_verify::Verified) -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use webhook_verify::fetch::{ReqwestFetcher, confirm_sns_subscription};
///
/// let fetcher = ReqwestFetcher::new()?;
/// let topic: serde_json::Value = verified.json()?;
/// if topic["TopicArn"] == "arn:aws:sns:us-west-2:123456789012:MyTopic" {
///     confirm_sns_subscription(&verified, &fetcher, Duration::from_secs(5)).await?;
/// }
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// [`FetchError::Refused`] (no request made) when the `SubscribeURL` is not AWS's; any
/// other [`FetchError`] when the request fails, is slow, or is not answered 200.
pub async fn confirm_sns_subscription<B: crate::Body>(
    verified: &Verified<B>,
    fetcher: &dyn KeyFetcher,
    timeout: Duration,
) -> Result<bool, FetchError> {
    if *verified.provider() != crate::Provider::AWS_SNS {
        return Ok(false);
    }
    let message = crate::provider::SnsMessage::parse(verified.body_bytes()).map_err(|_| {
        FetchError::Refused {
            reason: "not an SNS message",
        }
    })?;
    if message.field("Type").ok() != Some("SubscriptionConfirmation") {
        return Ok(false);
    }
    let url = message
        .field("SubscribeURL")
        .map_err(|_| FetchError::Refused {
            reason: "no SubscribeURL",
        })?;
    let url = check_subscribe_url(url)?;
    tokio::time::timeout(timeout, fetcher.fetch(&url, MAX_ANSWER))
        .await
        .map_err(|_| FetchError::TimedOut)??;
    Ok(true)
}

/// `https://sns.<region>.amazonaws.com[.cn]/?Action=ConfirmSubscription&…`.
fn check_subscribe_url(url: &str) -> Result<Url, FetchError> {
    let refused = FetchError::Refused {
        reason: "not an AWS SNS ConfirmSubscription URL",
    };
    let parsed = super::KeyUrlRule::aws_sns()
        .check_host_only(url)
        .map_err(|_| refused.clone())?;
    let confirm = parsed
        .query_pairs()
        .any(|(k, v)| k == "Action" && v == "ConfirmSubscription");
    let host_ok = matches!(parsed.host(), Some(Host::Domain(_)));
    if parsed.path() == "/" && confirm && host_ok && parsed.fragment().is_none() {
        Ok(parsed)
    } else {
        Err(refused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribe_urls() {
        assert!(check_subscribe_url("https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic&Token=2336412f37").is_ok());
        for bad in [
            "https://evil.example/?Action=ConfirmSubscription",
            "http://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription",
            "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe",
            "https://sns.us-west-2.amazonaws.com/x?Action=ConfirmSubscription",
            "https://sns.us-west-2.amazonaws.com:8443/?Action=ConfirmSubscription",
        ] {
            assert!(check_subscribe_url(bad).is_err(), "{bad}");
        }
    }
}
