//! # premia-store
//!
//! The durable state of a Premia server: accepted applications, idempotency keys, single-use coupon
//! redemptions, the blacklist, agent tokens, the audit log, staff accounts and sessions, and the
//! underwriting desk's cases ([`cases`], [`decisions`]).
//!
//! One schema and one set of SQL statements serve both backends, through sqlx's runtime-generic `Any`
//! driver: an embedded **SQLite** file for a single server, or a shared **PostgreSQL** database for
//! several stateless replicas behind a load balancer. Migrations run on [`Store::open`].
//!
//! Writes of applications go through [`Store::submit`], which commits before it answers: a caller that
//! got `Ok` may tell its client the application is stored. Submissions are group-committed (several per
//! transaction, each in its own savepoint) so that one disk flush serves many applications; see
//! [`applications`].

pub mod agents;
pub mod applications;
pub mod audit;
pub mod blacklist;
pub mod cases;
pub mod dashboard;
pub mod decisions;
pub mod identity;
pub mod keys;
pub mod purchases;
pub mod referrals;
mod secret;
pub mod staff;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

pub use agents::{AgentCredential, AgentToken, IssuedToken};
pub use applications::{ApplicationRecord, IdempotencyKey, NewApplication, Redemption, ReferralUse, Submitted};
pub use audit::{AuditEntry, NewAuditEvent};
pub use blacklist::{BlacklistEntry, BlacklistKind};
pub use cases::{CaseFilter, CaseRow, NewCase, RelatedRow};
pub use dashboard::{Dim, FactFilter, Unfacted};
pub use decisions::{Applied, CaseChange, DecisionRow, DeskKey, FinalRow, NewDecision, NewFinal, NewReview, Slot};
pub use identity::{Identity, Scheme};
pub use keys::SigningKeyRecord;
pub use purchases::{
    NewOrder, NewPolicy, NewPurchase, NewRefund, OrderOpening, OrderRecord, PaidNotice, PaymentApplied, PaymentContext,
    PolicyRecord, PurchaseRecord, PurchaseView, RefundRecord, Snapshot,
};
pub use referrals::ReferralCredit;
pub use staff::{StaffAccount, StaffSession};

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a database URL names, or `None` for an unsupported scheme.
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL {0:?}: expected sqlite:PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("cannot create the data folder {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The idempotency key was used before, in the same scope, with a different request body. Which
    /// application it made is not said: the answer goes to whoever sent the key.
    #[error("idempotency key already used with a different body")]
    IdempotencyConflict,
    /// Every use of a referral code allowed by its series is taken.
    #[error("referral code {code} has been used {max_uses} times, its limit")]
    ReferralLimit { code: String, max_uses: u32 },
    /// The database's identities were keyed with another server secret.
    #[error(
        "this database's identities were keyed with another server secret (fingerprint {stored}, this server's          {ours}): give every replica the same secret file"
    )]
    SecretMismatch { stored: String, ours: String },
    /// A single-use coupon was already redeemed.
    #[error("coupon {coupon} was already redeemed by application {application}")]
    CouponRedeemed { coupon: String, application: String },
    /// The transaction carrying this submission failed as a whole (e.g. the disk or the connection);
    /// nothing of it was stored, and a retry is safe.
    #[error("the submission could not be committed: {0}")]
    Batch(String),
    /// The store is shutting down or its writer stopped.
    #[error("the store is not accepting writes")]
    Closed,
    /// The row exists already or changed meanwhile (e.g. a username that is taken).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A stored row could not be read back (e.g. JSON written by a newer version).
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

