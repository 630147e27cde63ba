//! `--export-hyperfine FILE`: the startup samples in the shape of hyperfine's
//! `--export-json` (`results[]` with `command`, `mean`, `stddev`, `median`, `user`,
//! `system`, `min`, `max`, `times`, `exit_codes`; times in seconds), so hyperfine's own
//! analysis scripts (`advanced_statistics.py`, `plot_whisker.py`, ...) read a basebench run
//! unchanged. One entry per working variant, named by the variant; only the measured
//! rounds (warm-up left out). basebench times wall clock only: `user` and `system` are 0.

use serde::Serialize;

use crate::results::RunResults;

/// One entry of hyperfine's `results` array.
#[derive(Debug, Serialize)]
struct Entry {
    command: String,
    mean: f64,
    stddev: Option<f64>,
    median: f64,
    user: f64,
    system: f64,
    min: f64,
    max: f64,
    times: Vec<f64>,
    exit_codes: Vec<i32>,
}

#[derive(Debug, Serialize)]
struct Export {
    results: Vec<Entry>,
}

/// The export of a run's startup samples.
pub(crate) fn render(results: &RunResults) -> Vec<u8> {
    let entries = results
        .variants
        .iter()
        .filter(|v| v.works)
        .filter_map(|v| {
            let t = v.startup_ms.as_ref()?;
            let times: Vec<f64> = t.values().iter().map(|ms| ms / 1000.0).collect();
            if times.is_empty() {
                return None;
            }
            let n = times.len() as f64;
            let mean = times.iter().sum::<f64>() / n;
            // Sample standard deviation (n − 1), as hyperfine; none for one run.
            let stddev = (times.len() > 1).then(|| {
                (times.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
            });
            Some(Entry {
                command: v.name.clone(),
                mean,
                stddev,
                median: t.median / 1000.0,
                user: 0.0,
                system: 0.0,
                min: t.min / 1000.0,
                max: t.max / 1000.0,
                exit_codes: vec![0; times.len()],
                times,
            })
        })
        .collect();
    let mut bytes = serde_json::to_vec_pretty(&Export { results: entries }).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn keys(v: &Value) -> Vec<String> {
        let mut k: Vec<String> = v
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        k.sort();
        k
    }

    #[test]
    fn the_export_has_hyperfine_s_shape_and_seconds() {
        let mut results: RunResults =
            serde_json::from_str(include_str!("../../tests/fixtures/results/article-v2.json"))
                .expect("fixture");
        crate::results::annotate(&mut results);
        let ours: Value = serde_json::from_slice(&render(&results)).expect("json");
        let theirs: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/hyperfine/hyperfine-1.15.0.json"
        ))
        .expect("hyperfine's export");
        assert_eq!(keys(&ours), keys(&theirs));
        assert_eq!(keys(&ours["results"][0]), keys(&theirs["results"][0]));
        let entries = ours["results"].as_array().expect("results");
        let names: Vec<&str> = entries
            .iter()
            .filter_map(|e| e["command"].as_str())
            .collect();
        assert_eq!(names, ["bloated", "multistage", "slim", "distroless"]);
        let slim = &entries[2];
        let times = slim["times"].as_array().expect("times");
        assert_eq!(times.len(), 8, "the eight measured rounds, not the warm-up");
        let startup = results.variants[2]
            .startup_ms
            .as_ref()
            .expect("slim startup");
        assert_eq!(slim["median"].as_f64(), Some(startup.median / 1000.0));
        let mean = startup.values().iter().sum::<f64>() / 8.0 / 1000.0;
        assert!((slim["mean"].as_f64().unwrap_or(0.0) - mean).abs() < 1e-12);
        assert_eq!(slim["exit_codes"].as_array().map(Vec::len), Some(8));
    }
}
