//! Staff accounts (the underwriting desk's and the dashboard's): passwords, sessions, the sign-in
//! routes and page (the `premia-server staff` commands are in `crate::cli::staff`).

pub mod password;
pub mod routes;
pub mod session;

pub use session::{Access, STAFF_ROUTES, Staff};
