//! `premia-paysim`: the three payment simulators on loopback, for the demo and manual testing.
//!
//! ```text
//! premia-paysim [--port 0] [--notify-base http://127.0.0.1:8080/api/pay/notify/] [--config-dir DIR] [--fault FAULT]
//! ```
//!
//! Prints one JSON line with its base URL and the merchant configuration file it wrote (keys made
//! for this run), then serves until interrupted (Ctrl-C or SIGTERM).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use premia_pay::Provider;
use premia_paysim::{Fault, SimConfig, Simulator};
use url::Url;

/// The WeChat Pay, Alipay and UnionPay simulators on 127.0.0.1.
#[derive(Debug, Parser)]
#[command(name = "premia-paysim", version)]
struct Args {
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The merchant's notify URLs are this base joined with `wechat`, `alipay` and `unionpay`.
    #[arg(long, default_value = "http://127.0.0.1:8080/api/pay/notify/")]
    notify_base: Url,
    /// Where to write the merchant configuration (`payments.toml` and key files, secrets 0600).
    #[arg(long)]
    config_dir: Option<PathBuf>,
    /// A failure mode for every order (duplicate_notification, notify_before_query, wrong_amount,
    /// bad_signature, timeout_then_late_success, never_notify).
    #[arg(long)]
    fault: Option<String>,
    /// Delay of the timeout-then-late-success fault, in milliseconds.
    #[arg(long, default_value_t = 3000)]
    slow_ms: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let default_fault = match &args.fault {
        Some(name) => Some(
            serde_json::from_value::<Fault>(serde_json::Value::String(name.clone()))
                .with_context(|| format!("unknown fault {name:?}"))?,
        ),
        None => None,
    };
    let config = SimConfig { default_fault, slow_delay: Duration::from_millis(args.slow_ms), ..SimConfig::default() };
    let simulator = Simulator::start(config, args.port).await.context("starting the simulators")?;
    let notify = |provider: Provider| args.notify_base.join(provider.as_str()).expect("a notify URL");
    let written = match &args.config_dir {
        Some(dir) => Some(simulator.sim().identity.write_merchant_config(dir, simulator.base(), notify)?),
        None => None,
    };
    let ready = serde_json::json!({
        "base": simulator.base().as_str(),
        "pay_page": simulator.base().join("sim/pay/").expect("a URL").as_str(),
        "admin": simulator.base().join("sim/admin/").expect("a URL").as_str(),
        "merchant_config": written,
    });
    // The one line a script waits for.
    #[allow(clippy::print_stdout)]
    {
        println!("{ready}");
    }
    stopped().await?;
    simulator.stop().await;
    Ok(())
}

/// Ctrl-C, or SIGTERM (how scripts stop it).
async fn stopped() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.context("waiting for Ctrl-C")?,
            _ = term.recv() => {}
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")
    }
}
