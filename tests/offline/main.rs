//! Integration tests that need no Docker daemon: the CLI on the scripted engine, image
//! anatomy on archives the tests make, the renderers' snapshots, `check`/`compare`/`trend`
//! over fixture results, the shipped configs, the stand-in builder's failure paths, and
//! report.html in headless Chromium. One test binary; each file is one module.
//!
//! What needs the real daemon is in `tests/daemon/`.

mod anatomy_bounds;
mod anatomy_bytecode;
mod anatomy_cli;
mod anatomy_facts;
mod anatomy_layers;
mod anatomy_props;
mod anatomy_scan;
mod anatomy_stream;
mod bases_configs;
mod bases_failures;
mod cli_fake;
mod engine_address;
mod engine_contract;
mod export_check_compare;
mod export_code_spans;
mod export_compressed;
mod export_descriptions;
mod export_snapshots;
mod optimize_cli;
mod report_browser;