/// Pool sizes and batching, with defaults that suit each backend.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Connections for reads (and, on PostgreSQL, for the writers' transactions too).
    pub read_connections: u32,
    /// Concurrent group-commit writers. SQLite allows one writer at a time, so it gets exactly one.
    pub writers: usize,
    /// Most applications committed in one transaction.
    pub max_batch: usize,
    /// How long to wait for a connection before failing a request.
    pub acquire_timeout: Duration,
    /// What "now" is for the times the store records (the system clock; `premia-server demo seed`
    /// sets its own, to submit a year of applications through the real code path).
    pub clock: StoreClock,
    /// The insurer's time zone, seconds east of UTC: which day a time belongs to in the dashboard's
    /// facts (the server passes its `--utc-offset`).
    pub utc_offset_seconds: i32,
}

/// The clock the store records times by: unix milliseconds.
#[derive(Clone)]
pub struct StoreClock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl StoreClock {
    pub fn system() -> StoreClock {
        StoreClock(Arc::new(now_millis))
    }

    pub fn new(clock: impl Fn() -> i64 + Send + Sync + 'static) -> StoreClock {
        StoreClock(Arc::new(clock))
    }

    pub fn now(&self) -> i64 {
        (self.0)()
    }
}

impl std::fmt::Debug for StoreClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreClock")
    }
}

impl StoreOptions {
    pub fn for_backend(backend: Backend) -> Self {
        let (read_connections, writers) = match backend {
            Backend::Sqlite => (4, 1),
            Backend::Postgres => (8, 4),
        };
        StoreOptions {
            read_connections,
            writers,
            max_batch: 128,
            acquire_timeout: Duration::from_secs(10),
            clock: StoreClock::system(),
            utc_offset_seconds: 8 * 3600,
        }
    }
}

/// A handle to the store; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    backend: Backend,
    read: AnyPool,
    submissions: applications::Submissions,
    options: StoreOptions,
    /// Counts commits that changed the dashboard's facts: the live updates wait on it.
    changes: tokio::sync::watch::Sender<u64>,
}

impl Store {
    /// Open (creating and migrating if needed) the store at `url`: `sqlite:PATH` (the file and its folder
    /// are created on first use) or `postgres://user@host:port/db`.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let backend = Backend::of_url(url).ok_or_else(|| StoreError::UnsupportedUrl(url.to_owned()))?;
        Store::open_with(url, StoreOptions::for_backend(backend)).await
    }

    pub async fn open_with(url: &str, options: StoreOptions) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url).ok_or_else(|| StoreError::UnsupportedUrl(url.to_owned()))?;
        let url = match backend {
            Backend::Sqlite => sqlite_url(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let connect = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
        let write_connections = match backend {
            Backend::Sqlite => 1,
            Backend::Postgres => u32::try_from(options.writers).unwrap_or(u32::MAX),
        };
        let write = pool(backend, &options, write_connections).connect_with(connect.clone()).await?;
        migrate(backend, &write).await?;
        let read = pool(backend, &options, options.read_connections).connect_with(connect).await?;
        let (changes, _) = tokio::sync::watch::channel(0);
        let submissions = applications::Submissions::start(write, &options, changes.clone());
        let inner = Arc::new(Inner { backend, read, submissions, options, changes });
        if backend == Backend::Sqlite {
            tokio::spawn(checkpoints(Arc::downgrade(&inner)));
        }
        Ok(Store { inner })
    }

    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    /// The pool for reads and single-statement writes.
    fn pool(&self) -> &AnyPool {
        &self.inner.read
    }

    /// The store's "now" (unix milliseconds).
    pub fn now(&self) -> i64 {
        self.inner.options.clock.now()
    }

    /// Changes the dashboard's facts: a counter that moves after every commit that changed them
    /// (applications, desk decisions, verified quotes) in this process.
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.changes.subscribe()
    }

    pub(crate) fn changed(&self) {
        self.inner.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(self.pool()).await.is_ok()
    }
}

