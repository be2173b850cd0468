//! Merchant credentials from a configuration file (README, "Configuration").
//!
//! One TOML file, one table per provider that is used; private keys in PEM files beside it, named
//! by path (relative to the file). The file and every private key file must be readable by their
//! owner only (mode 0600 or 0400): they are refused otherwise, before anything is read from them.
//! Nothing of this is in the repository; tests and the simulator generate throwaway keys.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::alipay::{AlipayConfig, GATEWAY};
use crate::http::{DEFAULT_TIMEOUT, check_endpoint};
use crate::keys::{KeyError, SigningKey, VerifyingKey};
use crate::unionpay::{self, Certificate, UnionPayConfig};
use crate::wechat::sign::ApiV3Key;
use crate::wechat::{API_BASE, WechatConfig};

/// A configuration that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A file could not be read.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The system's message.
        message: String,
    },
    /// A secret file others may read.
    #[error("{path}: mode {mode:o} lets others read it; make it 0600 (chmod 600)")]
    Permissions {
        /// The file.
        path: PathBuf,
        /// Its mode bits.
        mode: u32,
    },
    /// Not the documented TOML.
    #[error("{path}: {message}")]
    Toml {
        /// The file.
        path: PathBuf,
        /// The parser's message (with line and column).
        message: String,
    },
    /// A key or certificate that cannot be used.
    #[error("{field}: {error}")]
    Key {
        /// The field naming it.
        field: &'static str,
        /// Why.
        error: String,
    },
    /// A value that breaks a rule.
    #[error("{field}: must be {rule}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// The rule.
        rule: &'static str,
    },
    /// The HTTP client could not be set up.
    #[error("HTTP client: {0}")]
    Http(String),
}

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    wechat: Option<RawWechat>,
    alipay: Option<RawAlipay>,
    unionpay: Option<RawUnionPay>,
    http: Option<RawHttp>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWechat {
    mchid: String,
    appid: String,
    merchant_serial_no: String,
    merchant_private_key_file: PathBuf,
    platform_public_key_id: String,
    platform_public_key_file: PathBuf,
    apiv3_key: String,
    notify_url: Url,
    api_base: Option<Url>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlipay {
    app_id: String,
    app_private_key_file: PathBuf,
    alipay_public_key_file: PathBuf,
    seller_id: Option<String>,
    notify_url: Url,
    gateway: Option<Url>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnionPay {
    mer_id: String,
    sign_cert_id: String,
    sign_private_key_file: PathBuf,
    root_cert_file: PathBuf,
    middle_cert_file: PathBuf,
    signer_cn: Option<String>,
    back_url: Url,
    gateway: Option<Url>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttp {
    timeout_ms: u64,
}

/// The merchant configuration of every provider in use.
#[derive(Clone, Debug)]
pub struct PaymentsConfig {
    /// WeChat Pay, if used.
    pub wechat: Option<WechatConfig>,
    /// Alipay, if used.
    pub alipay: Option<AlipayConfig>,
    /// UnionPay, if used.
    pub unionpay: Option<UnionPayConfig>,
    /// How long a call to a provider may take.
    pub timeout: Duration,
}

/// Refuses a secret file that its group or others may read or write.
pub fn check_private_file(path: &Path) -> Result<(), ConfigError> {
    let metadata =
        std::fs::metadata(path).map_err(|e| ConfigError::Io { path: path.into(), message: e.to_string() })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(ConfigError::Permissions { path: path.into(), mode });
        }
    }
    if !metadata.is_file() {
        return Err(ConfigError::Io { path: path.into(), message: "not a regular file".into() });
    }
    Ok(())
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| ConfigError::Io { path: path.into(), message: e.to_string() })
}

fn key_error(field: &'static str) -> impl Fn(KeyError) -> ConfigError {
    move |error| ConfigError::Key { field, error: error.to_string() }
}

fn private_key(base: &Path, field: &'static str, file: &Path) -> Result<SigningKey, ConfigError> {
    let path = base.join(file);
    check_private_file(&path)?;
    SigningKey::from_pem(&read(&path)?).map_err(key_error(field))
}

fn public_key(base: &Path, field: &'static str, file: &Path) -> Result<VerifyingKey, ConfigError> {
    VerifyingKey::from_pem(&read(&base.join(file))?).map_err(key_error(field))
}

fn certificate(base: &Path, field: &'static str, file: &Path) -> Result<Certificate, ConfigError> {
    Certificate::from_pem(&read(&base.join(file))?).map_err(|error| ConfigError::Key { field, error })
}

fn endpoint(field: &'static str, url: Option<Url>, default: &str) -> Result<Url, ConfigError> {
    let url = match url {
        Some(url) => url,
        None => Url::parse(default).expect("the default endpoint parses"),
    };
    check_endpoint(field, &url)?;
    Ok(url)
}

