//! Shared helpers for the cross-crate server tests.
#![allow(dead_code, unreachable_pub)]

pub mod db;
