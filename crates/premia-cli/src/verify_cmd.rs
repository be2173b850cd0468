//! `premia verify QUOTES.jsonl`: re-validate a file of submitted quotes (one JSON quote per line) on every
//! core, the way the server does (`premia_core::verify::verify_body`): a verdict per line, in order, then a
//! summary. Exit code 1 if any quote is invalid or unreadable.
//!
//! The file is read in chunks of whole lines; worker threads verify chunks and a writer puts the verdicts
//! back in file order, so memory stays bounded however large the file.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::NaiveDate;
use premia_core::Catalogue;
use premia_core::verify::{BodyVerdict, leading_valid, verify_body};
use serde_json::json;

use crate::output::Failure;

/// `premia verify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Catalogue TOML file in force; without it the embedded demo catalogue is used.
    #[arg(long)]
    catalogue: Option<PathBuf>,
    /// Write the verdicts (one JSON line per quote) to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// The date to verify on (YYYY-MM-DD); default: today in China (UTC+8).
    #[arg(long)]
    today: Option<NaiveDate>,
    /// Worker threads; default: one per core.
    #[arg(long)]
    jobs: Option<usize>,
    /// The quotes: one JSON quote per line.
    quotes: PathBuf,
}

impl Args {
    pub fn run(self) -> Result<ExitCode, Failure> {
        let catalogue = crate::input::catalogue(self.catalogue.as_deref())?;
        let today = self.today.unwrap_or_else(crate::today);
        run(&catalogue, &self.quotes, self.output.as_deref(), today, self.jobs)
    }
}

/// Bytes per chunk handed to a worker.
const CHUNK: usize = 1 << 20;

/// Verdict counts.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    valid: u64,
    invalid: u64,
    requote_needed: u64,
    rejected: u64,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.valid += other.valid;
        self.invalid += other.invalid;
        self.requote_needed += other.requote_needed;
        self.rejected += other.rejected;
    }

    fn total(&self) -> u64 {
        self.valid + self.invalid + self.requote_needed + self.rejected
    }
}

/// A chunk of whole lines and the number of its first line (1-based).
struct Chunk {
    seq: u64,
    first_line: u64,
    bytes: Vec<u8>,
}

/// The verdicts of one chunk.
struct Verdicts {
    seq: u64,
    text: Vec<u8>,
    tally: Tally,
    input_bytes: u64,
}

