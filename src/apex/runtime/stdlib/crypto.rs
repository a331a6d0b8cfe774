//! `Crypto`, `EncodingUtil` and `Blob` (Apex Reference). Digests and MACs are the standard
//! algorithms (SHA-256/512 from the `sha2` crate; MD5 and SHA-1 written here, checked against
//! their RFC test vectors); random values come from the test's deterministic generator.

use super::{arg_int, arg_str, Interp, R};
use crate::apex::runtime::values::*;
use sha2::Digest as _;
use std::rc::Rc;

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 with padding.
pub fn base64_encode(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for c in b.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        out.push(B64[(n >> 18) as usize & 63] as char);
        out.push(B64[(n >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 { B64[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if c.len() > 2 { B64[n as usize & 63] as char } else { '=' });
    }
    out
}

/// Base64 decoding (padding optional; `-`/`_` accepted as the URL-safe alphabet).
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            b'\r' | b'\n' | b' ' => continue,
            _ => return None,
        };
        buf = buf << 6 | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    Some(out)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// MD5 (RFC 1321).
pub fn md5(input: &[u8]) -> Vec<u8> {
    let s: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14,
        20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6,
        10, 15, 21,
    ];
    let k: Vec<u32> = (0..64).map(|i| ((i as f64 + 1.0).sin().abs() * 4294967296.0) as u32).collect();
    let (mut a0, mut b0, mut c0, mut d0) = (0x67452301u32, 0xefcdab89u32, 0x98badcfeu32, 0x10325476u32);
    let mut msg = input.to_vec();
    let bitlen = (input.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bitlen.to_le_bytes());
    for chunk in msg.chunks(64) {
        let m: Vec<u32> = chunk.chunks(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])).collect();
        let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f2 = f.wrapping_add(a).wrapping_add(k[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f2.rotate_left(s[i]));
        }
        a0 = a0.wrapping_add(a);
        b0 = b0.wrapping_add(b);
        c0 = c0.wrapping_add(c);
        d0 = d0.wrapping_add(d);
    }
    [a0, b0, c0, d0].iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// SHA-1 (RFC 3174).
