use super::*;

const JPEG: &[u8] = include_bytes!("../../../tests/fixtures/photos/bike-gps.jpg");
const PNG: &[u8] = include_bytes!("../../../tests/fixtures/photos/bike-gps.png");
const WEBP: &[u8] = include_bytes!("../../../tests/fixtures/photos/bike-gps.webp");

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// What the fixtures carry about where and with what they were taken.
fn assert_no_metadata(bytes: &[u8]) {
    for needle in [
        &b"PhoneMaker"[..],
        b"Phone 12",
        b"2026:11:28",
        b"xmpmeta",
        b"52.52N",
        b"ftypmp42",
        b"Location",
    ] {
        assert!(
            !contains(bytes, needle),
            "{:?} is still there",
            String::from_utf8_lossy(needle)
        );
    }
}

#[test]
fn jpeg_loses_position_camera_time_xmp_comment_and_appended_data() {
    assert!(contains(JPEG, b"PhoneMaker") && contains(JPEG, b"ftypmp42"));
    let clean = clean(JPEG).unwrap();
    assert_eq!(clean.image_type, ImageType::Jpeg);
    assert_eq!((clean.width, clean.height), (96, 64));
    assert_no_metadata(&clean.bytes);
    assert!(clean.bytes.ends_with(&[0xFF, 0xD9]));
    assert!(clean.bytes.len() < JPEG.len());
}

#[test]
fn jpeg_keeps_its_orientation_alone() {
    let clean = clean(JPEG).unwrap();
    let at = clean
        .bytes
        .windows(6)
        .position(|w| w == b"Exif\0\0")
        .unwrap();
    assert_eq!(jpeg_orientation(&clean.bytes[at..]), Some(6));
    // One EXIF segment of 34 bytes: nothing else was carried over.
    assert_eq!(&clean.bytes[at - 4..at], &[0xFF, 0xE1, 0, 34]);
}

fn jpeg_orientation(exif: &[u8]) -> Option<u16> {
    super::jpeg::tests_orientation(exif)
}

#[test]
fn cleaning_twice_changes_nothing_more() {
    for file in [JPEG, PNG, WEBP] {
        let once = clean(file).unwrap();
        let twice = clean(&once.bytes).unwrap();
        assert_eq!(once, twice);
    }
}

#[test]
fn png_loses_exif_and_text_chunks() {
    assert!(contains(PNG, b"eXIf") && contains(PNG, b"tEXt"));
    let clean = clean(PNG).unwrap();
    assert_eq!(clean.image_type, ImageType::Png);
    assert_eq!((clean.width, clean.height), (96, 64));
    assert!(!contains(&clean.bytes, b"eXIf") && !contains(&clean.bytes, b"tEXt"));
    assert_no_metadata(&clean.bytes);
    assert!(clean.bytes.ends_with(b"IEND\xae\x42\x60\x82"));
}

#[test]
fn webp_loses_exif_and_xmp_chunks_and_their_flags() {
    assert!(contains(WEBP, b"EXIF") && contains(WEBP, b"XMP "));
    let clean = clean(WEBP).unwrap();
    assert_eq!(clean.image_type, ImageType::Webp);
    assert_eq!((clean.width, clean.height), (96, 64));
    let b = &clean.bytes;
    assert!(!contains(b, b"EXIF") && !contains(b, b"XMP "));
    assert_no_metadata(b);
    assert_eq!(&b[12..16], b"VP8X");
    assert_eq!(b[20] & 0x0C, 0, "EXIF and XMP flags cleared");
    let riff = u32::from_le_bytes([b[4], b[5], b[6], b[7]]) as usize;
    assert_eq!(riff, b.len() - 8);
}

#[test]
fn the_type_comes_from_the_bytes_not_the_name() {
    // What a forged "photo.jpg" may hold.
    for forged in [
        &b"<html><script>alert(1)</script></html>"[..],
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b"GIF89a\x01\x00\x01\x00",
        b"%PDF-1.7",
        b"",
    ] {
        assert_eq!(clean(forged), Err(PhotoError::NotAPhoto));
    }
    assert_eq!(sniff(JPEG), Some(ImageType::Jpeg));
    assert_eq!(sniff(PNG), Some(ImageType::Png));
    assert_eq!(sniff(WEBP), Some(ImageType::Webp));
}

/// A PNG that says it is `w` × `h` with almost no data: a bomb when large.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut b = png::SIGNATURE.to_vec();
    let chunk = |b: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        b.extend_from_slice(&(data.len() as u32).to_be_bytes());
        b.extend_from_slice(kind);
        b.extend_from_slice(data);
        b.extend_from_slice(&[0, 0, 0, 0]);
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut b, b"IHDR", &ihdr);
    chunk(&mut b, b"IDAT", &[0x78, 0x9c, 0x03, 0x00]);
    chunk(&mut b, b"IEND", &[]);
    b
}

