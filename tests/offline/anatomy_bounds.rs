//! The analysis' memory is bounded by the image's distinct paths, never by its number of
//! entries or its size, and by a cap on those paths: a layer that writes one path again
//! and again, or an archive of many entries generated on the fly (never held in memory by
//! the test), keeps the process's peak resident memory low.

#![allow(clippy::unwrap_used)]

use std::io::Read;

use basebench::anatomy::{AnalyzeOptions, Anatomy, analyze_archive};

/// One 512-byte tar header block for a regular file.
fn header(path: &str, size: u64) -> [u8; 512] {
    let mut h = tar::Header::new_ustar();
    h.set_path(path).unwrap();
    h.set_size(size);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    *h.as_bytes()
}

/// A `docker save` archive made on the fly: one plain layer of `entries` empty files
/// named by `name`, then the config and `manifest.json`.
struct Flood {
    entries: u64,
    name: fn(u64) -> String,
    next: u64,
    buffer: Vec<u8>,
    stage: u8,
}

impl Flood {
    fn new(entries: u64, name: fn(u64) -> String) -> Flood {
        Flood {
            entries,
            name,
            next: 0,
            buffer: Vec::new(),
            stage: 0,
        }
    }

    fn document(&mut self, path: &str, body: &[u8]) {
        self.buffer
            .extend_from_slice(&header(path, body.len() as u64));
        self.buffer.extend_from_slice(body);
        let pad = (512 - body.len() % 512) % 512;
        self.buffer.extend(std::iter::repeat_n(0u8, pad));
    }

    fn refill(&mut self) {
        match self.stage {
            0 => {
                let layer_len = self.entries * 512 + 1024;
                self.buffer
                    .extend_from_slice(&header("abc/layer.tar", layer_len));
                self.stage = 1;
            }
            1 if self.next < self.entries => {
                for _ in 0..1024.min(self.entries - self.next) {
                    let path = (self.name)(self.next);
                    self.buffer.extend_from_slice(&header(&path, 0));
                    self.next += 1;
                }
            }
            1 => {
                self.buffer.extend(std::iter::repeat_n(0u8, 1024));
                self.stage = 2;
            }
            2 => {
                let config = br#"{"config":{},"history":[{"created_by":"RUN flood"}]}"#;
                self.document("cfg.json", config);
                let manifest = br#"[{"Config":"cfg.json","Layers":["abc/layer.tar"]}]"#;
                self.document("manifest.json", manifest);
                self.buffer.extend(std::iter::repeat_n(0u8, 1024));
                self.stage = 3;
            }
            _ => {}
        }
    }
}

impl Read for Flood {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.buffer.is_empty() {
            self.refill();
        }
        let n = out.len().min(self.buffer.len());
        out[..n].copy_from_slice(&self.buffer[..n]);
        self.buffer.drain(..n);
        Ok(n)
    }
}

/// The process's peak resident memory so far, in bytes (`VmHWM`, Linux). nextest runs
/// each test in its own process, so the peak is this test's.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmHWM line");
    kb * 1024
}

/// Analyse `archive` with `options`, returning the anatomy and how far the peak memory rose.
fn analyse_with(archive: impl Read, options: &AnalyzeOptions) -> (Anatomy, u64) {
    let before = peak_rss();
    let anatomy = analyze_archive(std::io::BufReader::new(archive), options).expect("analyses");
    (anatomy, peak_rss().saturating_sub(before))
}

fn analyse(archive: impl Read) -> (Anatomy, u64) {
    analyse_with(archive, &AnalyzeOptions::default())
}

