//! The per-layer breakdown of an image, from the anatomy when it was analysed, else from
//! the image history.

use crate::matrix::model::LayerView;
use crate::results::VariantResult;

/// Shorten a history `created_by` to the instruction a reader recognises.
pub(crate) fn short_instruction(created_by: &str) -> String {
    let s = created_by.trim();
    let s = s.strip_prefix("/bin/sh -c #(nop) ").unwrap_or(s);
    let s = s
        .strip_prefix("RUN ")
        .filter(|r| r.starts_with("/bin/sh -c "))
        .unwrap_or(s);
    let s = s
        .strip_prefix("/bin/sh -c ")
        .map_or(s.to_string(), |r| format!("RUN {r}"));
    let s = s.trim().trim_end_matches("# buildkit").trim().to_string();
    let collapsed: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() > 80 {
        let cut: String = collapsed.chars().take(79).collect();
        format!("{cut}…")
    } else {
        collapsed
    }
}

/// Layers bottom first; `from_base` is known when the base's layer count is (the base's
/// layers are the bottom ones) or, without anatomy, from the history.
pub(crate) fn layers(v: &VariantResult) -> Vec<LayerView> {
    let base_layers = v.image.as_ref().and_then(|i| i.base_layers);
    let history: Vec<_> = v
        .image
        .iter()
        .flat_map(|i| i.history.iter())
        .filter(|h| !h.empty_layer)
        .collect();
    if let Some(a) = v.anatomy.as_ref().filter(|a| !a.layers.is_empty()) {
        let aligned = history.len() == a.layers.len();
        return a
            .layers
            .iter()
            .enumerate()
            .map(|(i, l)| LayerView {
                created_by: short_instruction(&l.created_by),
                bytes: l.added_bytes + l.modified_bytes,
                from_base: base_layers
                    .map(|n| (i as u32) < n)
                    .or_else(|| aligned.then(|| history[i].from_base)),
            })
            .collect();
    }
    history
        .iter()
        .map(|h| LayerView {
            created_by: short_instruction(&h.created_by),
            bytes: h.size_bytes,
            from_base: Some(h.from_base),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::short_instruction;

    #[test]
    fn instructions_read_as_written_in_a_dockerfile() {
        let cases = [
            ("/bin/sh -c #(nop)  CMD [\"bash\"]", "CMD [\"bash\"]"),
            ("/bin/sh -c apt-get update", "RUN apt-get update"),
            (
                "RUN /bin/sh -c pip install x # buildkit",
                "RUN pip install x",
            ),
            ("COPY . /app # buildkit", "COPY . /app"),
        ];
        for (raw, want) in cases {
            assert_eq!(short_instruction(raw), want);
        }
        assert!(short_instruction(&"x".repeat(200)).ends_with('…'));
    }
}