#[test]
fn decompression_bombs_are_refused_by_their_declared_size() {
    assert_eq!(
        clean(&png_claiming(60_000, 60_000)),
        Err(PhotoError::TooManyPixels)
    );
    assert_eq!(
        clean(&png_claiming(20_001, 10)),
        Err(PhotoError::TooManyPixels)
    );
    assert_eq!(
        clean(&png_claiming(8_000, 6_000)).map(|c| c.width),
        Ok(8_000)
    );
    // The JPEG's frame header rewritten to 65535 × 65535.
    let mut jpeg = JPEG.to_vec();
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    jpeg[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    assert_eq!(clean(&jpeg), Err(PhotoError::TooManyPixels));
}

#[test]
fn files_over_ten_megabytes_are_refused_before_reading() {
    let mut big = JPEG.to_vec();
    big.resize(MAX_PHOTO_BYTES + 1, 0);
    assert_eq!(clean(&big), Err(PhotoError::TooLarge));
}

#[test]
fn truncated_or_broken_files_are_damaged_not_a_panic() {
    for file in [JPEG, PNG, WEBP] {
        for cut in [12, file.len() / 3, file.len() / 2] {
            assert!(clean(&file[..cut]).is_err(), "cut at {cut}");
        }
        // Every byte flipped in turn: refused or cleaned, never a panic.
        for i in 0..file.len() {
            let mut f = file.to_vec();
            f[i] ^= 0xA5;
            let _ = clean(&f);
        }
    }
    assert_eq!(clean(&png_claiming(0, 10)), Err(PhotoError::Damaged));
}

#[test]
fn thumbnails_must_be_small() {
    assert!(clean_thumbnail(JPEG).is_ok());
    assert_eq!(
        clean_thumbnail(&png_claiming(641, 400)),
        Err(PhotoError::TooManyPixels)
    );
}

#[test]
fn links_open_only_their_photo_until_they_expire() {
    let key = b"0123456789abcdef0123456789abcdef";
    let path = link_path(key, "c1", "p1", PhotoVariant::Thumb, 1_000);
    let (_, query) = path.split_once('?').unwrap();
    let e = query.split('&').find_map(|p| p.strip_prefix("e=")).unwrap();
    let s = query.split('&').find_map(|p| p.strip_prefix("s=")).unwrap();
    assert!(path.starts_with("/api/v1/photos/c1/p1/thumb?"));
    assert_eq!(
        verify_link(key, "c1", "p1", PhotoVariant::Thumb, e, s, 999),
        Ok(())
    );
    assert_eq!(
        verify_link(key, "c1", "p1", PhotoVariant::Thumb, e, s, 1_000),
        Err(LinkRefusal::Expired)
    );
    for (c, p, v, e) in [
        ("c2", "p1", PhotoVariant::Thumb, e),
        ("c1", "p2", PhotoVariant::Thumb, e),
        ("c1", "p1", PhotoVariant::Full, e),
        ("c1", "p1", PhotoVariant::Thumb, "2000"),
    ] {
        assert_eq!(verify_link(key, c, p, v, e, s, 0), Err(LinkRefusal::Forged));
    }
    let other_key = b"fedcba9876543210fedcba9876543210";
    assert_eq!(
        verify_link(other_key, "c1", "p1", PhotoVariant::Thumb, e, s, 0),
        Err(LinkRefusal::Forged)
    );
}

/// A WebP whose chunks are `chunks` (fourcc, payload), sizes as written.
fn webp_of(chunks: &[(&[u8; 4], &[u8])]) -> Vec<u8> {
    let mut body = b"WEBP".to_vec();
    for (kind, data) in chunks {
        body.extend_from_slice(*kind);
        body.extend_from_slice(&(data.len() as u32).to_le_bytes());
        body.extend_from_slice(data);
        if data.len() % 2 == 1 {
            body.push(0);
        }
    }
    let mut b = b"RIFF".to_vec();
    b.extend_from_slice(&(body.len() as u32).to_le_bytes());
    b.extend_from_slice(&body);
    b
}

#[test]
fn a_webp_with_its_extended_header_late_or_short_is_damaged_not_a_panic() {
    let lossless = [0x2F, 0x0F, 0xC0, 0x0F, 0x00, 0x00];
    assert_eq!(
        clean(&webp_of(&[(b"VP8L", &lossless), (b"VP8X", &[])])),
        Err(PhotoError::Damaged)
    );
    assert_eq!(
        clean(&webp_of(&[(b"VP8X", &[0; 4])])),
        Err(PhotoError::Damaged)
    );
    assert!(clean(&webp_of(&[(b"VP8L", &lossless)])).is_ok());
}

#[test]
fn a_jpeg_keeps_only_the_markers_a_decoder_needs() {
    let clean = clean(JPEG).unwrap().bytes;
    // Walk the cleaned file's segments up to the first scan.
    let mut markers = Vec::new();
    let mut i = 2;
    while clean[i] == 0xFF && clean[i + 1] != 0xDA {
        markers.push(clean[i + 1]);
        i += 2 + usize::from(u16::from_be_bytes([clean[i + 2], clean[i + 3]]));
    }
    for m in &markers {
        assert!(
            matches!(m, 0xC0..=0xCF | 0xDB | 0xDD | 0xE0 | 0xE1 | 0xE2 | 0xEE),
            "marker {m:#x} kept"
        );
    }
    // JFIF first, cut to its fixed part with no thumbnail; then the
    // orientation.
    assert_eq!(&clean[2..6], &[0xFF, 0xE0, 0, 16]);
    assert_eq!(&clean[6..11], b"JFIF\0");
    assert_eq!(&clean[18..20], &[0, 0]);
    assert_eq!(&clean[20..24], &[0xFF, 0xE1, 0, 34]);
}
