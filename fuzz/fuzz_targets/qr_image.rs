//! The image decoding of `qrlogin scan --image FILE` (crates/qrlogin/src/qr_image.rs),
//! with the same calls on bytes instead of a file: guess the format, decode, scale a
//! large image down, detect and decode QR grids. The CLI also runs the QR decoder under
//! `catch_unwind`; here a panic anywhere is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Cursor;

/// As `MAX_SIDE` in the CLI.
const MAX_SIDE: u32 = 2000;

fuzz_target!(|data: &[u8]| {
    let Ok(reader) = image::ImageReader::new(Cursor::new(data)).with_guessed_format() else {
        return;
    };
    let Ok(img) = reader.decode() else {
        return;
    };
    let img = if img.width().max(img.height()) > MAX_SIDE {
        img.thumbnail(MAX_SIDE, MAX_SIDE)
    } else {
        img
    };
    let mut prepared = rqrr::PreparedImage::prepare(img.to_luma8());
    for grid in prepared.detect_grids() {
        let _ = grid.decode();
    }
});
