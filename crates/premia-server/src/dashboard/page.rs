//! `/dashboard/`: the dashboard page as built by scripts/dashboard-build.sh (its own WebAssembly module
//! with Apache ECharts beside it, all served from here: nothing from a CDN). The files are public;
//! every figure they show comes from `/api/dashboard`, which needs a manager's or analyst's session.

use crate::built_page::BuiltPage;

/// `/dashboard/`, built by `scripts/dashboard-build.sh`.
pub static PAGE: BuiltPage = BuiltPage {
    path: "/dashboard",
    folder: |state| state.config.dashboard.dir.clone(),
    name: ("数据看板", "dashboard"),
    script: "scripts/dashboard-build.sh",
};
