//! Signed-in visitors. The site's server vouches for who the visitor is
//! with a JSON Web Token signed HS256 with the site's identity secret (set
//! and rotated in Settings); the host page passes it with
//! `Chat("identify", {token})`. The edge checks it here: the signature
//! (with the current secret, or the previous one while it is still valid
//! after a rotation), the algorithm, the expiry, and the claims (`sub`, the
//! site's user id; `name` and `email`, optional). Anything else is refused
//! with a reason the site's developer can act on.

use base64::Engine;
use serde::{Deserialize, Serialize};

/// A longer token is refused before it is decoded.
pub const MAX_TOKEN_BYTES: usize = 2048;
/// How long the secret before a rotation keeps working, so the site's
/// servers can switch without signed-in visitors noticing.
pub const PREVIOUS_SECRET_GRACE_MS: i64 = 24 * 3_600_000;
/// Clocks differ a little: an expiry this recent still counts.
const LEEWAY_S: i64 = 60;

/// A visitor the site's server vouched for, as agents see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedVisitor {
    /// The site's own user id (`sub`).
    pub user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// The site's identity secrets: the one tokens are signed with now, and
/// the one before it until its grace period ends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityKeys {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    #[serde(default)]
    pub previous_until_ms: i64,
}

impl IdentityKeys {
    /// The secrets that verify a token at `now_ms`.
    fn valid(&self, now_ms: i64) -> impl Iterator<Item = &str> {
        let previous = self
            .previous
            .as_deref()
            .filter(|_| now_ms < self.previous_until_ms);
        self.current.as_deref().into_iter().chain(previous)
    }

    /// After a rotation to `secret`: the current one becomes the previous.
    pub fn rotated(&self, secret: String, now_ms: i64) -> IdentityKeys {
        IdentityKeys {
            previous: self.current.clone(),
            previous_until_ms: now_ms + PREVIOUS_SECRET_GRACE_MS,
            current: Some(secret),
        }
    }
}

/// What an admin sees of the site's identity secret
/// (`GET|POST /api/v1/agent/sites/{site}/identity`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentitySecretView {
    pub secret: Option<String>,
    /// Until when the secret before the last rotation still works.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_until_ms: Option<i64>,
}

impl IdentityKeys {
    pub fn view(&self, now_ms: i64) -> IdentitySecretView {
        IdentitySecretView {
            secret: self.current.clone(),
            previous_until_ms: (self.previous.is_some() && now_ms < self.previous_until_ms)
                .then_some(self.previous_until_ms),
        }
    }
}

/// Why a token was refused; `message` is what the loader's console says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdentityRefusal {
    #[error("this site has no identity secret yet (Settings → Signed-in visitors)")]
    NoSecret,
    #[error("not a JSON Web Token (three base64url parts, at most 2048 bytes)")]
    Malformed,
    #[error("the token must be signed with HS256")]
    WrongAlgorithm,
    #[error("the signature does not match this site's identity secret")]
    BadSignature,
    #[error("the token has expired (exp is in the past)")]
    Expired,
    #[error("the token needs `sub` (1-200 characters) and `exp`; `name` at most 60 characters, `email` an e-mail address")]
    BadClaims,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    exp: i64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

/// Checks `token` against the site's secrets at `now_ms`.
pub fn verify(
    token: &str,
    keys: &IdentityKeys,
    now_ms: i64,
) -> Result<VerifiedVisitor, IdentityRefusal> {
    if keys.current.is_none() {
        return Err(IdentityRefusal::NoSecret);
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(IdentityRefusal::Malformed);
    }
    let Some((signed, signature)) = token.rsplit_once('.') else {
        return Err(IdentityRefusal::Malformed);
    };
    let Some((header, payload)) = signed.split_once('.').filter(|(_, p)| !p.contains('.')) else {
        return Err(IdentityRefusal::Malformed);
    };
    let decode = |part: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| IdentityRefusal::Malformed)
    };
    let header: Header =
        serde_json::from_slice(&decode(header)?).map_err(|_| IdentityRefusal::Malformed)?;
    if header.alg != "HS256" {
        return Err(IdentityRefusal::WrongAlgorithm);
    }
    let signature = decode(signature)?;
    let matches = keys.valid(now_ms).any(|secret| {
        let tag = hmac_sha256::HMAC::mac(signed.as_bytes(), secret.as_bytes());
        constant_time_eq(&tag, &signature)
    });
    if !matches {
        return Err(IdentityRefusal::BadSignature);
    }
    let claims: Claims =
        serde_json::from_slice(&decode(payload)?).map_err(|_| IdentityRefusal::BadClaims)?;
    if claims.exp + LEEWAY_S < now_ms / 1000 {
        return Err(IdentityRefusal::Expired);
    }
    let sub = claims.sub.trim();
    let too_long = claims.name.as_ref().is_some_and(|n| n.chars().count() > 60);
    let name = claims
        .name
        .map(|n| crate::text::clean_name(&n, 60))
        .filter(|n| !n.is_empty());
    let email = match claims.email {
        Some(e) => Some(crate::text::valid_email(&e).map_err(|_| IdentityRefusal::BadClaims)?),
        None => None,
    };
    if sub.is_empty() || sub.chars().count() > 200 || sub.chars().any(char::is_control) || too_long
    {
        return Err(IdentityRefusal::BadClaims);
    }
    Ok(VerifiedVisitor {
        user_id: sub.to_string(),
        name,
        email,
    })
}

