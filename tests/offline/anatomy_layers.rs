//! Image anatomy on layer stacks made by the tests, with exact expected byte counts.
#![allow(clippy::unwrap_used)]

use basebench::anatomy::synth::{ImageBuilder, LayerBuilder, Layout, Storage};
use basebench::anatomy::{AnalyzeOptions, Anatomy, AnatomyError, analyze_archive};

fn analyse(archive: &[u8]) -> Anatomy {
    analyze_archive(archive, &AnalyzeOptions::default()).expect("archive analyses")
}

fn bytes(a: &Anatomy) -> Vec<(u64, u64, u64, u64, u64)> {
    a.layers
        .iter()
        .map(|l| {
            (
                l.added_bytes,
                l.modified_bytes,
                l.removed_bytes,
                l.replaced_bytes,
                l.files,
            )
        })
        .collect()
}

fn overwrite_and_delete() -> ImageBuilder {
    let base = LayerBuilder::new()
        .sized("a", 100)
        .sized("b", 200)
        .dir("d")
        .sized("d/x", 300)
        .sized("d/y", 400)
        .sized("keep", 50);
    let top = LayerBuilder::new()
        .sized("a", 150)
        .whiteout("b")
        .whiteout("d");
    ImageBuilder::new()
        .layer("COPY . /", base, Storage::Plain)
        .empty_step("ENV A=1")
        .layer("RUN rm -r /b /d && echo > /a", top, Storage::Plain)
}

#[test]
fn counts_overwritten_and_deleted_files_as_wasted() {
    let a = analyse(&overwrite_and_delete().build(Layout::Legacy));
    assert_eq!(bytes(&a), vec![(1050, 0, 0, 0, 5), (0, 150, 900, 100, 1)]);
    assert_eq!(a.content_bytes, 200);
    assert_eq!(a.wasted_bytes, 1000);
    assert_eq!(a.stored_bytes, 1200);
    assert_eq!(a.layers[1].created_by, "RUN rm -r /b /d && echo > /a");
    assert_eq!(a.layers[0].created_by, "COPY . /");
    assert!((a.efficiency - 200.0 / 1200.0).abs() < 1e-9);
    let largest: Vec<(&str, u64)> = a
        .largest_files
        .iter()
        .map(|f| (f.path.as_str(), f.size_bytes))
        .collect();
    assert_eq!(largest, vec![("/a", 150), ("/keep", 50)]);
}

#[test]
fn reads_the_oci_layout_with_and_without_manifest_json() {
    let legacy = analyse(&overwrite_and_delete().build(Layout::Legacy));
    for layout in [Layout::Oci, Layout::OciOnly] {
        let oci = analyse(&overwrite_and_delete().build(layout));
        assert_eq!(bytes(&oci), bytes(&legacy), "{layout:?}");
        assert_eq!(oci.layers[1].created_by, legacy.layers[1].created_by);
    }
}

#[test]
fn opaque_directories_hide_every_lower_file_beneath_them() {
    let base = LayerBuilder::new()
        .dir("etc/app")
        .sized("etc/app/a", 10)
        .sized("etc/app/sub/b", 20)
        .sized("etc/apple", 7);
    let top = LayerBuilder::new().opaque("etc/app").sized("etc/app/c", 5);
    let image = ImageBuilder::new()
        .layer("base", base, Storage::Plain)
        .layer("opaque", top, Storage::Plain);
    let a = analyse(&image.build(Layout::Legacy));
    assert_eq!(bytes(&a), vec![(37, 0, 0, 0, 3), (5, 0, 30, 0, 1)]);
    assert_eq!((a.content_bytes, a.wasted_bytes), (12, 30));
}