/// `sqlite:PATH` with the folder created and the file created on first open.
fn sqlite_url(url: &str) -> Result<String, StoreError> {
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:" && !path.is_empty() {
        if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
            private_dir(parent).map_err(|source| StoreError::DataDir { path: parent.display().to_string(), source })?;
        }
        // Created here, owner-only, before SQLite creates it: SQLite gives its -wal and -shm files the
        // database file's mode.
        private_file(Path::new(path)).map_err(|source| StoreError::DataDir { path: path.to_owned(), source })?;
    }
    let query = if query.contains("mode=") { query.to_owned() } else { format!("mode=rwc&{query}") };
    Ok(format!("sqlite://{path}?{}", query.trim_end_matches('&')))
}

/// Create `folder` and any missing parents owner-only (0700): it holds the database and the server's
/// keys. An existing folder is left as it is (the server tightens its own data folder itself).
pub fn private_dir(folder: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder)
}

/// Create `file` empty with mode 0600 if it does not exist; an existing one is made 0600.
pub fn private_file(file: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(file)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

fn pool(backend: Backend, options: &StoreOptions, connections: u32) -> AnyPoolOptions {
    let options = AnyPoolOptions::new().max_connections(connections.max(1)).acquire_timeout(options.acquire_timeout);
    match backend {
        // WAL lets readers run beside the one writer; synchronous=FULL flushes every commit, so an
        // application that got its 201 survives a power cut, not only a crash of the server.
        Backend::Sqlite => options.after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute("PRAGMA busy_timeout = 10000").await?;
                conn.execute("PRAGMA synchronous = FULL").await?;
                // No checkpoint at a commit's end (by default the commit that fills 1,000 pages of WAL
                // copies them into the database and flushes it before its caller is answered: the
                // tail of every latency): [`checkpoints`] runs them beside the writer instead.
                conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                Ok(())
            })
        }),
        Backend::Postgres => options,
    }
}

/// How often the WAL is copied into the database file (SQLite).
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// SQLite: checkpoint the WAL every [`CHECKPOINT_EVERY`] on a reading connection, until the store is
/// dropped. PASSIVE: it takes no lock a writer needs, so commits go on (and are flushed: the WAL is
/// what makes them durable) while the pages are copied and the database file is flushed; the next
/// write after a complete checkpoint starts the WAL over, so it stays small.
async fn checkpoints(store: std::sync::Weak<Inner>) {
    let mut every = tokio::time::interval(CHECKPOINT_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let Some(inner) = store.upgrade() else { return };
        if let Err(error) = inner.read.execute("PRAGMA wal_checkpoint(PASSIVE)").await {
            tracing::warn!("WAL checkpoint: {error}");
        }
    }
}

async fn migrate(backend: Backend, pool: &AnyPool) -> Result<(), StoreError> {
    if backend == Backend::Sqlite {
        // journal_mode is stored in the database file: set once, before the schema exists.
        pool.execute("PRAGMA journal_mode = WAL").await?;
    }
    sqlx::migrate!("./migrations").run(pool).await?;
    applications::backfill_redemption_series(pool).await?;
    Ok(())
}

/// Milliseconds since the Unix epoch: how the store records times.
pub fn now_millis() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

/// Lower-case hexadecimal SHA-256 of `bytes`: how the store fingerprints bodies and secrets.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    secret::hex(&sha2::Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_get_create_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/premia.db");
        let url = sqlite_url(&format!("sqlite:{}", path.display())).unwrap();
        assert_eq!(url, format!("sqlite://{}?mode=rwc", path.display()));
        assert!(path.parent().unwrap().is_dir(), "the folder is created");
        assert_eq!(sqlite_url("sqlite::memory:").unwrap(), "sqlite://:memory:?mode=rwc");
        assert_eq!(sqlite_url("sqlite:x.db?mode=ro").unwrap(), "sqlite://x.db?mode=ro");
    }

    #[test]
    fn backends_by_url() {
        assert_eq!(Backend::of_url("sqlite:data/premia.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("postgres://u@127.0.0.1:5432/premia"), Some(Backend::Postgres));
        assert_eq!(Backend::of_url("postgresql://u@h/db"), Some(Backend::Postgres));
        assert_eq!(Backend::of_url("mysql://u@h/db"), None);
    }
}
