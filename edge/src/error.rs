//! Errors at the edge and their one mapping to HTTP answers.

use shared::protocol::{ApiError, ErrorCode};
use worker::{Headers, Response};

/// A refused or failed request: a protocol code plus a message a person can
/// read. Internal failures keep their detail in the log, not in the answer.
#[derive(Debug, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct EdgeError {
    pub code: ErrorCode,
    pub message: String,
    /// For `rate_limited`: when to try again, sent as `Retry-After`.
    pub retry_after_s: Option<u32>,
}

impl EdgeError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after_s: None,
        }
    }

    /// Too many requests; `retry_after_s` says when to try again.
    pub fn rate_limited(message: impl Into<String>, retry_after_s: u32) -> Self {
        Self {
            retry_after_s: Some(retry_after_s),
            ..Self::new(ErrorCode::RateLimited, message)
        }
    }

    /// The one answer for "does not exist" and "not yours".
    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound, "No such conversation.")
    }

    /// No route at this path.
    pub fn nothing_here() -> Self {
        Self::new(ErrorCode::NotFound, "Nothing here.")
    }

    pub fn into_response(self) -> Response {
        if self.code == ErrorCode::Internal {
            worker::console_error!("internal error: {}", self.message);
        }
        let message = if self.code == ErrorCode::Internal {
            "Something went wrong at our end; nothing was stored. Please try again.".to_string()
        } else {
            self.message
        };
        let body = ApiError {
            code: self.code,
            message,
        };
        let json = serde_json::to_string(&body).unwrap_or_else(|_| String::from("{}"));
        let headers = Headers::new();
        let _ = headers.set("content-type", "application/json");
        let _ = headers.set("cache-control", "no-store");
        let _ = headers.set("x-content-type-options", "nosniff");
        if let Some(s) = self.retry_after_s {
            let _ = headers.set("retry-after", &s.to_string());
        }
        Response::ok(json)
            .map(|r| r.with_status(self.code.http_status()).with_headers(headers))
            .unwrap_or_else(|_| Response::empty().expect("empty response").with_status(500))
    }
}

/// Refusals decided in `shared` keep their protocol code and their words.
macro_rules! refusal {
    ($($t:ty),*) => {$(
        impl From<$t> for EdgeError {
            fn from(r: $t) -> Self {
                Self::new(r.code(), r.to_string())
            }
        }
    )*};
}
refusal!(
    shared::lifecycle::Refusal,
    shared::text::TextError,
    shared::protocol::FrameError,
    shared::photo::PhotoError
);

impl From<shared::text::InvalidEmail> for EdgeError {
    fn from(e: shared::text::InvalidEmail) -> Self {
        Self::new(ErrorCode::InvalidEmail, e.to_string())
    }
}

/// An alert hook's address the edge will not send to.
impl From<shared::alerts::TargetRefusal> for EdgeError {
    fn from(e: shared::alerts::TargetRefusal) -> Self {
        Self::new(ErrorCode::Malformed, format!("url: {e}"))
    }
}

/// A knowledge base that does not load is the caller's text at fault.
impl From<shared::faq::KbError> for EdgeError {
    fn from(e: shared::faq::KbError) -> Self {
        Self::new(ErrorCode::Malformed, e.to_string())
    }
}

impl From<worker::Error> for EdgeError {
    fn from(e: worker::Error) -> Self {
        Self::new(ErrorCode::Internal, e.to_string())
    }
}

/// A JS exception from a call the worker crate does not wrap.
impl From<wasm_bindgen::JsValue> for EdgeError {
    fn from(e: wasm_bindgen::JsValue) -> Self {
        worker::Error::from(e).into()
    }
}

impl From<serde_json::Error> for EdgeError {
    fn from(e: serde_json::Error) -> Self {
        Self::new(ErrorCode::Internal, e.to_string())
    }
}

pub type EdgeResult<T> = Result<T, EdgeError>;