pub fn run(
    catalogue: &Catalogue,
    path: &Path,
    output: Option<&Path>,
    today: NaiveDate,
    jobs: Option<usize>,
) -> Result<ExitCode, Failure> {
    let file = File::open(path).map_err(|e| Failure::Io(format!("{}: {e}", path.display())))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let out: Box<dyn Write + Send> = match output {
        Some(p) => Box::new(File::create(p).map_err(|e| Failure::Io(format!("{}: {e}", p.display())))?),
        None => Box::new(std::io::stdout()),
    };
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from)).max(1);
    let progress = indicatif::ProgressBar::new(size);
    progress.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {percent:>3}% {bytes}/{total_bytes} {per_sec} eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = Instant::now();

    let (chunks_tx, chunks_rx) = sync_channel::<Chunk>(jobs * 2);
    // Verified chunks' buffers go back to the reader: no fresh megabyte (and its page faults) per chunk.
    let (recycle_tx, recycle_rx) = sync_channel::<Vec<u8>>(jobs * 4);
    let (verdicts_tx, verdicts_rx) = sync_channel::<Verdicts>(jobs * 2);
    let chunks_rx = Arc::new(Mutex::new(chunks_rx));
    let (tally, read_error, write_error) = std::thread::scope(|scope| {
        let reader = scope.spawn(move || read_chunks(file, &chunks_tx, &recycle_rx));
        for _ in 0..jobs {
            let (rx, tx, recycle) = (Arc::clone(&chunks_rx), verdicts_tx.clone(), recycle_tx.clone());
            scope.spawn(move || verify_chunks(catalogue, today, &rx, &tx, &recycle));
        }
        drop(recycle_tx);
        drop(verdicts_tx);
        let written = write_in_order(out, verdicts_rx, &progress);
        let read = reader.join().unwrap_or_else(|_| Err("the reader thread stopped".into()));
        let (tally, write_error) = written;
        (tally, read.err(), write_error)
    });
    progress.finish_and_clear();
    if let Some(error) = read_error {
        return Err(Failure::Io(format!("{}: {error}", path.display())));
    }
    if let Some(error) = write_error {
        return Err(Failure::Io(format!("writing verdicts: {error}")));
    }
    let elapsed = started.elapsed();
    let seconds = format!("{}.{:02}", elapsed.as_secs(), elapsed.subsec_millis() / 10);
    // Quotes per second in integers: the workspace keeps floating point out of the code.
    let rate = u128::from(tally.total()) * 1000 / elapsed.as_millis().max(1);
    let threads = if jobs == 1 { "thread" } else { "threads" };
    eprintln!(
        "{} quotes: {} valid, {} invalid, {} re-quote needed, {} rejected (unreadable or breaking a rule) — {seconds} s, {rate} quotes/s on {jobs} {threads}\n\
         {} 份报价：{} 份有效，{} 份无效，{} 份需重新报价，{} 份被拒（无法读取或违反规则）",
        tally.total(),
        tally.valid,
        tally.invalid,
        tally.requote_needed,
        tally.rejected,
        tally.total(),
        tally.valid,
        tally.invalid,
        tally.requote_needed,
        tally.rejected,
    );
    Ok(if tally.invalid + tally.rejected > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Read `file` in chunks that end at a line break.
fn read_chunks(mut file: File, chunks: &SyncSender<Chunk>, recycled: &Receiver<Vec<u8>>) -> Result<(), String> {
    let mut carry: Vec<u8> = Vec::new();
    let (mut seq, mut line) = (0u64, 1u64);
    loop {
        let mut bytes = recycled.try_recv().unwrap_or_default();
        bytes.clear();
        bytes.extend_from_slice(&carry);
        carry.clear();
        // `read_to_end` fills the spare capacity without zeroing it first (a megabyte per chunk).
        bytes.reserve(CHUNK);
        let n = (&mut file).take(CHUNK as u64).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
        if n == 0 {
            if !bytes.is_empty() {
                let _ = chunks.send(Chunk { seq, first_line: line, bytes });
            }
            return Ok(());
        }
        let Some(end) = bytes.iter().rposition(|&b| b == b'\n') else {
            carry = bytes;
            continue;
        };
        carry.extend_from_slice(&bytes[end + 1..]);
        bytes.truncate(end + 1);
        let lines = count_line_breaks(&bytes);
        if chunks.send(Chunk { seq, first_line: line, bytes }).is_err() {
            return Ok(());
        }
        seq += 1;
        line += lines;
    }
}

/// The `\n`s in `bytes`, counted 255 bytes at a time in a byte-wide sum the compiler vectorizes.
fn count_line_breaks(bytes: &[u8]) -> u64 {
    let block = |block: &[u8]| block.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n'));
    bytes.chunks(255).map(|b| u64::from(block(b))).sum()
}

/// The lines of `bytes`, without their `\n`; a last line without one too. Line ends are found with the
/// standard library's `memchr` (`BufRead::skip_until` on a slice): a quote is a 5 KB line, and a
/// byte-by-byte search cost a tenth of the time.
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut probe = rest;
        // Reading a slice cannot fail; were it to, the rest is one line.
        let taken = probe.skip_until(b'\n').unwrap_or(rest.len()).clamp(1, rest.len());
        let (line, next) = rest.split_at(taken);
        rest = next;
        Some(line.strip_suffix(b"\n").unwrap_or(line))
    })
}

