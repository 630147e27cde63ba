//! The async entry point: an export stream in chunks gives the same anatomy as the sync
//! reader, a broken stream is an export error, and trailing bytes never hang it.

#![allow(clippy::unwrap_used)]

use basebench::anatomy::synth::{ImageBuilder, LayerBuilder, Layout, Storage};
use basebench::anatomy::{
    AnalyzeOptions, AnatomyError, ScanPolicy, VulnerabilityScan, analyze_archive, analyze_export,
};
use bytes::Bytes;
use futures_util::Stream;

fn archive() -> Vec<u8> {
    let base = LayerBuilder::new()
        .sized("usr/lib/big", 200_000)
        .sized("etc/x", 10);
    let top = LayerBuilder::new().whiteout("usr/lib/big");
    ImageBuilder::new()
        .layer("base", base, Storage::Gzip)
        .layer("rm", top, Storage::Plain)
        .build(Layout::Oci)
}

/// `data` in chunks of `size` bytes, ending with an error after `fail_at` chunks if given:
/// a plain stream, no engine involved.
fn chunked(
    data: Vec<u8>,
    size: usize,
    fail_at: Option<usize>,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    let mut items: Vec<Result<Bytes, std::io::Error>> = data
        .chunks(size)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    if let Some(at) = fail_at {
        items.truncate(at);
        items.push(Err(std::io::Error::other("connection reset")));
    }
    futures_util::stream::iter(items)
}

fn never() -> AnalyzeOptions {
    AnalyzeOptions {
        scan: ScanPolicy::Never,
        ..AnalyzeOptions::default()
    }
}

#[tokio::test]
async fn a_chunked_export_gives_the_same_anatomy_as_the_sync_reader() {
    let data = archive();
    let expected = analyze_archive(&data[..], &never()).unwrap();
    for size in [1, 7, 4096, 1 << 20] {
        let got = analyze_export(chunked(data.clone(), size, None), never())
            .await
            .unwrap();
        assert_eq!(got, expected, "chunks of {size}");
    }
    assert_eq!(expected.wasted_bytes, 200_000);
    assert_eq!(
        expected.vulnerabilities,
        VulnerabilityScan::NotScanned {
            reason: "scanning was turned off".into()
        }
    );
}

#[tokio::test]
async fn a_stream_that_breaks_is_an_export_error() {
    let err = analyze_export(chunked(archive(), 512, Some(3)), never())
        .await
        .unwrap_err();
    assert!(matches!(err, AnatomyError::Export(_)), "{err}");
    assert!(err.to_string().contains("connection reset"), "{err}");
}

#[tokio::test]
async fn trailing_bytes_and_a_garbage_stream_finish_without_hanging() {
    let mut data = archive();
    data.extend(std::iter::repeat_n(0u8, 3 << 20));
    let got = analyze_export(chunked(data, 8192, None), never())
        .await
        .unwrap();
    assert_eq!(got.content_bytes, 10);
    let garbage = vec![0xAB; 5 << 20];
    let err = analyze_export(chunked(garbage, 8192, None), never())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a readable tar"), "{err}");
}

#[tokio::test]
async fn without_a_scanner_the_export_says_not_scanned_and_why() {
    let options = AnalyzeOptions::default();
    let got = analyze_export(chunked(archive(), 65536, None), options)
        .await
        .unwrap();
    let installed = basebench::anatomy::scan::find_scanner();
    match (installed, got.vulnerabilities) {
        (None, VulnerabilityScan::NotScanned { reason }) => {
            assert_eq!(reason, "neither trivy nor grype is installed")
        }
        // With a scanner installed the synthetic image is scanned (or the scanner says why not).
        (Some(_), VulnerabilityScan::NotScanned { reason }) => {
            assert_ne!(reason, "neither trivy nor grype is installed")
        }
        (Some(_), VulnerabilityScan::Scanned { .. }) => {}
        (None, other) => panic!("no scanner installed, yet {other:?}"),
    }
}
