//! An actix request as the core's input: headers, body chunks and the URL.

use actix_web::HttpRequest;
use actix_web::dev::Payload;
use actix_web::http::header::{HOST, HeaderMap};
use webhook_verify::receive::{Receiver, Reception, Reply, RequestUrl};
use webhook_verify::{Headers, Verified};

/// actix's [`HeaderMap`] as [`webhook_verify::Headers`], to verify by hand.
///
/// ```
/// use actix_web::test::TestRequest;
/// use webhook_actix::ActixHeaders;
/// use webhook_verify::{Delivery, Provider, Verifier};
///
/// let req = TestRequest::post()
///     .insert_header(("X-Hub-Signature-256", "sha256=4864d2759938a15468b5df9ade20bf161da9b4f737ea61794142f3484236bda3"))
///     .to_http_request();
/// let verifier = Verifier::new(Provider::GITHUB, "mysecret")?;
/// verifier.verify(&Delivery::new(&ActixHeaders(req.headers()), &br#"{"foo":"bar"}"#[..]))?;
/// # Ok::<(), webhook_verify::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ActixHeaders<'a>(pub &'a HeaderMap);

impl Headers for ActixHeaders<'_> {
    fn for_each_value<'a>(&'a self, name: &str, f: &mut dyn FnMut(&'a [u8])) {
        for value in self.0.get_all(name) {
            f(value.as_bytes());
        }
    }
}

/// Reads `payload` within the limit and the body timeout, and verifies it. A handshake
/// challenge is answered by the core (before the body for a plain request, after
/// verification for a signed one): its answer comes back as the `Err` reply to send.
pub(crate) async fn verify(
    reception: &Reception,
    req: &HttpRequest,
    payload: Payload,
) -> Result<Verified, Reply> {
    let headers = ActixHeaders(req.headers());
    let uri = req.uri();
    let origin = uri.scheme_str().zip(uri.authority().map(|a| a.as_str()));
    let host = req.headers().get(HOST).and_then(|h| h.to_str().ok());
    let url = RequestUrl::new(uri.path_and_query().map_or("/", |pq| pq.as_str()))
        .origin(origin)
        .host(host);
    if let Some(reply) = reception.challenge(req.method().as_str(), &headers, &url) {
        return Err(reply);
    }
    let limit = reception.body_limit(&headers)?;
    let body = reception.read_body(limit, payload).await?;
    let verified = reception.verify(&headers, &url, body).await?;
    match reception.answer(&verified) {
        Some(reply) => Err(reply),
        None => Ok(verified),
    }
}

/// Put in the request extensions by the middleware, next to the [`Verified`]: the receiver
/// that verified (and claimed) it.
#[derive(Clone)]
pub(crate) struct VerifiedBy(pub(crate) Receiver);

/// Whether the middleware's [`Verified`] may stand for `config`'s verification: it was
/// made by the same configuration, or the extractor has none of its own.
pub(crate) fn verified_for(by: Option<&VerifiedBy>, config: Option<&Receiver>) -> bool {
    match (by, config) {
        (Some(by), Some(config)) => by.0.same_as(config),
        (Some(_), None) => true,
        (None, _) => false,
    }
}
