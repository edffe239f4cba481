//! Reading a few values out of a JSON document without building it: JSON pointers resolved
//! to borrowed raw slices, with every other value skipped.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// A validated JSON pointer (RFC 6901), kept as its unescaped segments.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Pointer {
    text: String,
    segments: Vec<String>,
}

impl Pointer {
    /// Parses `text`: empty (the whole document) or `/`-separated segments with `~0` and
    /// `~1` escapes.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Ok(Self {
                text: String::new(),
                segments: Vec::new(),
            });
        }
        let Some(rest) = text.strip_prefix('/') else {
            return Err(format!(
                "JSON pointer {text:?} must be empty or start with '/'"
            ));
        };
        let mut segments = Vec::new();
        for raw in rest.split('/') {
            let mut segment = String::with_capacity(raw.len());
            let mut chars = raw.chars();
            while let Some(c) = chars.next() {
                if c != '~' {
                    segment.push(c);
                    continue;
                }
                match chars.next() {
                    Some('0') => segment.push('~'),
                    Some('1') => segment.push('/'),
                    _ => {
                        return Err(format!(
                            "JSON pointer {text:?} has a '~' not followed by 0 or 1"
                        ));
                    }
                }
            }
            segments.push(segment);
        }
        Ok(Self {
            text: text.to_owned(),
            segments,
        })
    }

    /// The pointer as written.
    #[cfg(feature = "std")]
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// The segments joined with dots, the way field paths are printed (`data.object`);
    /// empty for the whole document.
    #[cfg(feature = "std")]
    pub(crate) fn dotted(&self) -> String {
        self.segments.join(".")
    }

    pub(crate) fn first(&self) -> Option<&str> {
        self.segments.first().map(String::as_str)
    }

    pub(crate) fn rest(&self) -> &[String] {
        self.segments.get(1..).unwrap_or_default()
    }

    pub(crate) fn segments(&self) -> &[String] {
        &self.segments
    }
}

impl fmt::Debug for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

/// The whole document as a raw value (checks that it is one JSON value).
pub(crate) fn document(json: &[u8]) -> Result<&RawValue, serde_json::Error> {
    serde_json::from_slice(json)
}

/// The values of `keys` in the JSON object `json` (a whole document: trailing characters
/// are an error), found in one pass; `None` when `json` is not an object.
pub(crate) fn document_fields<'a>(
    json: &'a [u8],
    keys: &[&str],
) -> Result<Option<Vec<Option<&'a RawValue>>>, serde_json::Error> {
    let first = json.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        // Not an object: an error if it is not JSON at all.
        document(json)?;
        return Ok(None);
    }
    let mut de = serde_json::Deserializer::from_slice(json);
    let found = de.deserialize_map(FieldsVisitor { keys })?;
    de.end()?;
    Ok(Some(found))
}

/// [`document_fields`] (of up to three keys) and, in the same pass, the value at `data` (a
/// key of the top-level object, then `rest` below it) parsed as a `T`: `None` when the
/// value is missing. The data key may not be one of `keys`. A key that appears twice is an
/// error.
#[cfg(feature = "std")]
pub(crate) fn document_fields_and_data<'a, T: serde::de::DeserializeOwned>(
    json: &'a [u8],
    keys: &[&str],
    data: &str,
    rest: &[String],
) -> Result<([Option<&'a RawValue>; 3], Option<T>), serde_json::Error> {
    if keys.len() > 3 {
        return Err(de::Error::custom("too many keys"));
    }
    let mut de = serde_json::Deserializer::from_slice(json);
    let found = de.deserialize_map(FieldsAndDataVisitor {
        keys,
        data,
        rest,
        _t: core::marker::PhantomData,
    })?;
    de.end()?;
    Ok(found)
}

#[cfg(feature = "std")]
struct FieldsAndDataVisitor<'k, T> {
    keys: &'k [&'k str],
    data: &'k str,
    rest: &'k [String],
    _t: core::marker::PhantomData<T>,
}

