//! How the administration commands print: JSON (`--json`) or an aligned table; errors to stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

/// Print `value` as pretty JSON on stdout.
pub fn json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// The flags of a `list` command.
#[derive(Debug, clap::Args)]
pub struct Listing {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// A list command's answer: `items` as JSON with `--json`, else a table of `row(item)` under `header`.
pub fn list<T: serde::Serialize>(
    json: bool,
    items: &[T],
    header: &[&str],
    row: impl Fn(&T) -> Vec<String>,
) -> anyhow::Result<ExitCode> {
    if json {
        self::json(&items)?;
    } else {
        table(header, &items.iter().map(row).collect::<Vec<_>>());
    }
    Ok(ExitCode::SUCCESS)
}

/// Print rows under a header, each column as wide as its widest cell.
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    let width = |i: usize| {
        rows.iter().map(|r| r[i].chars().count()).chain(std::iter::once(display_width(header[i]))).max().unwrap_or(0)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w.saturating_sub(display_width(c)))))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header.iter().map(|h| (*h).to_owned()).collect());
    for row in rows {
        line(row.clone());
    }
}

/// Columns taken by `text` in a terminal (CJK characters take two).
fn display_width(text: &str) -> usize {
    text.chars().map(|c| if u32::from(c) >= 0x2E80 { 2 } else { 1 }).sum()
}

/// A note to the operator on stderr.
pub fn note(text: &str) {
    eprintln!("{text}");
}

pub fn failed(error: &anyhow::Error) -> ExitCode {
    eprintln!("error · 错误: {error:#}");
    ExitCode::from(2)
}

/// A rule broken by the input: the core's typed errors, both languages; exit code 1.
pub fn refused(errors: &premia_core::Errors) -> ExitCode {
    for error in errors.iter() {
        let message = error.message();
        eprintln!("{} [{}] {} · {}", error.field, error.code(), message.en, message.zh);
    }
    ExitCode::from(1)
}

/// Unix milliseconds as RFC 3339.
pub fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339()).unwrap_or_default()
}
