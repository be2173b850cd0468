//! Printing: errors, tables and JSON.

use std::io::Write;
use std::process::ExitCode;

use premia_core::{Errors, Lang};

/// Why a command did not succeed.
#[derive(Debug)]
pub enum Failure {
    /// The input broke one or more rules: exit code 1.
    Rules(Errors),
    /// The command could not run (unreadable file, broken pipe): exit code 2.
    Io(String),
}

impl Failure {
    pub fn report(self, lang: Lang) -> ExitCode {
        match self {
            Failure::Rules(errors) => {
                eprint!("{}", render_errors(&errors, lang));
                ExitCode::from(1)
            }
            Failure::Io(message) => {
                eprintln!("premia: {message}");
                ExitCode::from(2)
            }
        }
    }
}

/// One block per error: the field, the message in the chosen language, the other language, the code.
pub fn render_errors(errors: &Errors, lang: Lang) -> String {
    let other = match lang {
        Lang::Zh => Lang::En,
        Lang::En => Lang::Zh,
    };
    let mut out = String::new();
    let heading = match lang {
        Lang::Zh => format!("发现 {} 个问题：\n", errors.len()),
        Lang::En => format!("{} problem(s) found:\n", errors.len()),
    };
    out.push_str(&heading);
    for e in errors {
        let message = e.message();
        out.push_str(&format!(
            "  error[{}] {}: {}\n      {}\n",
            e.code(),
            e.field,
            message.get(lang),
            message.get(other)
        ));
    }
    out
}

/// Print JSON to stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    serde_json::to_writer_pretty(&mut lock, value).map_err(|e| Failure::Io(e.to_string()))?;
    writeln!(lock).map_err(|e| Failure::Io(e.to_string()))
}

/// Columns on a terminal: CJK characters take two cells.
pub fn display_width(text: &str) -> usize {
    text.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6)
}

/// A plain text table with a header row, padded for CJK text.
pub struct Table {
    rows: Vec<Vec<String>>,
    right_aligned: Vec<bool>,
}

impl Table {
    pub fn new(header: &[&str], right_aligned: &[bool]) -> Self {
        Table { rows: vec![header.iter().map(|s| (*s).to_owned()).collect()], right_aligned: right_aligned.to_vec() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|c| self.rows.iter().filter_map(|r| r.get(c)).map(|s| display_width(s)).max().unwrap_or(0))
            .collect();
        let mut out = String::new();
        for (i, row) in self.rows.iter().enumerate() {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                let pad = " ".repeat(widths[c] - display_width(cell));
                if self.right_aligned.get(c).copied().unwrap_or(false) {
                    line.push_str(&pad);
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    if c + 1 < row.len() {
                        line.push_str(&pad);
                    }
                }
                if c + 1 < row.len() {
                    line.push_str("  ");
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
            if i == 0 {
                let total: usize = widths.iter().sum::<usize>() + 2 * columns.saturating_sub(1);
                out.push_str(&"─".repeat(total));
                out.push('\n');
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_characters_count_double() {
        assert_eq!(display_width("年保费"), 6);
        assert_eq!(display_width("CI v2"), 5);
    }

    #[test]
    fn table_pads_mixed_width_text() {
        let mut t = Table::new(&["步骤", "value"], &[false, true]);
        t.row(vec!["年保费".into(), "1.00".into()]);
        let text = t.render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "步骤    value");
        assert_eq!(lines[2], "年保费   1.00");
    }
}