fn verify_chunks(
    catalogue: &Catalogue,
    today: NaiveDate,
    chunks: &Mutex<Receiver<Chunk>>,
    out: &SyncSender<Verdicts>,
    recycle: &SyncSender<Vec<u8>>,
) {
    // A copy per worker: the catalogue's cache of verified coupon tokens is then not shared (no lock
    // contention between workers).
    let catalogue = &catalogue.clone();
    loop {
        let chunk = {
            let Ok(rx) = chunks.lock() else { return };
            match rx.recv() {
                Ok(chunk) => chunk,
                Err(_) => return,
            }
        };
        let mut text = Vec::with_capacity(chunk.bytes.len() / 16);
        let mut tally = Tally::default();
        let (mut rest, mut number) = (chunk.bytes.as_slice(), chunk.first_line);
        while !rest.is_empty() {
            // A genuine quote in the engine's layout is recognised with its line end, without
            // searching for the line end first; anything else is cut at its line end and verified.
            if let Some((quote, length)) = leading_valid(catalogue, rest, today) {
                tally.valid += 1;
                valid_verdict(number, &quote.digest, &mut text);
                rest = rest.get(length..).unwrap_or_default();
            } else {
                let line = lines(rest).next().unwrap_or_default();
                rest = rest.get(line.len() + 1..).unwrap_or_default();
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if !line.iter().all(u8::is_ascii_whitespace) {
                    verdict(catalogue, line, today, number, &mut text, &mut tally);
                }
            }
            number += 1;
        }
        let verdicts = Verdicts { seq: chunk.seq, text, tally, input_bytes: chunk.bytes.len() as u64 };
        let _ = recycle.try_send(chunk.bytes);
        if out.send(verdicts).is_err() {
            return;
        }
    }
}

/// Verify one line and append its verdict as a JSON line.
fn verdict(catalogue: &Catalogue, line: &[u8], today: NaiveDate, number: u64, out: &mut Vec<u8>, tally: &mut Tally) {
    let value = match verify_body(catalogue, line, today) {
        BodyVerdict::Valid(quote) => {
            tally.valid += 1;
            valid_verdict(number, &quote.digest, out);
            return;
        }
        BodyVerdict::Invalid(mismatches) => {
            tally.invalid += 1;
            json!({ "line": number, "verdict": "invalid", "mismatches": mismatches })
        }
        BodyVerdict::RequoteNeeded { reason, fresh } => {
            tally.requote_needed += 1;
            json!({ "line": number, "verdict": "requote_needed", "reason": reason, "fresh_digest": fresh.digest, "fresh_totals": fresh.totals })
        }
        BodyVerdict::Rejected { errors, .. } => {
            tally.rejected += 1;
            json!({ "line": number, "verdict": "rejected", "errors": errors })
        }
    };
    let _ = serde_json::to_writer(&mut *out, &value);
    out.push(b'\n');
}

/// `{"line":…,"verdict":"valid","digest":"…"}` and a line break, written by hand: the common case, and
/// the digest (the engine's own, equal to the submitted one) is plain hex.
fn valid_verdict(number: u64, digest: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"line\":");
    let _ = write!(out, "{number}");
    out.extend_from_slice(b",\"verdict\":\"valid\",\"digest\":\"");
    out.extend_from_slice(digest.as_bytes());
    out.extend_from_slice(b"\"}\n");
}

/// Write verdicts in file order; returns the tally and the first write error.
fn write_in_order(
    out: Box<dyn Write + Send>,
    verdicts: Receiver<Verdicts>,
    progress: &indicatif::ProgressBar,
) -> (Tally, Option<String>) {
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let mut pending = BTreeMap::new();
    let (mut next, mut tally, mut error) = (0u64, Tally::default(), None);
    for batch in verdicts {
        pending.insert(batch.seq, batch);
        while let Some(batch) = pending.remove(&next) {
            if error.is_none() {
                error = out.write_all(&batch.text).err().map(|e| e.to_string());
            }
            tally.add(batch.tally);
            progress.inc(batch.input_bytes);
            next += 1;
        }
    }
    if error.is_none() {
        error = out.flush().err().map(|e| e.to_string());
    }
    (tally, error)
}
