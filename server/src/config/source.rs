//! Where settings come from (the process environment, an optional file, or a
//! map in tests), the error a bad one gives, and the helpers that read one
//! variable each.

use std::{fmt, str::FromStr};

use super::values::RunMode;

/// A setting that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// What is wrong with it, and what would be right.
    pub problem: String,
}

impl ConfigError {
    pub(super) fn new(variable: &'static str, problem: impl Into<String>) -> Self {
        Self {
            variable,
            problem: problem.into(),
        }
    }
}

/// Where variables come from: the process environment, or a map in tests.
pub trait Source {
    /// The value of `name`, if set and not empty.
    fn get(&self, name: &str) -> Option<String>;
}

/// The process environment, with the optional file layered underneath.
#[derive(Debug, Clone, Copy)]
pub struct Environment;

impl Source for Environment {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|value| !value.trim().is_empty())
    }
}

impl<S: std::hash::BuildHasher> Source for std::collections::HashMap<String, String, S> {
    fn get(&self, name: &str) -> Option<String> {
        self.get(name).filter(|value| !value.trim().is_empty()).cloned()
    }
}

/// Loads the optional settings file into the environment without overriding
/// anything already set.
pub fn load_file() -> Result<(), ConfigError> {
    match std::env::var("WARTA_CONFIG_FILE") {
        Ok(path) if !path.is_empty() => dotenvy::from_path(&path)
            .map_err(|error| ConfigError::new("WARTA_CONFIG_FILE", format!("cannot read {path}: {error}"))),
        _ => match dotenvy::dotenv() {
            Ok(_) => Ok(()),
            Err(error) if error.not_found() => Ok(()),
            Err(error) => Err(ConfigError::new(
                "WARTA_CONFIG_FILE",
                format!("cannot read .env: {error}"),
            )),
        },
    }
}

pub(super) fn parse_mode(source: &impl Source) -> Result<RunMode, ConfigError> {
    match source.get("WARTA_ENV").as_deref() {
        None | Some("development") => Ok(RunMode::Development),
        Some("production") => Ok(RunMode::Production),
        Some(other) => Err(ConfigError::new(
            "WARTA_ENV",
            format!("expected `development` or `production`, got `{other}`"),
        )),
    }
}

pub(super) fn required(source: &impl Source, name: &'static str) -> Result<String, ConfigError> {
    source.get(name).ok_or_else(|| ConfigError::new(name, "is not set"))
}

/// Parses `name` as a `T` accepted by `valid`, or gives `default` when unset.
pub(super) fn parse_or<T>(
    source: &impl Source,
    name: &'static str,
    default: T,
    valid: impl Fn(&T) -> bool,
) -> Result<T, ConfigError>
where
    T: FromStr + fmt::Display,
{
    let Some(raw) = source.get(name) else {
        return Ok(default);
    };
    let expected = std::any::type_name::<T>().rsplit("::").next().unwrap_or("value");
    match raw.trim().parse::<T>() {
        Ok(value) if valid(&value) => Ok(value),
        _ => Err(ConfigError::new(
            name,
            format!("`{raw}` is not a valid {expected} (default {default})"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{
        Settings,
        testing::{refused, source},
    };

    #[test]
    fn a_bad_port_names_the_variable_and_the_value() {
        let error = Settings::from_source(&source(&[("PORT", "eighty")])).unwrap_err();
        assert_eq!(error.variable, "PORT");
        assert!(error.to_string().contains("`eighty`"), "{error}");
    }

    #[test]
    fn an_unknown_environment_is_refused() {
        assert_eq!(refused(&[("WARTA_ENV", "staging")]), "WARTA_ENV");
    }
}
