//! Photos at the worker: serving them through short-lived signed links
//! (checked here, without waking the conversation), the links themselves,
//! the checks an upload passes before it reaches its conversation, and
//! removing a conversation's files. The conversation checks the file and
//! stores it (`conversation/photos.rs`); the rules are `shared::photo`.
//!
//! Files live in R2 under `{conversation}/{photo}/{full|thumb}`, so one
//! listing finds everything of a conversation when it is erased.

use crate::error::{EdgeError, EdgeResult};
use crate::http;
use shared::photo::{self, LinkRefusal, PhotoVariant, MAX_PHOTO_BYTES, MAX_THUMB_BYTES};
use shared::protocol::{ErrorCode, PhotoLinks};
use worker::{Env, Headers, HttpMetadata, Method, Request, Response};

/// The R2 binding.
const BUCKET: &str = "PHOTOS";

/// Largest upload body: a photo, its thumbnail and the form around them.
pub const MAX_UPLOAD_BYTES: usize = MAX_PHOTO_BYTES + MAX_THUMB_BYTES + 16 * 1024;

/// Uploads per address (checked by the worker, before the conversation
/// is woken), and per conversation and per site (checked by the
/// conversation once it knows the sender may send), each per minute.
const PER_ADDRESS: (&str, u32) = ("PHOTOS_PER_ADDRESS", 60);
const PER_CONVERSATION: (&str, u32) = ("PHOTOS_PER_CONVERSATION", 60);
const PER_SITE: (&str, u32) = ("PHOTOS_PER_SITE", 60);
const TOO_MANY: &str = "Too many photos at once. Please wait a minute and send it again.";

/// The key links are signed with: the `PHOTO_KEY` secret, at least 32
/// bytes. Without it photos are off, and say so.
fn signing_key(env: &Env) -> EdgeResult<Vec<u8>> {
    let key = env
        .secret("PHOTO_KEY")
        .map(|s| s.to_string())
        .or_else(|_| env.var("PHOTO_KEY").map(|v| v.to_string()))
        .unwrap_or_default();
    if key.len() < 32 {
        return Err(EdgeError::new(
            ErrorCode::PhotosUnavailable,
            "Photos are not set up here (PHOTO_KEY).",
        ));
    }
    Ok(key.into_bytes())
}

/// How long a link stays valid (`PHOTO_LINK_TTL_S`, an hour by default).
fn link_ttl_s(env: &Env) -> i64 {
    crate::conversation::seconds_var(env, "PHOTO_LINK_TTL_S", 3600)
}

fn object_key(conversation: &str, photo: &str, variant: PhotoVariant) -> String {
    format!("{conversation}/{photo}/{}", variant.as_str())
}

/// Fresh links to a photo, for someone allowed to see it; `None` when
/// photos are off.
/// Without a thumbnail the photo is its own.
pub fn links(env: &Env, conversation: &str, photo: &str, thumb: bool) -> Option<PhotoLinks> {
    let key = signing_key(env).ok()?;
    let expires_s = http::now_ms() / 1000 + link_ttl_s(env);
    let thumb = if thumb {
        PhotoVariant::Thumb
    } else {
        PhotoVariant::Full
    };
    Some(PhotoLinks {
        full: photo::link_path(&key, conversation, photo, PhotoVariant::Full, expires_s),
        thumb: photo::link_path(&key, conversation, photo, thumb, expires_s),
    })
}

