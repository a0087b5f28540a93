//! Brand colors a marketer picks, made readable: the text on a color is
//! black or white, whichever contrasts more (always at least 4.5:1), and a
//! control drawn in the brand color on the white widget is darkened until
//! it reaches 3:1 (WCAG 2.2 AA 1.4.3 and 1.4.11).

/// `#rgb` or `#rrggbb`.
pub fn parse_hex(s: &str) -> Option<[u8; 3]> {
    let h = s.strip_prefix('#')?;
    let digits: Vec<u8> = h
        .chars()
        .map(|c| c.to_digit(16).map(|d| d as u8))
        .collect::<Option<_>>()?;
    match digits.as_slice() {
        [r, g, b] => Some([r * 17, g * 17, b * 17]),
        [r1, r2, g1, g2, b1, b2] => Some([r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2]),
        _ => None,
    }
}

pub fn to_hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

fn luminance(c: [u8; 3]) -> f64 {
    let lin = |v: u8| {
        let v = v as f64 / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
}

/// WCAG contrast ratio, 1..=21.
pub fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

pub const BLACK: [u8; 3] = [0, 0, 0];
pub const WHITE: [u8; 3] = [255, 255, 255];

/// Black or white, whichever reads better on `bg`.
pub fn text_on(bg: [u8; 3]) -> [u8; 3] {
    if contrast(bg, BLACK) >= contrast(bg, WHITE) {
        BLACK
    } else {
        WHITE
    }
}

/// The brand color, darkened just enough to stand out 3:1 on white.
pub fn control_on_white(brand: [u8; 3]) -> [u8; 3] {
    let mut c = brand;
    while contrast(c, WHITE) < 3.0 {
        c = c.map(|v| (v as f64 * 0.9) as u8);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_color_step(step: usize) -> impl Iterator<Item = [u8; 3]> {
        (0..=255).step_by(step).flat_map(move |r| {
            (0..=255).step_by(step).flat_map(move |g| {
                (0..=255)
                    .step_by(step)
                    .map(move |b| [r as u8, g as u8, b as u8])
            })
        })
    }

    #[test]
    fn text_on_any_color_reaches_4_5_to_1() {
        for c in every_color_step(15).chain([[119, 119, 119], [118, 118, 118], [255, 235, 59]]) {
            assert!(contrast(c, text_on(c)) >= 4.5, "{}", to_hex(c));
        }
    }

    #[test]
    fn a_control_in_any_brand_color_reaches_3_to_1_on_white_and_its_text_4_5() {
        for c in every_color_step(15) {
            let control = control_on_white(c);
            assert!(contrast(control, WHITE) >= 3.0, "{}", to_hex(c));
            assert!(contrast(control, text_on(control)) >= 4.5, "{}", to_hex(c));
        }
    }

    #[test]
    fn dark_enough_colors_are_kept_as_they_are() {
        let green = parse_hex("#0b5d3b").unwrap();
        assert_eq!(control_on_white(green), green);
        assert_eq!(text_on(green), WHITE);
        assert_eq!(text_on(parse_hex("#ffeb3b").unwrap()), BLACK);
    }

    #[test]
    fn hex_colors_parse_in_short_and_long_form_only() {
        assert_eq!(parse_hex("#fff"), Some(WHITE));
        assert_eq!(parse_hex("#0B5D3B"), Some([11, 93, 59]));
        for bad in ["fff", "#ffff", "#ggg", "#", "red", "#12345z"] {
            assert_eq!(parse_hex(bad), None, "{bad}");
        }
    }
}
