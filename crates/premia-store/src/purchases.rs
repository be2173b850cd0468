//! Buying: an application's details and consent, payment orders for the server's own first premium,
//! the providers' notifications applied exactly once, policies, and cooling-off refunds.
//!
//! Exactly once is the database's: a payment is applied in one transaction that first claims its
//! notice id (`payment_notices`, primary key) — a duplicate, replayed or late copy finds it taken and
//! changes nothing — and at most one order of an application can be `paid` and one policy issued
//! (`payment_orders_one_paid`, `policies.application_number UNIQUE`). A crash before the commit leaves
//! nothing, and the provider's retry applies it whole.
//!
//! Payments are committed by the store's writer tasks beside the submissions ([`crate::applications`]):
//! each in its own savepoint of the writer's batch, answered only after the batch commits. On SQLite that
//! is the one write connection: a payment never waits in SQLite's busy handler for the lock, and
//! payments arriving together share one flush.
//!
//! Every other transaction here writes first: on SQLite that takes the write lock at once, so a
//! transaction waits for another (`busy_timeout`) instead of failing on a lock upgrade.

use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row};

use crate::applications::{ApplicationRecord, Job, is_transient};
use crate::audit::{self, NewAuditEvent};
use crate::decisions::FinalRow;
use crate::{Store, StoreError};

/// An application's purchase details, stored beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPurchase {
    pub application_number: String,
    /// `premia_core::purchase::Application` as JSON: no resident ID number in it.
    pub application_json: String,
    pub received_at: i64,
    /// The server's own first premium, in fen.
    pub first_premium_fen: i64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseRecord {
    pub application_number: String,
    pub application_json: String,
    pub received_at: i64,
    pub first_premium_fen: i64,
    pub currency: String,
    /// `awaiting_payment`, `issued`, `cancelled` or `flagged`.
    pub state: String,
    /// Why a person must look at it (`flagged`): an amount that differed, a second payment.
    pub flag: Option<String>,
}

/// A payment order about to be placed at a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    pub out_trade_no: String,
    pub application_number: String,
    pub provider: String,
    pub amount_fen: i64,
    pub currency: String,
    pub placed_at: i64,
    pub expires_at: i64,
    /// What the page shows to pay it (QR code content, redirect), as JSON.
    pub action_json: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    pub out_trade_no: String,
    pub application_number: String,
    pub provider: String,
    pub amount_fen: i64,
    pub currency: String,
    pub placed_at: i64,
    pub expires_at: i64,
    /// `open`, `paid`, `expired`, `closed` or `mismatch`.
    pub state: String,
    pub action_json: String,
    pub provider_trade_no: Option<String>,
    pub paid_at: Option<i64>,
}

/// What [`Store::open_order`] found or did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderOpening {
    /// The new order is stored: place it at the provider.
    Created(OrderRecord),
    /// An order of this application is still open (not expired): show it again, make no other.
    StillOpen(OrderRecord),
    /// The application is paid (or cancelled, or flagged): nothing more to pay.
    NotPayable { state: String },
    /// No purchase is stored for this application number.
    NoPurchase,
}

/// A verified payment: from a provider's notification or from querying the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidNotice {
    /// `premia_pay::Notice::id`: the same for every retry and duplicate and for a query's result.
    pub notice_id: String,
    pub out_trade_no: String,
    pub provider_trade_no: String,
    pub paid_at: i64,
    pub received_at: i64,
}

/// The policy to issue if this payment is the application's first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPolicy {
    pub number: String,
    pub application_number: String,
    pub issued_at: i64,
    pub policy_json: String,
    pub signature: String,
}

