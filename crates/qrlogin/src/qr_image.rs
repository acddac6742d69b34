//! Reads the text of a QR code from an image file (PNG, JPEG, …): a screenshot of the
//! login page, or a photo of a screen.
//!
//! Every way this can fail (missing file, not an image, no code in it, a code that
//! does not decode) is a [`Failure`] with exit code 7 and a sentence naming the file,
//! never a panic: the decoder is run under `catch_unwind` as a last line of defence,
//! since images come from anywhere.

use crate::exit::{Exit, Failure};
use std::path::Path;

/// Largest side, in pixels, handed to the detector: a phone photo is scaled down to
/// it, which keeps detection fast and loses nothing a QR code needs.
const MAX_SIDE: u32 = 2000;

/// The text of the first QR code found in the image at `path`.
pub fn decode_file(path: &Path) -> Result<String, Failure> {
    let bad = |why: String| Failure::new(Exit::BadInput, format!("{}: {why}", path.display()));
    let reader = image::ImageReader::open(path)
        .map_err(|e| bad(format!("cannot open the file ({e})")))?
        .with_guessed_format()
        .map_err(|e| bad(format!("cannot read the file ({e})")))?;
    let img = reader
        .decode()
        .map_err(|e| bad(format!("not a readable image ({e})")))?;
    let img = if img.width().max(img.height()) > MAX_SIDE {
        img.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        img
    };
    let luma = img.to_luma8();
    let found = quietly(move || {
        let mut prepared = rqrr::PreparedImage::prepare(luma);
        prepared
            .detect_grids()
            .iter()
            .map(|g| g.decode().map(|(_, text)| text))
            .collect::<Vec<_>>()
    })
    .ok_or_else(|| bad("the QR decoder failed on this image".into()))?;
    let mut unreadable = false;
    for result in found {
        match result {
            Ok(text) => return Ok(text),
            Err(_) => unreadable = true,
        }
    }
    Err(bad(if unreadable {
        "found a QR code but could not read it; try a sharper or larger image".into()
    } else {
        "no QR code found in this image".into()
    }))
}

/// Runs `f`, turning a panic into `None` without the panic message on stderr (the
/// caller prints its own clear one).
fn quietly<T>(f: impl FnOnce() -> T + std::panic::UnwindSafe) -> Option<T> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(f).ok();
    std::panic::set_hook(previous);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_png_of_a_qr_code_decodes_to_its_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("qr.png");
        let code = qrcode::QrCode::new("http://h:1/m/qr/abc").unwrap();
        let img = code.render::<image::Luma<u8>>().build();
        img.save(&path).unwrap();
        assert_eq!(decode_file(&path).unwrap(), "http://h:1/m/qr/abc");
    }

    #[test]
    fn garbage_an_empty_image_and_a_missing_file_are_clear_failures() {
        let dir = tempfile::tempdir().unwrap();
        let garbage = dir.path().join("x.png");
        std::fs::write(&garbage, b"\x89PNG\r\n\x1a\nnot really").unwrap();
        let blank = dir.path().join("blank.png");
        image::GrayImage::from_pixel(64, 64, image::Luma([255]))
            .save(&blank)
            .unwrap();
        for (path, says) in [
            (garbage, "not a readable image"),
            (blank, "no QR code found"),
            (dir.path().join("missing.png"), "cannot open"),
        ] {
            let f = decode_file(&path).unwrap_err();
            assert_eq!(f.exit, Exit::BadInput);
            assert!(f.message.contains(says), "{}", f.message);
        }
    }
}
