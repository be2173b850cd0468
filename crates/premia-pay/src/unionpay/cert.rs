//! UnionPay's certificates (全渠道 5.1.0): every answer and notification carries the certificate
//! that signed it (`signPubKeyCert`, PEM). It is trusted only if the configured middle
//! certificate issued it, the configured root issued the middle one, all three are within their
//! validity, and its subject's common name is UnionPay's (`中国银联股份有限公司` in production) —
//! the checks UnionPay's own SDK makes (`validateCertChain` and the CN check).

use std::fmt;

use x509_cert::der::{Decode, DecodePem, Encode};
use x509_cert::spki::ObjectIdentifier;

use crate::keys::VerifyingKey;

/// sha256WithRSAEncryption, the only signature algorithm accepted on a certificate.
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");

/// An X.509 certificate, parsed, with its public key.
#[derive(Clone)]
pub struct Certificate {
    cert: x509_cert::Certificate,
    key: VerifyingKey,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Certificate({})", self.cert.tbs_certificate().subject())
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Certificate) -> bool {
        self.cert == other.cert
    }
}

impl Certificate {
    /// Reads a PEM certificate (UnionPay writes them with `\r\n` too).
    pub fn from_pem(text: &str) -> Result<Certificate, String> {
        let text = text.trim().replace("\r\n", "\n");
        let cert =
            x509_cert::Certificate::from_pem(text.as_bytes()).map_err(|e| format!("not a PEM certificate: {e}"))?;
        Certificate::from_x509(cert)
    }

    /// Wraps a parsed certificate; its key must be RSA of at least 2048 bits.
    pub fn from_x509(cert: x509_cert::Certificate) -> Result<Certificate, String> {
        let spki = cert.tbs_certificate().subject_public_key_info();
        let der = spki.to_der().map_err(|e| e.to_string())?;
        let key = rsa::pkcs8::DecodePublicKey::from_public_key_der(&der)
            .map_err(|_| "the certificate's key is not RSA".to_owned())
            .and_then(|key| VerifyingKey::from_rsa(key).map_err(|e| e.to_string()))?;
        Ok(Certificate { cert, key })
    }

    /// The DER encoding.
    pub fn to_der(&self) -> Vec<u8> {
        self.cert.to_der().expect("a parsed certificate encodes")
    }

    /// PEM, lines of 64 characters.
    pub fn to_pem(&self) -> String {
        use x509_cert::der::EncodePem;
        self.cert.to_pem(x509_cert::der::pem::LineEnding::LF).expect("a parsed certificate encodes")
    }

    /// The subject's public key.
    pub fn key(&self) -> &VerifyingKey {
        &self.key
    }

    /// The serial number in decimal: UnionPay's `certId`.
    pub fn serial_decimal(&self) -> String {
        decimal(self.cert.tbs_certificate().serial_number().as_bytes())
    }

    /// The subject's common name, if any.
    pub fn common_name(&self) -> Option<String> {
        let name = self.cert.tbs_certificate().subject().common_name().ok()??;
        Some(name.value().into_owned())
    }

    /// Checks that `issuer` issued this certificate (names match, SHA256withRSA signature over the
    /// TBS part verifies with the issuer's key) and that both are valid at `now` (Unix seconds).
    pub fn check_issued_by(&self, issuer: &Certificate, now: u64) -> Result<(), String> {
        let tbs = self.cert.tbs_certificate();
        if tbs.issuer() != issuer.cert.tbs_certificate().subject() {
            return Err(format!("{} is not issued by {}", tbs.subject(), issuer.cert.tbs_certificate().subject()));
        }
        if self.cert.signature_algorithm().oid != SHA256_WITH_RSA {
            return Err(format!("{} is not signed with SHA256withRSA", tbs.subject()));
        }
        let signature = self.cert.signature().as_bytes().ok_or("signature with unused bits")?;
        let signed = tbs.to_der().map_err(|e| e.to_string())?;
        issuer.key.verify(&signed, signature).map_err(|_| format!("{}'s signature does not verify", tbs.subject()))?;
        for cert in [self, issuer] {
            let validity = cert.cert.tbs_certificate().validity();
            let (from, to) =
                (validity.not_before.to_unix_duration().as_secs(), validity.not_after.to_unix_duration().as_secs());
            if now < from || now > to {
                return Err(format!("{} is not valid now", cert.cert.tbs_certificate().subject()));
            }
        }
        Ok(())
    }
}

/// Big-endian unsigned bytes in decimal (certificate serials exceed 64 bits).
fn decimal(bytes: &[u8]) -> String {
    let mut digits: Vec<u8> = vec![0];
    for byte in bytes {
        let mut carry = u32::from(*byte);
        for digit in digits.iter_mut() {
            let value = u32::from(*digit) * 256 + carry;
            *digit = u8::try_from(value % 10).expect("a digit");
            carry = value / 10;
        }
        while carry > 0 {
            digits.push(u8::try_from(carry % 10).expect("a digit"));
            carry /= 10;
        }
    }
    while digits.len() > 1 && digits.last() == Some(&0) {
        digits.pop();
    }
    digits.iter().rev().map(|d| char::from(b'0' + d)).collect()
}

/// The certificates a merchant trusts for UnionPay's signatures.
#[derive(Clone, Debug)]
pub struct Trust {
    /// UnionPay's root (`acp_prod_root.cer`).
    pub root: Certificate,
    /// UnionPay's middle certificate (`acp_prod_middle.cer`).
    pub middle: Certificate,
    /// The signing certificate's required common name.
    pub signer_cn: String,
}

impl Trust {
    /// Checks a `signPubKeyCert` and returns its key.
    pub fn signer(&self, pem: &str, now: u64) -> Result<VerifyingKey, String> {
        let signer = Certificate::from_pem(pem)?;
        signer.check_issued_by(&self.middle, now)?;
        self.middle.check_issued_by(&self.root, now)?;
        let cn = signer.common_name().unwrap_or_default();
        if cn != self.signer_cn {
            return Err(format!("signer {cn:?} is not {:?}", self.signer_cn));
        }
        Ok(signer.key.clone())
    }
}

/// Parses a DER certificate (used by tests and the simulator).
pub fn from_der(der: &[u8]) -> Result<Certificate, String> {
    let cert = x509_cert::Certificate::from_der(der).map_err(|e| e.to_string())?;
    Certificate::from_x509(cert)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_print_in_decimal() {
        assert_eq!(decimal(&[]), "0");
        assert_eq!(decimal(&[0]), "0");
        assert_eq!(decimal(&[1, 0]), "256");
        assert_eq!(decimal(&[0x10, 0x37, 0x11, 0x5b, 0x8f]), "69643361167");
        assert_eq!(decimal(&[0xff; 9]), "4722366482869645213695");
    }
}
