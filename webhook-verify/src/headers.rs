//! Reading request headers from any HTTP library.

use std::borrow::Cow;

use crate::Error;

/// Read access to a request's headers.
///
/// Implemented for `http::HeaderMap` (feature `http`, on by default), for slices and vectors
/// of name/value pairs, and by the adapter crates for their frameworks' header maps.
/// Names are compared ASCII case-insensitively; implementations receive them lowercase.
///
/// ```
/// use webhook_verify::Headers;
/// let headers: &[(&str, &str)] = &[("Stripe-Signature", "t=1,v1=00")];
/// let mut seen = Vec::new();
/// headers.for_each_value("stripe-signature", &mut |v| seen.push(v.to_vec()));
/// assert_eq!(seen, vec![b"t=1,v1=00".to_vec()]);
/// ```
pub trait Headers {
    /// Calls `f` with each value of the header `name` (lowercase), in order.
    fn for_each_value<'a>(&'a self, name: &str, f: &mut dyn FnMut(&'a [u8]));
}

impl<H: Headers + ?Sized> Headers for &H {
    fn for_each_value<'a>(&'a self, name: &str, f: &mut dyn FnMut(&'a [u8])) {
        (**self).for_each_value(name, f);
    }
}

impl<N: AsRef<str>, V: AsRef<[u8]>> Headers for [(N, V)] {
    fn for_each_value<'a>(&'a self, name: &str, f: &mut dyn FnMut(&'a [u8])) {
        for (n, v) in self {
            if n.as_ref().eq_ignore_ascii_case(name) {
                f(v.as_ref());
            }
        }
    }
}

impl<N: AsRef<str>, V: AsRef<[u8]>, const L: usize> Headers for [(N, V); L] {
    fn for_each_value<'a>(&'a self, name: &str, f: &mut dyn FnMut(&'a [u8])) {
        self.as_slice().for_each_value(name, f);
    }
}

impl<N: AsRef<str>, V: AsRef<[u8]>> Headers for Vec<(N, V)> {
    fn for_each_value<'a>(&'a self, name: &str, f: &mut dyn FnMut(&'a [u8])) {
        self.as_slice().for_each_value(name, f);
    }
}

#[cfg(feature = "http")]
impl Headers for http::HeaderMap {
    fn for_each_value<'a>(&'a self, name: &str, f: &mut dyn FnMut(&'a [u8])) {
        for v in self.get_all(name) {
            f(v.as_bytes());
        }
    }
}

#[cfg(feature = "actix")]
impl Headers for actix_http::header::HeaderMap {
    fn for_each_value<'a>(&'a self, name: &str, f: &mut dyn FnMut(&'a [u8])) {
        for v in self.get_all(name) {
            f(v.as_bytes());
        }
    }
}

/// The one value of header `name`: `None` when absent, an error when it appears more than
/// once with different values (identical repeats, as some proxies add, are accepted).
#[allow(
    clippy::ptr_arg,
    reason = "static names are cloned into errors without allocating"
)]
pub(crate) fn unique<'a>(
    headers: &'a dyn Headers,
    name: &Cow<'static, str>,
) -> Result<Option<&'a [u8]>, Error> {
    let mut first: Option<&'a [u8]> = None;
    let mut conflict = false;
    headers.for_each_value(name, &mut |v| match first {
        None => first = Some(v),
        Some(f) if f != v => conflict = true,
        Some(_) => {}
    });
    if conflict {
        return Err(Error::DuplicateHeader { name: name.clone() });
    }
    Ok(first)
}

/// Like [`unique`], but the header must be present.
#[allow(
    clippy::ptr_arg,
    reason = "static names are cloned into errors without allocating"
)]
pub(crate) fn required<'a>(
    headers: &'a dyn Headers,
    name: &Cow<'static, str>,
) -> Result<&'a [u8], Error> {
    unique(headers, name)?.ok_or_else(|| Error::missing(name.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: Cow<'static, str> = Cow::Borrowed("x-sig");

    #[test]
    fn case_insensitive_and_duplicates() {
        let h: &[(&str, &str)] = &[("X-Sig", "a"), ("x-sig", "a")];
        assert_eq!(unique(&h, &NAME).unwrap(), Some(&b"a"[..]));
        let h: &[(&str, &str)] = &[("X-Sig", "a"), ("x-SIG", "b")];
        assert_eq!(
            unique(&h, &NAME).unwrap_err(),
            Error::DuplicateHeader { name: NAME }
        );
        let h: &[(&str, &str)] = &[];
        assert_eq!(
            required(&h, &NAME).unwrap_err().to_string(),
            "missing header x-sig"
        );
    }

    #[cfg(feature = "http")]
    #[test]
    fn http_header_map() {
        let mut map = http::HeaderMap::new();
        map.append("X-Sig", http::HeaderValue::from_bytes(b"\xff\xfe").unwrap());
        assert_eq!(unique(&map, &NAME).unwrap(), Some(&b"\xff\xfe"[..]));
        map.append("x-sig", http::HeaderValue::from_static("other"));
        assert!(unique(&map, &NAME).is_err());
    }
}
