//! Reading request headers from any HTTP library.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

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

    /// The `http::HeaderMap` these headers are, if they are one: the verifier then looks
    /// up header names it parsed once instead of parsing them on every delivery.
    /// Implementations other than `http::HeaderMap` keep the default.
    #[cfg(feature = "http")]
    #[doc(hidden)]
    #[inline]
    fn as_http_header_map(&self) -> Option<&http::HeaderMap> {
        None
    }
}

impl<H: Headers + ?Sized> Headers for &H {
    fn for_each_value<'a>(&'a self, name: &str, f: &mut dyn FnMut(&'a [u8])) {
        (**self).for_each_value(name, f);
    }

    #[cfg(feature = "http")]
    #[inline]
    fn as_http_header_map(&self) -> Option<&http::HeaderMap> {
        (**self).as_http_header_map()
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

    #[inline]
    fn as_http_header_map(&self) -> Option<&http::HeaderMap> {
        Some(self)
    }
}

/// A header name the verifier reads, with its `http::HeaderName` parsed once (when it is a
/// valid one), so that lookups in an `http::HeaderMap` skip parsing the name.
#[derive(Debug, Clone)]
pub(crate) struct HeaderKey {
    /// The lowercase name, for other header maps and for errors.
    pub(crate) name: Cow<'static, str>,
    #[cfg(feature = "http")]
    parsed: Option<http::HeaderName>,
    /// Its place in the [`HeaderSet`] of the scheme that reads it, once given one.
    #[cfg(feature = "http")]
    slot: Option<u8>,
}

impl HeaderKey {
    #[allow(clippy::ptr_arg, reason = "static names are cloned without allocating")]
    pub(crate) fn new(name: &Cow<'static, str>) -> Self {
        Self {
            name: name.clone(),
            #[cfg(feature = "http")]
            parsed: http::HeaderName::from_bytes(name.as_bytes()).ok(),
            #[cfg(feature = "http")]
            slot: None,
        }
    }
}

/// The distinct header names one scheme reads, so that an `http::HeaderMap` can be scanned
/// once for all of them (one pass over a delivery's few headers costs less than a hashed
/// lookup per name) instead of looked up name by name.
#[derive(Debug, Clone, Default)]
pub(crate) struct HeaderSet {
    #[cfg(feature = "http")]
    names: arrayvec::ArrayVec<Cow<'static, str>, { HeaderSet::MAX }>,
    /// Bit `n` is set when a name is `n` bytes long (names of 64 bytes or more are not
    /// scanned for): most of a delivery's headers are skipped on their length alone.
    #[cfg(feature = "http")]
    lengths: u64,
}

impl HeaderSet {
    #[cfg(feature = "http")]
    const MAX: usize = 8;

    /// Gives `key` its slot (a name read twice shares one). Keys without a slot are looked
    /// up on their own.
    pub(crate) fn add(&mut self, key: &mut HeaderKey) {
        #[cfg(feature = "http")]
        if let Some(parsed) = &key.parsed {
            // `http` names are lowercase.
            let name = parsed.as_str();
            key.slot = match self.names.iter().position(|n| n == name) {
                Some(i) => u8::try_from(i).ok(),
                None if !self.names.is_full() && name.len() < 64 => {
                    self.names.push(Cow::Owned(name.to_owned()));
                    self.lengths |= 1 << name.len();
                    u8::try_from(self.names.len() - 1).ok()
                }
                None => None,
            };
        }
        #[cfg(not(feature = "http"))]
        let _ = key;
    }
}

/// One delivery's headers as a scheme reads them: every name of its [`HeaderSet`] found in
/// one scan when the headers are an `http::HeaderMap` (and the set has more than one name),
/// else each looked up when asked for. Either way, a name repeated with different values is
/// [`Error::DuplicateHeader`].
pub(crate) struct HeaderView<'h> {
    headers: &'h dyn Headers,
    #[cfg(feature = "http")]
    found: Option<Found<'h>>,
}

#[cfg(feature = "http")]
struct Found<'h> {
    values: [Option<&'h [u8]>; HeaderSet::MAX],
    /// Slots whose name came with different values.
    conflict: u16,
}

