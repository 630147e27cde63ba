//! Property tests: random layer stacks never make the analysis panic, and its byte
//! accounting matches a naive overlay model and adds up.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashSet};

use basebench::anatomy::synth::{ImageBuilder, LayerBuilder, Layout, Storage};
use basebench::anatomy::{AnalyzeOptions, analyze_archive};
use proptest::prelude::*;

const PATHS: [&str; 8] = ["a", "a/b", "a/b/c", "a/d", "ab", "e", "e/f", "g"];

#[derive(Debug, Clone)]
enum Op {
    File(usize, u64),
    Dir(usize),
    Symlink(usize, usize),
    Hardlink(usize, usize),
    Whiteout(usize),
    Opaque(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let p = 0..PATHS.len();
    prop_oneof![
        4 => (p.clone(), 0u64..600).prop_map(|(p, s)| Op::File(p, s)),
        1 => p.clone().prop_map(Op::Dir),
        1 => (p.clone(), p.clone()).prop_map(|(a, b)| Op::Symlink(a, b)),
        1 => (p.clone(), p.clone()).prop_map(|(a, b)| Op::Hardlink(a, b)),
        2 => p.clone().prop_map(Op::Whiteout),
        1 => p.prop_map(Op::Opaque),
    ]
}

fn build(layer: &[Op]) -> LayerBuilder {
    layer.iter().fold(LayerBuilder::new(), |b, op| match op {
        Op::File(p, s) => b.sized(PATHS[*p], *s as usize),
        Op::Dir(p) => b.dir(PATHS[*p]),
        Op::Symlink(p, t) => b.symlink(PATHS[*p], PATHS[*t]),
        Op::Hardlink(p, t) => b.hardlink(PATHS[*p], PATHS[*t]),
        Op::Whiteout(p) => b.whiteout(PATHS[*p]),
        Op::Opaque(p) => b.opaque(PATHS[*p]),
    })
}

/// A naive model: each layer is extracted on its own as Docker extracts it into an empty
/// directory, then overlaid on the layers below. Path → (is_dir, content id); content
/// sizes by id.
#[derive(Default)]
struct Model {
    nodes: BTreeMap<String, (bool, Option<usize>)>,
    sizes: Vec<u64>,
}

type Tree = BTreeMap<String, (bool, Option<usize>)>;

fn drop_under(tree: &mut Tree, dir: &str) {
    let prefix = format!("{dir}/");
    tree.retain(|k, _| !k.starts_with(&prefix));
}

/// Extraction: parents are made as directories (a file in the way becomes one); a
/// directory over a directory merges; anything else replaces, a directory with its contents.
fn extract(tree: &mut Tree, path: &str, is_dir: bool, content: Option<usize>) {
    let parts: Vec<&str> = path.split('/').collect();
    for n in 1..parts.len() {
        let parent = parts[..n].join("/");
        if tree.get(&parent).is_none_or(|(d, _)| !*d) {
            tree.insert(parent, (true, None));
        }
    }
    if is_dir && tree.get(path).is_some_and(|(d, _)| *d) {
        return;
    }
    if !is_dir {
        drop_under(tree, path);
    }
    tree.insert(path.to_string(), (is_dir, content));
}

impl Model {
    /// Overlay: a directory merges with a lower directory; anything else hides what is
    /// below at its path, a lower directory with everything under it.
    fn put(&mut self, path: &str, is_dir: bool, content: Option<usize>) {
        if let Some((old_dir, _)) = self.nodes.get(path).copied() {
            if old_dir && is_dir {
                return;
            }
            if old_dir {
                drop_under(&mut self.nodes, path);
            }
        }
        self.nodes.insert(path.to_string(), (is_dir, content));
    }

    fn apply(&mut self, layer: &[Op]) {
        for op in layer {
            if let Op::Whiteout(p) = op {
                self.nodes.remove(PATHS[*p]);
                drop_under(&mut self.nodes, PATHS[*p]);
            }
        }
        for op in layer {
            if let Op::Opaque(p) = op {
                drop_under(&mut self.nodes, PATHS[*p]);
            }
        }
        let mut local = Tree::new();
        for op in layer {
            match op {
                Op::File(p, s) => {
                    self.sizes.push(*s);
                    extract(&mut local, PATHS[*p], false, Some(self.sizes.len() - 1));
                }
                Op::Hardlink(p, t) => {
                    let id = match local.get(PATHS[*t]) {
                        Some((false, Some(id))) => *id,
                        _ => {
                            self.sizes.push(0);
                            self.sizes.len() - 1
                        }
                    };
                    extract(&mut local, PATHS[*p], false, Some(id));
                }
                Op::Dir(p) | Op::Opaque(p) => extract(&mut local, PATHS[*p], true, None),
                Op::Symlink(p, _) => extract(&mut local, PATHS[*p], false, None),
                Op::Whiteout(_) => {}
            }
        }
        for (path, (is_dir, content)) in local {
            self.put(&path, is_dir, content);
        }
    }

    fn content(&self) -> u64 {
        let ids: HashSet<usize> = self.nodes.values().filter_map(|(_, c)| *c).collect();
        ids.iter().map(|i| self.sizes[*i]).sum()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_layer_stacks_never_panic_and_the_bytes_add_up(
        layers in prop::collection::vec(prop::collection::vec(op(), 0..8), 1..5),
        oci in any::<bool>(),
    ) {
        let mut image = ImageBuilder::new();
        let mut model = Model::default();
        for (i, layer) in layers.iter().enumerate() {
            let storage = [Storage::Plain, Storage::Gzip, Storage::Zstd][i % 3];
            image = image.layer(&format!("layer {i}"), build(layer), storage);
            model.apply(layer);
        }
        let layout = if oci { Layout::Oci } else { Layout::Legacy };
        let a = analyze_archive(&image.build(layout)[..], &AnalyzeOptions::default())
            .expect("a well-formed stack analyses");
        prop_assert_eq!(a.layers.len(), layers.len());
        prop_assert_eq!(a.content_bytes, model.content());
        prop_assert_eq!(a.stored_bytes, a.content_bytes + a.wasted_bytes);
        let stored: u64 = model.sizes.iter().sum();
        prop_assert_eq!(a.stored_bytes, stored);
        let mut below = 0u64;
        let mut gone = 0u64;
        for l in &a.layers {
            below += l.added_bytes + l.modified_bytes;
            gone += l.removed_bytes + l.replaced_bytes;
            prop_assert!(gone <= below, "more removed than ever stored");
        }
        prop_assert!(a.largest_files.len() <= 10);
        prop_assert!(a.largest_files.windows(2).all(|w| w[0].size_bytes >= w[1].size_bytes));
        prop_assert!(a.largest_files.iter().map(|f| f.size_bytes).sum::<u64>() <= a.content_bytes);
    }

    #[test]
    fn corrupted_archives_give_an_error_or_a_result_but_never_panic(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let layer = LayerBuilder::new().sized("a", 700).whiteout("b").opaque("c").hardlink("d", "a");
        let mut bytes = ImageBuilder::new()
            .layer("x", layer, Storage::Gzip)
            .layer("y", LayerBuilder::new().sized("a", 3), Storage::Plain)
            .build(Layout::Legacy);
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        let _ = analyze_archive(&bytes[..], &AnalyzeOptions::default());
    }
}
