//! Reading the QR code the way a phone's camera would: from the pixels on screen.

/// The text of the one QR code in `png` (a screenshot of the widget's image).
pub fn decode(png: &[u8]) -> String {
    let img = image::load_from_memory(png)
        .expect("the screenshot is a PNG")
        .to_luma8();
    let (w, h) = img.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
            img.get_pixel(x as u32, y as u32).0[0]
        });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the {w}×{h} screenshot");
    let (_meta, content) = grids[0].decode().expect("the QR code decodes");
    content
}
