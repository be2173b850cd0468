//! Demo material that must not reach production unnoticed: an `illustrative` catalogue (rates made up
//! for the demo), and coupon tokens signed by a key whose private half is published in this repository
//! (`catalogue/keys/`), which anyone can use to sign any voucher. Both need `--allow-demo`.

use anyhow::bail;
use ed25519_dalek::VerifyingKey;

use crate::catalogues::Catalogues;

/// Public keys whose private halves are in this repository: `catalogue/keys/demo-coupon-signing.key`.
/// A test derives each from its file, so a new demo key cannot be added without listing it here.
pub const PUBLISHED_KEYS: &[&str] = &["e174f4fbb05667effeeebca85838d5f29993ac3979d907bac2d7211dc67fdfd4"];

pub fn is_published_key(key: &VerifyingKey) -> bool {
    let hex = premia_core::digest::hex(key.as_bytes());
    PUBLISHED_KEYS.contains(&hex.as_str())
}

/// Refuse to start with an illustrative catalogue unless demo material is allowed; say so when it is.
pub fn check(catalogues: &Catalogues, allow_demo: bool) -> anyhow::Result<()> {
    for version in catalogues.all() {
        let c = &version.catalogue;
        if c.illustrative && !allow_demo {
            bail!(
                "catalogue {} {} is illustrative (demo rates, not filed ones): refusing to serve it. Give a real \
                 catalogue with --catalogue, or --allow-demo for a demo",
                c.id,
                c.version
            );
        }
        let demo_key = c.coupons.public_key.as_ref().is_some_and(is_published_key);
        if demo_key && !allow_demo {
            tracing::warn!(
                "catalogue {} {} verifies coupons with the published demo key: every voucher and referral code \
                 will be refused (rotate to your own key: catalogue/keys/README.md)",
                c.id,
                c.version
            );
        }
        if allow_demo && (c.illustrative || demo_key) {
            tracing::warn!(
                "--allow-demo: serving demo material (catalogue {} {}{}{}): not for production",
                c.id,
                c.version,
                if c.illustrative { ", illustrative rates" } else { "" },
                if demo_key { ", vouchers signed by the published demo key" } else { "" },
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_published_keys_are_the_repositorys() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../catalogue/keys/demo-coupon-signing.key");
        let seed = premia_core::coupon::key_bytes(&std::fs::read_to_string(path).unwrap()).unwrap();
        let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
        assert!(super::is_published_key(&public));
        assert!(!super::is_published_key(&ed25519_dalek::SigningKey::from_bytes(&[3; 32]).verifying_key()));
        assert!(super::check(&crate::catalogues::Catalogues::load(&[]).unwrap(), false).is_err());
        assert!(super::check(&crate::catalogues::Catalogues::load(&[]).unwrap(), true).is_ok());
    }
}
