//! Test inputs: the generated example week (`examples/tickets.jsonl`, written by
//! `gen_tickets`) as is, shuffled with blank and CRLF lines, and gzip-compressed.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The example policy file.
pub(crate) fn policy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/policy.yaml")
}

/// Variants of the example week in `dir`, each with a bucket size that splits it into
/// many buckets (the gzip one, of unknown size, is split again).
pub(crate) fn example_inputs(dir: &Path) -> Vec<(PathBuf, u64)> {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/tickets.jsonl");
    let text = std::fs::read_to_string(&example).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    // A fixed permutation: tickets interleave differently, ties and first appearances move.
    lines.sort_by_key(|line| {
        let mut hasher = std::hash::DefaultHasher::new();
        line.hash(&mut hasher);
        hasher.finish()
    });
    let mut shuffled = String::new();
    for (i, line) in lines.iter().enumerate() {
        shuffled.push_str(line);
        shuffled.push_str(if i % 7 == 0 { "\r\n\n" } else { "\n" });
    }
    let shuffled_path = dir.join("shuffled.jsonl");
    std::fs::write(&shuffled_path, &shuffled).unwrap();
    let gz_path = dir.join("shuffled.jsonl.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(shuffled.as_bytes()).unwrap();
    std::fs::write(&gz_path, gz.finish().unwrap()).unwrap();
    vec![
        (example, 16 << 10),
        (shuffled_path, 8 << 10),
        (gz_path, 2 << 10),
    ]
}