#[cfg(feature = "std")]
impl<'de, T: serde::de::DeserializeOwned> Visitor<'de> for FieldsAndDataVisitor<'_, T> {
    type Value = ([Option<&'de RawValue>; 3], Option<T>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = [None; 3];
        let mut data = None;
        let mut seen_data = false;
        let seed = DataKeySeed {
            keys: self.keys,
            data: self.data,
        };
        while let Some(found) = map.next_key_seed(seed)? {
            match found {
                DataKey::Field(i) => {
                    if out[i].is_some() {
                        return Err(de::Error::custom(format_args!(
                            "duplicate field `{}`",
                            self.keys[i]
                        )));
                    }
                    out[i] = Some(map.next_value::<&'de RawValue>()?);
                }
                DataKey::Data => {
                    if core::mem::replace(&mut seen_data, true) {
                        return Err(de::Error::custom(format_args!(
                            "duplicate field `{}`",
                            self.data
                        )));
                    }
                    data = map.next_value_seed(PathSeed::<T> {
                        segments: self.rest,
                        track: None,
                        _t: core::marker::PhantomData,
                    })?;
                }
                DataKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok((out, data))
    }
}

#[cfg(feature = "std")]
enum DataKey {
    Field(usize),
    Data,
    Other,
}

/// Reads an object key: one of `keys`, the data key, or another.
#[cfg(feature = "std")]
#[derive(Clone, Copy)]
struct DataKeySeed<'k> {
    keys: &'k [&'k str],
    data: &'k str,
}

#[cfg(feature = "std")]
impl<'de> DeserializeSeed<'de> for DataKeySeed<'_> {
    type Value = DataKey;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

#[cfg(feature = "std")]
impl Visitor<'_> for DataKeySeed<'_> {
    type Value = DataKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        if key == self.data {
            return Ok(DataKey::Data);
        }
        Ok(match self.keys.iter().position(|k| *k == key) {
            Some(i) => DataKey::Field(i),
            None => DataKey::Other,
        })
    }
}

/// The value a pointer (its first segment `first`, then `rest`) leads to in a document
/// whose top-level `values` were found for `keys` (by [`document_fields`] or
/// [`document_fields_and_data`]); `None` when a step is missing.
pub(crate) fn resolve<'v>(
    keys: &[&str],
    values: &[Option<&'v RawValue>],
    first: Option<&str>,
    rest: &[String],
) -> Result<Option<&'v RawValue>, serde_json::Error> {
    let at = first.and_then(|f| keys.iter().position(|k| *k == f));
    match at.and_then(|i| values[i]) {
        Some(value) => lookup(value, rest),
        None => Ok(None),
    }
}

/// The values of `keys` in the object `value`, found in one pass; `None` where a key is
/// absent, and all `None` when `value` is not an object. A key that appears twice is an
/// error: two parsers could otherwise disagree about which one counts.
pub(crate) fn fields<'a>(
    value: &'a RawValue,
    keys: &[&str],
) -> Result<Vec<Option<&'a RawValue>>, serde_json::Error> {
    if !value.get().starts_with('{') {
        return Ok(vec![None; keys.len()]);
    }
    let mut de = serde_json::Deserializer::from_str(value.get());
    de.deserialize_map(FieldsVisitor { keys })
}

/// The value at `segments` below `value`, or `None` when a step is missing or of another
/// kind.
pub(crate) fn lookup<'a>(
    mut value: &'a RawValue,
    segments: &[String],
) -> Result<Option<&'a RawValue>, serde_json::Error> {
    for segment in segments {
        let next = match value.get().as_bytes().first() {
            Some(b'{') => fields(value, &[segment])?.pop().flatten(),
            Some(b'[') => match segment.parse::<usize>() {
                Ok(index) if segment == "0" || !segment.starts_with('0') => {
                    let mut de = serde_json::Deserializer::from_str(value.get());
                    de.deserialize_seq(IndexVisitor { index })?
                }
                _ => None,
            },
            _ => None,
        };
        match next {
            Some(v) => value = v,
            None => return Ok(None),
        }
    }
    Ok(Some(value))
}

