//! Shared helpers for the cross-crate server tests.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

pub mod db;
pub mod desk;
pub mod quotes;
pub mod server;
pub mod variants;
