//! The databases a cross-crate test runs against: always a fresh SQLite file, and a fresh PostgreSQL
//! database when `PREMIA_TEST_POSTGRES_URL` names a server (scripts/server-test.sh starts one).
//! With `PREMIA_REQUIRE_POSTGRES=1` a missing PostgreSQL fails the test instead of skipping that half.

use sqlx::Connection;

/// One database for one test; the SQLite folder is removed when this is dropped.
#[derive(Debug)]
pub struct TestDb {
    pub label: &'static str,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("premia.db").display());
    TestDb { label: "sqlite", url, _dir: Some(dir) }
}

/// A new, empty PostgreSQL database on the test server, if there is one.
pub async fn postgres() -> Option<TestDb> {
    let Ok(admin) = std::env::var("PREMIA_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("PREMIA_REQUIRE_POSTGRES").is_err(),
            "PREMIA_REQUIRE_POSTGRES is set but PREMIA_TEST_POSTGRES_URL is not"
        );
        eprintln!("PREMIA_TEST_POSTGRES_URL not set: skipping the PostgreSQL half of this test");
        return None;
    };
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&admin).await.expect("connect to the test PostgreSQL");
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).expect("random");
    let name = format!("premia_test_{}", random.iter().map(|b| format!("{b:02x}")).collect::<String>());
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create database");
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base);
    Some(TestDb { label: "postgres", url: format!("{base}/{name}"), _dir: None })
}

/// SQLite, then PostgreSQL when available.
pub async fn all() -> Vec<TestDb> {
    let mut dbs = vec![sqlite().await];
    dbs.extend(postgres().await);
    dbs
}