/// A whole JSON document as a [`serde_json::Value`], refusing a key that appears twice in
/// any object at any depth (and trailing characters). Verification of providers that sign
/// body fields (Adyen's classic items, Mailgun's signature object) reads the body with
/// this, so no other reader of the same body (ids, event types, envelopes, which refuse
/// duplicates of the keys they look up) can see a different value than the one verified.
pub(crate) fn strict_value(json: &[u8]) -> Result<serde_json::Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let value = de.deserialize_any(StrictVisitor)?;
    de.end()?;
    Ok(value)
}

struct StrictSeed;

impl<'de> DeserializeSeed<'de> for StrictSeed {
    type Value = serde_json::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(StrictVisitor)
    }
}

/// Builds a `serde_json::Value` as its own `Deserialize` does, except that duplicate keys
/// are an error instead of "the last one wins".
struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(StrictSeed)? {
            out.push(v);
        }
        Ok(serde_json::Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
            }
            let value = map.next_value_seed(StrictSeed)?;
            out.insert(key, value);
        }
        Ok(serde_json::Value::Object(out))
    }
}

/// A string value's text, or a number's decimal text; `None` for other kinds.
pub(crate) fn scalar_text(value: &RawValue) -> Option<String> {
    match value.get().as_bytes().first()? {
        b'"' => string_text(value),
        b'-' | b'0'..=b'9' => Some(value.get().to_owned()),
        _ => None,
    }
}

/// A string value's text; `None` for other kinds.
pub(crate) fn string_text(value: &RawValue) -> Option<String> {
    let raw = value.get();
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') {
        serde_json::from_str::<String>(raw).ok()
    } else {
        // A raw value is valid JSON: without escapes, a string's text is what is between
        // its quotes.
        Some(inner.to_owned())
    }
}

struct FieldsVisitor<'k> {
    keys: &'k [&'k str],
}

impl<'de> Visitor<'de> for FieldsVisitor<'_> {
    type Value = Vec<Option<&'de RawValue>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = vec![None; self.keys.len()];
        while let Some(found) = map.next_key_seed(KeySeed { keys: self.keys })? {
            match found {
                Some(i) => {
                    if out[i].is_some() {
                        return Err(de::Error::custom(format_args!(
                            "duplicate field `{}`",
                            self.keys[i]
                        )));
                    }
                    out[i] = Some(map.next_value::<&'de RawValue>()?);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }
}

/// Reads an object key and says which of `keys` it is, without allocating for the others.
struct KeySeed<'k> {
    keys: &'k [&'k str],
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.keys.iter().position(|k| *k == key))
    }
}

struct IndexVisitor {
    index: usize,
}

impl<'de> Visitor<'de> for IndexVisitor {
    type Value = Option<&'de RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        let mut i = 0usize;
        loop {
            if i == self.index {
                match seq.next_element::<&'de RawValue>()? {
                    Some(v) => found = Some(v),
                    None => break,
                }
            } else if seq.next_element::<IgnoredAny>()?.is_none() {
                break;
            }
            i += 1;
        }
        Ok(found)
    }
}

/// Parses the value at `segments` below `value` as a `T` in one pass over `value`, without
/// capturing the values on the way; `T` is parsed from `null` when a step is missing.
/// Errors carry the path below `segments`.
#[cfg(feature = "std")]
pub(crate) fn parse_at<T: serde::de::DeserializeOwned>(
    value: &[u8],
    segments: &[String],
) -> Result<T, serde_path_to_error::Error<serde_json::Error>> {
    let mut track = serde_path_to_error::Track::new();
    let mut de = serde_json::Deserializer::from_slice(value);
    let parsed = PathSeed::<T> {
        segments,
        track: Some(&mut track),
        _t: core::marker::PhantomData,
    }
    .deserialize(&mut de);
    match parsed {
        Ok(Some(t)) => Ok(t),
        Ok(None) => {
            let mut track = serde_path_to_error::Track::new();
            let mut null = serde_json::Deserializer::from_slice(b"null");
            T::deserialize(serde_path_to_error::Deserializer::new(
                &mut null, &mut track,
            ))
            .map_err(|e| serde_path_to_error::Error::new(track.path(), e))
        }
        Err(e) => Err(serde_path_to_error::Error::new(track.path(), e)),
    }
}