/// `GET /api/v1/photos/{conversation}/{photo}/{variant}?e=…&s=…`: the
/// stored bytes, to whoever holds a valid link. A link for another photo,
/// a changed one, or a photo erased since are "not found".
pub async fn serve(
    req: &Request,
    env: &Env,
    conversation: &str,
    photo: &str,
    variant: &str,
) -> EdgeResult<Response> {
    if !matches!(req.method(), Method::Get | Method::Head) {
        return Err(EdgeError::new(
            ErrorCode::MethodNotAllowed,
            "Photos are only read here.",
        ));
    }
    let variant = PhotoVariant::parse(variant).ok_or_else(no_photo)?;
    let e = http::query(req, "e")?.unwrap_or_default();
    let s = http::query(req, "s")?.unwrap_or_default();
    let now_s = http::now_ms() / 1000;
    match photo::verify_link(
        &signing_key(env)?,
        conversation,
        photo,
        variant,
        &e,
        &s,
        now_s,
    ) {
        Ok(()) => {}
        Err(LinkRefusal::Expired) => {
            return Err(EdgeError::new(
                ErrorCode::LinkExpired,
                "This photo link has expired. Open the conversation again to see the photo.",
            ))
        }
        Err(LinkRefusal::Forged) => return Err(no_photo()),
    }
    let object = env
        .bucket(BUCKET)?
        .get(object_key(conversation, photo, variant))
        .execute()
        .await?
        .ok_or_else(no_photo)?;
    let content_type = object
        .http_metadata()
        .content_type
        .unwrap_or_else(|| "application/octet-stream".into());
    let body = object.body().ok_or_else(no_photo)?.response_body()?;
    let headers = Headers::new();
    headers.set("content-type", &content_type)?;
    // The link's own lifetime, in this browser only.
    let left_s = e.parse::<i64>().unwrap_or(now_s) - now_s;
    headers.set(
        "cache-control",
        &format!("private, max-age={}", left_s.max(0)),
    )?;
    headers.set("x-content-type-options", "nosniff")?;
    headers.set("content-security-policy", "default-src 'none'; sandbox")?;
    headers.set("cross-origin-resource-policy", "same-origin")?;
    headers.set("referrer-policy", "no-referrer")?;
    Ok(Response::from_body(body)?.with_headers(headers))
}

fn no_photo() -> EdgeError {
    EdgeError::new(ErrorCode::NotFound, "No such photo.")
}

/// Before an upload is passed to its conversation: its declared length
/// (a body without one is refused), and the per-address limit.
pub async fn check_upload(env: &Env, req: &Request) -> EdgeResult<()> {
    signing_key(env)?;
    let declared = req
        .headers()
        .get("content-length")?
        .and_then(|v| v.parse::<usize>().ok())
        .ok_or_else(|| EdgeError::new(ErrorCode::Malformed, "Send the photo with its length."))?;
    if declared > MAX_UPLOAD_BYTES {
        return Err(photo::PhotoError::TooLarge.into());
    }
    take(env, PER_ADDRESS, http::client_address(req)).await
}

/// The per-conversation and per-site limits, once the sender is known to
/// be allowed (so a stranger cannot spend a conversation's).
pub async fn take_limits(env: &Env, site: &str, conversation: &str) -> EdgeResult<()> {
    take(env, PER_CONVERSATION, conversation.to_string()).await?;
    take(env, PER_SITE, site.to_string()).await
}

async fn take(env: &Env, (binding, period_s): (&str, u32), key: String) -> EdgeResult<()> {
    if env.rate_limiter(binding)?.limit(key).await?.success {
        Ok(())
    } else {
        Err(EdgeError::rate_limited(TOO_MANY, period_s))
    }
}

/// Stores one variant of a checked photo.
pub async fn put(
    env: &Env,
    conversation: &str,
    photo: &str,
    variant: PhotoVariant,
    clean: photo::CleanPhoto,
) -> EdgeResult<()> {
    let metadata = HttpMetadata {
        content_type: Some(clean.image_type.media_type().into()),
        ..HttpMetadata::default()
    };
    env.bucket(BUCKET)?
        .put(object_key(conversation, photo, variant), clean.bytes)
        .http_metadata(metadata)
        .execute()
        .await?;
    Ok(())
}

/// Deletes every file of a conversation (also any an interrupted upload
/// left without its message).
pub async fn delete_all(env: &Env, conversation: &str) -> EdgeResult<()> {
    let bucket = env.bucket(BUCKET)?;
    loop {
        let listed = bucket
            .list()
            .prefix(format!("{conversation}/"))
            .limit(1000)
            .execute()
            .await?;
        let keys: Vec<String> = listed.objects().iter().map(|o| o.key()).collect();
        if keys.is_empty() {
            return Ok(());
        }
        bucket.delete_multiple(keys).await?;
        if !listed.truncated() {
            return Ok(());
        }
    }
}
