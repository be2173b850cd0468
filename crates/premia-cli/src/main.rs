//! `premia`: the command-line face of the Premia engine.
//!
//! Thin by design: every rule lives in `premia-core`; this crate reads files, parses arguments and
//! prints. Errors go to stderr in English and Chinese with a non-zero exit code (1: the input broke a
//! rule; 2: the command could not run, e.g. a missing file).

// A command-line tool prints to stdout by design.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod catalogue_cmd;
mod coupon_cmd;
mod id_cmd;
mod input;
mod output;
mod quote_cmd;
mod recommend_cmd;
mod simulate_cmd;
mod verify_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use premia_core::Lang;

#[derive(Debug, Parser)]
#[command(name = "premia", version, about = "Premia premium calculator: quote, check catalogues, validate IDs")]
struct Cli {
    /// Language of labels and messages: zh-CN (default) or en.
    #[arg(long, global = true, default_value = "zh-CN", value_parser = parse_lang)]
    lang: Lang,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Price a request (JSON file, or - for stdin) and print the quote as JSON.
    Quote {
        /// Catalogue TOML file; without it the embedded demo catalogue is used.
        #[arg(long)]
        catalogue: Option<PathBuf>,
        /// Print the rating worksheet as a readable table instead of JSON.
        #[arg(long)]
        explain: bool,
        /// The request: a JSON file, or - for standard input.
        request: PathBuf,
    },
    /// Re-validate a file of submitted quotes (JSON lines) on every core; exit 1 if any is invalid.
    Verify(verify_cmd::Args),
    /// Validate and inspect catalogues.
    Catalogue {
        #[command(subcommand)]
        command: CatalogueCommand,
    },
    /// Validate a resident ID number (居民身份证号码): print its birth date, sex and province, or each
    /// check that failed.
    Id {
        number: String,
        /// The date the birth date may not be after; default today.
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// Recommend bundles for a profile (JSON: insured, channel, coupons), ranked and quoted.
    Recommend {
        #[arg(long)]
        catalogue: Option<PathBuf>,
        /// Quote date; default today.
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        #[arg(long)]
        json: bool,
        profile: PathBuf,
    },
    /// Signed vouchers and referral codes: keygen, issue.
    Coupon {
        #[command(subcommand)]
        command: coupon_cmd::Command,
    },
    /// Underwriting measurements.
    Underwriting {
        #[command(subcommand)]
        command: UnderwritingCommand,
    },
}

#[derive(Debug, Subcommand)]
enum UnderwritingCommand {
    /// Share of automatic decisions on a synthetic applicant population (see the module docs for its mix).
    Simulate {
        #[arg(long)]
        catalogue: Option<PathBuf>,
        #[arg(long, default_value_t = 10_000)]
        count: u32,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
}

#[derive(Debug, Subcommand)]
enum CatalogueCommand {
    /// Validate a catalogue and run the test cases it carries.
    Check {
        /// Catalogue TOML file; without it the embedded demo catalogue is checked.
        file: Option<PathBuf>,
    },
    /// Validate a catalogue and compile it to the compact binary form that clients without a TOML
    /// parser (the browser) load.
    Compile {
        file: PathBuf,
        /// Write here instead of standard output (which must not be a terminal: the form is binary).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// List a catalogue's products.
    Show {
        /// Catalogue TOML file; without it the embedded demo catalogue is shown.
        file: Option<PathBuf>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

fn parse_lang(text: &str) -> Result<Lang, String> {
    match text {
        "zh" | "zh-CN" | "zh_CN" => Ok(Lang::Zh),
        "en" | "en-US" | "en-GB" => Ok(Lang::En),
        other => Err(format!("unknown language {other:?}; use zh-CN or en")),
    }
}

/// Today in China Standard Time (UTC+8), the insurer's today as the server keeps it: the CLI is an
/// adapter and may read the clock; the core never does.
fn today() -> chrono::NaiveDate {
    let now = chrono::Utc::now();
    chrono::FixedOffset::east_opt(8 * 3600).map_or_else(|| now.date_naive(), |cst| now.with_timezone(&cst).date_naive())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = cli.lang;
    let result = match cli.command {
        Command::Quote { catalogue, explain, request } => quote_cmd::run(catalogue.as_deref(), &request, explain, lang),
        Command::Verify(args) => args.run(),
        Command::Catalogue { command: CatalogueCommand::Check { file } } => catalogue_cmd::check(file.as_deref(), lang),
        Command::Catalogue { command: CatalogueCommand::Compile { file, out } } => {
            catalogue_cmd::compile(&file, out.as_deref())
        }
        Command::Catalogue { command: CatalogueCommand::Show { file, json } } => {
            catalogue_cmd::show(file.as_deref(), json, lang)
        }
        Command::Id { number, date, json } => id_cmd::run(&number, date.unwrap_or_else(today), json, lang),
        Command::Recommend { catalogue, date, json, profile } => {
            recommend_cmd::run(catalogue.as_deref(), &profile, date.unwrap_or_else(today), json, lang)
        }
        Command::Coupon { command } => coupon_cmd::run(command),
        Command::Underwriting { command: UnderwritingCommand::Simulate { catalogue, count, seed } } => {
            input::catalogue(catalogue.as_deref()).and_then(|c| simulate_cmd::run(&c, count, seed, lang))
        }
    };
    match result {
        Ok(code) => code,
        Err(failure) => failure.report(lang),
    }
}