/// [`parse_at`] without recording the path (faster); `None` on any error, which
/// [`parse_at`] then explains.
#[cfg(feature = "std")]
pub(crate) fn parse_untracked<T: serde::de::DeserializeOwned>(
    value: &[u8],
    segments: &[String],
) -> Option<T> {
    let mut de = serde_json::Deserializer::from_slice(value);
    let parsed = PathSeed::<T> {
        segments,
        track: None,
        _t: core::marker::PhantomData,
    }
    .deserialize(&mut de)
    .ok()?;
    de.end().ok()?;
    match parsed {
        Some(t) => Some(t),
        None => serde_json::from_slice(b"null").ok(),
    }
}

/// Walks `segments` into a document and parses the value there as a `T`, recording the
/// path below `segments` in `track` when there is one (which slows the parse down: the
/// fast path has none and, on an error, parses again with one).
#[cfg(feature = "std")]
struct PathSeed<'p, T> {
    segments: &'p [String],
    track: Option<&'p mut serde_path_to_error::Track>,
    _t: core::marker::PhantomData<T>,
}

#[cfg(feature = "std")]
impl<'de, T: serde::de::DeserializeOwned> DeserializeSeed<'de> for PathSeed<'_, T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
        match self.segments.split_first() {
            None => match self.track {
                Some(track) => {
                    T::deserialize(serde_path_to_error::Deserializer::new(deserializer, track))
                        .map(Some)
                }
                None => T::deserialize(deserializer).map(Some),
            },
            Some((segment, rest)) => deserializer.deserialize_any(PathVisitor::<T> {
                segment,
                rest,
                track: self.track,
                _t: core::marker::PhantomData,
            }),
        }
    }
}

#[cfg(feature = "std")]
struct PathVisitor<'p, T> {
    segment: &'p str,
    rest: &'p [String],
    track: Option<&'p mut serde_path_to_error::Track>,
    _t: core::marker::PhantomData<T>,
}