/// Compares two secrets (tags, hashes) without an early exit.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "idv_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const NOW_MS: i64 = 1_800_000_000_000;

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    /// A token as any JWT library makes it (HS256, compact form).
    fn token(header: &str, claims: &str, secret: &str) -> String {
        let signed = format!("{}.{}", b64(header.as_bytes()), b64(claims.as_bytes()));
        let tag = hmac_sha256::HMAC::mac(signed.as_bytes(), secret.as_bytes());
        format!("{signed}.{}", b64(&tag))
    }

    fn keys() -> IdentityKeys {
        IdentityKeys {
            current: Some(SECRET.into()),
            ..IdentityKeys::default()
        }
    }

    const HS256: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

    #[test]
    fn a_token_signed_with_the_sites_secret_names_the_visitor() {
        let claims =
            r#"{"sub":"cust-42","name":"Sam Lee","email":"sam@example.com","exp":1800000600}"#;
        let v = verify(&token(HS256, claims, SECRET), &keys(), NOW_MS).unwrap();
        assert_eq!(v.user_id, "cust-42");
        assert_eq!(v.name.as_deref(), Some("Sam Lee"));
        assert_eq!(v.email.as_deref(), Some("sam@example.com"));
    }

    #[test]
    fn a_token_made_by_pyjwt_verifies() {
        // PyJWT 2.15.1: jwt.encode({"sub": "u1", "name": "Sam Lee",
        // "email": "sam@example.com", "exp": 1800000600}, SECRET, algorithm="HS256")
        let t = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1MSIsIm5hbWUiOiJTYW0gTGVlIiwiZW1haWwiOiJzYW1AZXhhbXBsZS5jb20iLCJleHAiOjE4MDAwMDA2MDB9.KUFLP7BPpdI7NlCqAybGAxR2tfP_twTUtBQ057leBcw";
        let v = verify(t, &keys(), NOW_MS).unwrap();
        assert_eq!(
            (v.user_id.as_str(), v.name.as_deref()),
            ("u1", Some("Sam Lee"))
        );
    }

    #[test]
    fn forged_expired_and_odd_tokens_are_refused_with_their_reason() {
        let claims = r#"{"sub":"cust-42","exp":1800000600}"#;
        let other = "idv_another_secret";
        assert_eq!(
            verify(&token(HS256, claims, other), &keys(), NOW_MS),
            Err(IdentityRefusal::BadSignature)
        );
        let expired = r#"{"sub":"cust-42","exp":1799999000}"#;
        assert_eq!(
            verify(&token(HS256, expired, SECRET), &keys(), NOW_MS),
            Err(IdentityRefusal::Expired)
        );
        let none = token(r#"{"alg":"none"}"#, claims, SECRET);
        assert_eq!(
            verify(&none, &keys(), NOW_MS),
            Err(IdentityRefusal::WrongAlgorithm)
        );
        // A signature made for other claims does not carry over.
        let good = token(HS256, claims, SECRET);
        let sig = good.rsplit('.').next().unwrap();
        let swapped = format!(
            "{}.{}.{sig}",
            b64(HS256.as_bytes()),
            b64(br#"{"sub":"admin","exp":1800000600}"#)
        );
        assert_eq!(
            verify(&swapped, &keys(), NOW_MS),
            Err(IdentityRefusal::BadSignature)
        );
        for junk in ["", "a.b", "a.b.c.d", "!!.??.##", &"x".repeat(3000)] {
            assert_eq!(
                verify(junk, &keys(), NOW_MS),
                Err(IdentityRefusal::Malformed),
                "{junk:.20}"
            );
        }
        for bad in [
            r#"{"sub":"","exp":1800000600}"#,
            r#"{"exp":1800000600}"#,
            r#"{"sub":"u"}"#,
            r#"{"sub":"u","exp":1800000600,"email":"not an address"}"#,
        ] {
            assert_eq!(
                verify(&token(HS256, bad, SECRET), &keys(), NOW_MS),
                Err(IdentityRefusal::BadClaims),
                "{bad}"
            );
        }
        assert_eq!(
            verify(&good, &IdentityKeys::default(), NOW_MS),
            Err(IdentityRefusal::NoSecret)
        );
    }

    #[test]
    fn after_a_rotation_the_previous_secret_works_for_its_grace_period_only() {
        let claims = r#"{"sub":"u","exp":1900000000}"#;
        let rotated = keys().rotated("idv_new".into(), NOW_MS);
        assert!(verify(&token(HS256, claims, "idv_new"), &rotated, NOW_MS).is_ok());
        assert!(verify(&token(HS256, claims, SECRET), &rotated, NOW_MS + 1000).is_ok());
        let later = NOW_MS + PREVIOUS_SECRET_GRACE_MS;
        assert_eq!(
            verify(&token(HS256, claims, SECRET), &rotated, later),
            Err(IdentityRefusal::BadSignature)
        );
        assert_eq!(rotated.view(later).previous_until_ms, None);
        assert_eq!(rotated.view(NOW_MS).secret.as_deref(), Some("idv_new"));
    }

    #[test]
    fn names_are_cleaned_like_every_visitor_name() {
        let claims = "{\"sub\":\"u\",\"exp\":1800000600,\"name\":\"Sam\\u202e Lee\\u0000\"}";
        let v = verify(&token(HS256, claims, SECRET), &keys(), NOW_MS).unwrap();
        assert_eq!(v.name.as_deref(), Some("Sam Lee"));
    }
}
