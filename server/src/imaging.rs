//! Checking uploaded cover images by their content, taking what a camera
//! wrote about them out, and making the resized WebP copies pages offer
//! with `srcset`.

use std::io::Cursor;

use app::ssr::covers::{NewCover, WIDTHS};
use image::{DynamicImage, ImageDecoder as _, ImageFormat, ImageReader, imageops::FilterType, metadata::Orientation};

/// The largest side accepted, in pixels.
pub const MAX_SIDE: u32 = 10_000;

/// The most pixels accepted (40 megapixels, more than phone cameras make):
/// a few hundred KB of PNG can describe a huge, flat image, and decoding
/// costs memory by the pixel.
pub const MAX_PIXELS: u64 = 40_000_000;

/// The most memory one decode may allocate.
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// Why an upload is not a cover image; the editor shows it beside the
/// field ("Cover must be …").
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("must be a JPEG, PNG or WebP image")]
    NotAnImage,
    #[error("could not be read: the file is damaged or not what its content says")]
    Broken,
    #[error("must be at most 5 MB")]
    TooLarge,
    #[error("must be at most 10,000 pixels wide and high, and 40 megapixels in all")]
    TooManyPixels,
}

/// Checks `bytes` by content (magic numbers and a readable header), never
/// by file name.
pub fn inspect(bytes: Vec<u8>) -> Result<NewCover, Refused> {
    if bytes.len() > app::ssr::covers::MAX_BYTES {
        return Err(Refused::TooLarge);
    }
    let format = image::guess_format(&bytes).map_err(|_| Refused::NotAnImage)?;
    let (extension, content_type) = match format {
        ImageFormat::Jpeg => ("jpg", "image/jpeg"),
        ImageFormat::Png => ("png", "image/png"),
        ImageFormat::WebP => ("webp", "image/webp"),
        _ => return Err(Refused::NotAnImage),
    };
    let mut decoder = ImageReader::with_format(Cursor::new(&bytes), format)
        .into_decoder()
        .map_err(|_| Refused::Broken)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(Refused::Broken);
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Refused::TooManyPixels);
    }
    // As the reader will see it: a phone's portrait photo is stored
    // sideways with an EXIF note to turn it.
    let turned = decoder.orientation().is_ok_and(|orientation| {
        matches!(
            orientation,
            Orientation::Rotate90 | Orientation::Rotate270 | Orientation::Rotate90FlipH | Orientation::Rotate270FlipH
        )
    });
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let (width, height) = if turned { (height, width) } else { (width, height) };
    drop(decoder);
    let bytes = without_metadata(bytes, format, orientation).map_err(|_| Refused::Broken)?;
    Ok(NewCover {
        bytes,
        extension,
        content_type,
        width,
        height,
    })
}

/// `bytes` (an image in `format`) without what cameras and editors write
/// beside the pixels: EXIF (where a phone puts the GPS position, the time
/// and its serial number), XMP, IPTC, comments and text chunks. The file is
/// served as uploaded until its copies are made, and stays public after,
/// so nothing but the picture may be in it. The pixels are not decoded or
/// re-encoded; colour profiles stay. Only the orientation is kept, in an
/// EXIF block of its own, so a portrait photo still stands upright.
pub fn without_metadata(
    bytes: Vec<u8>,
    format: ImageFormat,
    orientation: Orientation,
) -> Result<Vec<u8>, img_parts::Error> {
    use img_parts::{Bytes, ImageEXIF as _, jpeg::Jpeg, png::Png, webp::WebP};
    let exif = (orientation != Orientation::NoTransforms).then(|| Bytes::from(orientation_exif(orientation)));
    let bytes = Bytes::from(bytes);
    let cleaned = match format {
        ImageFormat::Jpeg => {
            // The main picture alone: phones append more after its end
            // (the multi-picture format's previews and depth maps, each
            // with EXIF of its own, motion-photo videos, makers' trailers).
            let bytes = match jpeg_end(&bytes) {
                Some(end) => bytes.slice(..end),
                None => return Err(img_parts::Error::Truncated),
            };
            let mut jpeg = Jpeg::from_bytes(bytes)?;
            // APP1 (EXIF, XMP), APP3–APP13 (IPTC and makers' notes), APP15,
            // comments, and APP2 but for a colour profile (the multi-picture
            // index is APP2 too) go; APP0 (JFIF), the colour profile and
            // APP14 (Adobe's colour transform) describe the pixels and stay.
            jpeg.segments_mut().retain(|segment| {
                let marker = segment.marker();
                let profile = marker == 0xE2 && segment.contents().starts_with(b"ICC_PROFILE\0");
                let application = (0xE1..=0xEF).contains(&marker) && marker != 0xEE && !profile;
                !application && marker != 0xFE
            });
            jpeg.set_exif(exif);
            jpeg.encoder().bytes()
        }
        ImageFormat::Png => {
            let mut png = Png::from_bytes(bytes)?;
            png.chunks_mut()
                .retain(|chunk| !matches!(&chunk.kind(), b"tEXt" | b"zTXt" | b"iTXt" | b"eXIf" | b"tIME"));
            png.set_exif(exif);
            png.encoder().bytes()
        }
        _ => {
            let mut webp = WebP::from_bytes(bytes)?;
            webp.remove_chunks_by_id(img_parts::webp::CHUNK_XMP);
            // Also sets the extended header's flags to what is left.
            webp.set_exif(exif);
            webp.encoder().bytes()
        }
    };
    Ok(cleaned.to_vec())
}

