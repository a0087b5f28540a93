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
            ErrorCode::Internal => "internal",
        }
    }
}
