//! The compact encoding of a record's state fields (`sla`, `outbox`, `dead_letters`):
//! a version byte, then the field's JSON compressed with raw DEFLATE (16 KB window)
//! primed with a fixed dictionary of typical record JSON (field names, enum values, a sample history), so a
//! small record compresses as well as a large one.
//!
//! Version bytes: `0x01` is this encoding. A field whose first byte is `{` or `[` is JSON
//! text of the first formats and loads unchanged; any other first byte is corrupt.
//! The dictionary of a version never changes (a new dictionary needs a new version byte).
//! Event ids cost about their hash size: the hex ids of SLA events (128-bit hashes) are
//! entropy-coded to about 16 bytes, and repeated ids become back-references.

use std::cell::Cell;
use std::sync::OnceLock;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The version byte of [`encode`]'s output.
pub const VERSION_DEFLATE_V1: u8 = 0x01;

/// DEFLATE window of version 1 (16 KB): holds the dictionary and a typical record, and
/// is cheaper to set up per field than the 32 KB maximum.
const WINDOW_BITS_V1: u8 = 14;

/// The preset dictionary of version 1 (never edit: records depend on it).
const DICTIONARY_V1: &[u8] = include_bytes!("compact_dict_v1.txt");

/// Largest decompressed field accepted (a field larger than the item limit is corrupt).
const MAX_DECODED_BYTES: usize = 16 * crate::codec::MAX_ITEM_BYTES;

/// How a stored field is encoded, read from its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// JSON text (records written before the compact encoding).
    Json,
    /// Version 1: DEFLATE of the JSON with the version-1 dictionary.
    DeflateV1,
}

/// Why a stored field cannot be decoded.
#[derive(Debug, thiserror::Error)]
pub enum CompactError {
    /// The field is empty.
    #[error("the field is empty")]
    Empty,
    /// The first byte names no known encoding.
    #[error("unknown encoding version byte {0:#04x}")]
    UnknownVersion(u8),
    /// The compressed payload is damaged.
    #[error("the compressed payload is damaged: {0}")]
    Inflate(String),
    /// The payload decompresses past the size limit.
    #[error("the payload decompresses to more than {0} bytes")]
    TooLarge(usize),
    /// The JSON does not (de)serialize.
    #[error("{0}")]
    Json(#[from] serde_json::Error),
}

/// The encoding of a stored field.
pub fn encoding(bytes: &[u8]) -> Result<Encoding, CompactError> {
    match bytes.first() {
        None => Err(CompactError::Empty),
        Some(&VERSION_DEFLATE_V1) => Ok(Encoding::DeflateV1),
        Some(b'{' | b'[') => Ok(Encoding::Json),
        Some(&other) => Err(CompactError::UnknownVersion(other)),
    }
}

/// `value` in the current compact encoding.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, CompactError> {
    // The JSON goes to this thread's buffer, reused (not regrown from empty each time).
    let mut json = JSON_BUFFER.with(Cell::take);
    json.clear();
    let encoded = serde_json::to_writer(&mut json, value)
        .map_err(CompactError::from)
        .and_then(|()| match json.as_slice() {
            EMPTY_LIST_JSON => empty_list().map(<[u8]>::to_vec),
            text => deflate(text),
        });
    if json.capacity() <= MAX_KEPT_BUFFER {
        JSON_BUFFER.with(|slot| slot.set(json));
    }
    encoded
}

/// Largest JSON buffer a thread keeps between encodings.
const MAX_KEPT_BUFFER: usize = 256 * 1024;

/// An empty list (an outbox at rest), the most common field value.
const EMPTY_LIST_JSON: &[u8] = b"[]";

/// The encoding of an empty list, computed once (it is the same every time).
fn empty_list() -> Result<&'static [u8], CompactError> {
    static ENCODED: OnceLock<Vec<u8>> = OnceLock::new();
    if let Some(bytes) = ENCODED.get() {
        return Ok(bytes);
    }
    let bytes = deflate(EMPTY_LIST_JSON)?;
    Ok(ENCODED.get_or_init(|| bytes))
}