impl<'h> HeaderView<'h> {
    #[inline]
    pub(crate) fn new(headers: &'h dyn Headers, set: &HeaderSet) -> Self {
        #[cfg(feature = "http")]
        {
            let found = match headers.as_http_header_map() {
                Some(map) if set.names.len() > 1 => Some(scan(map, set)),
                _ => None,
            };
            Self { headers, found }
        }
        #[cfg(not(feature = "http"))]
        {
            let _ = set;
            Self { headers }
        }
    }

    /// As [`unique_key`].
    #[inline]
    pub(crate) fn unique(&self, key: &HeaderKey) -> Result<Option<&'h [u8]>, Error> {
        #[cfg(feature = "http")]
        if let (Some(found), Some(slot)) = (&self.found, key.slot) {
            if found.conflict & (1 << slot) != 0 {
                return Err(Error::DuplicateHeader {
                    name: key.name.clone(),
                });
            }
            return Ok(found.values[usize::from(slot)]);
        }
        unique_key(self.headers, key)
    }

    /// As [`unique`](Self::unique), but the header must be present.
    #[inline]
    pub(crate) fn required(&self, key: &HeaderKey) -> Result<&'h [u8], Error> {
        self.unique(key)?
            .ok_or_else(|| Error::missing(key.name.clone()))
    }
}

/// Every value of the set's names in `map`, in one pass over the map.
#[cfg(feature = "http")]
#[inline]
fn scan<'h>(map: &'h http::HeaderMap, set: &HeaderSet) -> Found<'h> {
    let mut found = Found {
        values: [None; HeaderSet::MAX],
        conflict: 0,
    };
    for (name, value) in map {
        let name = name.as_str();
        if name.len() >= 64 || set.lengths & (1 << name.len()) == 0 {
            continue;
        }
        for (slot, wanted) in set.names.iter().enumerate() {
            if name == wanted {
                let value = value.as_bytes();
                match found.values[slot] {
                    None => found.values[slot] = Some(value),
                    Some(first) if first != value => found.conflict |= 1 << slot,
                    Some(_) => {}
                }
            }
        }
    }
    found
}

/// [`unique`] by a [`HeaderKey`].
#[inline]
pub(crate) fn unique_key<'a>(
    headers: &'a dyn Headers,
    key: &HeaderKey,
) -> Result<Option<&'a [u8]>, Error> {
    #[cfg(feature = "http")]
    if let (Some(map), Some(name)) = (headers.as_http_header_map(), &key.parsed) {
        let mut values = map.get_all(name).iter();
        let Some(first) = values.next() else {
            return Ok(None);
        };
        // Every repeat must be identical (a conflict is refused, however many there are).
        let mut conflict = false;
        for v in values {
            conflict |= v.as_bytes() != first.as_bytes();
        }
        if conflict {
            return Err(Error::DuplicateHeader {
                name: key.name.clone(),
            });
        }
        return Ok(Some(first.as_bytes()));
    }
    unique(headers, &key.name)
}

/// Whether header `key` is present at all.
pub(crate) fn present(headers: &dyn Headers, key: &HeaderKey) -> bool {
    #[cfg(feature = "http")]
    if let (Some(map), Some(name)) = (headers.as_http_header_map(), &key.parsed) {
        return map.contains_key(name);
    }
    let mut present = false;
    headers.for_each_value(&key.name, &mut |_| present = true);
    present
}

/// Text from a header kept by [`Verified`](crate::Verified): inline when short, as message
/// ids are, so that reporting one allocates nothing.
#[derive(Clone)]
pub(crate) enum HeaderText {
    Inline(arrayvec::ArrayString<44>),
    Heap(Box<str>),
}

impl HeaderText {
    #[inline]
    pub(crate) fn new(text: &str) -> Self {
        let mut inline = arrayvec::ArrayString::new();
        match inline.try_push_str(text) {
            Ok(()) => Self::Inline(inline),
            Err(_) => Self::Heap(text.into()),
        }
    }
}

impl From<String> for HeaderText {
    fn from(text: String) -> Self {
        match arrayvec::ArrayString::from(&text) {
            Ok(inline) => Self::Inline(inline),
            Err(_) => Self::Heap(text.into_boxed_str()),
        }
    }
}

impl core::ops::Deref for HeaderText {
    type Target = str;

