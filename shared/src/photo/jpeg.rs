//! JPEG, by an allow-list of markers: what a decoder needs (frame, tables,
//! scans, restart interval), the JFIF header cut to its fixed part (its
//! embedded thumbnail could show what the photo was cropped from), the
//! colour profile, and Adobe's colour transform. Everything else goes:
//! EXIF, XMP, IPTC, maker notes, comments, unknown markers, and anything
//! after the image's end (a second picture or a video some phones append).
//! The EXIF orientation is kept, in a new EXIF segment holding that one
//! tag: without it a phone's portrait photo would show on its side.

use super::{be16, Cleaned, PhotoError};

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const DQT: u8 = 0xDB;
const DRI: u8 = 0xDD;
const APP0: u8 = 0xE0;
const APP1: u8 = 0xE1;
const APP2: u8 = 0xE2;
const APP14: u8 = 0xEE;

/// What of a segment is kept: all of it, its first bytes, or nothing.
enum Keep {
    All,
    First(usize),
    Nothing,
}

fn keep(marker: u8, data: &[u8]) -> Keep {
    match marker {
        // Frames, Huffman and arithmetic tables (C8 is reserved).
        0xC0..=0xCF if marker != 0xC8 => Keep::All,
        DQT | DRI | SOS => Keep::All,
        // "JFIF\0", version, units, densities; no thumbnail (0 × 0).
        APP0 if data.starts_with(b"JFIF\0") && data.len() >= 14 => Keep::First(14),
        APP2 if data.starts_with(b"ICC_PROFILE\0") => Keep::All,
        APP14 if data.starts_with(b"Adobe") => Keep::All,
        _ => Keep::Nothing,
    }
}

pub(super) fn clean(b: &[u8]) -> Result<Cleaned, PhotoError> {
    if b.get(..2) != Some(&[0xFF, SOI]) {
        return Err(PhotoError::Damaged);
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&[0xFF, SOI]);
    // Where the orientation goes: after SOI and the JFIF header.
    let mut header_end = out.len();
    let mut size = None;
    let mut orientation = None;
    let mut scanned = false;
    let mut i = 2;
    loop {
        if b.get(i) != Some(&0xFF) {
            return Err(PhotoError::Damaged);
        }
        while b.get(i) == Some(&0xFF) {
            i += 1; // fill bytes
        }
        let marker = *b.get(i).ok_or(PhotoError::Damaged)?;
        i += 1;
        match marker {
            EOI => break,
            // Restart markers carry no length and belong inside scans.
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let len = usize::from(be16(b, i)?);
        let end = i.checked_add(len).ok_or(PhotoError::Damaged)?;
        let segment = b.get(i..end).ok_or(PhotoError::Damaged)?;
        if len < 2 {
            return Err(PhotoError::Damaged);
        }
        let data = &segment[2..];
        if marker == APP1 && orientation.is_none() {
            orientation = exif_orientation(data);
        }
        // Start of frame (C0–CF but C4, C8, CC, which are not): the size.
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) && size.is_none()
        {
            let height = u32::from(be16(data, 1)?);
            let width = u32::from(be16(data, 3)?);
            size = Some((width, height));
        }
        let at_start = out.len() == 2;
        match keep(marker, data) {
            Keep::All => {
                out.extend_from_slice(&[0xFF, marker]);
                out.extend_from_slice(segment);
            }
            Keep::First(n) => {
                let mut cut = data[..n].to_vec();
                cut[n - 2..].copy_from_slice(&[0, 0]); // no thumbnail
                out.extend_from_slice(&[0xFF, marker]);
                out.extend_from_slice(&((n + 2) as u16).to_be_bytes());
                out.extend_from_slice(&cut);
                if at_start {
                    header_end = out.len();
                }
            }
            Keep::Nothing => {}
        }
        i = end;
        if marker == SOS {
            scanned = true;
            let scan = scan_end(b, i)?;
            out.extend_from_slice(&b[i..scan]);
            i = scan;
        }
    }
    let (width, height) = size.ok_or(PhotoError::Damaged)?;
    if !scanned {
        return Err(PhotoError::Damaged);
    }
    out.extend_from_slice(&[0xFF, EOI]);
    if let Some(o) = orientation.filter(|&o| o != 1) {
        out.splice(header_end..header_end, orientation_segment(o));
    }
    Ok(Cleaned {
        width,
        height,
        bytes: out,
    })
}

/// Where a scan's entropy-coded data ends: at the first marker that is not
/// a stuffed 0xFF (FF 00), a restart marker (FF D0–D7) or fill.
fn scan_end(b: &[u8], from: usize) -> Result<usize, PhotoError> {
    let mut j = from;
    loop {
        let rest = b.get(j..).ok_or(PhotoError::Damaged)?;
        let at = j + rest
            .iter()
            .position(|&x| x == 0xFF)
            .ok_or(PhotoError::Damaged)?;
        match b.get(at + 1) {
            Some(0x00 | 0xD0..=0xD7) => j = at + 2,
            Some(0xFF) => j = at + 1,
            Some(_) => return Ok(at),
            None => return Err(PhotoError::Damaged),
        }
    }
}

/// The orientation tag (0x0112) of an EXIF segment's first directory.
fn exif_orientation(data: &[u8]) -> Option<u16> {
    let tiff = data.strip_prefix(b"Exif\0\0")?;
    let big = match tiff.get(..2)? {
        b"MM" => true,
        b"II" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b = tiff.get(at..at.checked_add(2)?)?;
        Some(if big {
            u16::from_be_bytes([b[0], b[1]])
        } else {
            u16::from_le_bytes([b[0], b[1]])
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b = tiff.get(at..at.checked_add(4)?)?;
        let b = [b[0], b[1], b[2], b[3]];
        Some(if big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let count = usize::from(u16_at(ifd)?);
    (0..count.min(512)).find_map(|n| {
        let entry = ifd.checked_add(2 + n * 12)?;
        (u16_at(entry)? == 0x0112 && u16_at(entry + 2)? == 3)
            .then(|| u16_at(entry + 8))
            .flatten()
            .filter(|o| (1..=8).contains(o))
    })
}

/// An APP1 EXIF segment holding only the orientation (big-endian TIFF).
fn orientation_segment(orientation: u16) -> Vec<u8> {
    let mut s = vec![0xFF, APP1, 0, 34];
    s.extend_from_slice(b"Exif\0\0");
    s.extend_from_slice(b"MM\0\x2a\0\0\0\x08"); // TIFF header, IFD0 at 8
    s.extend_from_slice(&[0, 1]); // one entry
    s.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]); // orientation, SHORT, 1
    s.extend_from_slice(&orientation.to_be_bytes());
    s.extend_from_slice(&[0, 0]);
    s.extend_from_slice(&[0, 0, 0, 0]); // no next IFD
    s
}

#[cfg(test)]
pub(super) fn tests_orientation(data_with_exif_header: &[u8]) -> Option<u16> {
    exif_orientation(data_with_exif_header)
}
