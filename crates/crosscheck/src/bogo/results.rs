//! Chromium's JSON test results format (version 3), as the upstream BoGo
//! runner writes it with `-json-output`: one entry per test with its actual
//! and expected result, and counts per result type.

use std::collections::BTreeMap;

use serde::Serialize;

/// A result type as the format spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum ResultType {
    #[serde(rename = "PASS")]
    Pass,
    #[serde(rename = "FAIL")]
    Fail,
    #[serde(rename = "SKIP")]
    Skip,
}

impl ResultType {
    fn key(self) -> &'static str {
        match self {
            ResultType::Pass => "PASS",
            ResultType::Fail => "FAIL",
            ResultType::Skip => "SKIP",
        }
    }
}

/// The whole file.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub version: u32,
    pub interrupted: bool,
    pub path_delimiter: &'static str,
    pub seconds_since_epoch: f64,
    pub num_failures_by_type: BTreeMap<&'static str, usize>,
    pub tests: BTreeMap<String, TestResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    pub actual: ResultType,
    pub expected: ResultType,
    pub is_unexpected: bool,
    /// Not in Chromium's schema; the upstream runner adds it for failures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Results {
    pub fn new(seconds_since_epoch: f64) -> Self {
        Results {
            version: 3,
            interrupted: false,
            path_delimiter: ".",
            seconds_since_epoch,
            num_failures_by_type: BTreeMap::new(),
            tests: BTreeMap::new(),
        }
    }

    /// Records a test expected to pass (a failure is unexpected).
    pub fn add(&mut self, name: &str, actual: ResultType, error: Option<String>) {
        self.insert(name, actual, ResultType::Pass, error);
    }

    /// Records a skipped test (unimplemented with allow-unimplemented);
    /// skips are expected.
    pub fn add_skip(&mut self, name: &str) {
        self.insert(name, ResultType::Skip, ResultType::Skip, None);
    }

    /// Records a test with the result its shim's config expects (e.g.
    /// `FAIL` for a declared failure).
    pub fn add_expected(
        &mut self,
        name: &str,
        actual: ResultType,
        expected: ResultType,
        error: Option<String>,
    ) {
        self.insert(name, actual, expected, error);
    }

    pub fn has_unexpected(&self) -> bool {
        self.tests.values().any(|result| result.is_unexpected)
    }

    fn insert(
        &mut self,
        name: &str,
        actual: ResultType,
        expected: ResultType,
        error: Option<String>,
    ) {
        *self.num_failures_by_type.entry(actual.key()).or_default() += 1;
        self.tests.insert(
            name.to_string(),
            TestResult {
                actual,
                expected,
                is_unexpected: actual != expected,
                error,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_upstream_shape() {
        let mut results = Results::new(1.5);
        results.add("Basic-Client-TLS-Sync", ResultType::Pass, None);
        results.add("VersionTooLow", ResultType::Fail, Some("no error".into()));
        results.add_skip("ALPS-Basic");
        let json: serde_json::Value = serde_json::to_value(&results).expect("serialisable");
        assert_eq!(json["version"], 3);
        assert_eq!(json["path_delimiter"], ".");
        assert_eq!(json["num_failures_by_type"]["PASS"], 1);
        assert_eq!(json["num_failures_by_type"]["FAIL"], 1);
        assert_eq!(json["num_failures_by_type"]["SKIP"], 1);
        assert_eq!(json["tests"]["VersionTooLow"]["actual"], "FAIL");
        assert_eq!(json["tests"]["VersionTooLow"]["expected"], "PASS");
        assert_eq!(json["tests"]["VersionTooLow"]["is_unexpected"], true);
        assert_eq!(json["tests"]["VersionTooLow"]["error"], "no error");
        assert_eq!(json["tests"]["ALPS-Basic"]["is_unexpected"], false);
        assert!(
            json["tests"]["Basic-Client-TLS-Sync"]
                .get("error")
                .is_none()
        );
        assert!(results.has_unexpected());
    }
}
