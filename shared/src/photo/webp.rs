//! WebP (RIFF): the image chunks are kept (VP8, VP8L, VP8X, alpha, colour
//! profile, animation); EXIF, XMP and unknown chunks go, their flags in
//! VP8X are cleared and the RIFF size is written again.

use super::{le32, Cleaned, PhotoError};

const KEEP: &[&[u8; 4]] = &[
    b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ICCP", b"ANIM", b"ANMF",
];

/// VP8X flag bits of the metadata this drops.
const EXIF_FLAG: u8 = 0x08;
const XMP_FLAG: u8 = 0x04;

pub(super) fn clean(b: &[u8]) -> Result<Cleaned, PhotoError> {
    let riff_end = usize::try_from(le32(b, 4)?)
        .ok()
        .and_then(|n| n.checked_add(8))
        .ok_or(PhotoError::Damaged)?;
    let body = b
        .get(12..riff_end.min(b.len()))
        .ok_or(PhotoError::Damaged)?;
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(b"RIFF\0\0\0\0WEBP");
    let mut size = None;
    let mut i = 0;
    while i + 8 <= body.len() {
        let kind = &body[i..i + 4];
        let len = usize::try_from(le32(body, i + 4)?).map_err(|_| PhotoError::Damaged)?;
        let end = (i + 8).checked_add(len).ok_or(PhotoError::Damaged)?;
        let padded = len + (len & 1);
        let data = body.get(i + 8..end).ok_or(PhotoError::Damaged)?;
        // The extended header comes first or not at all, whole.
        if kind == b"VP8X" && (size.is_some() || len < 10) {
            return Err(PhotoError::Damaged);
        }
        if size.is_none() {
            size = Some(match kind {
                b"VP8X" => vp8x_size(data)?,
                b"VP8 " => vp8_size(data)?,
                b"VP8L" => vp8l_size(data)?,
                _ => return Err(PhotoError::Damaged),
            });
        }
        if KEEP.iter().any(|k| k.as_slice() == kind) {
            let at = out.len();
            out.extend_from_slice(&body[i..end]);
            if padded > len {
                out.push(0);
            }
            if kind == b"VP8X" {
                out[at + 8] &= !(EXIF_FLAG | XMP_FLAG);
            }
        }
        i = end + (padded - len);
    }
    let (width, height) = size.ok_or(PhotoError::Damaged)?;
    let riff_size = u32::try_from(out.len() - 8).map_err(|_| PhotoError::Damaged)?;
    out[4..8].copy_from_slice(&riff_size.to_le_bytes());
    Ok(Cleaned {
        width,
        height,
        bytes: out,
    })
}

fn u24(b: &[u8], at: usize) -> Result<u32, PhotoError> {
    let b = b.get(at..at + 3).ok_or(PhotoError::Damaged)?;
    Ok(u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16)
}

/// The canvas size of an extended WebP.
fn vp8x_size(data: &[u8]) -> Result<(u32, u32), PhotoError> {
    Ok((u24(data, 4)? + 1, u24(data, 7)? + 1))
}

/// A lossy key frame's size, after its start code.
fn vp8_size(data: &[u8]) -> Result<(u32, u32), PhotoError> {
    if data.get(3..6) != Some(&[0x9D, 0x01, 0x2A]) {
        return Err(PhotoError::Damaged);
    }
    let w = u32::from(super::be16(data, 6)?.swap_bytes()) & 0x3FFF;
    let h = u32::from(super::be16(data, 8)?.swap_bytes()) & 0x3FFF;
    Ok((w, h))
}

/// A lossless image's size: 14 bits each, after the signature byte.
fn vp8l_size(data: &[u8]) -> Result<(u32, u32), PhotoError> {
    if data.first() != Some(&0x2F) {
        return Err(PhotoError::Damaged);
    }
    let bits = le32(data, 1)?;
    Ok(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
}
