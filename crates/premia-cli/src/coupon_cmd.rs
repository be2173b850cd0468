//! `premia coupon keygen` and `premia coupon issue`: the insurer's side of signed vouchers and
//! referral codes. The private key never leaves the file it is read from.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use ed25519_dalek::SigningKey;
use premia_core::coupon::{self, Claims, TokenKind};

use crate::input;
use crate::output::Failure;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a signing key: writes the private key (hex) to FILE and prints the public key for the
    /// catalogue's `coupons.public_key`.
    Keygen {
        #[arg(long)]
        out: PathBuf,
    },
    /// Sign a voucher or referral code and print the token.
    Issue {
        /// Private key file (hex seed), as written by `premia coupon keygen`.
        #[arg(long)]
        key: PathBuf,
        #[arg(long, value_enum)]
        kind: Kind,
        /// The voucher or referral series in the catalogue (e.g. V200, REFER-2026).
        #[arg(long)]
        series: String,
        /// Unique id of this token: the server redeems it once.
        #[arg(long)]
        id: String,
        /// Last day the token may be used (YYYY-MM-DD).
        #[arg(long)]
        expires: Option<NaiveDate>,
        /// For referral codes (required): the referring customer, by their own application number
        /// (the server credits them, and refuses the code on that person's own application).
        #[arg(long, required_if_eq("kind", "referral"))]
        referrer: Option<String>,
        /// Catalogue the token is for; default the embedded demo catalogue.
        #[arg(long)]
        catalogue: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Kind {
    Voucher,
    Referral,
}

pub fn run(command: Command) -> Result<ExitCode, Failure> {
    match command {
        Command::Keygen { out } => keygen(&out),
        Command::Issue { key, kind, series, id, expires, referrer, catalogue } => {
            let catalogue = input::catalogue(catalogue.as_deref())?;
            let series_known = match kind {
                Kind::Voucher => catalogue.coupons.vouchers.iter().any(|v| v.id == series),
                Kind::Referral => catalogue.coupons.referrals.iter().any(|r| r.id == series),
            };
            if !series_known {
                return Err(Failure::Io(format!("catalogue {} has no {kind:?} series {series:?}", catalogue.id)));
            }
            let key = read_key(&key)?;
            if catalogue.coupons.public_key.as_ref() != Some(&key.verifying_key()) {
                return Err(Failure::Io(format!(
                    "this key's public key is not the one in catalogue {}: its tokens would be refused",
                    catalogue.id
                )));
            }
            let kind = match kind {
                Kind::Voucher => TokenKind::Voucher,
                Kind::Referral => TokenKind::Referral,
            };
            let claims = Claims { catalogue: catalogue.id.clone(), kind, series, id, expires, referrer };
            println!("{}", coupon::issue(&claims, &key));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn read_key(path: &Path) -> Result<SigningKey, Failure> {
    let text = input::read_text(path)?;
    let bytes = coupon::key_bytes(&text)
        .ok_or_else(|| Failure::Io(format!("{}: not a hex-encoded 32-byte Ed25519 key", path.display())))?;
    Ok(SigningKey::from_bytes(&bytes))
}

fn keygen(out: &Path) -> Result<ExitCode, Failure> {
    if out.exists() {
        return Err(Failure::Io(format!("{} exists; refusing to overwrite a key", out.display())));
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| Failure::Io(format!("no randomness from the OS: {e}")))?;
    let key = SigningKey::from_bytes(&seed);
    write_private(out, &premia_core::digest::hex(&seed))?;
    println!("{}", premia_core::digest::hex(&key.verifying_key().to_bytes()));
    Ok(ExitCode::SUCCESS)
}

/// Write the key readable by its owner only.
fn write_private(path: &Path, hex: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| Failure::Io(format!("{}: {e}", path.display())))?;
    writeln!(file, "{hex}").map_err(|e| Failure::Io(format!("{}: {e}", path.display())))
}
