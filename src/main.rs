//! The `basebench` binary: parse arguments, run, print an error once with its context and
//! exit with the code the command decided (see `commands::ExitCode`).

use basebench::commands::ExitCode;
use clap::Parser;

fn main() {
    let cli = basebench::cli::Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("Error: cannot start the async runtime: {e}");
            std::process::exit(ExitCode::Environment.code());
        }
    };
    let code = match runtime.block_on(basebench::cli::run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("Error: {error}");
            error.code
        }
    };
    drop(runtime);
    std::process::exit(code.code());
}
