//! Short-lived signed addresses for a conversation's photos. The edge
//! makes one whenever it sends a photo to someone allowed to see it (the
//! conversation's visitor or its agents) and checks it without asking the
//! conversation: HMAC-SHA-256 over the conversation, photo, variant and
//! expiry, with the worker's `PHOTO_KEY`.

use serde::{Deserialize, Serialize};

/// The stored photo, or the thumbnail shown in the transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoVariant {
    Full,
    Thumb,
}

impl PhotoVariant {
    pub fn as_str(self) -> &'static str {
        match self {
            PhotoVariant::Full => "full",
            PhotoVariant::Thumb => "thumb",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [PhotoVariant::Full, PhotoVariant::Thumb]
            .into_iter()
            .find(|v| v.as_str() == name)
    }
}

/// Why a link is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefusal {
    /// Signed, but its time is up: the sender's view gets a new one.
    Expired,
    /// Not signed by this edge for this photo.
    Forged,
}

fn signature(
    key: &[u8],
    conversation: &str,
    photo: &str,
    variant: PhotoVariant,
    expires_s: i64,
) -> String {
    let signed = format!("{conversation}/{photo}/{}/{expires_s}", variant.as_str());
    let tag = hmac_sha256::HMAC::mac(signed.as_bytes(), key);
    // 128 bits are plenty for a tag that expires.
    tag[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The path of a photo, valid until `expires_s` (Unix seconds).
pub fn link_path(
    key: &[u8],
    conversation: &str,
    photo: &str,
    variant: PhotoVariant,
    expires_s: i64,
) -> String {
    let sig = signature(key, conversation, photo, variant, expires_s);
    format!(
        "/api/v1/photos/{conversation}/{photo}/{}?e={expires_s}&s={sig}",
        variant.as_str()
    )
}

/// Checks a link's expiry `e` and signature `s` at `now_s`.
pub fn verify_link(
    key: &[u8],
    conversation: &str,
    photo: &str,
    variant: PhotoVariant,
    e: &str,
    s: &str,
    now_s: i64,
) -> Result<(), LinkRefusal> {
    let expires_s: i64 = e.parse().map_err(|_| LinkRefusal::Forged)?;
    let expected = signature(key, conversation, photo, variant, expires_s);
    if !crate::identity::constant_time_eq(expected.as_bytes(), s.as_bytes()) {
        Err(LinkRefusal::Forged)
    } else if expires_s <= now_s {
        Err(LinkRefusal::Expired)
    } else {
        Ok(())
    }
}