#[test]
fn hardlinks_count_their_content_once_until_the_last_link_goes() {
    let base = LayerBuilder::new()
        .sized("big", 1000)
        .hardlink("also", "big");
    let image = ImageBuilder::new()
        .layer("base", base, Storage::Plain)
        .layer(
            "rm big",
            LayerBuilder::new().whiteout("big"),
            Storage::Plain,
        )
        .layer(
            "rm also",
            LayerBuilder::new().whiteout("also"),
            Storage::Plain,
        );
    let a = analyse(&image.build(Layout::Legacy));
    assert_eq!(
        bytes(&a),
        vec![(1000, 0, 0, 0, 1), (0, 0, 0, 0, 0), (0, 0, 1000, 0, 0)]
    );
    assert_eq!(
        (a.content_bytes, a.wasted_bytes, a.stored_bytes),
        (0, 1000, 1000)
    );

    let kept = ImageBuilder::new().layer(
        "base",
        LayerBuilder::new()
            .sized("big", 1000)
            .hardlink("also", "big"),
        Storage::Plain,
    );
    let a = analyse(&kept.build(Layout::Legacy));
    assert_eq!(a.content_bytes, 1000);
    assert_eq!(a.largest_files.len(), 1, "{:?}", a.largest_files);
}

#[test]
fn a_directory_replaced_by_a_file_wastes_what_it_held() {
    let base = LayerBuilder::new()
        .dir("opt")
        .sized("opt/x", 64)
        .sized("opt/y/z", 36);
    let top = LayerBuilder::new().sized("opt", 8);
    let image = ImageBuilder::new()
        .layer("base", base, Storage::Plain)
        .layer("replace", top, Storage::Plain);
    let a = analyse(&image.build(Layout::Legacy));
    assert_eq!(bytes(&a), vec![(100, 0, 0, 0, 2), (0, 8, 0, 100, 1)]);
    assert_eq!((a.content_bytes, a.wasted_bytes), (8, 100));
}

#[test]
fn gzip_and_zstd_layers_are_detected_by_content_and_give_the_same_counts() {
    let plain = analyse(&overwrite_and_delete().build(Layout::Legacy));
    for storage in [Storage::Gzip, Storage::Zstd] {
        let base = LayerBuilder::new().sized("a", 100).sized("b", 200).dir("d");
        let base = base.sized("d/x", 300).sized("d/y", 400).sized("keep", 50);
        let top = LayerBuilder::new()
            .sized("a", 150)
            .whiteout("b")
            .whiteout("d");
        let image = ImageBuilder::new()
            .layer("COPY . /", base, storage)
            .layer("RUN", top, storage);
        let a = analyse(&image.build(Layout::Oci));
        assert_eq!(bytes(&a), bytes(&plain), "{storage:?}");
        let expected = if storage == Storage::Gzip {
            "gzip"
        } else {
            "zstd"
        };
        assert_eq!(a.layers[0].compression, expected);
        assert!(
            a.layers[0].archive_bytes < 3072,
            "compressed size is the stored size"
        );
    }
    assert_eq!(plain.layers[0].compression, "tar");
}

#[test]
fn a_corrupt_layer_names_the_layer_and_the_entry() {
    let layer = LayerBuilder::new()
        .sized("first", 10)
        .sized("second", 10)
        .finish();
    let mut corrupt = layer.clone();
    corrupt[1024 + 100] ^= 0x55; // the second header's mode field: checksum mismatch
    let mut out = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(corrupt.len() as u64);
    h.set_mode(0o644);
    out.append_data(&mut h, "abc/layer.tar", &corrupt[..])
        .unwrap();
    let archive = out.into_inner().unwrap();
    let err = analyze_archive(&archive[..], &AnalyzeOptions::default()).unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, AnatomyError::Layer { index: 1, .. }),
        "{message}"
    );
    assert!(message.contains("layer 'abc/layer.tar'"), "{message}");
    assert!(message.contains("entry #1 (after 'first')"), "{message}");
    assert!(message.contains("checksum"), "{message}");
}

#[test]
fn a_truncated_archive_is_a_clear_error() {
    let archive = overwrite_and_delete().build(Layout::Legacy);
    let err = analyze_archive(&archive[..1500], &AnalyzeOptions::default()).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("malformed") || message.contains("not a readable tar"),
        "{message}"
    );
    let junk = analyze_archive(&b"definitely not a tar"[..], &AnalyzeOptions::default());
    let message = junk.unwrap_err().to_string();
    assert!(
        message.contains("not a readable tar: entry #0"),
        "{message}"
    );
    let empty = tar::Builder::new(Vec::new()).into_inner().unwrap();
    let message = analyze_archive(&empty[..], &AnalyzeOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("neither manifest.json nor index.json"),
        "{message}"
    );
}

