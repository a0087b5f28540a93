//! PNG: the chunks that draw the image are kept (header, palette, pixel
//! data, transparency, colour space and profile, background, pixel size);
//! text, time, EXIF and unknown chunks go, and anything after the end.

use super::{be32, Cleaned, PhotoError};

pub(super) const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

const KEEP: &[&[u8; 4]] = &[
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB",
    b"bKGD", b"pHYs",
];

pub(super) fn clean(b: &[u8]) -> Result<Cleaned, PhotoError> {
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(SIGNATURE);
    let mut i = SIGNATURE.len();
    let mut size = None;
    let mut pixels = false;
    loop {
        let len = usize::try_from(be32(b, i)?).map_err(|_| PhotoError::Damaged)?;
        let kind = b.get(i + 4..i + 8).ok_or(PhotoError::Damaged)?;
        let end = i
            .checked_add(12)
            .and_then(|n| n.checked_add(len))
            .ok_or(PhotoError::Damaged)?;
        let chunk = b.get(i..end).ok_or(PhotoError::Damaged)?;
        if size.is_none() {
            if kind != b"IHDR" || len != 13 {
                return Err(PhotoError::Damaged);
            }
            size = Some((be32(chunk, 8)?, be32(chunk, 12)?));
        }
        pixels |= kind == b"IDAT";
        if KEEP.iter().any(|k| k.as_slice() == kind) {
            out.extend_from_slice(chunk);
        }
        i = end;
        if kind == b"IEND" {
            break;
        }
    }
    let (width, height) = size.ok_or(PhotoError::Damaged)?;
    if !pixels {
        return Err(PhotoError::Damaged);
    }
    Ok(Cleaned {
        width,
        height,
        bytes: out,
    })
}
