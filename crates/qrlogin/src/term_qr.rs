//! Draws a QR code in a terminal with Unicode half blocks: each character cell holds
//! two modules stacked (`▀` top dark, `▄` bottom dark, `█` both, space neither), so the
//! modules come out roughly square in usual fonts and a version-3 code fits in 19
//! lines.
//!
//! Phone cameras want dark modules on a light background with a light quiet zone of
//! 4 modules around. Terminals are often light-on-dark, so with `colors` on every line
//! is painted black-on-bright-white explicitly (`ESC[30;107m`), whatever the theme;
//! without colours (not a terminal, or `NO_COLOR`) the glyphs are the dark modules and
//! the terminal's own colours decide (fine on light themes, inverted on dark ones,
//! which most phone scanners still read).

use qrcode::{Color, EcLevel, QrCode};

/// Light modules around the code, as the QR spec asks.
pub const QUIET_ZONE: usize = 4;

/// Black text on a bright white background.
const PAINT: &str = "\x1b[30;107m";
/// Back to the terminal's own colours.
const RESET: &str = "\x1b[0m";

/// Renders `content` as lines of half blocks. Error correction L keeps the code as
/// small as possible: a screen is not smudged or torn like a printed label.
/// Fails only when `content` is too long for any QR version.
pub fn render(content: &str, colors: bool) -> Result<String, qrcode::types::QrError> {
    let code = QrCode::with_error_correction_level(content, EcLevel::L)?;
    let width = code.width();
    let modules = code.to_colors();
    let size = width + 2 * QUIET_ZONE;
    // Dark at (x, y) in the padded square; everything outside the code is light.
    let dark = |x: usize, y: usize| -> bool {
        let (Some(cx), Some(cy)) = (x.checked_sub(QUIET_ZONE), y.checked_sub(QUIET_ZONE)) else {
            return false;
        };
        cx < width && cy < width && modules[cy * width + cx] == Color::Dark
    };
    let mut out = String::with_capacity(size * (size / 2 + 1) * 4);
    for row in (0..size).step_by(2) {
        if colors {
            out.push_str(PAINT);
        }
        for x in 0..size {
            out.push(match (dark(x, row), dark(x, row + 1)) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        if colors {
            out.push_str(RESET);
        }
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Turns a rendering back into a bitmap (`scale` pixels per module) the way a
    /// camera sees it: half-block glyphs are dark, anything else light.
    fn to_bitmap(text: &str, scale: usize) -> (usize, usize, Vec<bool>) {
        let plain = text.replace(PAINT, "").replace(RESET, "");
        let lines: Vec<Vec<char>> = plain.lines().map(|l| l.chars().collect()).collect();
        let cols = lines.iter().map(Vec::len).max().unwrap_or(0);
        let (w, h) = (cols * scale, lines.len() * 2 * scale);
        let mut bits = vec![false; w * h];
        for (ly, line) in lines.iter().enumerate() {
            for (x, ch) in line.iter().enumerate() {
                let (top, bottom) = match ch {
                    '█' => (true, true),
                    '▀' => (true, false),
                    '▄' => (false, true),
                    _ => (false, false),
                };
                for (half, on) in [(0, top), (1, bottom)] {
                    for dy in 0..scale {
                        for dx in 0..scale {
                            let py = (ly * 2 + half) * scale + dy;
                            bits[py * w + x * scale + dx] = on;
                        }
                    }
                }
            }
        }
        (w, h, bits)
    }

    fn decode(text: &str) -> String {
        let (w, h, bits) = to_bitmap(text, 4);
        let mut img = rqrr::PreparedImage::prepare_from_bitmap(w, h, |x, y| bits[y * w + x]);
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code in the rendering");
        grids[0].decode().expect("decodes").1
    }

    #[test]
    fn the_terminal_rendering_decodes_back_to_the_same_content() {
        let content = "http://127.0.0.1:8080/m/qr/pB3xY9_-abcdefghijklmn";
        for colors in [false, true] {
            let text = render(content, colors).unwrap();
            assert_eq!(decode(&text), content);
        }
    }

    #[test]
    fn the_rendering_has_a_quiet_zone_and_only_half_blocks() {
        let text = render("http://h/m/qr/x", false).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let width = lines[0].chars().count();
        assert!(lines.iter().all(|l| l.chars().count() == width));
        // The first QUIET_ZONE / 2 lines and the first QUIET_ZONE columns are blank.
        assert!(lines[..QUIET_ZONE / 2].iter().all(|l| l.trim().is_empty()));
        assert!(lines
            .iter()
            .all(|l| l.chars().take(QUIET_ZONE).all(|c| c == ' ')));
        assert!(text.chars().all(|c| " ▀▄█\n".contains(c)));
    }

    #[test]
    fn coloured_lines_are_dark_on_light_and_reset_at_the_end() {
        let text = render("http://h/m/qr/x", true).unwrap();
        for line in text.lines() {
            assert!(line.starts_with(PAINT) && line.ends_with(RESET));
        }
    }

    #[test]
    fn content_too_long_for_any_qr_version_is_an_error_not_a_panic() {
        assert!(render(&"x".repeat(8000), false).is_err());
    }
}