/// What applying a payment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentApplied {
    /// The order is paid and the policy issued, now.
    Issued,
    /// This notice (or this order's payment) was applied before: nothing changed.
    Duplicate,
    /// Another order of the same application was paid first: this money must go back. Flagged.
    PaidTwice,
    /// No order has this number: flagged for a person.
    UnknownOrder,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRecord {
    pub number: String,
    pub application_number: String,
    pub issued_at: i64,
    pub policy_json: String,
    pub signature: String,
    /// `issued` or `cancelled`.
    pub status: String,
    pub cancelled_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefund {
    pub out_refund_no: String,
    pub policy_number: String,
    pub out_trade_no: String,
    pub amount_fen: i64,
    pub requested_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRecord {
    pub out_refund_no: String,
    pub policy_number: String,
    pub out_trade_no: String,
    pub amount_fen: i64,
    pub requested_at: i64,
    /// `requested`, `processing`, `succeeded` or `failed`.
    pub state: String,
    pub settled_at: Option<i64>,
}

/// An application and everything of its buying, as of one moment: what `GET /api/purchases/{token}`
/// shows. Read in one [`Snapshot`], so an order paid meanwhile shows either wholly (paid, the policy
/// issued) or not at all — never a paid order beside no policy, or a policy beside an open order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseView {
    pub application: ApplicationRecord,
    pub purchase: Option<PurchaseRecord>,
    /// Oldest first.
    pub orders: Vec<OrderRecord>,
    pub policy: Option<PolicyRecord>,
    /// The desk's final decision, when a person decided the application.
    pub case_final: Option<FinalRow>,
}

/// Reads that all see the store as of the first of them (see [`Store::snapshot`]).
pub struct Snapshot {
    tx: sqlx::Transaction<'static, Any>,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Snapshot")
    }
}

impl Snapshot {
    pub async fn purchase_view(&mut self, application_number: &str) -> Result<Option<PurchaseView>, StoreError> {
        let Some(application) = crate::applications::load(&mut self.tx, application_number).await? else {
            return Ok(None);
        };
        Ok(Some(PurchaseView {
            application,
            purchase: purchase_of(&mut self.tx, application_number).await?,
            orders: orders_of(&mut self.tx, application_number).await?,
            policy: policy_of(&mut self.tx, application_number).await?,
            case_final: crate::decisions::final_of(&mut self.tx, application_number).await?,
        }))
    }

    pub async fn orders_of(&mut self, application_number: &str) -> Result<Vec<OrderRecord>, StoreError> {
        Ok(orders_of(&mut self.tx, application_number).await?)
    }

    pub async fn policy_of(&mut self, application_number: &str) -> Result<Option<PolicyRecord>, StoreError> {
        Ok(policy_of(&mut self.tx, application_number).await?)
    }

    /// End the transaction (it wrote nothing).
    pub async fn finish(self) -> Result<(), StoreError> {
        Ok(self.tx.commit().await?)
    }
}

/// All a payment's notification needs to be applied, read in one statement (one round trip): the
/// order, what its application was accepted on, the details to issue the policy from, and whether
/// this notice was applied before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentContext {
    pub order: OrderRecord,
    /// The application's status (`accepted` when pre-underwriting accepted it).
    pub application_status: String,
    /// The quote the application was submitted with.
    pub quote_json: String,
    /// The stored purchase details (`None`: the application has none).
    pub details_json: Option<String>,
    /// The desk's final decision and its quote, when a person decided.
    pub final_outcome: Option<String>,
    pub final_quote_json: Option<String>,
    /// This notice id was applied (or flagged) before: a duplicate, replayed or late copy.
    pub notice_seen: bool,
}

/// The columns of `payment_orders`, in [`order_row`]'s order: a macro, so statements stay `&'static str`.
macro_rules! order_columns {
    () => {
        "out_trade_no, application_number, provider, amount_fen, currency, placed_at, expires_at, state, \
         action_json, provider_trade_no, paid_at"
    };
}

