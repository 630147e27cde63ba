//! The `basebench` binary: parse arguments, run, print errors with their context.

use clap::Parser;

fn main() {
    let cli = basebench::cli::Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("Error: cannot start the async runtime: {e}");
            std::process::exit(3);
        }
    };
    let code = match runtime.block_on(basebench::cli::run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("Error: {error:#}");
            basebench::cli::exit_code_for(&error)
        }
    };
    drop(runtime);
    std::process::exit(code);
}
