//! Image anatomy: facts read from an exported image (`docker save` stream), analysed
//! while it streams. See `model` for what is reported.

pub mod model;

pub use model::*;
