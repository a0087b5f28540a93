//! Secrets and tickets: random values made at the edge, stored only as
//! SHA-256 hashes so a storage leak does not hand out access.

use sha2::{Digest, Sha256};

/// A long-lived visitor secret: two v4 UUIDs from the runtime's CSPRNG,
/// 244 random bits, as 64 hex digits.
pub fn new_secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Hex SHA-256 of a credential.
pub fn hash(credential: &str) -> String {
    hex(&Sha256::digest(credential.as_bytes()))
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// Compares two hashes without an early exit.
pub fn same_hash(a: &str, b: &str) -> bool {
    shared::identity::constant_time_eq(a.as_bytes(), b.as_bytes())
}