/// Where the JPEG in `bytes` ends: just past the end-of-image marker that
/// closes its first frame (anything after it is another file's business).
/// Walks the segments by their lengths, and each scan's entropy-coded data
/// to the next marker (a 0xFF there is followed by 0 or a restart marker);
/// `None` when the data ends first.
fn jpeg_end(bytes: &[u8]) -> Option<usize> {
    let mut at = 2; // past the start-of-image marker
    loop {
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        match marker {
            0xD9 => return Some(at + 2),
            // Fill bytes, and markers without a length.
            0xFF => at += 1,
            0x01 | 0xD0..=0xD7 => at += 2,
            _ => {
                let length = usize::from(u16::from_be_bytes([*bytes.get(at + 2)?, *bytes.get(at + 3)?]));
                at += 2 + length;
                if marker == 0xDA {
                    // The scan's data, up to the next marker.
                    while *bytes.get(at)? != 0xFF || matches!(*bytes.get(at + 1)?, 0x00 | 0xD0..=0xD7) {
                        at += 1;
                    }
                }
            }
        }
    }
}

/// An EXIF block (TIFF, big-endian) holding the orientation and nothing
/// else.
fn orientation_exif(orientation: Orientation) -> Vec<u8> {
    let mut tiff = Vec::with_capacity(26);
    tiff.extend_from_slice(b"MM\0\x2a\0\0\0\x08"); // header, first IFD at 8
    tiff.extend_from_slice(&1_u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112_u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3_u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1_u32.to_be_bytes()); // one value
    tiff.extend_from_slice(&u16::from(orientation.to_exif()).to_be_bytes());
    tiff.extend_from_slice(&[0, 0]); // padding to four bytes
    tiff.extend_from_slice(&0_u32.to_be_bytes()); // no next IFD
    tiff
}

/// The widths to make for an original `width` pixels wide: every standard
/// width it is not narrower than, or the original width alone when it is
/// narrower than all of them (never enlarged).
pub fn widths_for(width: u32) -> Vec<u32> {
    let widths: Vec<u32> = WIDTHS.iter().copied().filter(|w| *w <= width).collect();
    if widths.is_empty() { vec![WIDTHS[0]] } else { widths }
}

/// Decodes `original` and encodes one lossy WebP (quality 80) per width.
/// CPU-heavy: run it on a blocking thread.
pub fn make_variants(original: &[u8]) -> anyhow::Result<Vec<(u32, Vec<u8>)>> {
    let mut reader = ImageReader::new(Cursor::new(original)).with_guessed_format()?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder()?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder)?;
    image.apply_orientation(orientation);
    let widths = widths_for(image.width());
    // One cheap step down to the largest copy (integer arithmetic, little
    // memory), the finer filter only from there.
    let largest = *widths.last().expect("at least one width");
    if largest < image.width() {
        image = image.thumbnail_exact(largest, scaled_height(&image, largest));
    }
    let mut variants = Vec::new();
    for width in widths {
        let resized = if width >= image.width() {
            image.clone()
        } else {
            image.resize_exact(width, scaled_height(&image, width), FilterType::CatmullRom)
        };
        let rgba = resized.to_rgba8();
        let encoded = webp::Encoder::from_rgba(rgba.as_raw(), rgba.width(), rgba.height()).encode(80.0);
        variants.push((width, encoded.to_vec()));
    }
    Ok(variants)
}

