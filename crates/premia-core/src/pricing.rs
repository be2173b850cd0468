//! Pricing a request: the engine's steps ([`engine`]), the rating methods ([`rating`]), the
//! worksheet that records every step ([`worksheet`]) and the quote they produce ([`quote`]).

pub mod engine;
pub mod quote;
mod rating;
pub mod worksheet;