    #[inline]
    fn deref(&self) -> &str {
        match self {
            Self::Inline(s) => s,
            Self::Heap(s) => s,
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
            HeaderView::new(&h, &HeaderSet::default())
                .required(&HeaderKey::new(&NAME))
                .unwrap_err()
                .to_string(),
            "missing header x-sig"
        );
    }

    #[test]
    fn header_text_inline_or_not() {
        for len in [0, 1, 44, 45, 300] {
            let text = "é".repeat(len / 2) + &"x".repeat(len % 2);
            for kept in [HeaderText::new(&text), HeaderText::from(text.clone())] {
                assert_eq!(&*kept, text);
                assert_eq!(matches!(kept, HeaderText::Inline(_)), text.len() <= 44);
            }
        }
    }

    /// A scanned view answers exactly as looking each name up does: values, absences,
    /// identical repeats, conflicting repeats, names beyond the set.
    #[cfg(feature = "http")]
    #[test]
    fn scanned_view_answers_as_lookups_do() {
        let names = [
            "webhook-id",
            "webhook-timestamp",
            "webhook-signature",
            "x-absent",
        ];
        let mut set = HeaderSet::default();
        let mut keys: Vec<HeaderKey> = names
            .iter()
            .map(|n| HeaderKey::new(&Cow::Borrowed(*n)))
            .collect();
        keys.iter_mut().for_each(|k| set.add(k));
        let outside = HeaderKey::new(&Cow::Borrowed("webhook-id"));
        let cases: &[&[(&str, &[u8])]] = &[
            &[
                ("webhook-id", b"msg_1"),
                ("Webhook-Timestamp", b"1"),
                ("content-type", b"x"),
            ],
            &[
                ("webhook-id", b"msg_1"),
                ("webhook-id", b"msg_1"),
                ("user-agent", b"ua"),
            ],
            &[
                ("webhook-id", b"msg_1"),
                ("webhook-id", b"msg_2"),
                ("webhook-signature", b"\xff"),
            ],
            &[
                ("webhook-timestamp", b"1"),
                ("webhook-signature", b"a"),
                ("webhook-signature", b"b"),
            ],
            &[],
        ];
        for headers in cases {
            let mut map = http::HeaderMap::new();
            for (n, v) in *headers {
                map.append(
                    http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
                    http::HeaderValue::from_bytes(v).unwrap(),
                );
            }
            let view = HeaderView::new(&map, &set);
            assert!(view.found.is_some(), "a header map is scanned");
            for key in keys.iter().chain([&outside]) {
                assert_eq!(
                    view.unique(key),
                    unique_key(&map, key),
                    "{headers:?} {}",
                    key.name
                );
                let missing = Error::missing(key.name.clone());
                let looked_up = unique_key(&map, key).and_then(|v| v.ok_or(missing));
                assert_eq!(view.required(key), looked_up);
            }
        }
    }

    #[cfg(feature = "http")]
    #[test]
    fn http_header_map() {
        let key = HeaderKey::new(&NAME);
        let mut map = http::HeaderMap::new();
        assert_eq!(unique_key(&map, &key).unwrap(), None);
        assert!(!present(&map, &key));
        map.append("X-Sig", http::HeaderValue::from_bytes(b"\xff\xfe").unwrap());
        assert_eq!(unique(&map, &NAME).unwrap(), Some(&b"\xff\xfe"[..]));
        assert_eq!(unique_key(&map, &key).unwrap(), Some(&b"\xff\xfe"[..]));
        assert!(present(&map, &key));
        map.append("x-sig", http::HeaderValue::from_bytes(b"\xff\xfe").unwrap());
        assert_eq!(unique_key(&map, &key).unwrap(), Some(&b"\xff\xfe"[..]));
        map.append("x-sig", http::HeaderValue::from_static("other"));
        map.append("x-sig", http::HeaderValue::from_bytes(b"\xff\xfe").unwrap());
        assert!(unique(&map, &NAME).is_err());
        assert_eq!(
            unique_key(&map, &key).unwrap_err(),
            Error::DuplicateHeader { name: NAME }
        );
        // Through a reference, as `verify` sees it, and by a name `http` cannot parse.
        let by_ref: &dyn Headers = &&map;
        assert!(unique_key(by_ref, &key).is_err());
        let odd = HeaderKey::new(&Cow::Borrowed("x sig"));
        assert_eq!(unique_key(&map, &odd).unwrap(), None);
    }
}
