//! QR images of `qr_content`, as SVG and PNG. Error correction level M: readable from a
//! screen at an angle, still small for a ~60-character URL.

use image::{ImageEncoder, Luma};
use qrcode::{EcLevel, QrCode};

/// SVG text of the QR code, with a quiet zone, black on white.
pub fn svg(content: &str) -> Result<String, qrcode::types::QrError> {
    let code = QrCode::with_error_correction_level(content, EcLevel::M)?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(256, 256)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build())
}

/// PNG bytes of the QR code, 8 pixels a module, with a quiet zone.
pub fn png(content: &str) -> anyhow::Result<Vec<u8>> {
    let code = QrCode::with_error_correction_level(content, EcLevel::M)?;
    let img = code.render::<Luma<u8>>().module_dimensions(8, 8).build();
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out).write_image(
        img.as_raw(),
        img.width(),
        img.height(),
        image::ExtendedColorType::L8,
    )?;
    Ok(out)
}
