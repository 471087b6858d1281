//! The `wirecrab` binary.

mod args;
mod http_cmd;
mod listing;
mod run;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match (&cli.command, cli.glossary.as_deref()) {
        (Some(Command::Fields), _) | (None, Some("fields")) => print_all(&listing::fields()),
        (Some(Command::Protocols), _) | (None, Some("protocols")) => print_all(&listing::protocols()),
        (Some(Command::Http(args)), _) => http_cmd::run(args),
        (None, Some(other)) => Err(anyhow::anyhow!("-G {other}: unknown report (try `-G fields` or `-G protocols`)")),
        (None, None) => run::run(&cli),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("wirecrab: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn print_all(s: &str) -> anyhow::Result<u8> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        r => r.map(|_| 0).map_err(Into::into),
    }
}
