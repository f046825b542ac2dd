//! The `warta` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::Parser;
use warta::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: could not start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(warta::cli::run(cli.command.unwrap_or(Command::Serve))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One clear line; configuration errors already name the variable.
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
