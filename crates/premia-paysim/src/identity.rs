//! The keys of one simulator run, both sides: the providers' (platform keys, UnionPay's root,
//! middle and signing certificates) and the merchant's (generated here too, so that a test needs
//! nothing but the simulator). All are fresh per run and never written anywhere but where
//! [`Identity::write_merchant_config`] is told to.

use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, SystemTime};

use premia_pay::PaymentsConfig;
use premia_pay::alipay::AlipayConfig;
use premia_pay::keys::{SigningKey, VerifyingKey, nonce};
use premia_pay::unionpay::{Certificate, Trust, UnionPayConfig};
use premia_pay::wechat::WechatConfig;
use premia_pay::wechat::sign::ApiV3Key;
use rsa::sha2::Sha256;
use url::Url;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{SubjectPublicKeyInfo, SubjectPublicKeyInfoRef};
use x509_cert::time::{Time, Validity};

/// The simulated WeChat Pay merchant and platform.
#[derive(Clone, Debug)]
pub struct WechatIdentity {
    /// Merchant id.
    pub mchid: String,
    /// appid.
    pub appid: String,
    /// Merchant certificate serial.
    pub merchant_serial_no: String,
    /// Merchant key (the merchant signs with it).
    pub merchant_key: SigningKey,
    /// Platform key id.
    pub platform_key_id: String,
    /// Platform key (the simulator signs with it).
    pub platform_key: SigningKey,
    /// APIv3 key.
    pub apiv3_key: ApiV3Key,
}

/// The simulated Alipay app and platform.
#[derive(Clone, Debug)]
pub struct AlipayIdentity {
    /// APPID.
    pub app_id: String,
    /// The seller's account (PID).
    pub seller_id: String,
    /// The app's key.
    pub app_key: SigningKey,
    /// Alipay's key.
    pub alipay_key: SigningKey,
}

/// The simulated UnionPay merchant and platform.
#[derive(Clone, Debug)]
pub struct UnionPayIdentity {
    /// Merchant code.
    pub mer_id: String,
    /// The merchant signing key.
    pub merchant_key: SigningKey,
    /// Its certificate's serial in decimal (`certId`).
    pub merchant_cert_id: String,
    /// Root.
    pub root: Certificate,
    /// Middle.
    pub middle: Certificate,
    /// UnionPay's signing certificate.
    pub signer: Certificate,
    /// Its key.
    pub signer_key: SigningKey,
}

/// Everything of one run.
#[derive(Clone, Debug)]
pub struct Identity {
    /// WeChat Pay.
    pub wechat: WechatIdentity,
    /// Alipay.
    pub alipay: AlipayIdentity,
    /// UnionPay.
    pub unionpay: UnionPayIdentity,
}

struct Profile {
    issuer: Name,
    subject: Name,
}

impl BuilderProfile for Profile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        Ok(Vec::new())
    }
}

/// A certificate for `subject_key`, issued by `issuer_key` under `issuer`, valid from a day ago
/// for two years.
fn certificate(issuer: &str, issuer_key: &SigningKey, subject: &str, subject_key: &SigningKey) -> Certificate {
    let name = |n: &str| Name::from_str(n).expect("a distinguished name");
    let profile = Profile { issuer: name(issuer), subject: name(subject) };
    let mut serial = premia_pay::keys::random_bytes::<8>();
    serial[0] &= 0x7f;
    serial[0] |= 0x01;
    let day = Duration::from_secs(86_400);
    let now = SystemTime::now();
    let validity =
        Validity::new(Time::try_from(now - day).expect("a time"), Time::try_from(now + 730 * day).expect("a time"));
    let spki = SubjectPublicKeyInfo::from_key(subject_key.verifying_key().as_rsa()).expect("SPKI of an RSA key");
    let builder = CertificateBuilder::new(profile, SerialNumber::new(&serial).expect("serial"), validity, spki)
        .expect("certificate builder");
    let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(issuer_key.as_rsa().clone());
    let cert = builder.build::<_, rsa::pkcs1v15::Signature>(&signer).expect("certificate signs");
    Certificate::from_x509(cert).expect("the certificate just built")
}

fn digits(n: usize) -> String {
    premia_pay::keys::random_bytes::<32>().iter().take(n).map(|b| char::from(b'0' + b % 10)).collect()
}

impl Identity {
    /// Fresh keys for every party (seven RSA-2048 keys: about a second).
    pub fn generate() -> Identity {
        let key = || SigningKey::generate(2048);
        let (root_key, middle_key, signer_key, merchant_key) = (key(), key(), key(), key());
        let root_name = "CN=Premia Simulated UnionPay Root,O=Premia Simulator";
        let middle_name = "CN=Premia Simulated UnionPay Middle,O=Premia Simulator";
        let root = certificate(root_name, &root_key, root_name, &root_key);
        let middle = certificate(root_name, &root_key, middle_name, &middle_key);
        let signer_name = format!("CN={},OU=Premia Simulator", premia_pay::unionpay::SIGNER_CN);
        let signer = certificate(middle_name, &middle_key, &signer_name, &signer_key);
        let merchant_cert = certificate(middle_name, &middle_key, "CN=Premia Simulated Merchant", &merchant_key);
        Identity {
            wechat: WechatIdentity {
                mchid: format!("19{}", digits(8)),
                appid: format!("wx{}", nonce(16).to_lowercase()),
                merchant_serial_no: hex::encode_upper(premia_pay::keys::random_bytes::<20>()),
                merchant_key: key(),
                platform_key_id: format!("PUB_KEY_ID_{}", digits(30)),
                platform_key: key(),
                apiv3_key: ApiV3Key::generate(),
            },
            alipay: AlipayIdentity {
                app_id: format!("2021{}", digits(12)),
                seller_id: format!("2088{}", digits(12)),
                app_key: key(),
                alipay_key: key(),
            },
            unionpay: UnionPayIdentity {
                mer_id: format!("777{}", digits(12)),
                merchant_cert_id: merchant_cert.serial_decimal(),
                merchant_key,
                root,
                middle,
                signer,
                signer_key,
            },
        }
    }

