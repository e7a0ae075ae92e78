//! Reading saved API responses: files or directories (recursively, in name order), each
//! plain or gzip-compressed, holding one JSON document, JSON lines, or CSV.

use std::io::Read;
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use serde_json::Value;

use crate::error::{ImportError, Location};

/// One input file's bytes (decompressed) and the name errors use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The path as given (or a name chosen by the caller).
    pub name: String,
    /// The content, decompressed if it was gzip.
    pub bytes: Vec<u8>,
}

impl Source {
    /// A source from bytes already in memory (gzip is decompressed).
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Result<Self, ImportError> {
        let name = name.into();
        let bytes = gunzip(&name, bytes)?;
        Ok(Self { name, bytes })
    }
}

/// Reads every file named, descending into directories (files in name order).
pub fn read_paths(paths: &[PathBuf]) -> Result<Vec<Source>, ImportError> {
    let mut files = Vec::new();
    for path in paths {
        collect(path, &mut files)?;
    }
    files
        .into_iter()
        .map(|path| {
            let name = path.display().to_string();
            let bytes = std::fs::read(&path).map_err(|reason| read_error(&path, reason))?;
            Source::from_bytes(name, bytes)
        })
        .collect()
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) -> Result<(), ImportError> {
    if !path.is_dir() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|reason| read_error(path, reason))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(|reason| read_error(path, reason))?;
    entries.sort();
    for entry in entries {
        collect(&entry, files)?;
    }
    Ok(())
}

fn read_error(path: &Path, reason: std::io::Error) -> ImportError {
    ImportError::Read {
        path: path.display().to_string(),
        reason,
    }
}

/// Decompresses gzip content (recognised by its magic bytes, whatever the file name).
fn gunzip(name: &str, bytes: Vec<u8>) -> Result<Vec<u8>, ImportError> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len() * 4);
    MultiGzDecoder::new(bytes.as_slice())
        .read_to_end(&mut out)
        .map_err(|e| ImportError::Malformed {
            at: Location {
                file: name.to_string(),
                record: 1,
                field: String::new(),
            },
            reason: format!("not valid gzip: {e}"),
        })?;
    Ok(out)
}

/// The JSON values of a source: one document, or several (JSON lines or concatenated),
/// numbered from 1. Not JSON is an error naming the record, line and column.
pub fn json_records(source: &Source) -> Result<Vec<Value>, ImportError> {
    let mut records = Vec::new();
    let stream = serde_json::Deserializer::from_slice(&source.bytes).into_iter::<Value>();
    for item in stream {
        let value = item.map_err(|e| ImportError::Malformed {
            at: Location {
                file: source.name.clone(),
                record: records.len() + 1,
                field: String::new(),
            },
            reason: format!(
                "not JSON or JSON lines (line {}, column {}): {e}",
                e.line(),
                e.column()
            ),
        })?;
        records.push(value);
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use std::io::Write;

    #[test]
    fn reads_documents_and_json_lines() {
        let doc = Source::from_bytes("a", br#"{"a": [1, 2]}"#.to_vec()).unwrap();
        assert_eq!(json_records(&doc).unwrap().len(), 1);
        let lines = Source::from_bytes("b", b"{\"a\":1}\n\n{\"a\":2}\n".to_vec()).unwrap();
        assert_eq!(json_records(&lines).unwrap().len(), 2);
    }

    #[test]
    fn decompresses_gzip_by_magic_bytes() {
        let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(b"{\"x\": true}\n").unwrap();
        let source = Source::from_bytes("x.json", encoder.finish().unwrap()).unwrap();
        assert_eq!(source.bytes, b"{\"x\": true}\n");
    }

    #[test]
    fn names_the_bad_record_line_and_column() {
        let source = Source::from_bytes("f.jsonl", b"{\"a\":1}\n{\"a\":\n".to_vec()).unwrap();
        let message = json_records(&source).unwrap_err().to_string();
        assert!(message.starts_with("f.jsonl: record 2: "), "{message}");
        assert!(message.contains("line 3"), "{message}");
        let gz = Source::from_bytes("g.gz", vec![0x1f, 0x8b, 0, 1]).unwrap_err();
        assert!(gz.to_string().contains("not valid gzip"));
    }
}
