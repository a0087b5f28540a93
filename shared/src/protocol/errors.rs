//! Typed error codes, shared by HTTP answers and WebSocket frames, and the
//! one place where each maps to an HTTP status.

use serde::{Deserialize, Serialize};

/// Body of every HTTP error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

/// Typed error codes, shared by HTTP answers and WebSocket frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame or body is larger than the limit.
    FrameTooLarge,
    /// Not JSON, or JSON of the wrong shape.
    Malformed,
    /// A frame `type` this version does not know.
    UnknownType,
    /// The message is empty after sanitizing.
    EmptyMessage,
    /// The message is over [`MAX_MESSAGE_BYTES`].
    MessageTooLong,
    /// No credential was sent.
    Unauthorized,
    /// The conversation does not exist or is not yours: deliberately the
    /// same answer for both.
    NotFound,
    /// The request's `Origin` is not allowed.
    ForbiddenOrigin,
    /// The site id is not known.
    UnknownSite,
    /// Too many requests; try again later.
    RateLimited,
    /// The method is not allowed on this path.
    MethodNotAllowed,
    /// A WebSocket route was called without `Upgrade: websocket`.
    UpgradeRequired,
    /// Not a valid e-mail address.
    InvalidEmail,
    /// A rating outside 1..=5, or a second rating.
    InvalidRating,
    /// The conversation is resolved; start a new one.
    ConversationResolved,
    /// Another agent has claimed the conversation already.
    AlreadyClaimed,
    /// The action does not fit the conversation's state (e.g. resolving twice).
    WrongState,
    /// A state-changing agent request without the session's CSRF token.
    CsrfRejected,
    /// E-mail and password do not match an active agent.
    BadLogin,
    /// Only an admin may do that.
    AdminOnly,
    /// Something with that name or address exists already.
    AlreadyExists,
    /// A file that is not a JPEG, PNG or WebP photo (by its bytes).
    NotAPhoto,
    /// A photo over 10 MB.
    PhotoTooLarge,
    /// A photo with more pixels than can be shown safely.
    TooManyPixels,
    /// A photo whose structure cannot be read.
    DamagedPhoto,
    /// The conversation holds as many photos as it may.
    PhotoLimit,
    /// A photo link past its time; the view that showed it gets a new one.
    LinkExpired,
    /// Photos are not set up on this edge (no `PHOTO_KEY`).
    PhotosUnavailable,
    /// Something failed at the edge; nothing was stored.
    Internal,
}

impl ErrorCode {
    /// The HTTP status for this code: the one place where the mapping lives.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::FrameTooLarge => 413,
            ErrorCode::Malformed
            | ErrorCode::UnknownType
            | ErrorCode::EmptyMessage
            | ErrorCode::MessageTooLong
            | ErrorCode::InvalidEmail
            | ErrorCode::InvalidRating => 400,
            ErrorCode::Unauthorized | ErrorCode::BadLogin => 401,
            ErrorCode::ForbiddenOrigin | ErrorCode::CsrfRejected | ErrorCode::AdminOnly => 403,
            ErrorCode::ConversationResolved
            | ErrorCode::AlreadyClaimed
            | ErrorCode::WrongState
            | ErrorCode::AlreadyExists => 409,
            ErrorCode::NotFound | ErrorCode::UnknownSite => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::UpgradeRequired => 426,
            ErrorCode::RateLimited => 429,
            ErrorCode::NotAPhoto => 415,
            ErrorCode::PhotoTooLarge => 413,
            ErrorCode::TooManyPixels | ErrorCode::DamagedPhoto => 422,
            ErrorCode::PhotoLimit => 409,
            ErrorCode::LinkExpired => 410,
            ErrorCode::PhotosUnavailable => 503,
            ErrorCode::Internal => 500,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::FrameTooLarge => "frame_too_large",
            ErrorCode::Malformed => "malformed",
            ErrorCode::UnknownType => "unknown_type",
            ErrorCode::EmptyMessage => "empty_message",
            ErrorCode::MessageTooLong => "message_too_long",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::NotFound => "not_found",
            ErrorCode::ForbiddenOrigin => "forbidden_origin",
            ErrorCode::UnknownSite => "unknown_site",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::UpgradeRequired => "upgrade_required",
            ErrorCode::InvalidEmail => "invalid_email",
            ErrorCode::InvalidRating => "invalid_rating",
            ErrorCode::ConversationResolved => "conversation_resolved",
            ErrorCode::AlreadyClaimed => "already_claimed",
            ErrorCode::WrongState => "wrong_state",
            ErrorCode::CsrfRejected => "csrf_rejected",
            ErrorCode::BadLogin => "bad_login",
            ErrorCode::AdminOnly => "admin_only",
            ErrorCode::AlreadyExists => "already_exists",
            ErrorCode::NotAPhoto => "not_a_photo",
            ErrorCode::PhotoTooLarge => "photo_too_large",
            ErrorCode::TooManyPixels => "too_many_pixels",
            ErrorCode::DamagedPhoto => "damaged_photo",
            ErrorCode::PhotoLimit => "photo_limit",
            ErrorCode::LinkExpired => "link_expired",
            ErrorCode::PhotosUnavailable => "photos_unavailable",
            ErrorCode::Internal => "internal",
        }
    }
}