fn order_row(row: &AnyRow) -> Result<OrderRecord, sqlx::Error> {
    Ok(OrderRecord {
        out_trade_no: row.try_get("out_trade_no")?,
        application_number: row.try_get("application_number")?,
        provider: row.try_get("provider")?,
        amount_fen: row.try_get("amount_fen")?,
        currency: row.try_get("currency")?,
        placed_at: row.try_get("placed_at")?,
        expires_at: row.try_get("expires_at")?,
        state: row.try_get("state")?,
        action_json: row.try_get("action_json")?,
        provider_trade_no: row.try_get("provider_trade_no")?,
        paid_at: row.try_get("paid_at")?,
    })
}

fn policy_row(row: &AnyRow) -> Result<PolicyRecord, sqlx::Error> {
    Ok(PolicyRecord {
        number: row.try_get("number")?,
        application_number: row.try_get("application_number")?,
        issued_at: row.try_get("issued_at")?,
        policy_json: row.try_get("policy_json")?,
        signature: row.try_get("signature")?,
        status: row.try_get("status")?,
        cancelled_at: row.try_get("cancelled_at")?,
    })
}

fn refund_row(row: &AnyRow) -> Result<RefundRecord, sqlx::Error> {
    Ok(RefundRecord {
        out_refund_no: row.try_get("out_refund_no")?,
        policy_number: row.try_get("policy_number")?,
        out_trade_no: row.try_get("out_trade_no")?,
        amount_fen: row.try_get("amount_fen")?,
        requested_at: row.try_get("requested_at")?,
        state: row.try_get("state")?,
        settled_at: row.try_get("settled_at")?,
    })
}

/// Whether `error` is a unique-constraint violation (a concurrent writer got there first).
fn is_unique_violation(error: &sqlx::Error) -> bool {
    error.as_database_error().is_some_and(|e| e.is_unique_violation())
}

impl Store {
    /// Store an application's purchase details; `false` if they were stored before (a retry).
    pub async fn record_purchase(&self, purchase: &NewPurchase) -> Result<bool, StoreError> {
        let added = sqlx::query::<Any>(
            "INSERT INTO purchases (application_number, application_json, received_at, first_premium_fen, currency, state) \
             VALUES ($1, $2, $3, $4, $5, 'awaiting_payment') ON CONFLICT DO NOTHING",
        )
        .bind(&purchase.application_number)
        .bind(&purchase.application_json)
        .bind(purchase.received_at)
        .bind(purchase.first_premium_fen)
        .bind(&purchase.currency)
        .execute(self.pool())
        .await?
        .rows_affected()
            == 1;
        Ok(added)
    }

