//! A variant's config as the `-shim-config` JSON the BoGo runner reads:
//! sections in a fixed order, entries in file order, two-space indents.
//! Tests declared unimplemented or expected to fail join `DisabledTests`
//! (after the file's own entries), so the upstream runner skips them.

use serde_json::Value;

use crate::bogo_shims::plan::ConfigPlan;

/// The JSON text, ending in a newline.
pub fn render(config: &ConfigPlan) -> String {
    let mut members: Vec<String> = Vec::new();
    let declared = config
        .unimplemented
        .iter()
        .map(|d| {
            (
                d.glob.as_ref(),
                string(&format!("unimplemented: {}", d.reason)),
            )
        })
        .chain(config.expected_failures.iter().map(|d| {
            (
                d.glob.as_ref(),
                string(&format!("expected to fail: {}", d.reason)),
            )
        }));
    if config.disabled_tests.is_some()
        || !config.unimplemented.is_empty()
        || !config.expected_failures.is_empty()
    {
        let disabled = config.disabled_tests.iter().flatten();
        members.push(object(
            "DisabledTests",
            disabled
                .map(|d| (d.glob.as_ref(), string(&d.reason)))
                .chain(declared),
        ));
    }
    if let Some(mappings) = &config.error_map {
        members.push(object(
            "ErrorMap",
            mappings.iter().map(|m| {
                (
                    m.expected.as_ref(),
                    list(m.errors.iter().map(|e| string(e))),
                )
            }),
        ));
    }
    if let Some(errors) = &config.test_error_map {
        members.push(object(
            "TestErrorMap",
            errors.iter().map(|e| (e.test.as_ref(), string(&e.error))),
        ));
    }
    if let Some(errors) = &config.test_local_error_map {
        members.push(object(
            "TestLocalErrorMap",
            errors.iter().map(|e| (e.test.as_ref(), string(&e.error))),
        ));
    }
    if let Some(tickets) = config.half_rtt_tickets {
        members.push(format!("  {}: {tickets}", string("HalfRTTTickets")));
    }
    if let Some(records) = config.max_ack_buffer {
        members.push(format!("  {}: {records}", string("MaxACKBuffer")));
    }
    if let Some(curves) = &config.all_curves {
        members.push(format!(
            "  {}: {}",
            string("AllCurves"),
            list(curves.iter().map(u16::to_string))
        ));
    }
    if members.is_empty() {
        return "{}\n".to_string();
    }
    format!("{{\n{}\n}}\n", members.join(",\n"))
}

fn string(text: &str) -> String {
    Value::String(text.to_string()).to_string()
}

fn list(items: impl Iterator<Item = String>) -> String {
    format!("[{}]", items.collect::<Vec<_>>().join(", "))
}

/// `  "name": { … }` with one member a line.
fn object<'a>(name: &str, members: impl Iterator<Item = (&'a str, String)>) -> String {
    let lines: Vec<String> = members
        .map(|(key, value)| format!("    {}: {value}", string(key)))
        .collect();
    if lines.is_empty() {
        format!("  {}: {{}}", string(name))
    } else {
        format!("  {}: {{\n{}\n  }}", string(name), lines.join(",\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::render;
    use crate::bogo_shims::plan::{ConfigPlan, ErrorMapping, TestError, TestGlob};

    #[test]
    fn sections_render_in_order_with_escapes() {
        let config = ConfigPlan {
            disabled_tests: Some(vec![TestGlob {
                glob: "*-TLS1".into(),
                reason: "we only support \"TLS1.2\"".into(),
                declared_at: "x.yaml:1:1".into(),
            }]),
            unimplemented: Vec::new(),
            expected_failures: Vec::new(),
            error_map: Some(vec![ErrorMapping {
                expected: ":A:".into(),
                errors: vec![":B:".into(), ":C:".into()].into(),
            }]),
            test_error_map: Some(Vec::new()),
            test_local_error_map: Some(vec![TestError {
                test: "T".into(),
                error: "".into(),
            }]),
            half_rtt_tickets: Some(0),
            max_ack_buffer: None,
            all_curves: Some(vec![29, 23]),
        };
        assert_eq!(
            render(&config),
            r#"{
  "DisabledTests": {
    "*-TLS1": "we only support \"TLS1.2\""
  },
  "ErrorMap": {
    ":A:": [":B:", ":C:"]
  },
  "TestErrorMap": {},
  "TestLocalErrorMap": {
    "T": ""
  },
  "HalfRTTTickets": 0,
  "AllCurves": [29, 23]
}
"#
        );
        assert_eq!(render(&ConfigPlan::default()), "{}\n");
    }
}
