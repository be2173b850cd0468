//! # premia-dashboard
//!
//! The premium dashboard's domain (保费数据看板), pure and shared: the server derives and stores the
//! facts and reads sums, the dashboard page shows what [`build`] made of them, from one definition.
//!
//! - [`facts`]: an application's facts, derived from the server's own quote (payment kind, first-year,
//!   annualised and single premium, each discount's share and the rule behind it, channel, agent,
//!   region).
//! - [`figures`]: the figures' definitions over sums of facts (新单保费, APE, 期缴 share, …).
//! - [`period`]: days, weeks, months, quarters; 环比 and 同比 spans; trends.
//! - [`targets`]: targets per period, as configuration, and progress towards them.
//! - [`build`]: from the store's sums to every figure and table of the dashboard.
//! - [`api`]: the wire types of `/api/dashboard/…` (queries, figures, tables, live updates).
//!
//! docs/dashboard.md defines every figure in words, with the industry definitions they follow.
//!
//! **Architecture Invariant:** no I/O, no clock; money in fen (`i64`) or `Decimal`, never a float.

pub mod api;
pub mod build;
pub mod facts;
pub mod figures;
pub mod period;
pub mod targets;

pub use api::{Dashboard, FigureId, Query, TableId, Update};
pub use facts::{ApplicationFacts, CoverageFact, DiscountFact, PaymentKind};
pub use period::{Grain, Period};
