//! Facts about the site that every layer reads: the pages, the server
//! functions, `ssr` state and the server binary.
//!
//! A leaf on purpose (it imports nothing), so reading the site's name or
//! origin never ties a module to the UI code that happens to show them.

/// The site's name, as shown in the header and in page titles.
pub const SITE_NAME: &str = "Warta";

/// The site's public origin (`WARTA_PUBLIC_URL`), without a trailing slash.
/// The server provides it; in the browser the page's own origin is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicUrl(pub String);
