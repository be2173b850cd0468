//! `premia-server`'s administration subcommands against a SQLite store: the blacklist keyed by the
//! server's secret, agent tokens, key rotation, referral credits; and `serve` as the default.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn server(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_premia-server"))
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env_remove("PREMIA_DATABASE_URL")
        .env_remove("PREMIA_SERVER_SECRET")
        .env_remove("PREMIA_SIGNING_KEY")
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_blacklist_keys_people_by_the_servers_secret_and_never_stores_the_number() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let id = "11010519491231002X";
    // As a person types it: spaces and a lower-case x.
    let output = server(&data, &["blacklist", "add", "--resident-id", "110105 19491231 002x", "--reason", "fraud"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = server(&data, &["blacklist", "add", "--agent", "A6666", "--reason", "commission fraud"]);
    assert!(output.status.success());
    let output = server(&data, &["blacklist", "list", "--json"]);
    let listed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let person = listed.as_array().unwrap().iter().find(|e| e["kind"] == "resident_id").unwrap();
    assert_eq!(person["scheme"], "hmac");
    // Not the catalogue's public salted hash (which would give the number back offline) …
    let salted = premia_core::resident_id::salted_hash(id, &premia_core::demo::catalogue().id_hash_salt);
    assert_ne!(person["value"], salted.as_str());
    // … but HMAC under the secret generated on first use, mode 0600, in a 0700 folder.
    let secret = std::fs::read_to_string(data.join("server-secret.key")).unwrap();
    let secret =
        premia_server::secret::ServerSecret::from_master(&premia_core::coupon::key_bytes(secret.trim()).unwrap());
    assert_eq!(person["value"], secret.identity(id).as_str());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join("server-secret.key")), 0o600);
        assert_eq!(mode(&data.join("premia.db")), 0o600);
    }
    assert!(!String::from_utf8_lossy(&output.stdout).contains(id), "the number is never listed");
    let database = std::fs::read(data.join("premia.db")).unwrap();
    assert!(!database.windows(id.len()).any(|w| w == id.as_bytes()), "nor is it in the database file");

    // A mistyped number is refused with the rule it breaks (exit 1), in both languages.
    let output = server(&data, &["blacklist", "add", "--resident-id", "110105194912310021", "--reason", "x"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("resident_id.checksum") && stderr(&output).contains("校验"),
        "{}",
        stderr(&output)
    );
    assert!(server(&data, &["blacklist", "remove", "--resident-id", id]).status.success());
    assert_eq!(server(&data, &["blacklist", "remove", "--resident-id", id]).status.code(), Some(1));
}

#[test]
fn agent_tokens_are_issued_once_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let output = server(&data, &["agent", "issue", "A1001", "--label", "laptop"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("pat_") && token.len() == 4 + 12 + 1 + 64, "{token}");
    let listed: Value = serde_json::from_slice(&server(&data, &["agent", "list", "--json"]).stdout).unwrap();
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(listed[0]["agent_code"], "A1001");
    assert!(!listed.to_string().contains(&token[17..]), "the secret is never listed");
    assert_eq!(server(&data, &["agent", "issue", "bad code"]).status.code(), Some(1));
    assert!(server(&data, &["agent", "revoke", &id]).status.success());
    assert_eq!(server(&data, &["agent", "revoke", &id]).status.code(), Some(1), "already revoked");
}

#[test]
fn rotating_the_signing_key_keeps_the_old_one_listed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(server(&data, &["keys", "rotate"]).status.success());
    let first: Value = serde_json::from_slice(&server(&data, &["keys", "list", "--json"]).stdout).unwrap();
    assert_eq!(first.as_array().unwrap().len(), 1);
    let output = server(&data, &["keys", "rotate"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let keys: Value = serde_json::from_slice(&server(&data, &["keys", "list", "--json"]).stdout).unwrap();
    let keys = keys.as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0]["kid"], first[0]["kid"]);
    assert!(keys[0]["retired_at"].is_i64() && keys[1]["retired_at"].is_null(), "{keys:?}");
}

#[test]
fn referral_credits_list_empty_and_serve_is_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let output = server(&data, &["referrals", "list", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(serde_json::from_slice::<Value>(&output.stdout).unwrap(), serde_json::json!([]));
    // No subcommand runs the server: with the illustrative demo catalogue and no --allow-demo it refuses.
    let output = server(&data, &["--bind", "127.0.0.1:0"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("illustrative") && stderr(&output).contains("--allow-demo"),
        "{}",
        stderr(&output)
    );
    let output = server(&data, &["serve", "--bind", "127.0.0.1:0"]);
    assert!(stderr(&output).contains("--allow-demo"));
}
