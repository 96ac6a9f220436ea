//! The `onshi` command line: parses arguments, calls the library, maps errors to exit
//! codes (0 passed, 1 a check failed, 2 bad input or usage, 3 system under test
//! unreachable).

mod cli;
mod steps;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Output piped into `head` and the like ends quietly, as other Unix tools do,
    // instead of a panic on the broken pipe.
    // SAFETY: resetting a signal's disposition before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let args = cli::Cli::parse();
    cli::init_tracing(&args.log);
    match cli::dispatch(args) {
        Ok(code) => code.into(),
        Err(e) => {
            eprintln!("error: {}", e.message);
            e.code.into()
        }
    }
}
