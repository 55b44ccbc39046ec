//! Values of the `BinaryEquals` condition operator: base64-encoded bytes.
//!
//! AWS: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_BinaryEquals>
//!
//! The encoding is the standard alphabet of RFC 4648 §4 (`A–Z a–z 0–9 + /`), decoded
//! strictly so that each byte string has exactly one accepted spelling with padding and one
//! without:
//! - padding is optional, but when present it must complete the last group of four
//!   (`QQ==`, `QUI=`); `=` anywhere else is rejected;
//! - whitespace, line breaks and the URL-safe `-`/`_` are rejected;
//! - the unused low bits of the last character must be zero (RFC 4648 §3.5), since
//!   otherwise `QR==` and `QQ==` would both mean `A`.

/// The 6-bit value of a standard-alphabet character.
fn sextet(b: u8) -> Result<u32, &'static str> {
    let v = match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        b'=' => return Err("misplaced base64 padding"),
        _ => {
            return Err("invalid base64 character (expected the standard alphabet A-Z a-z 0-9 + /)")
        }
    };
    Ok(u32::from(v))
}

/// Strips valid padding and returns the data characters.
fn data_part(s: &[u8]) -> Result<&[u8], &'static str> {
    let (data, pads) = match s {
        [data @ .., b'=', b'='] => (data, 2),
        [data @ .., b'='] => (data, 1),
        _ => (s, 0),
    };
    match (data.len() % 4, pads) {
        (1, _) => Err("invalid base64 length"),
        (_, 0) | (2, 2) | (3, 1) => Ok(data),
        _ => Err("misplaced base64 padding"),
    }
}

/// Decodes `s`, handing each byte to `out` in order, without allocating. Bytes may be
/// handed out before an error later in the input is found.
fn decode_with(s: &str, mut out: impl FnMut(u8)) -> Result<(), &'static str> {
    let data = data_part(s.as_bytes())?;
    for group in data.chunks(4) {
        let mut acc = 0u32;
        for &b in group {
            acc = (acc << 6) | sextet(b)?;
        }
        match group.len() {
            4 => {
                let [_, x, y, z] = acc.to_be_bytes();
                out(x);
                out(y);
                out(z);
            }
            3 => {
                // 18 bits: two bytes and two unused bits.
                if acc & 0b11 != 0 {
                    return Err("non-zero trailing bits in base64");
                }
                let [_, _, x, y] = (acc >> 2).to_be_bytes();
                out(x);
                out(y);
            }
            2 => {
                // 12 bits: one byte and four unused bits.
                if acc & 0b1111 != 0 {
                    return Err("non-zero trailing bits in base64");
                }
                let [_, _, _, x] = (acc >> 4).to_be_bytes();
                out(x);
            }
            // data_part rejects a lone final character.
            _ => return Err("invalid base64 length"),
        }
    }
    Ok(())
}

/// Decodes a policy value.
///
/// # Errors
///
/// When `s` is not strict standard base64 (see the module docs).
pub(crate) fn decode(s: &str) -> Result<Vec<u8>, &'static str> {
    let mut bytes = Vec::with_capacity(s.len() / 4 * 3 + 2);
    decode_with(s, |b| bytes.push(b))?;
    Ok(bytes)
}

/// Whether the base64 request value `encoded` decodes to exactly `bytes`; `None` when it
/// is not valid base64. Allocation-free.
pub(crate) fn eq_encoded(encoded: &str, bytes: &[u8]) -> Option<bool> {
    let mut expected = bytes.iter();
    let mut equal = true;
    // The whole input is decoded even after a mismatch, so invalid input is always None.
    decode_with(encoded, |b| equal &= expected.next() == Some(&b)).ok()?;
    Some(equal && expected.next().is_none())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Straightforward RFC 4648 encoder, independent of the decoder under test.
    fn encode(bytes: &[u8], pad: bool) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .chain(std::iter::repeat(&0))
                .take(3)
                .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            let chars = chunk.len() + 1;
            for i in 0..4 {
                if i < chars {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else if pad {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn binary_table() {
        // (input, decoded or None, rule pinned)
        let rows: &[(&str, Option<&[u8]>, &str)] = &[
            ("", Some(b""), "empty input is empty bytes"),
            ("QQ==", Some(b"A"), "two pads"),
            ("QQ", Some(b"A"), "unpadded, two characters"),
            ("QUI=", Some(b"AB"), "one pad"),
            ("QUI", Some(b"AB"), "unpadded, three characters"),
            ("QUJD", Some(b"ABC"), "full group"),
            (
                "+/+/",
                Some(&[0xfb, 0xff, 0xbf]),
                "standard alphabet + and /",
            ),
            ("AAAA", Some(&[0, 0, 0]), "zero bytes"),
            ("QQ=", None, "incomplete padding"),
            ("QUI==", None, "too much padding"),
            ("QUJD=", None, "padding after a full group"),
            ("=", None, "padding alone"),
            ("====", None, "padding only"),
            ("Q=Q=", None, "padding in the middle"),
            ("QQ==QQ==", None, "padding then more data"),
            ("Q", None, "lone final character"),
            ("QUJDR", None, "lone final character after a group"),
            ("QR==", None, "non-zero trailing bits, one byte"),
            ("QUJ=", None, "non-zero trailing bits, two bytes"),
            ("QU I=", None, "whitespace"),
            ("QUI=\n", None, "line break"),
            ("-_-_", None, "URL-safe alphabet"),
            ("QUÉ=", None, "non-ASCII"),
        ];
        for &(s, want, rule) in rows {
            assert_eq!(decode(s).ok().as_deref(), want, "`{s}`: {rule}");
            if let Some(bytes) = want {
                assert_eq!(eq_encoded(s, bytes), Some(true), "`{s}`: {rule}");
            } else {
                assert_eq!(eq_encoded(s, b""), None, "`{s}`: {rule}");
            }
        }

        // (encoded, bytes, expected, rule pinned)
        let eq_rows: &[(&str, &[u8], Option<bool>, &str)] = &[
            ("QUJD", b"ABC", Some(true), "equal"),
            ("QUJD", b"ABD", Some(false), "last byte differs"),
            ("QUJD", b"AB", Some(false), "request longer"),
            ("QUI=", b"ABC", Some(false), "request shorter"),
            ("QUJD", b"", Some(false), "empty bytes"),
            (
                "QQ==QUJD",
                b"AABC",
                None,
                "invalid even when a prefix matches",
            ),
        ];
        for &(s, bytes, want, rule) in eq_rows {
            assert_eq!(eq_encoded(s, bytes), want, "`{s}`: {rule}");
        }
    }

    proptest! {
        #[test]
        fn decode_round_trips(bytes: Vec<u8>, pad: bool) {
            let s = encode(&bytes, pad);
            prop_assert_eq!(decode(&s), Ok(bytes.clone()));
            prop_assert_eq!(eq_encoded(&s, &bytes), Some(true));
        }

        #[test]
        fn eq_encoded_agrees_with_decode(s in "[A-Za-z0-9+/=]{0,12}|\\PC*", bytes in proptest::collection::vec(any::<u8>(), 0..9)) {
            let via_decode = decode(&s).ok().map(|d| d == bytes);
            prop_assert_eq!(eq_encoded(&s, &bytes), via_decode);
            if let Ok(d) = decode(&s) {
                prop_assert_eq!(eq_encoded(&s, &d), Some(true));
            }
        }
    }
}