    /// The merchant's configuration for this run: the simulator at `base` for every provider,
    /// notifications to `notify(provider)`.
    pub fn merchant_config(
        &self,
        base: &Url,
        notify: impl Fn(premia_pay::Provider) -> Url,
        timeout: Duration,
    ) -> PaymentsConfig {
        let (w, a, u) = (&self.wechat, &self.alipay, &self.unionpay);
        PaymentsConfig {
            wechat: Some(WechatConfig {
                mchid: w.mchid.clone(),
                appid: w.appid.clone(),
                merchant_serial_no: w.merchant_serial_no.clone(),
                merchant_key: w.merchant_key.clone(),
                platform_key_id: w.platform_key_id.clone(),
                platform_key: w.platform_key.verifying_key(),
                apiv3_key: w.apiv3_key.clone(),
                notify_url: notify(premia_pay::Provider::Wechat),
                api_base: base.clone(),
            }),
            alipay: Some(AlipayConfig {
                app_id: a.app_id.clone(),
                app_key: a.app_key.clone(),
                alipay_key: a.alipay_key.verifying_key(),
                seller_id: Some(a.seller_id.clone()),
                notify_url: notify(premia_pay::Provider::Alipay),
                gateway: base.join("gateway.do").expect("gateway URL"),
            }),
            unionpay: Some(UnionPayConfig {
                mer_id: u.mer_id.clone(),
                sign_cert_id: u.merchant_cert_id.clone(),
                sign_key: u.merchant_key.clone(),
                trust: Trust {
                    root: u.root.clone(),
                    middle: u.middle.clone(),
                    signer_cn: premia_pay::unionpay::SIGNER_CN.to_owned(),
                },
                back_url: notify(premia_pay::Provider::UnionPay),
                gateway: base.clone(),
            }),
            timeout,
        }
    }

    /// Writes the merchant's configuration as the documented file set into `dir`: `payments.toml`
    /// and the key and certificate files it names, secrets with mode 0600.
    pub fn write_merchant_config(
        &self,
        dir: &Path,
        base: &Url,
        notify: impl Fn(premia_pay::Provider) -> Url,
    ) -> std::io::Result<std::path::PathBuf> {
        std::fs::create_dir_all(dir)?;
        let write = |name: &str, text: &str, secret: bool| -> std::io::Result<()> {
            let path = dir.join(name);
            std::fs::write(&path, text)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = if secret { 0o600 } else { 0o644 };
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))?;
            }
            Ok(())
        };
        let (w, a, u) = (&self.wechat, &self.alipay, &self.unionpay);
        write("wechat_merchant_key.pem", &w.merchant_key.to_pkcs8_pem(), true)?;
        write("wechat_platform_public_key.pem", &w.platform_key.verifying_key().to_pem(), false)?;
        write("alipay_app_key.pem", &a.app_key.to_pkcs8_pem(), true)?;
        write("alipay_public_key.pem", &a.alipay_key.verifying_key().to_pem(), false)?;
        write("unionpay_sign_key.pem", &u.merchant_key.to_pkcs8_pem(), true)?;
        write("unionpay_root.cer", &u.root.to_pem(), false)?;
        write("unionpay_middle.cer", &u.middle.to_pem(), false)?;
        let quote = |s: &str| toml_quote(s);
        let toml = format!(
            "# Merchant credentials for the Premia payment simulator (generated for this run).\n\n\
             [wechat]\nmchid = {}\nappid = {}\nmerchant_serial_no = {}\nmerchant_private_key_file = \"wechat_merchant_key.pem\"\n\
             platform_public_key_id = {}\nplatform_public_key_file = \"wechat_platform_public_key.pem\"\napiv3_key = {}\n\
             notify_url = {}\napi_base = {}\n\n\
             [alipay]\napp_id = {}\napp_private_key_file = \"alipay_app_key.pem\"\nalipay_public_key_file = \"alipay_public_key.pem\"\n\
             seller_id = {}\nnotify_url = {}\ngateway = {}\n\n\
             [unionpay]\nmer_id = {}\nsign_cert_id = {}\nsign_private_key_file = \"unionpay_sign_key.pem\"\n\
             root_cert_file = \"unionpay_root.cer\"\nmiddle_cert_file = \"unionpay_middle.cer\"\nback_url = {}\ngateway = {}\n",
            quote(&w.mchid),
            quote(&w.appid),
            quote(&w.merchant_serial_no),
            quote(&w.platform_key_id),
            quote(w.apiv3_key.expose()),
            quote(notify(premia_pay::Provider::Wechat).as_str()),
            quote(base.as_str()),
            quote(&a.app_id),
            quote(&a.seller_id),
            quote(notify(premia_pay::Provider::Alipay).as_str()),
            quote(base.join("gateway.do").expect("gateway URL").as_str()),
            quote(&u.mer_id),
            quote(&u.merchant_cert_id),
            quote(notify(premia_pay::Provider::UnionPay).as_str()),
            quote(base.as_str()),
        );
        write("payments.toml", &toml, true)?;
        Ok(dir.join("payments.toml"))
    }

    /// The merchant-side public material the simulator checks requests with.
    pub fn wechat_merchant_public(&self) -> VerifyingKey {
        self.wechat.merchant_key.verifying_key()
    }
}

fn toml_quote(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}