#[cfg(feature = "std")]
impl<'de, T: serde::de::DeserializeOwned> Visitor<'de> for PathVisitor<'_, T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let keys = [self.segment];
        let mut seed = Some(PathSeed::<T> {
            segments: self.rest,
            track: self.track,
            _t: core::marker::PhantomData,
        });
        let mut found = None;
        while let Some(key) = map.next_key_seed(KeySeed { keys: &keys })? {
            if key.is_none() {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            match seed.take() {
                Some(seed) => found = map.next_value_seed(seed)?,
                None => {
                    return Err(de::Error::custom(format_args!(
                        "duplicate field `{}`",
                        self.segment
                    )));
                }
            }
        }
        Ok(found)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let index = match self.segment.parse::<usize>() {
            Ok(i) if self.segment == "0" || !self.segment.starts_with('0') => Some(i),
            _ => None,
        };
        let mut found = None;
        let mut next = Some(PathSeed::<T> {
            segments: self.rest,
            track: self.track,
            _t: core::marker::PhantomData,
        });
        let mut i = 0usize;
        loop {
            if Some(i) == index {
                if let Some(seed) = next.take() {
                    match seq.next_element_seed(seed)? {
                        Some(v) => found = v,
                        None => break,
                    }
                    i += 1;
                    continue;
                }
            }
            if seq.next_element::<IgnoredAny>()?.is_none() {
                break;
            }
            i += 1;
        }
        Ok(found)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(json: &'a str, pointer: &str) -> Option<&'a str> {
        let doc = document(json.as_bytes()).unwrap();
        let p = Pointer::parse(pointer).unwrap();
        lookup(doc, p.segments()).unwrap().map(RawValue::get)
    }

    #[test]
    fn pointers_resolve_objects_arrays_and_escapes() {
        let json = r#"{"a":{"b/c":[1,{"d~e":"x"}]},"n":-2.5,"s":"\u0041"}"#;
        assert_eq!(at(json, "/a/b~1c/1/d~0e"), Some(r#""x""#));
        assert_eq!(at(json, "/a/b~1c/0"), Some("1"));
        assert_eq!(at(json, "/a/b~1c/2"), None);
        assert_eq!(at(json, "/a/b~1c/01"), None);
        assert_eq!(at(json, "/a/missing"), None);
        assert_eq!(at(json, "/n/x"), None);
        assert_eq!(at(json, ""), Some(json));
        let doc = document(json.as_bytes()).unwrap();
        let s = lookup(doc, Pointer::parse("/s").unwrap().segments()).unwrap();
        assert_eq!(string_text(s.unwrap()).as_deref(), Some("A"));
        let n = lookup(doc, Pointer::parse("/n").unwrap().segments()).unwrap();
        assert_eq!(scalar_text(n.unwrap()).as_deref(), Some("-2.5"));
        assert_eq!(string_text(n.unwrap()), None);
    }

    #[test]
    fn parse_at_walks_objects_and_arrays_in_place() {
        let json = br#"{"a":{"b":[{"c":1},{"c":2}]},"z":3}"#;
        let at = |p: &str| -> Result<Option<u32>, String> {
            let p = Pointer::parse(p).unwrap();
            parse_at::<Option<u32>>(json, p.segments())
                .map_err(|e| format!("{}: {}", e.path(), e.inner()))
        };
        assert_eq!(at("/a/b/1/c"), Ok(Some(2)));
        assert_eq!(at("/z"), Ok(Some(3)));
        assert_eq!(at("/a/b/5/c"), Ok(None));
        assert_eq!(at("/a/x"), Ok(None));
        assert_eq!(at("/z/y"), Ok(None));
        let err = parse_at::<u32>(json, Pointer::parse("/a").unwrap().segments()).unwrap_err();
        assert!(
            err.inner().to_string().contains("invalid type: map"),
            "{err}"
        );
        let dup = br#"{"a":1,"a":2}"#;
        assert!(parse_at::<u32>(dup, &["a".to_owned()]).is_err());
    }

    #[test]
    fn bad_pointers_and_duplicate_keys_are_errors() {
        assert!(Pointer::parse("type").is_err());
        assert!(Pointer::parse("/a~2").is_err());
        assert!(Pointer::parse("/a~").is_err());
        let doc = document(br#"{"type":"a","type":"b"}"#).unwrap();
        let err = fields(doc, &["type"]).unwrap_err();
        assert!(err.to_string().contains("duplicate field `type`"), "{err}");
        // Duplicates of keys nobody asked for are left alone.
        assert!(fields(doc, &["id"]).unwrap()[0].is_none());
        assert!(document(b"{\"a\":1} x").is_err());
        assert!(document(b"\xff").is_err());
    }

    /// Differential tests of this reader against `serde_json` (the parser the typed
    /// payloads and [`strict_value`] use): generated documents with duplicate keys (also
    /// spelled with escapes), escapes of every kind, nesting, numbers and whitespace.
    mod differential {
        use proptest::prelude::*;
        use serde_json::Value;

        use super::super::*;

        /// A JSON value as generated: its meaning and, for strings and keys, how it is
        /// written.
        #[derive(Debug, Clone)]
        enum J {
            Null,
            Bool(bool),
            Num(String),
            Str(Vec<(char, u8)>),
            Arr(Vec<J>, String),
            Obj(Vec<(Vec<(char, u8)>, J)>, String),
        }

        fn text(chars: &[(char, u8)]) -> String {
            chars.iter().map(|(c, _)| *c).collect()
        }

        /// Writes a string, each character literally or escaped (`how`: 0 literal where
        /// allowed, 1 `\uXXXX`, 2 the short escape where there is one).
        fn render_str(chars: &[(char, u8)], out: &mut String) {
            out.push('"');
            for &(c, how) in chars {
                let must = c == '"' || c == '\\' || (c as u32) < 0x20;
                let short = match c {
                    '"' => Some("\\\""),
                    '\\' => Some("\\\\"),
                    '\n' => Some("\\n"),
                    '\t' => Some("\\t"),
                    '/' => Some("\\/"),
                    _ => None,
                };
                match (how, short) {
                    (0, _) if !must => out.push(c),
                    (2, Some(s)) => out.push_str(s),
                    _ => {
                        let mut buf = [0u16; 2];
                        for unit in c.encode_utf16(&mut buf) {
                            out.push_str(&format!("\\u{unit:04x}"));
                        }
                    }
                }
            }
            out.push('"');
        }

        fn render(j: &J, out: &mut String) {
            match j {
                J::Null => out.push_str("null"),
                J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                J::Num(n) => out.push_str(n),
                J::Str(s) => render_str(s, out),
                J::Arr(items, ws) => {
                    out.push('[');
                    out.push_str(ws);
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                            out.push_str(ws);
                        }
                        render(item, out);
                        out.push_str(ws);
                    }
                    out.push(']');
                }
                J::Obj(entries, ws) => {
                    out.push('{');
                    out.push_str(ws);
                    for (i, (k, v)) in entries.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                            out.push_str(ws);
                        }
                        render_str(k, out);
                        out.push_str(ws);
                        out.push(':');
                        out.push_str(ws);
                        render(v, out);
                        out.push_str(ws);
                    }
                    out.push('}');
                }
            }
        }

        fn has_duplicate(entries: &[(Vec<(char, u8)>, J)]) -> bool {
            let keys: Vec<String> = entries.iter().map(|(k, _)| text(k)).collect();
            keys.iter().enumerate().any(|(i, k)| keys[..i].contains(k))
        }

        fn any_duplicate(j: &J) -> bool {
            match j {
                J::Arr(items, _) => items.iter().any(any_duplicate),
                J::Obj(entries, _) => {
                    has_duplicate(entries) || entries.iter().any(|(_, v)| any_duplicate(v))
                }
                _ => false,
            }
        }

        /// Every path to a value, as segments, and whether an object on the way has the
        /// path's key twice.
        fn paths(j: &J, prefix: &mut Vec<String>, dup: bool, out: &mut Vec<(Vec<String>, bool)>) {
            out.push((prefix.clone(), dup));
            match j {
                J::Arr(items, _) => {
                    for (i, item) in items.iter().enumerate() {
                        prefix.push(i.to_string());
                        paths(item, prefix, dup, out);
                        prefix.pop();
                    }
                }
                J::Obj(entries, _) => {
                    for (k, v) in entries {
                        let key = text(k);
                        let twice = entries.iter().filter(|(k2, _)| text(k2) == key).count() > 1;
                        prefix.push(key);
                        paths(v, prefix, dup || twice, out);
                        prefix.pop();
                    }
                }
                _ => {}
            }
        }

        fn chars() -> impl Strategy<Value = Vec<(char, u8)>> {
            let c = prop_oneof![
                Just('a'),
                Just('b'),
                Just('~'),
                Just('/'),
                Just('"'),
                Just('\\'),
                Just('\n'),
                Just('\t'),
                Just('\u{1}'),
                Just('é'),
                Just('\u{1F600}'),
            ];
            prop::collection::vec((c, 0u8..3), 0..4)
        }

        fn number() -> impl Strategy<Value = String> {
            (
                any::<bool>(),
                prop_oneof![Just("0".to_owned()), "[1-9][0-9]{0,20}"],
                prop::option::of("[0-9]{1,5}"),
                prop::option::of("[eE][+-]?[0-9]{1,2}"),
            )
                .prop_map(|(neg, int, frac, exp)| {
                    let mut n = String::new();
                    if neg {
                        n.push('-');
                    }
                    n.push_str(&int);
                    if let Some(f) = frac {
                        n.push('.');
                        n.push_str(&f);
                    }
                    if let Some(e) = exp {
                        n.push_str(&e);
                    }
                    n
                })
        }

        fn ws() -> impl Strategy<Value = String> {
            prop_oneof![
                Just(String::new()),
                Just(" ".to_owned()),
                Just("\n\t".to_owned()),
                Just(" \r\n ".to_owned())
            ]
        }

        fn json() -> impl Strategy<Value = J> {
            let leaf = prop_oneof![
                Just(J::Null),
                any::<bool>().prop_map(J::Bool),
                number().prop_map(J::Num),
                chars().prop_map(J::Str),
            ];
            leaf.prop_recursive(4, 48, 5, |inner| {
                prop_oneof![
                    (prop::collection::vec(inner.clone(), 0..5), ws())
                        .prop_map(|(v, w)| J::Arr(v, w)),
                    // Keys from a small alphabet, so that duplicates are common.
                    (
                        prop::collection::vec(
                            (
                                prop::collection::vec(
                                    (prop_oneof![Just('a'), Just('b'), Just('/')], 0u8..3),
                                    0..2
                                ),
                                inner
                            ),
                            0..5
                        ),
                        ws()
                    )
                        .prop_map(|(v, w)| J::Obj(v, w)),
                ]
            })
        }

        fn walk<'v>(mut v: &'v Value, segments: &[String]) -> Option<&'v Value> {
            for s in segments {
                v = match v {
                    Value::Object(m) => m.get(s)?,
                    Value::Array(a) => a.get(s.parse::<usize>().ok()?)?,
                    _ => return None,
                };
            }
            Some(v)
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn reader_agrees_with_serde_json(j in json(), outer in ws()) {
                let mut doc = outer.clone();
                render(&j, &mut doc);
                doc.push_str(&outer);
                let serde: Value = serde_json::from_str(&doc).expect("generated JSON is valid");

                // The whole document: accepted by both.
                let raw = document(doc.as_bytes()).expect("document");
                // The strict reader: the same value, unless a key appears twice.
                match strict_value(doc.as_bytes()) {
                    Ok(v) => {
                        prop_assert!(!any_duplicate(&j), "duplicate accepted: {doc}");
                        prop_assert_eq!(&v, &serde);
                    }
                    Err(e) => {
                        prop_assert!(any_duplicate(&j), "{doc}: {e}");
                        prop_assert!(e.to_string().contains("duplicate field"));
                    }
                }
                // Every path: the value serde_json finds, or an error where the path's key
                // appears twice (serde_json keeps the last; the reader takes neither).
                let mut all = Vec::new();
                paths(&j, &mut Vec::new(), false, &mut all);
                for (segments, dup) in all {
                    let found = lookup(raw, &segments);
                    if dup {
                        prop_assert!(found.is_err(), "{doc} at {segments:?}");
                        continue;
                    }
                    let found = found.expect("lookup").expect("present");
                    let expected = walk(&serde, &segments).expect("serde_json finds it");
                    let parsed: Value = serde_json::from_str(found.get()).expect("raw slice");
                    // Inner duplicates are kept raw; compare only where serde_json agrees.
                    if strict_value(found.get().as_bytes()).is_ok() {
                        prop_assert_eq!(&parsed, expected, "{} at {:?}", doc, segments);
                    }
                    match expected {
                        Value::String(s) => {
                            prop_assert_eq!(string_text(found), Some(s.clone()));
                            prop_assert_eq!(scalar_text(found), Some(s.clone()));
                        }
                        Value::Number(_) => {
                            prop_assert_eq!(string_text(found), None);
                            let text = scalar_text(found).expect("number text");
                            let again: Value = serde_json::from_str(&text).unwrap();
                            prop_assert_eq!(&again, expected);
                        }
                        _ => prop_assert_eq!(scalar_text(found), None),
                    }
                }
                // A missing key is missing for both.
                prop_assert_eq!(
                    lookup(raw, &["zz".to_owned()]).ok().flatten().is_some(),
                    walk(&serde, &["zz".to_owned()]).is_some()
                );
            }

            #[test]
            fn reader_refuses_what_serde_json_refuses(bytes in prop::collection::vec(prop_oneof![
                Just(b'{'), Just(b'}'), Just(b'['), Just(b']'), Just(b'"'), Just(b':'), Just(b','),
                Just(b'1'), Just(b'-'), Just(b'.'), Just(b'e'), Just(b' '), Just(b'a'), Just(b'\\'),
                Just(b'u'), Just(b't'), Just(b'n'), any::<u8>()], 0..24)) {
                let serde = serde_json::from_slice::<Value>(&bytes).is_ok();
                prop_assert_eq!(document(&bytes).is_ok(), serde);
                prop_assert_eq!(strict_value(&bytes).is_ok(), serde);
            }
        }
    }
}