/// The value of a stored field, in either encoding.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CompactError> {
    let json = json_bytes(bytes)?;
    Ok(serde_json::from_slice(&json)?)
}

/// The JSON text of a stored field, in either encoding (for operators' tools).
pub fn to_json(bytes: &[u8]) -> Result<serde_json::Value, CompactError> {
    decode(bytes)
}

/// The JSON bytes a stored field holds.
fn json_bytes(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, CompactError> {
    match encoding(bytes)? {
        Encoding::Json => Ok(bytes.into()),
        Encoding::DeflateV1 if empty_list().is_ok_and(|empty| empty == bytes) => {
            Ok(EMPTY_LIST_JSON.into())
        }
        Encoding::DeflateV1 => inflate(&bytes[1..]).map(Into::into),
    }
}

/// The DEFLATE level of new records: 1, zlib-rs's fastest ("quick") strategy. Measured
/// on the example week (`cargo run -p sla-tests --example week_record_size`) and under
/// `scripts/load-serve.sh`: level 6 stores a typical ticket in 470 bytes, level 1 in 644
/// (both under a quarter of the 3,291 bytes of JSON), and level 1 cuts the server's CPU
/// per webhook by about 15%, where compression was the largest single cost. Readers do
/// not depend on the level: records written at any level decode alike.
const LEVEL: u32 = 1;

thread_local! {
    /// This thread's compressor, reused: a new one allocates and clears about 250 KB.
    static COMPRESSOR: Cell<Option<Compress>> = const { Cell::new(None) };
    /// This thread's decompressor, reused.
    static DECOMPRESSOR: Cell<Option<Decompress>> = const { Cell::new(None) };
    /// This thread's buffer for the JSON being encoded.
    static JSON_BUFFER: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// Compresses `json` with this thread's compressor (reset and primed with the
/// dictionary), returned to the thread once the stream ended.
fn deflate(json: &[u8]) -> Result<Vec<u8>, CompactError> {
    let mut compress = match COMPRESSOR.with(Cell::take) {
        Some(mut reused) => {
            reused.reset();
            reused
        }
        None => Compress::new_with_window_bits(Compression::new(LEVEL), false, WINDOW_BITS_V1),
    };
    let out = deflate_with(&mut compress, json)?;
    COMPRESSOR.with(|slot| slot.set(Some(compress)));
    Ok(out)
}

fn deflate_with(compress: &mut Compress, json: &[u8]) -> Result<Vec<u8>, CompactError> {
    compress
        .set_dictionary(DICTIONARY_V1)
        .map_err(|e| CompactError::Inflate(e.to_string()))?;
    let mut out = Vec::with_capacity(json.len() / 3 + 64);
    out.push(VERSION_DEFLATE_V1);
    loop {
        let consumed = usize::try_from(compress.total_in()).unwrap_or(json.len());
        out.reserve(json.len().max(64));
        let status = compress
            .compress_vec(&json[consumed..], &mut out, FlushCompress::Finish)
            .map_err(|e| CompactError::Inflate(e.to_string()))?;
        if status == Status::StreamEnd {
            return Ok(out);
        }
    }
}

/// Decompresses `payload` with this thread's decompressor. It keeps the default 32 KB
/// window, which reads streams of any smaller window (version 1 writes 16 KB), and resets
/// without reallocating.
fn inflate(payload: &[u8]) -> Result<Vec<u8>, CompactError> {
    let mut decompress = match DECOMPRESSOR.with(Cell::take) {
        Some(mut reused) => {
            reused.reset(false);
            reused
        }
        None => Decompress::new(false),
    };
    let out = inflate_with(&mut decompress, payload)?;
    DECOMPRESSOR.with(|slot| slot.set(Some(decompress)));
    Ok(out)
}

fn inflate_with(decompress: &mut Decompress, payload: &[u8]) -> Result<Vec<u8>, CompactError> {
    let damaged = |e: flate2::DecompressError| CompactError::Inflate(e.to_string());
    decompress.set_dictionary(DICTIONARY_V1).map_err(damaged)?;
    let mut out = Vec::with_capacity(payload.len() * 6 + 64);
    loop {
        let consumed = usize::try_from(decompress.total_in()).unwrap_or(payload.len());
        if out.len() >= MAX_DECODED_BYTES {
            return Err(CompactError::TooLarge(MAX_DECODED_BYTES));
        }
        out.reserve(payload.len().max(1024));
        let before = (decompress.total_in(), decompress.total_out());
        let status = decompress
            .decompress_vec(&payload[consumed..], &mut out, FlushDecompress::Finish)
            .map_err(damaged)?;
        match status {
            Status::StreamEnd => return Ok(out),
            _ if before == (decompress.total_in(), decompress.total_out()) => {
                return Err(CompactError::Inflate("the stream is truncated".into()))
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_and_shrinks_json() {
        let value =
            json!({"history": [{"event_id": "gen:1:1", "kind": "created"}], "announced": []});
        let bytes = encode(&value).unwrap();
        assert_eq!(bytes[0], VERSION_DEFLATE_V1);
        assert!(bytes.len() < value.to_string().len() / 2, "{}", bytes.len());
        assert_eq!(decode::<serde_json::Value>(&bytes).unwrap(), value);
        let empty = encode(&Vec::<u8>::new()).unwrap();
        assert_eq!(empty, deflate(b"[]").unwrap());
        assert!(decode::<Vec<u8>>(&empty).unwrap().is_empty());
    }

    /// The thread's reused compressor and decompressor give the bytes and values fresh
    /// ones give, whatever they handled before.
    #[test]
    fn reused_state_writes_and_reads_as_new_state() {
        let small = json!({"history": [{"event_id": "gen:1:1", "kind": "created"}]});
        let large = json!({"history": vec![json!({"kind": "comment", "n": 7}); 300]});
        let first = encode(&small).unwrap();
        let mut fresh =
            Compress::new_with_window_bits(Compression::new(LEVEL), false, WINDOW_BITS_V1);
        assert_eq!(
            first,
            deflate_with(&mut fresh, small.to_string().as_bytes()).unwrap()
        );
        let big = encode(&large).unwrap();
        assert_eq!(encode(&small).unwrap(), first);
        assert_eq!(decode::<serde_json::Value>(&big).unwrap(), large);
        assert_eq!(decode::<serde_json::Value>(&first).unwrap(), small);
        let mut narrow = Decompress::new_with_window_bits(false, WINDOW_BITS_V1);
        let text = inflate_with(&mut narrow, &big[1..]).unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&text).unwrap(),
            large
        );
    }

    #[test]
    fn reads_json_text_of_the_first_formats() {
        let text = br#"[{"event": 1}]"#;
        assert_eq!(encoding(text).unwrap(), Encoding::Json);
        assert_eq!(to_json(text).unwrap(), json!([{"event": 1}]));
    }

    #[test]
    fn refuses_unknown_versions_and_damage() {
        assert!(matches!(decode::<u8>(&[]), Err(CompactError::Empty)));
        assert!(matches!(
            decode::<u8>(&[0x7f, 1]),
            Err(CompactError::UnknownVersion(0x7f))
        ));
        let mut bytes = encode(&json!({"history": vec!["a"; 40]})).unwrap();
        bytes.truncate(bytes.len() / 2);
        assert!(matches!(
            decode::<serde_json::Value>(&bytes),
            Err(CompactError::Inflate(_))
        ));
    }

    /// Records stored with version 1 depend on its dictionary: it must never change.
    #[test]
    fn the_version_1_dictionary_is_frozen() {
        let fnv = DICTIONARY_V1
            .iter()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
            });
        assert_eq!(
            (DICTIONARY_V1.len(), fnv),
            (5422, 17_459_871_676_269_419_566)
        );
    }
}