#[test]
fn a_path_written_300_000_times_costs_the_memory_of_one_path() {
    let (a, grew) = analyse(Flood::new(300_000, |_| "same/file".to_string()));
    assert_eq!(a.layers.len(), 1);
    assert_eq!(a.layers[0].files, 300_000, "every stored file is counted");
    assert_eq!(a.largest_files.len(), 1);
    assert_eq!(a.largest_files[0].path, "/same/file");
    assert_eq!(a.unanalysed_entries, 0);
    // The old index kept every entry: 36 MB for this archive (121 MB for a million). The
    // bound leaves room for the allocator (8 MB exactly was seen once in CI).
    assert!(grew < 16 << 20, "peak memory grew by {} MB", grew >> 20);
}

#[test]
fn distinct_paths_cost_a_bounded_amount_each() {
    let (a, grew) = analyse(Flood::new(300_000, |i| format!("d{:03}/f{i:07}", i % 1000)));
    assert_eq!(a.layers[0].files, 300_000);
    assert_eq!(a.unanalysed_entries, 0);
    // docs/ANATOMY.md: about 250 bytes per path (the old index: about 350).
    let per_path = grew / 301_000;
    assert!(
        per_path < 300,
        "{per_path} bytes per path ({} MB)",
        grew >> 20
    );
}

#[test]
fn past_the_cap_the_anatomy_says_what_it_did_not_analyse() {
    let options = AnalyzeOptions {
        max_paths: 10_000,
        ..AnalyzeOptions::default()
    };
    let flood = |n| Flood::new(n, |i| format!("d{:03}/f{i:07}", i % 1000));
    // An archive that just fills the cap first: the allocator's own overhead (about
    // 14 MB on this machine) is paid there, so what the larger archive adds on top of that
    // peak is what it keeps beyond the cap.
    let (at_cap, _) = analyse_with(flood(9_000), &options);
    assert_eq!(at_cap.unanalysed_entries, 0);
    let (a, grew) = analyse_with(flood(50_000), &options);
    // The first 1,000 files each need their directory: 2,000 paths, then 8,000 files.
    assert_eq!(a.layers[0].files, 9_000);
    assert_eq!(a.unanalysed_entries, 41_000);
    let note = a
        .notes
        .iter()
        .find(|n| n.contains("not analysed"))
        .expect("a note");
    assert!(
        note.starts_with("41000 layer entries were not analysed"),
        "{note}"
    );
    assert!(note.contains("more than 10000 paths"), "{note}");
    // Past the cap about 0.5 MB; without the cap (max_paths 1,000,000) the 41,000 more
    // paths cost 7.2 MB.
    assert!(
        grew < 4 << 20,
        "peak memory grew by {} MB past the cap",
        grew >> 20
    );
    let json = serde_json::to_value(&a).expect("json");
    assert_eq!(json["unanalysed_entries"], 41_000);
}

#[test]
fn what_a_layer_overwrites_itself_is_stored_and_replaced_in_that_layer() {
    use basebench::anatomy::synth::{ImageBuilder, LayerBuilder, Layout, Storage};
    // By hand: `a` 100 B then 40 B; `d/x` 10 B, then `d` becomes a 5 B file; `big` is
    // hardlinked as `also` and then overwritten, so its 70 B stay reachable as `also`.
    let layer = LayerBuilder::new()
        .sized("a", 100)
        .sized("a", 40)
        .dir("d")
        .sized("d/x", 10)
        .sized("d", 5)
        .sized("big", 70)
        .hardlink("also", "big")
        .sized("big", 1);
    let image = ImageBuilder::new().layer("one layer", layer, Storage::Plain);
    let a = analyze_archive(&image.build(Layout::Legacy)[..], &AnalyzeOptions::default())
        .expect("analyses");
    let l = &a.layers[0];
    // stored 100 + 40 + 10 + 5 + 70 + 1 = 226; reachable: a 40, d 5, also 70, big 1 = 116.
    assert_eq!((l.added_bytes, l.modified_bytes), (116, 110));
    assert_eq!((l.removed_bytes, l.replaced_bytes, l.files), (0, 110, 6));
    assert_eq!(
        (a.content_bytes, a.wasted_bytes, a.stored_bytes),
        (116, 110, 226)
    );
}
