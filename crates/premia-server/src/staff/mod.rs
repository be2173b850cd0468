//! Staff accounts (the underwriting desk's and the dashboard's): passwords, sessions, the sign-in
//! routes and page, and the `premia-server staff` commands.

pub mod cmd;
pub mod password;
pub mod routes;
pub mod session;

pub use session::{Access, STAFF_ROUTES, Staff};