    pub async fn purchase(&self, application_number: &str) -> Result<Option<PurchaseRecord>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        Ok(purchase_of(&mut conn, application_number).await?)
    }

    /// Open `order` for its application, as of `now`: open orders past their expiry are marked
    /// `expired` first; an order still open is returned instead of a new one (one open order per
    /// application, held by a unique index even between replicas).
    pub async fn open_order(&self, order: &NewOrder, now: i64) -> Result<OrderOpening, StoreError> {
        for _ in 0..3 {
            match self.try_open_order(order, now).await {
                Err(StoreError::Database(e)) if is_unique_violation(&e) => continue,
                other => return other,
            }
        }
        // Three concurrent openers in a row won: the open order is theirs, show it.
        match self.open_order_of(&order.application_number).await? {
            Some(open) => Ok(OrderOpening::StillOpen(open)),
            None => Err(StoreError::Batch("could not open a payment order under contention".into())),
        }
    }

    async fn try_open_order(&self, order: &NewOrder, now: i64) -> Result<OrderOpening, StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query::<Any>(
            "UPDATE payment_orders SET state = 'expired' WHERE application_number = $1 AND state = 'open' AND expires_at <= $2",
        )
        .bind(&order.application_number)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let state: Option<String> =
            sqlx::query_scalar::<Any, String>("SELECT state FROM purchases WHERE application_number = $1")
                .bind(&order.application_number)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(state) = state else { return Ok(OrderOpening::NoPurchase) };
        if state != "awaiting_payment" {
            return Ok(OrderOpening::NotPayable { state });
        }
        let open = sqlx::query::<Any>(concat!(
            "SELECT ",
            order_columns!(),
            " FROM payment_orders WHERE application_number = $1 AND state = 'open'"
        ))
        .bind(&order.application_number)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(open) = open {
            let open = order_row(&open)?;
            tx.commit().await?;
            return Ok(OrderOpening::StillOpen(open));
        }
        sqlx::query::<Any>(concat!(
            "INSERT INTO payment_orders (",
            order_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, NULL, NULL)"
        ))
        .bind(&order.out_trade_no)
        .bind(&order.application_number)
        .bind(&order.provider)
        .bind(order.amount_fen)
        .bind(&order.currency)
        .bind(order.placed_at)
        .bind(order.expires_at)
        .bind(&order.action_json)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let created = OrderRecord {
            out_trade_no: order.out_trade_no.clone(),
            application_number: order.application_number.clone(),
            provider: order.provider.clone(),
            amount_fen: order.amount_fen,
            currency: order.currency.clone(),
            placed_at: order.placed_at,
            expires_at: order.expires_at,
            state: "open".into(),
            action_json: order.action_json.clone(),
            provider_trade_no: None,
            paid_at: None,
        };
        Ok(OrderOpening::Created(created))
    }

    async fn open_order_of(&self, application_number: &str) -> Result<Option<OrderRecord>, StoreError> {
        let row = sqlx::query::<Any>(concat!(
            "SELECT ",
            order_columns!(),
            " FROM payment_orders WHERE application_number = $1 AND state = 'open'"
        ))
        .bind(application_number)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(order_row).transpose()?)
    }

    /// Record what the provider answered when the order was placed there: the action the page shows
    /// and the time the order was sent with (UnionPay's `txnTime`, needed to query it).
    pub async fn place_order(&self, out_trade_no: &str, action_json: &str, placed_at: i64) -> Result<(), StoreError> {
        sqlx::query::<Any>("UPDATE payment_orders SET action_json = $1, placed_at = $2 WHERE out_trade_no = $3")
            .bind(action_json)
            .bind(placed_at)
            .bind(out_trade_no)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn order(&self, out_trade_no: &str) -> Result<Option<OrderRecord>, StoreError> {
        let row =
            sqlx::query::<Any>(concat!("SELECT ", order_columns!(), " FROM payment_orders WHERE out_trade_no = $1"))
                .bind(out_trade_no)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.as_ref().map(order_row).transpose()?)
    }

    /// An application's orders, oldest first.
    pub async fn orders_of(&self, application_number: &str) -> Result<Vec<OrderRecord>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        Ok(orders_of(&mut conn, application_number).await?)
    }

    /// Orders whose payment may have happened without its notification reaching us: open ones placed
    /// before `placed_before`, and expired ones that expired after `expired_since` (a payment may land
    /// at the provider just before the expiry). For the reconciliation poller to query.
    pub async fn orders_to_reconcile(
        &self,
        placed_before: i64,
        expired_since: i64,
        limit: i64,
    ) -> Result<Vec<OrderRecord>, StoreError> {
        let rows = sqlx::query::<Any>(concat!(
            "SELECT ",
            order_columns!(),
            " FROM payment_orders \
             WHERE (state = 'open' AND placed_at < $1) OR (state = 'expired' AND expires_at >= $2) \
             ORDER BY placed_at LIMIT $3"
        ))
        .bind(placed_before)
        .bind(expired_since)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(order_row).collect::<Result<_, _>>()?)
    }

    /// Mark an unpaid order `closed` (the provider closed it, or it was replaced); a paid one stays paid.
    pub async fn close_order(&self, out_trade_no: &str) -> Result<bool, StoreError> {
        let changed = sqlx::query::<Any>(
            "UPDATE payment_orders SET state = 'closed' WHERE out_trade_no = $1 AND state IN ('open', 'expired')",
        )
        .bind(out_trade_no)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    /// The order `out_trade_no` and what applying `notice_id` to it needs ([`PaymentContext`]), in one
    /// statement; `None` if no order has this number.
    pub async fn payment_context(
        &self,
        out_trade_no: &str,
        notice_id: &str,
    ) -> Result<Option<PaymentContext>, StoreError> {
        let row = sqlx::query::<Any>(
            "SELECT o.out_trade_no, o.application_number, o.provider, o.amount_fen, o.currency, o.placed_at, \
             o.expires_at, o.state, o.action_json, o.provider_trade_no, o.paid_at, \
             a.status AS application_status, a.quote_json AS quote_json, p.application_json AS details_json, \
             f.outcome AS final_outcome, f.quote_json AS final_quote_json, \
             (SELECT COUNT(*) FROM payment_notices n WHERE n.notice_id = $2) AS notices \
             FROM payment_orders o JOIN applications a ON a.number = o.application_number \
             LEFT JOIN purchases p ON p.application_number = o.application_number \
             LEFT JOIN case_finals f ON f.application_number = o.application_number \
             WHERE o.out_trade_no = $1",
        )
        .bind(out_trade_no)
        .bind(notice_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(PaymentContext {
            order: order_row(&row)?,
            application_status: row.try_get("application_status")?,
            quote_json: row.try_get("quote_json")?,
            details_json: row.try_get("details_json")?,
            final_outcome: row.try_get("final_outcome")?,
            final_quote_json: row.try_get("final_quote_json")?,
            notice_seen: row.try_get::<i64, _>("notices")? > 0,
        }))
    }

    /// Whether a notice with this id was applied (or flagged) before: a duplicate, replayed or late
    /// copy, answered without computing a policy. Only a shortcut: [`Store::apply_payment`] claims the
    /// id in its transaction whatever this said.
    pub async fn notice_seen(&self, notice_id: &str) -> Result<bool, StoreError> {
        let seen = sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM payment_notices WHERE notice_id = $1")
            .bind(notice_id)
            .fetch_one(self.pool())
            .await?;
        Ok(seen > 0)
    }

    /// Apply a verified payment exactly once: claim the notice id, mark the order paid, issue `policy`.
    /// A notice seen before, or an order already paid, changes nothing; a second order of the same
    /// application paid is flagged (its money must go back), as is a payment for no known order.
    ///
    /// Committed by the store's writers with the submissions (`applications`' group commit, each
    /// payment in its own savepoint) before this returns: the caller may acknowledge it then.
    pub async fn apply_payment(&self, notice: &PaidNotice, policy: &NewPolicy) -> Result<PaymentApplied, StoreError> {
        let mut attempt = 0;
        loop {
            let (reply, answer) = tokio::sync::oneshot::channel();
            let job = Job::Pay { notice: notice.clone(), policy: policy.clone(), reply };
            self.inner.submissions.queue.send(job).await.map_err(|_| StoreError::Closed)?;
            let outcome = answer.await.map_err(|_| StoreError::Closed)?;
            attempt += 1;
            match outcome {
                // Two orders of one application paid at once (several writers or replicas): the loser
                // runs again and finds the winner.
                Err(StoreError::Database(e)) if attempt < PAY_ATTEMPTS && is_unique_violation(&e) => {}
                // A batch that failed to commit stored nothing of this payment; if it did land despite
                // reporting failure, the retry finds its notice id taken (a duplicate).
                Err(error) if attempt < PAY_ATTEMPTS && is_transient(&error) => {
                    tokio::time::sleep(std::time::Duration::from_millis(5 << attempt)).await;
                }
                outcome => return outcome,
            }
        }
    }

    /// Record a genuine notice that must not issue (an amount or currency that differs from the order):
    /// the order is marked `mismatch` and the purchase flagged for a person, once per notice id.
    /// `false` if this notice was recorded before.
    pub async fn flag_payment(
        &self,
        notice_id: &str,
        out_trade_no: &str,
        received_at: i64,
        detail: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let claimed = sqlx::query::<Any>(
            "INSERT INTO payment_notices (notice_id, out_trade_no, received_at, outcome, detail) \
             VALUES ($1, $2, $3, 'mismatch', $4) ON CONFLICT DO NOTHING",
        )
        .bind(notice_id)
        .bind(out_trade_no)
        .bind(received_at)
        .bind(detail)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if claimed {
            let application: Option<String> = sqlx::query_scalar::<Any, String>(
                "SELECT application_number FROM payment_orders WHERE out_trade_no = $1",
            )
            .bind(out_trade_no)
            .fetch_optional(&mut *tx)
            .await?;
            sqlx::query::<Any>(
                "UPDATE payment_orders SET state = 'mismatch' WHERE out_trade_no = $1 AND state <> 'paid'",
            )
            .bind(out_trade_no)
            .execute(&mut *tx)
            .await?;
            if let Some(application) = &application {
                flag_purchase(&mut tx, application, detail).await?;
            }
            let event = serde_json::json!({ "notice": notice_id, "order": out_trade_no, "detail": detail }).to_string();
            audit::insert(&mut *tx, &NewAuditEvent::new("payment.mismatch", event)).await?;
        }
        tx.commit().await?;
        Ok(claimed)
    }

    pub async fn policy(&self, number: &str) -> Result<Option<PolicyRecord>, StoreError> {
        let row = sqlx::query::<Any>(
            "SELECT number, application_number, issued_at, policy_json, signature, status, cancelled_at FROM policies WHERE number = $1",
        )
        .bind(number)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(policy_row).transpose()?)
    }

    pub async fn policy_of(&self, application_number: &str) -> Result<Option<PolicyRecord>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        Ok(policy_of(&mut conn, application_number).await?)
    }

    /// Everything an application's buying status shows, read as of one moment (see [`Snapshot`]).
    pub async fn purchase_view(&self, application_number: &str) -> Result<Option<PurchaseView>, StoreError> {
        let mut snapshot = self.snapshot().await?;
        let view = snapshot.purchase_view(application_number).await?;
        snapshot.finish().await?;
        Ok(view)
    }

    /// A read-only transaction whose reads all see the store as of its first one: PostgreSQL's
    /// `REPEATABLE READ` (its default, `READ COMMITTED`, gives each statement a snapshot of its own);
    /// on SQLite every read transaction is one snapshot of the WAL.
    pub async fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let tx = match self.backend() {
            crate::Backend::Postgres => {
                self.pool().begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?
            }
            crate::Backend::Sqlite => self.pool().begin().await?,
        };
        Ok(Snapshot { tx })
    }

    /// How many policies exist for `application_number` (0 or 1; a test's exactly-once check).
    pub async fn policy_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar::<Any, i64>("SELECT COUNT(*) FROM policies").fetch_one(self.pool()).await?)
    }

    /// Store a cooling-off refund before it is sent; the stored one if it was stored before (send
    /// the same request again: the provider treats it as the same refund).
    pub async fn begin_refund(&self, refund: &NewRefund) -> Result<RefundRecord, StoreError> {
        sqlx::query::<Any>(
            "INSERT INTO refunds (out_refund_no, policy_number, out_trade_no, amount_fen, requested_at, state) \
             VALUES ($1, $2, $3, $4, $5, 'requested') ON CONFLICT DO NOTHING",
        )
        .bind(&refund.out_refund_no)
        .bind(&refund.policy_number)
        .bind(&refund.out_trade_no)
        .bind(refund.amount_fen)
        .bind(refund.requested_at)
        .execute(self.pool())
        .await?;
        self.refund_of(&refund.policy_number).await?.ok_or_else(|| StoreError::Corrupt("refund not stored".into()))
    }

    pub async fn refund_of(&self, policy_number: &str) -> Result<Option<RefundRecord>, StoreError> {
        let row = sqlx::query::<Any>(
            "SELECT out_refund_no, policy_number, out_trade_no, amount_fen, requested_at, state, settled_at \
             FROM refunds WHERE policy_number = $1",
        )
        .bind(policy_number)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(refund_row).transpose()?)
    }

    /// Record a refund's progress. `succeeded` cancels the policy and the purchase, once.
    pub async fn settle_refund(&self, out_refund_no: &str, state: &str, at: i64) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        let changed = sqlx::query::<Any>(
            "UPDATE refunds SET state = $1, settled_at = $2 WHERE out_refund_no = $3 AND state <> 'succeeded'",
        )
        .bind(state)
        .bind(at)
        .bind(out_refund_no)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 1 && state == "succeeded" {
            let policy: String =
                sqlx::query_scalar::<Any, String>("SELECT policy_number FROM refunds WHERE out_refund_no = $1")
                    .bind(out_refund_no)
                    .fetch_one(&mut *tx)
                    .await?;
            sqlx::query::<Any>("UPDATE policies SET status = 'cancelled', cancelled_at = $1 WHERE number = $2")
                .bind(at)
                .bind(&policy)
                .execute(&mut *tx)
                .await?;
            sqlx::query::<Any>(
                "UPDATE purchases SET state = 'cancelled' WHERE application_number = \
                 (SELECT application_number FROM policies WHERE number = $1)",
            )
            .bind(&policy)
            .execute(&mut *tx)
            .await?;
            let detail = serde_json::json!({ "policy": policy, "refund": out_refund_no }).to_string();
            audit::insert(&mut *tx, &NewAuditEvent::new("policy.cancelled", detail)).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// How often [`Store::apply_payment`] sends a payment whose batch failed for a passing reason.
const PAY_ATTEMPTS: u32 = 5;

/// Apply a payment in the writer's transaction (see [`Store::apply_payment`]): the caller holds a
/// savepoint around it and commits. Writes first — the claim of the notice id — so that on SQLite the
/// write lock is the transaction's from its first statement.
pub(crate) async fn apply_in(
    conn: &mut AnyConnection,
    notice: &PaidNotice,
    policy: &NewPolicy,
) -> Result<PaymentApplied, sqlx::Error> {
    let claimed = sqlx::query::<Any>(
        "INSERT INTO payment_notices (notice_id, out_trade_no, received_at, outcome, detail) \
         VALUES ($1, $2, $3, 'issued', '') ON CONFLICT DO NOTHING",
    )
    .bind(&notice.notice_id)
    .bind(&notice.out_trade_no)
    .bind(notice.received_at)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if !claimed {
        return Ok(PaymentApplied::Duplicate);
    }
    // The order, and the application's paid order if there is one, in one statement.
    let order = sqlx::query::<Any>(
        "SELECT o.application_number, o.state, \
         (SELECT p.out_trade_no FROM payment_orders p WHERE p.application_number = o.application_number \
          AND p.state = 'paid') AS paid_order \
         FROM payment_orders o WHERE o.out_trade_no = $1",
    )
    .bind(&notice.out_trade_no)
    .fetch_optional(&mut *conn)
    .await?;
    let outcome = |outcome: &'static str, detail: String| {
        sqlx::query::<Any>("UPDATE payment_notices SET outcome = $1, detail = $2 WHERE notice_id = $3")
            .bind(outcome)
            .bind(detail)
            .bind(notice.notice_id.clone())
    };
    let Some(order) = order else {
        outcome("unknown_order", format!("no order {}", notice.out_trade_no)).execute(&mut *conn).await?;
        audit::insert(&mut *conn, &flag_event("payment.unknown_order", notice)).await?;
        return Ok(PaymentApplied::UnknownOrder);
    };
    let application: String = order.try_get("application_number")?;
    let state: String = order.try_get("state")?;
    let paid_order: Option<String> = order.try_get("paid_order")?;
    if state == "paid" {
        // The same payment reached us under another id (e.g. before a provider changed its ids).
        outcome("duplicate", String::new()).execute(&mut *conn).await?;
        return Ok(PaymentApplied::Duplicate);
    }
    if let Some(first) = paid_order {
        outcome("paid_twice", format!("application already paid by order {first}")).execute(&mut *conn).await?;
        let flag = format!("paid twice: order {} after {first}", notice.out_trade_no);
        flag_purchase(&mut *conn, &application, &flag).await?;
        audit::insert(&mut *conn, &flag_event("payment.paid_twice", notice)).await?;
        return Ok(PaymentApplied::PaidTwice);
    }
    sqlx::query::<Any>(
        "UPDATE payment_orders SET state = 'paid', provider_trade_no = $1, paid_at = $2 WHERE out_trade_no = $3",
    )
    .bind(&notice.provider_trade_no)
    .bind(notice.paid_at)
    .bind(&notice.out_trade_no)
    .execute(&mut *conn)
    .await?;
    sqlx::query::<Any>(
        "INSERT INTO policies (number, application_number, issued_at, policy_json, signature, status) \
         VALUES ($1, $2, $3, $4, $5, 'issued')",
    )
    .bind(&policy.number)
    .bind(&policy.application_number)
    .bind(policy.issued_at)
    .bind(&policy.policy_json)
    .bind(&policy.signature)
    .execute(&mut *conn)
    .await?;
    sqlx::query::<Any>(
        "UPDATE purchases SET state = 'issued' WHERE application_number = $1 AND state = 'awaiting_payment'",
    )
    .bind(&application)
    .execute(&mut *conn)
    .await?;
    let detail = serde_json::json!({ "policy": policy.number, "order": notice.out_trade_no }).to_string();
    audit::insert(&mut *conn, &NewAuditEvent::new("policy.issued", detail).application(&application)).await?;
    Ok(PaymentApplied::Issued)
}

