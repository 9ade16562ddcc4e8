//! Content codings (RFC 9110 section 8.4): a server may compress a response even when the request
//! sent no `Accept-Encoding` (which means any coding is acceptable, section 12.5.3). The harness
//! sends none and reads whatever standard coding comes: gzip, deflate (zlib, or raw deflate as some
//! servers send it), br and zstd, in the order the `Content-Encoding` lists them. The decoded body
//! stays within the client's size cap; the recorded headers keep `content-encoding`, so reports show
//! which coding came. An unknown coding leaves the body as it came (the checks then say what is wrong).

use std::io::Read;

/// Why a coded body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodingError {
    /// The decoded body is larger than the cap.
    #[error("the decoded body is larger than the {0}-byte cap")]
    TooLarge(usize),
    /// The bytes are not valid in the coding the server named.
    #[error("the body is not valid `{coding}`: {reason}")]
    Invalid {
        /// The coding.
        coding: String,
        /// What the decoder said.
        reason: String,
    },
}

/// The codings a `Content-Encoding` value lists, lower case, identity left out.
pub fn codings<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    values
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty() && c != "identity")
        .collect()
}

/// Decodes `body`, coded with `codings` in that order, into at most `cap` bytes. Unknown
/// codings stop the decoding and leave the body as far as it was decoded.
pub fn decode(codings: &[String], mut body: Vec<u8>, cap: usize) -> Result<Vec<u8>, CodingError> {
    for coding in codings.iter().rev() {
        body = match coding.as_str() {
            "gzip" | "x-gzip" => read_all(flate2::read::MultiGzDecoder::new(&body[..]), coding, cap)?,
            "deflate" => read_all(flate2::read::ZlibDecoder::new(&body[..]), coding, cap)
                .or_else(|_| read_all(flate2::read::DeflateDecoder::new(&body[..]), coding, cap))?,
            "br" => read_all(brotli_decompressor::Decompressor::new(&body[..], 4096), coding, cap)?,
            "zstd" => {
                let decoder = ruzstd::decoding::StreamingDecoder::new(&body[..]).map_err(|e| CodingError::Invalid {
                    coding: coding.clone(),
                    reason: e.to_string(),
                })?;
                read_all(decoder, coding, cap)?
            }
            _ => return Ok(body),
        };
    }
    Ok(body)
}

fn read_all(reader: impl Read, coding: &str, cap: usize) -> Result<Vec<u8>, CodingError> {
    let mut out = Vec::new();
    reader
        .take(cap as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| CodingError::Invalid {
            coding: coding.to_string(),
            reason: e.to_string(),
        })?;
    if out.len() > cap {
        return Err(CodingError::TooLarge(cap));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const TEXT: &[u8] = br#"{"_links":{"user":{"href":"/user"}}}"#;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).expect("write");
        e.finish().expect("finish")
    }

    #[test]
    fn reads_each_standard_coding_and_stacks() {
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(TEXT).expect("write");
        let zlib = zlib.finish().expect("finish");
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        raw.write_all(TEXT).expect("write");
        let raw = raw.finish().expect("finish");
        let mut br = Vec::new();
        brotli::BrotliCompress(&mut &TEXT[..], &mut br, &brotli::enc::BrotliEncoderParams::default()).expect("br");
        let zstd = ruzstd::encoding::compress_to_vec(TEXT, ruzstd::encoding::CompressionLevel::Fastest);
        for (coding, body) in [
            ("gzip", gzip(TEXT)),
            ("deflate", zlib),
            ("deflate", raw),
            ("br", br),
            ("zstd", zstd),
        ] {
            assert_eq!(
                decode(&codings([coding]), body, 1 << 20).as_deref(),
                Ok(TEXT),
                "{coding}"
            );
        }
        let twice = gzip(&gzip(TEXT));
        assert_eq!(decode(&codings(["gzip, gzip"]), twice, 1 << 20).as_deref(), Ok(TEXT));
    }

    #[test]
    fn a_bomb_stops_at_the_cap() {
        let bomb = gzip(&vec![b'a'; 10 << 20]);
        assert_eq!(
            decode(&codings(["gzip"]), bomb, 1 << 20),
            Err(CodingError::TooLarge(1 << 20))
        );
    }
}
