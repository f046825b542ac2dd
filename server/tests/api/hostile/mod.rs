//! Every author and commenter may be an attacker: each numbered case of
//! the hostile-users issue, driven as an attacker would, with the safe
//! outcome asserted; and each numbered point of "safe in public" (issue
//! 23): `redirects` (1), `stores` (2, 3 and the flood), `lockout` (4, 6),
//! `sockets` (5), `small` (7); point 8 is `crate::recovery`.

mod accounts;
mod limits;
mod lockout;
mod markup;
mod redirects;
mod small;
mod sockets;
mod stores;

use serde_json::Value;

use crate::helpers::TestApp;

/// A string that is markup in every context we can think of.
const HOSTILE: &str = r#"<script>alert(1)</script>"'><img src=x onerror=alert(2)></textarea></title><!--"#;

/// Publishes an article through the API; returns its slug.
async fn publish(app: &TestApp, token: &str, article: Value) -> String {
    app.publish(token, article).await
}
