//! Reading API requests: the `{"<name>": {...}}` body objects, their text
//! fields, and listing parameters, each refused with a 422 that names the
//! field at fault.
//!
//! A leaf beside the handlers rather than in `json_api/mod.rs`, for the same
//! reason as [`super::shapes`]: the handlers share it, and they must not
//! import the router that imports them.

use app::ssr::reading::MAX_OFFSET;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;

use super::error::ApiError;

/// The `{"<name>": {...}}` object of a request body.
pub(super) fn object(
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
    name: &'static str,
) -> Result<serde_json::Map<String, Value>, ApiError> {
    let Json(body) = body.map_err(|_| ApiError::Invalid("body", "is not a JSON object"))?;
    match body.get(name) {
        Some(Value::Object(inner)) => Ok(inner.clone()),
        _ => Err(ApiError::Invalid(name, "can't be blank")),
    }
}

/// A text field: `Ok(None)` when absent, 422 when null or not text.
pub(super) fn text(object: &serde_json::Map<String, Value>, field: &'static str) -> Result<Option<String>, ApiError> {
    match object.get(field) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(Value::Null) => Err(ApiError::Invalid(field, "can't be blank")),
        Some(_) => Err(ApiError::Invalid(field, "must be text")),
    }
}

/// Listing parameters, as text: bad values get a 422 naming the field,
/// not a generic rejection.
#[derive(Debug, Deserialize)]
pub(super) struct ListParams {
    pub(super) limit: Option<String>,
    pub(super) offset: Option<String>,
    pub(super) page: Option<String>,
    pub(super) tag: Option<String>,
    pub(super) author: Option<String>,
    pub(super) favorited: Option<String>,
    /// A full-text search: best matches first instead of newest.
    pub(super) q: Option<String>,
}

/// The default page size, and the largest a client may ask for.
const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 100;

impl ListParams {
    /// `(offset, limit)`. `limit` is 1 or more (more than [`MAX_LIMIT`]
    /// clamps to it); `offset` 0 or more; `page` (1-based, as the design
    /// note has it) counts in `limit`s and cannot be combined with `offset`.
    pub(super) fn window(&self) -> Result<(i64, i64), ApiError> {
        let limit = match whole_number(self.limit.as_deref(), "limit")? {
            None => DEFAULT_LIMIT,
            Some(limit) if limit < 1 => return Err(ApiError::Invalid("limit", "must be at least 1")),
            Some(limit) => limit.min(MAX_LIMIT),
        };
        let offset = whole_number(self.offset.as_deref(), "offset")?;
        let page = whole_number(self.page.as_deref(), "page")?;
        let offset = match (offset, page) {
            (Some(_), Some(_)) => return Err(ApiError::Invalid("page", "cannot be combined with offset")),
            (Some(offset), None) if offset < 0 => return Err(ApiError::Invalid("offset", "must be 0 or more")),
            (Some(offset), None) => offset,
            (None, Some(page)) if page < 1 => return Err(ApiError::Invalid("page", "must be at least 1")),
            (None, Some(page)) => (page - 1)
                .checked_mul(limit)
                .ok_or(ApiError::Invalid("page", "is too large"))?,
            (None, None) => 0,
        };
        Ok((offset, limit))
    }
}

/// A `?tag=`, `?author=` or `?favorited=` value: 422 naming the parameter
/// when it could not name anything (empty, NUL, control characters,
/// longer than any name).
pub(super) fn name_filter<'a>(raw: Option<&'a str>, field: &'static str) -> Result<Option<&'a str>, ApiError> {
    match raw {
        Some(name) if !app::domain::could_name_something(name, app::domain::NAME_MAX) => {
            Err(ApiError::Invalid(field, "is not a name anything can have"))
        }
        name => Ok(name),
    }
}

/// `offset` for a filtered listing: 422 past [`MAX_OFFSET`].
pub(super) fn shallow(offset: i64) -> Result<i64, ApiError> {
    if offset > MAX_OFFSET {
        return Err(ApiError::InvalidOwned(
            "offset",
            format!("is too deep for a filtered list (at most {MAX_OFFSET})"),
        ));
    }
    Ok(offset)
}

pub(super) fn whole_number(raw: Option<&str>, field: &'static str) -> Result<Option<i64>, ApiError> {
    raw.map(|raw| {
        raw.trim()
            .parse::<i64>()
            .map_err(|_| ApiError::Invalid(field, "must be a whole number"))
    })
    .transpose()
}
