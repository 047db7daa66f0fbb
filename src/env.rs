//! The environment, as commands read it: passed in, so that tests can give one of their own.

use std::collections::HashMap;

/// Environment variables by name.
pub trait Env {
    /// The variable as it is set, empty or not.
    fn get(&self, name: &str) -> Option<String>;

    /// The variable's value when it is set and not empty (the AWS CLI's convention: an empty
    /// variable counts as unset).
    fn value(&self, name: &str) -> Option<String> {
        self.get(name).filter(|v| !v.is_empty())
    }
}

/// The process's own environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl Env for HashMap<&str, &str> {
    fn get(&self, name: &str) -> Option<String> {
        HashMap::get(self, name).map(|v| (*v).to_owned())
    }
}
