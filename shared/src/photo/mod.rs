//! Photos sent in a conversation: what a file is, decided by its bytes (never
//! its name or the type a browser claims), whether it is safe to keep, and a
//! copy of it without the data a camera adds about where and when it was
//! taken. No pixels are decoded: the checks read the container's headers,
//! so a 10 MB photo costs a few milliseconds at the edge.
//!
//! Why by hand rather than a crate: removing metadata here keeps an
//! allow-list of the parts an image needs to be drawn (pixel data, colour
//! profile, orientation) and drops everything else, including XMP, IPTC,
//! comments, text chunks and data after the image's end (a second picture
//! or a video some phones append). The crates we looked at remove EXIF
//! only.

mod jpeg;
mod link;
mod png;
mod webp;

pub use link::{link_path, verify_link, LinkRefusal, PhotoVariant};

use crate::protocol::ErrorCode;
use serde::{Deserialize, Serialize};

/// The photo types accepted, named as their media types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageType {
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/png")]
    Png,
    #[serde(rename = "image/webp")]
    Webp,
}

impl ImageType {
    pub const ALL: [ImageType; 3] = [ImageType::Jpeg, ImageType::Png, ImageType::Webp];

    pub fn parse(media_type: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.media_type() == media_type)
    }

    pub fn media_type(self) -> &'static str {
        match self {
            ImageType::Jpeg => "image/jpeg",
            ImageType::Png => "image/png",
            ImageType::Webp => "image/webp",
        }
    }
}

/// Largest photo accepted, in bytes.
pub const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;

/// Largest thumbnail accepted (made by the sender's browser), in bytes.
pub const MAX_THUMB_BYTES: usize = 256 * 1024;

/// Longest side of a thumbnail, in pixels.
pub const MAX_THUMB_SIDE: u32 = 640;

/// Most pixels a photo may have (a 50-megapixel phone camera's). A small
/// file that claims more is a decompression bomb: decoded, it would take
/// gigabytes of memory in the browsers that show it.
pub const MAX_PIXELS: u64 = 50_000_000;

/// Longest side, in pixels (no real photo is longer).
pub const MAX_SIDE: u32 = 20_000;

/// Most photos a conversation keeps, and their total size: storage an
/// anonymous visitor can make is bounded.
pub const MAX_PHOTOS_PER_CONVERSATION: usize = 20;
pub const MAX_PHOTO_BYTES_PER_CONVERSATION: u64 = 40 * 1024 * 1024;

/// A photo ready to store: its type (from its bytes), size, and the bytes
/// without metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanPhoto {
    pub image_type: ImageType,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

/// Why a file is refused. Each maps to a typed error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("This is not a JPEG, PNG or WebP photo.")]
    NotAPhoto,
    #[error("This photo is larger than 10 MB.")]
    TooLarge,
    #[error("This image has too many pixels to be shown safely.")]
    TooManyPixels,
    #[error("This photo is damaged and cannot be read.")]
    Damaged,
}

impl PhotoError {
    pub fn code(self) -> ErrorCode {
        match self {
            PhotoError::NotAPhoto => ErrorCode::NotAPhoto,
            PhotoError::TooLarge => ErrorCode::PhotoTooLarge,
            PhotoError::TooManyPixels => ErrorCode::TooManyPixels,
            PhotoError::Damaged => ErrorCode::DamagedPhoto,
        }
    }
}

/// The type of an image, from its first bytes.
pub fn sniff(bytes: &[u8]) -> Option<ImageType> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageType::Jpeg)
    } else if bytes.starts_with(png::SIGNATURE) {
        Some(ImageType::Png)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(ImageType::Webp)
    } else {
        None
    }
}

/// Checks a photo and returns it without metadata.
pub fn clean(bytes: &[u8]) -> Result<CleanPhoto, PhotoError> {
    clean_within(bytes, MAX_PHOTO_BYTES, MAX_SIDE)
}

/// Checks a thumbnail: as a photo, but small.
pub fn clean_thumbnail(bytes: &[u8]) -> Result<CleanPhoto, PhotoError> {
    clean_within(bytes, MAX_THUMB_BYTES, MAX_THUMB_SIDE)
}

fn clean_within(bytes: &[u8], max_bytes: usize, max_side: u32) -> Result<CleanPhoto, PhotoError> {
    if bytes.len() > max_bytes {
        return Err(PhotoError::TooLarge);
    }
    let image_type = sniff(bytes).ok_or(PhotoError::NotAPhoto)?;
    let Cleaned {
        width,
        height,
        bytes,
    } = match image_type {
        ImageType::Jpeg => jpeg::clean(bytes)?,
        ImageType::Png => png::clean(bytes)?,
        ImageType::Webp => webp::clean(bytes)?,
    };
    if width == 0 || height == 0 {
        return Err(PhotoError::Damaged);
    }
    if width > max_side || height > max_side || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(PhotoError::TooManyPixels);
    }
    Ok(CleanPhoto {
        image_type,
        width,
        height,
        bytes,
    })
}

/// What a format's cleaner returns.
struct Cleaned {
    width: u32,
    height: u32,
    bytes: Vec<u8>,
}

/// Reads a big-endian u16 at `at`, or `Damaged`.
fn be16(bytes: &[u8], at: usize) -> Result<u16, PhotoError> {
    let b = bytes.get(at..at + 2).ok_or(PhotoError::Damaged)?;
    Ok(u16::from_be_bytes([b[0], b[1]]))
}

fn be32(bytes: &[u8], at: usize) -> Result<u32, PhotoError> {
    let b = bytes.get(at..at + 4).ok_or(PhotoError::Damaged)?;
    Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn le32(bytes: &[u8], at: usize) -> Result<u32, PhotoError> {
    let b = bytes.get(at..at + 4).ok_or(PhotoError::Damaged)?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

#[cfg(test)]
mod tests;
