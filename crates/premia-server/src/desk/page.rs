//! `/desk/`: the desk page as built by scripts/desk-build.sh (its own WebAssembly module, apart from
//! the quote site's). The files are public; everything they show comes from the staff API, which needs
//! a session. Until the page is built, `/desk/` says how to build it.

use crate::built_page::BuiltPage;

/// `/desk/`, built by `scripts/desk-build.sh`.
pub static PAGE: BuiltPage = BuiltPage {
    path: "/desk",
    folder: |state| state.config.desk.dir.clone(),
    name: ("核保台", "desk"),
    script: "scripts/desk-build.sh",
};