fn flag_event(kind: &'static str, notice: &PaidNotice) -> NewAuditEvent {
    let detail = serde_json::json!({ "notice": notice.notice_id, "order": notice.out_trade_no }).to_string();
    NewAuditEvent::new(kind, detail)
}

async fn flag_purchase(conn: &mut AnyConnection, application_number: &str, flag: &str) -> Result<(), sqlx::Error> {
    sqlx::query::<Any>("UPDATE purchases SET flag = $1, state = CASE WHEN state = 'awaiting_payment' THEN 'flagged' ELSE state END WHERE application_number = $2")
        .bind(flag)
        .bind(application_number)
        .execute(conn)
        .await?;
    Ok(())
}

async fn purchase_of(
    conn: &mut AnyConnection,
    application_number: &str,
) -> Result<Option<PurchaseRecord>, sqlx::Error> {
    let row = sqlx::query::<Any>(
        "SELECT application_number, application_json, received_at, first_premium_fen, currency, state, flag \
         FROM purchases WHERE application_number = $1",
    )
    .bind(application_number)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(PurchaseRecord {
        application_number: row.try_get("application_number")?,
        application_json: row.try_get("application_json")?,
        received_at: row.try_get("received_at")?,
        first_premium_fen: row.try_get("first_premium_fen")?,
        currency: row.try_get("currency")?,
        state: row.try_get("state")?,
        flag: row.try_get("flag")?,
    }))
}

async fn orders_of(conn: &mut AnyConnection, application_number: &str) -> Result<Vec<OrderRecord>, sqlx::Error> {
    let rows = sqlx::query::<Any>(concat!(
        "SELECT ",
        order_columns!(),
        " FROM payment_orders WHERE application_number = $1 ORDER BY placed_at, out_trade_no"
    ))
    .bind(application_number)
    .fetch_all(conn)
    .await?;
    rows.iter().map(order_row).collect()
}

async fn policy_of(conn: &mut AnyConnection, application_number: &str) -> Result<Option<PolicyRecord>, sqlx::Error> {
    let row = sqlx::query::<Any>(
        "SELECT number, application_number, issued_at, policy_json, signature, status, cancelled_at \
         FROM policies WHERE application_number = $1",
    )
    .bind(application_number)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(policy_row).transpose()
}