pub fn sha1(input: &[u8]) -> Vec<u8> {
    let mut h: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
    let mut msg = input.to_vec();
    let bitlen = (input.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bitlen.to_be_bytes());
    for chunk in msg.chunks(64) {
        let mut w = [0u32; 80];
        for i in 0..16 {
            w[i] = u32::from_be_bytes([chunk[4 * i], chunk[4 * i + 1], chunk[4 * i + 2], chunk[4 * i + 3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let (mut a, mut b, mut c, mut d, mut e) = (h[0], h[1], h[2], h[3], h[4]);
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i / 20 {
                0 => ((b & c) | (!b & d), 0x5A827999),
                1 => (b ^ c ^ d, 0x6ED9EBA1),
                2 => ((b & c) | (b & d) | (c & d), 0x8F1BBCDC),
                _ => (b ^ c ^ d, 0xCA62C1D6u32),
            };
            let t = a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k).wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        h[0] = h[0].wrapping_add(a);
        h[1] = h[1].wrapping_add(b);
        h[2] = h[2].wrapping_add(c);
        h[3] = h[3].wrapping_add(d);
        h[4] = h[4].wrapping_add(e);
    }
    h.iter().flat_map(|x| x.to_be_bytes()).collect()
}

fn digest(alg: &str, data: &[u8]) -> Option<(Vec<u8>, usize)> {
    Some(match alg.to_ascii_uppercase().replace('-', "").as_str() {
        "MD5" => (md5(data), 64),
        "SHA1" => (sha1(data), 64),
        "SHA256" => (sha2::Sha256::digest(data).to_vec(), 64),
        "SHA512" => (sha2::Sha512::digest(data).to_vec(), 128),
        "SHA384" => (sha2::Sha384::digest(data).to_vec(), 128),
        _ => return None,
    })
}

/// HMAC (RFC 2104) with the digest named as Apex names MACs (`hmacSHA256`).
pub fn hmac(alg: &str, data: &[u8], key: &[u8]) -> Option<Vec<u8>> {
    let base = alg.to_ascii_uppercase();
    let base = base.strip_prefix("HMAC")?;
    let (_, block) = digest(base, b"")?;
    let mut k = if key.len() > block { digest(base, key)?.0 } else { key.to_vec() };
    k.resize(block, 0);
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).chain(data.iter().copied()).collect();
    let inner = digest(base, &ipad)?.0;
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).chain(inner).collect();
    Some(digest(base, &opad)?.0)
}

fn blob_arg(it: &mut Interp, args: &[Value], i: usize) -> R<Rc<Vec<u8>>> {
    match args.get(i) {
        Some(Value::Blob(b)) => Ok(b.clone()),
        Some(Value::Null) | None => it.npe(),
        Some(other) => {
            let t = it.type_name_of(other);
            it.compile_error(format!("Expected a Blob, got {t}"))
        }
    }
}

/// `Crypto.*`
pub fn call_crypto(it: &mut Interp, name: &str, args: Vec<Value>) -> R<Value> {
    match name {
        "generateaeskey" => {
            let bits = arg_int(it, &args, 0)?;
            if !matches!(bits, 128 | 192 | 256) {
                return it.throw("System.InvalidParameterValueException", format!("Invalid key size: {bits}"));
            }
            let bytes: Vec<u8> = (0..bits / 8).map(|_| it.random() as u8).collect();
            Ok(Value::Blob(Rc::new(bytes)))
        }
        "getrandominteger" => Ok(Value::Int(it.random() as i32)),
        "getrandomlong" => Ok(Value::Long(it.random() as i64)),
        "generatedigest" => {
            let alg = arg_str(it, &args, 0)?.unwrap_or_default();
            let data = blob_arg(it, &args, 1)?;
            match digest(&alg, &data) {
                Some((d, _)) => Ok(Value::Blob(Rc::new(d))),
                None => it.throw("System.InvalidParameterValueException", format!("Invalid algorithm: {alg}")),
            }
        }
        "generatemac" => {
            let alg = arg_str(it, &args, 0)?.unwrap_or_default();
            let data = blob_arg(it, &args, 1)?;
            let key = blob_arg(it, &args, 2)?;
            match hmac(&alg, &data, &key) {
                Some(d) => Ok(Value::Blob(Rc::new(d))),
                None => it.throw("System.InvalidParameterValueException", format!("Invalid algorithm: {alg}")),
            }
        }
        _ => it.unsupported(format!("Crypto.{name}")),
    }
}

/// `EncodingUtil.*`
pub fn call_encoding(it: &mut Interp, name: &str, args: Vec<Value>) -> R<Value> {
    match name {
        "converttohex" => {
            let b = blob_arg(it, &args, 0)?;
            Ok(Value::str(hex(&b)))
        }
        "convertfromhex" => {
            let s = arg_str(it, &args, 0)?.unwrap_or_default();
            if s.len() % 2 != 0 {
                return it.throw("System.InvalidParameterValueException", "Invalid hex string");
            }
            let mut out = Vec::new();
            for i in (0..s.len()).step_by(2) {
                match s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => out.push(b),
                    None => return it.throw("System.InvalidParameterValueException", "Invalid hex string"),
                }
            }
            Ok(Value::Blob(Rc::new(out)))
        }
        "base64encode" => {
            let b = blob_arg(it, &args, 0)?;
            Ok(Value::str(base64_encode(&b)))
        }
        "base64decode" => {
            let s = arg_str(it, &args, 0)?.unwrap_or_default();
            match base64_decode(&s) {
                Some(b) => Ok(Value::Blob(Rc::new(b))),
                None => it.throw("System.StringException", "Unrecognized base64 character"),
            }
        }
        "urlencode" => {
            let s = arg_str(it, &args, 0)?.unwrap_or_default();
            Ok(Value::str(url_encode(&s)))
        }
        "urldecode" => {
            let s = arg_str(it, &args, 0)?.unwrap_or_default();
            Ok(Value::str(url_decode(&s)))
        }
        _ => it.unsupported(format!("EncodingUtil.{name}")),
    }
}

/// `application/x-www-form-urlencoded` as Java's URLEncoder writes it.
pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn url_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(x) => {
                        out.push(x);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `Blob.valueOf(String)`, `Blob.toPdf` ...
pub fn call_blob_static(it: &mut Interp, name: &str, args: Vec<Value>) -> R<Value> {
    match name {
        "valueof" => match arg_str(it, &args, 0)? {
            Some(s) => Ok(Value::Blob(Rc::new(s.into_bytes()))),
            None => it.npe(),
        },
        _ => it.unsupported(format!("Blob.{name}")),
    }
}

/// Methods of a Blob.
pub fn blob_method(it: &mut Interp, b: &Rc<Vec<u8>>, name: &str, _args: Vec<Value>) -> R<Value> {
    match name {
        "size" => Ok(Value::Int(b.len() as i32)),
        "tostring" => match String::from_utf8(b.to_vec()) {
            Ok(s) => Ok(Value::str(s)),
            Err(_) => it.throw("System.StringException", "BLOB is not a valid UTF-8 string"),
        },
        _ => it.unsupported(format!("Blob.{name}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_and_macs_match_their_test_vectors() {
        assert_eq!(hex(&md5(b"abc")), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(hex(&sha1(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        // RFC 4231 test case 2.
        let mac = hmac("hmacSHA256", b"what do ya want for nothing?", b"Jefe").unwrap();
        assert_eq!(hex(&mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assert_eq!(base64_encode(b"hello"), "aGVsbG8=");
        assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
    }
}
