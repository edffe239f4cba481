//! `webhook sign`: the headers a provider would attach to a body.

use webhook_verify::{Error, Provider, Secret, SignOptions, Signer};

use crate::Failure;
use crate::cli::SignArgs;
use crate::input::read_body;

pub(crate) fn run(args: SignArgs) -> Result<(), Failure> {
    let body = read_body(args.body_file.as_deref())?;
    let mut options = SignOptions::new();
    if let Some(t) = args.timestamp {
        options = options.timestamp(t);
    }
    if let Some(id) = args.id {
        options = options.id(id);
    }
    if let Some(url) = args.url {
        options = options.url(url);
    }
    let secret = args.secret.resolve_one()?;
    for (name, value) in sign(&args.provider, &secret, &body, &options)? {
        println!("{name}: {value}");
    }
    Ok(())
}

/// Signs `body`; every failure is a usage error (an unusable secret, a missing URL).
pub(crate) fn sign(
    provider: &Provider,
    secret: &Secret,
    body: &[u8],
    options: &SignOptions,
) -> Result<Vec<(String, String)>, Failure> {
    let signer = Signer::new(provider, secret).map_err(|e| usage(provider, &e))?;
    signer.sign(body, options).map_err(|e| usage(provider, &e))
}

fn usage(provider: &Provider, e: &Error) -> Failure {
    let mut message = format!("cannot sign for provider {}: {e}", provider.name());
    if provider.needs_url() && matches!(e, Error::Config { .. }) {
        message.push_str(" (pass --url)");
    }
    Failure::usage(message)
}
