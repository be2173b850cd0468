//! Demo material and demo data.
//!
//! [`material`]: what must not reach production unnoticed (an illustrative catalogue, coupons signed by
//! the key published in this repository): refused without `--allow-demo`.
//!
//! `premia-server demo seed --allow-demo --applications 5000 --days 365`: a year of made-up business
//! submitted through the same code path as real applications — the server's own router, in this
//! process: `POST /api/quotes/verify`, then `POST /api/quotes` with the number beside the quote (and
//! the agent's bearer token), and the referred ones decided at the desk by staff signed in through
//! `POST /api/staff/login` (`…/decisions`, `…/review`). Only the clock is the seed's: it runs through
//! the days, so that the store records each application on its day (`StoreClock`) and the server
//! prices and checks it on that day (its `Clock`).
//!
//! It writes made-up applications into the store it is given: it refuses to run without
//! `--allow-demo`. Its staff accounts and agent tokens are disabled and revoked when it ends.

pub mod generate;
pub mod material;
pub mod seed;

pub use material::{PUBLISHED_KEYS, check, is_published_key};