fn non_empty(field: &'static str, value: String) -> Result<String, ConfigError> {
    if value.trim().is_empty() {
        return Err(ConfigError::Invalid { field, rule: "not empty" });
    }
    Ok(value)
}

impl PaymentsConfig {
    /// Reads the file at `path` (mode 0600) and the key files it names.
    pub fn load(path: &Path) -> Result<PaymentsConfig, ConfigError> {
        check_private_file(path)?;
        let text = read(path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        PaymentsConfig::from_toml(&text, base).map_err(|error| match error {
            ConfigError::Toml { message, .. } => ConfigError::Toml { path: path.into(), message },
            other => other,
        })
    }

    /// Reads the TOML text; key file paths are relative to `base`.
    pub fn from_toml(text: &str, base: &Path) -> Result<PaymentsConfig, ConfigError> {
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| ConfigError::Toml { path: PathBuf::new(), message: e.to_string() })?;
        let wechat = raw.wechat.map(|w| wechat(base, w)).transpose()?;
        let alipay = raw.alipay.map(|a| alipay(base, a)).transpose()?;
        let unionpay = raw.unionpay.map(|u| unionpay(base, u)).transpose()?;
        let timeout = match raw.http {
            Some(RawHttp { timeout_ms }) if (100..=120_000).contains(&timeout_ms) => Duration::from_millis(timeout_ms),
            Some(_) => return Err(ConfigError::Invalid { field: "http.timeout_ms", rule: "100 to 120000" }),
            None => DEFAULT_TIMEOUT,
        };
        Ok(PaymentsConfig { wechat, alipay, unionpay, timeout })
    }
}

fn wechat(base: &Path, raw: RawWechat) -> Result<WechatConfig, ConfigError> {
    let notify_url = raw.notify_url;
    check_endpoint("wechat.notify_url", &notify_url)?;
    Ok(WechatConfig {
        mchid: non_empty("wechat.mchid", raw.mchid)?,
        appid: non_empty("wechat.appid", raw.appid)?,
        merchant_serial_no: non_empty("wechat.merchant_serial_no", raw.merchant_serial_no)?,
        merchant_key: private_key(base, "wechat.merchant_private_key_file", &raw.merchant_private_key_file)?,
        platform_key_id: non_empty("wechat.platform_public_key_id", raw.platform_public_key_id)?,
        platform_key: public_key(base, "wechat.platform_public_key_file", &raw.platform_public_key_file)?,
        apiv3_key: ApiV3Key::new(&raw.apiv3_key)
            .map_err(|_| ConfigError::Invalid { field: "wechat.apiv3_key", rule: "32 characters" })?,
        notify_url,
        api_base: endpoint("wechat.api_base", raw.api_base, API_BASE)?,
    })
}

fn alipay(base: &Path, raw: RawAlipay) -> Result<AlipayConfig, ConfigError> {
    let notify_url = raw.notify_url;
    check_endpoint("alipay.notify_url", &notify_url)?;
    Ok(AlipayConfig {
        app_id: non_empty("alipay.app_id", raw.app_id)?,
        app_key: private_key(base, "alipay.app_private_key_file", &raw.app_private_key_file)?,
        alipay_key: public_key(base, "alipay.alipay_public_key_file", &raw.alipay_public_key_file)?,
        seller_id: raw.seller_id.map(|s| non_empty("alipay.seller_id", s)).transpose()?,
        notify_url,
        gateway: endpoint("alipay.gateway", raw.gateway, GATEWAY)?,
    })
}

fn unionpay(base: &Path, raw: RawUnionPay) -> Result<UnionPayConfig, ConfigError> {
    let back_url = raw.back_url;
    check_endpoint("unionpay.back_url", &back_url)?;
    if raw.sign_cert_id.is_empty() || !raw.sign_cert_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ConfigError::Invalid {
            field: "unionpay.sign_cert_id",
            rule: "the signing certificate's serial number in decimal",
        });
    }
    Ok(UnionPayConfig {
        mer_id: non_empty("unionpay.mer_id", raw.mer_id)?,
        sign_cert_id: raw.sign_cert_id,
        sign_key: private_key(base, "unionpay.sign_private_key_file", &raw.sign_private_key_file)?,
        trust: unionpay::Trust {
            root: certificate(base, "unionpay.root_cert_file", &raw.root_cert_file)?,
            middle: certificate(base, "unionpay.middle_cert_file", &raw.middle_cert_file)?,
            signer_cn: raw.signer_cn.unwrap_or_else(|| unionpay::SIGNER_CN.to_owned()),
        },
        back_url,
        gateway: endpoint("unionpay.gateway", raw.gateway, unionpay::GATEWAY)?,
    })
}
