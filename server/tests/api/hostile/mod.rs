//! Every author and commenter may be an attacker: each numbered case of
//! the hostile-users issue, driven as an attacker would, with the safe
//! outcome asserted.

mod accounts;
mod limits;
mod markup;

use serde_json::Value;

use crate::helpers::TestApp;

/// A string that is markup in every context we can think of.
const HOSTILE: &str = r#"<script>alert(1)</script>"'><img src=x onerror=alert(2)></textarea></title><!--"#;

/// Publishes an article through the API; returns its slug.
async fn publish(app: &TestApp, token: &str, article: Value) -> String {
    app.publish(token, article).await
}