/// The height that keeps `image`'s proportions at `width`.
fn scaled_height(image: &DynamicImage, width: u32) -> u32 {
    ((u64::from(image.height()) * u64::from(width)) / u64::from(image.width())).max(1) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_photo_loses_what_the_phone_wrote_beside_and_after_it_but_not_its_orientation() {
        use img_parts::{
            Bytes, ImageEXIF as _,
            jpeg::{Jpeg, JpegSegment},
        };
        let picture = DynamicImage::ImageRgb8(image::RgbImage::from_fn(48, 16, |x, _| {
            image::Rgb([x as u8 * 5, 9, 200])
        }));
        let mut plain = Vec::new();
        picture
            .write_to(&mut Cursor::new(&mut plain), ImageFormat::Jpeg)
            .unwrap();
        let mut jpeg = Jpeg::from_bytes(plain.into()).unwrap();
        let mut exif = b"MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0".to_vec();
        exif.extend_from_slice(b"GPSLatitude in the EXIF");
        jpeg.set_exif(Some(exif.into()));
        // A multi-picture index (APP2, beside a colour profile) and a
        // motion photo after the end.
        jpeg.segments_mut().insert(
            1,
            JpegSegment::new_with_contents(0xE2, Bytes::from_static(b"MPF\0 GPS in the index")),
        );
        jpeg.segments_mut().insert(
            1,
            JpegSegment::new_with_contents(0xE2, Bytes::from_static(b"ICC_PROFILE\0\x01\x01profile")),
        );
        let mut photo = jpeg.encoder().bytes().to_vec();
        photo.extend_from_slice(b"\xFF\xD8 a second picture with GPS, then ftypmp42 a motion photo");

        let cleaned = without_metadata(photo, ImageFormat::Jpeg, Orientation::Rotate90).unwrap();
        let text = String::from_utf8_lossy(&cleaned);
        assert!(!text.contains("GPS") && !text.contains("ftyp"), "{text}");
        assert!(text.contains("ICC_PROFILE"), "the colour profile stays");
        assert!(cleaned.ends_with(&[0xFF, 0xD9]), "ends where the picture ends");
        let mut decoder = ImageReader::with_format(Cursor::new(&cleaned), ImageFormat::Jpeg)
            .into_decoder()
            .unwrap();
        assert_eq!(decoder.orientation().unwrap(), Orientation::Rotate90);
        assert_eq!(decoder.dimensions(), (48, 16), "the pixels are untouched");
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        }));
        let mut bytes = Vec::new();
        image.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png).unwrap();
        bytes
    }

    #[test]
    fn images_are_recognised_by_content_and_anything_else_is_refused() {
        let cover = inspect(png(40, 20)).unwrap();
        assert_eq!((cover.extension, cover.width, cover.height), ("png", 40, 20));
        assert_eq!(
            inspect(b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec()).unwrap_err(),
            Refused::NotAnImage
        );
        assert_eq!(
            inspect(b"GIF89a\x01\x00\x01\x00".to_vec()).unwrap_err(),
            Refused::NotAnImage
        );
        let mut truncated = png(40, 20);
        truncated.truncate(20);
        assert_eq!(inspect(truncated).unwrap_err(), Refused::Broken);
        assert_eq!(
            inspect(vec![0; app::ssr::covers::MAX_BYTES + 1]).unwrap_err(),
            Refused::TooLarge
        );
    }

    #[test]
    fn variants_are_webp_at_the_standard_widths_never_enlarged() {
        assert_eq!(widths_for(2000), [320, 768, 1280]);
        assert_eq!(widths_for(800), [320, 768]);
        assert_eq!(widths_for(100), [320]);
        let variants = make_variants(&png(900, 300)).unwrap();
        let sizes: Vec<(u32, (u32, u32))> = variants
            .iter()
            .map(|(width, bytes)| {
                assert_eq!(image::guess_format(bytes).unwrap(), ImageFormat::WebP);
                let decoded = image::load_from_memory(bytes).unwrap();
                (*width, (decoded.width(), decoded.height()))
            })
            .collect();
        assert_eq!(sizes, [(320, (320, 106)), (768, (768, 256))]);
        let small = make_variants(&png(100, 50)).unwrap();
        assert_eq!(small.len(), 1);
        assert_eq!(
            image::load_from_memory(&small[0].1).unwrap().width(),
            100,
            "not enlarged"
        );
    }
}