#[test]
fn a_layer_missing_from_the_archive_is_named() {
    let archive = overwrite_and_delete().build(Layout::Legacy);
    let mut kept = tar::Builder::new(Vec::new());
    let mut source = tar::Archive::new(&archive[..]);
    for entry in source.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().display().to_string();
        if path.ends_with("layer.tar") && kept.get_ref().is_empty() {
            continue; // drop the first layer
        }
        let mut h = entry.header().clone();
        kept.append_data(&mut h, &path, &mut entry).unwrap();
    }
    let archive = kept.into_inner().unwrap();
    let err = analyze_archive(&archive[..], &AnalyzeOptions::default()).unwrap_err();
    assert!(matches!(err, AnatomyError::MissingLayer { .. }), "{err}");
    assert!(err.to_string().contains("listed in manifest.json"), "{err}");
}

#[test]
fn a_legacy_layer_stored_as_a_symlink_to_an_identical_layer_is_followed() {
    let layer = LayerBuilder::new().sized("x", 10).finish();
    let config = r#"{"config":{"User":""},"history":[{"created_by":"one"},{"created_by":"two"}]}"#;
    let manifest = r#"[{"Config":"c.json","Layers":["aaa/layer.tar","bbb/layer.tar"]}]"#;
    let mut out = tar::Builder::new(Vec::new());
    let mut add = |path: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        out.append_data(&mut h, path, data).unwrap();
    };
    add("aaa/layer.tar", &layer);
    add("c.json", config.as_bytes());
    add("manifest.json", manifest.as_bytes());
    let mut link = tar::Header::new_gnu();
    link.set_entry_type(tar::EntryType::Symlink);
    link.set_size(0);
    out.append_link(&mut link, "bbb/layer.tar", "../aaa/layer.tar")
        .unwrap();
    let archive = out.into_inner().unwrap();
    let a = analyse(&archive);
    assert_eq!(bytes(&a), vec![(10, 0, 0, 0, 1), (0, 10, 0, 10, 1)]);
    assert_eq!(a.layers[1].created_by, "two");
}

#[test]
fn a_multi_platform_oci_index_leads_to_the_manifest_that_is_in_the_archive() {
    let source = overwrite_and_delete().build(Layout::OciOnly);
    let mut out = tar::Builder::new(Vec::new());
    let mut real = serde_json::Value::Null;
    let mut archive = tar::Archive::new(&source[..]);
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().display().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
        if path == "index.json" {
            let index: serde_json::Value = serde_json::from_slice(&data).unwrap();
            real = index["manifests"][0].clone();
            continue;
        }
        let mut h = entry.header().clone();
        out.append_data(&mut h, &path, &data[..]).unwrap();
    }
    let nested = serde_json::json!({ "schemaVersion": 2, "manifests": [
        { "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": format!("sha256:{}", "b".repeat(64)),
          "platform": { "os": "linux", "architecture": "arm64" } },
        real,
        { "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": format!("sha256:{}", "c".repeat(64)),
          "platform": { "os": "unknown", "architecture": "unknown" } } ] })
    .to_string();
    let top = serde_json::json!({ "schemaVersion": 2, "manifests": [
        { "mediaType": "application/vnd.oci.image.index.v1+json", "digest": format!("sha256:{}", "a".repeat(64)) } ] })
    .to_string();
    for (path, data) in [
        (format!("blobs/sha256/{}", "a".repeat(64)), nested),
        ("index.json".into(), top),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        out.append_data(&mut h, path, data.as_bytes()).unwrap();
    }
    let a = analyse(&out.into_inner().unwrap());
    assert_eq!((a.content_bytes, a.wasted_bytes), (200, 1000));
}
