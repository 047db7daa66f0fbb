//! Identifier, code and `sub` generation.
//!
//! Everything that must be reproducible under [`EmulatorConfig::seed`](super::EmulatorConfig)
//! (pool ids, client ids and secrets, subs, confirmation codes) draws from an explicit
//! [`fastrand::Rng`]. Request ids are not part of the emulator's state and come from the
//! thread-local generator, so they stay cheap and lock-free on the hot path.

use fastrand::Rng;

const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const MIXED_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &[u8; 16] = b"0123456789abcdef";

/// Length of an app client id (observed ids are 26 chars of `[a-z0-9]`).
pub const CLIENT_ID_LEN: usize = 26;
/// Length of a generated app client secret.
pub const CLIENT_SECRET_LEN: usize = 51;
/// Length of the random part of a user pool id (`<region>_<9 alnum>`).
pub const POOL_SUFFIX_LEN: usize = 9;

fn pick(rng: &mut Rng, alphabet: &[u8], len: usize) -> String {
    (0..len)
        .map(|_| char::from(alphabet[rng.usize(..alphabet.len())]))
        .collect()
}

/// `<region>_<9 chars of [0-9A-Za-z]>`, matching the model's pattern `[\w-]+_[0-9a-zA-Z]+`.
pub fn pool_id(rng: &mut Rng, region: &str) -> String {
    format!("{region}_{}", pick(rng, MIXED_ALNUM, POOL_SUFFIX_LEN))
}

pub fn client_id(rng: &mut Rng) -> String {
    pick(rng, LOWER_ALNUM, CLIENT_ID_LEN)
}

pub fn client_secret(rng: &mut Rng) -> String {
    pick(rng, LOWER_ALNUM, CLIENT_SECRET_LEN)
}

/// A six-digit confirmation code, the form observed in practice (spec §4.4), as its number
/// (`state::Code` writes it with its leading zeros).
pub fn confirmation_code(rng: &mut Rng) -> u32 {
    rng.u32(..1_000_000)
}

/// Formats 128 random bits as a version-4, RFC 4122-variant UUID in lowercase hex.
fn format_uuid_v4(bits: u128) -> [u8; 36] {
    let mut bytes = bits.to_be_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // variant 10xx
    let mut out = [0u8; 36];
    let mut pos = 0;
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out[pos] = b'-';
            pos += 1;
        }
        out[pos] = HEX[usize::from(b >> 4)];
        out[pos + 1] = HEX[usize::from(b & 0x0f)];
        pos += 2;
    }
    out
}

pub fn uuid_string(bits: u128) -> String {
    // The buffer is ASCII hex and dashes only.
    String::from_utf8(format_uuid_v4(bits).to_vec()).expect("ASCII")
}

/// A user's `sub` as its 128 bits, the version and variant bits set: `uuid_string` writes it,
/// `parse_uuid` reads it back.
pub fn sub(rng: &mut Rng) -> u128 {
    let bits = rng.u128(..);
    let bits = (bits & !(0xf << 76)) | (0x4 << 76);
    (bits & !(0x3 << 62)) | (0x2 << 62)
}

/// The bits of a UUID v4 written exactly as `uuid_string` writes it (lowercase), else `None`.
pub fn parse_uuid(text: &str) -> Option<u128> {
    let b = text.as_bytes();
    if b.len() != 36 {
        return None;
    }
    let mut bits = 0u128;
    for (i, &c) in b.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            continue;
        }
        let digit = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => return None,
        };
        bits = (bits << 4) | u128::from(digit);
    }
    (format_uuid_v4(bits) == *b).then_some(bits)
}

/// A UUID v4 for `x-amzn-RequestId`, from the thread-local generator, as raw ASCII bytes.
pub fn request_id() -> [u8; 36] {
    format_uuid_v4(fastrand::u128(..))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_uuid_v4(s: &str) -> bool {
        let b = s.as_bytes();
        b.len() == 36
            && b.iter().enumerate().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => *c == b'-',
                _ => c.is_ascii_digit() || (b'a'..=b'f').contains(c),
            })
            && b[14] == b'4'
            && matches!(b[19], b'8' | b'9' | b'a' | b'b')
    }

    #[test]
    fn shapes() {
        let mut rng = Rng::with_seed(7);
        let id = pool_id(&mut rng, "us-east-1");
        let (region, suffix) = id.split_once('_').unwrap();
        assert_eq!(region, "us-east-1");
        assert_eq!(suffix.len(), POOL_SUFFIX_LEN);
        assert!(suffix.bytes().all(|c| c.is_ascii_alphanumeric()));

        let c = client_id(&mut rng);
        assert_eq!(c.len(), 26);
        assert!(
            c.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
        let s = client_secret(&mut rng);
        assert_eq!(s.len(), 51);
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );

        for _ in 0..100 {
            assert!(confirmation_code(&mut rng) < 1_000_000);
            let bits = sub(&mut rng);
            let text = uuid_string(bits);
            assert!(is_uuid_v4(&text));
            assert_eq!(parse_uuid(&text), Some(bits), "{text} reads back");
            assert_eq!(parse_uuid(&text.to_uppercase()), None, "only as written");
            assert!(is_uuid_v4(std::str::from_utf8(&request_id()).unwrap()));
        }
        assert!(is_uuid_v4(&uuid_string(0)));
        assert!(is_uuid_v4(&uuid_string(u128::MAX)));
        // Bits whose version or variant differ are not a sub the emulator made.
        assert_eq!(parse_uuid("00000000-0000-0000-0000-000000000000"), None);
        assert_eq!(parse_uuid("00000000-0000-4000-8000-00000000000"), None);
        assert_eq!(parse_uuid("00000000x0000-4000-8000-000000000000"), None);
        assert!(parse_uuid("00000000-0000-4000-8000-000000000000").is_some());
    }

    #[test]
    fn seeded_generation_is_reproducible() {
        let mut a = Rng::with_seed(42);
        let mut b = Rng::with_seed(42);
        assert_eq!(sub(&mut a), sub(&mut b));
        assert_eq!(confirmation_code(&mut a), confirmation_code(&mut b));
    }
}
