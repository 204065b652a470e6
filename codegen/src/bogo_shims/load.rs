//! Reading shim files: YAML tree → [`ShimDoc`], with every unknown key,
//! repeated key and wrongly typed value reported (an entry with a problem
//! is left out; the rest of the file is still read and later checked).

use std::path::{Path, PathBuf};

use crate::bogo_shims::model::{
    AddressDoc, BuildDoc, ErrorsDoc, ErrorsEntryDoc, ProgramDoc, RunnerDoc, ShimDoc, TestErrorDoc,
    TestErrorEntryDoc, TestGlobDoc, TestGlobEntryDoc, VariantDoc, VariantEntryDoc, VariantsDoc,
};
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use crate::entries::{Entries, Entry};
use crate::located::Located;
use crate::yaml_tree::{self, Fields, Node, Reader, Value};

/// A shim file, read.
#[derive(Debug, Clone)]
pub struct LoadedShim {
    /// The file stem: how the CLI and tests name the shim.
    pub name: String,
    pub source: SourceFile,
    pub doc: ShimDoc,
}

/// The shim files (`*.yaml`) directly in `directory`, sorted by name.
pub fn shim_files(directory: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    crate::discover::yaml_files(directory, "the shim directory")
}

/// Reads one shim file. Problems go to `diagnostics`; `None` when the file
/// could not be read or lacks what every later check needs.
pub fn load_file(
    path: &Path,
    display_root: &Path,
    diagnostics: &mut Diagnostics,
) -> Option<LoadedShim> {
    let source = SourceFile::read(path, display_root)
        .map_err(|d| diagnostics.push(d))
        .ok()?;
    let name = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tree = yaml_tree::parse(&source)
        .map_err(|d| diagnostics.push(d))
        .ok()?;
    let doc = read_shim(&tree, &mut Reader::new(&source, diagnostics))?;
    Some(LoadedShim { name, source, doc })
}

fn read_shim(node: &Node, reader: &mut Reader<'_>) -> Option<ShimDoc> {
    let fields = reader.fields(node, "a mapping (a shim file)", ShimDoc::FIELDS)?;
    let description = fields
        .require("description", reader)
        .and_then(|node| reader.text(node, "text (the shim's description)"));
    let program = present(&fields, "program").and_then(|node| read_program(node, reader));
    let upstream_tests = fields
        .require("upstream_tests", reader)
        .and_then(|node| reader.text(node, "the name of an upstream test list"));
    let variants = present(&fields, "variants").and_then(|node| {
        entries(
            node,
            reader,
            "a mapping from variant names to descriptions",
            read_variant,
        )
    });
    let runner = present(&fields, "runner").and_then(|node| read_runner(node, reader));
    let disabled_tests = test_globs(&fields, "DisabledTests", reader);
    let unimplemented = test_globs(&fields, "unimplemented", reader);
    let expected_failures = test_globs(&fields, "expected_failures", reader);
    let error_map = present(&fields, "ErrorMap").and_then(|node| {
        entries(
            node,
            reader,
            "a mapping from expected errors to the shim's errors",
            read_errors,
        )
    });
    let test_error_map = present(&fields, "TestErrorMap").and_then(|node| {
        entries(
            node,
            reader,
            "a mapping from test names to errors",
            read_test_error,
        )
    });
    let test_local_error_map = present(&fields, "TestLocalErrorMap").and_then(|node| {
        entries(
            node,
            reader,
            "a mapping from test names to local errors",
            read_test_error,
        )
    });
    let half_rtt_tickets = present(&fields, "HalfRTTTickets")
        .and_then(|node| reader.integer(node, "a whole number of tickets (0 or more)"));
    let max_ack_buffer = present(&fields, "MaxACKBuffer")
        .and_then(|node| reader.integer(node, "a whole number of records (0 or more)"));
    let all_curves = present(&fields, "AllCurves").and_then(|node| {
        let items = reader.list(node, "a list of curve code points")?;
        let value = items
            .iter()
            .filter_map(|item| reader.integer(item, "a curve code point (0 to 65535)"))
            .collect();
        Some(Located {
            value,
            position: node.position,
        })
    });
    Some(ShimDoc {
        description,
        program,
        upstream_tests,
        variants,
        runner,
        disabled_tests,
        unimplemented,
        expected_failures,
        error_map,
        test_error_map,
        test_local_error_map,
        half_rtt_tickets,
        max_ack_buffer,
        all_curves,
    })
}

/// A mapping of named entries; entries whose value cannot be read are
/// left out.
fn entries<V>(
    node: &Node,
    reader: &mut Reader<'_>,
    expected: &str,
    mut read: impl FnMut(&Node, &mut Reader<'_>) -> Option<V>,
) -> Option<Entries<V>> {
    let entries = reader.entries(node, expected)?;
    Some(Entries(
        entries
            .into_iter()
            .filter_map(|(name, value)| read(value, reader).map(|value| Entry { name, value }))
            .collect(),
    ))
}

/// An optional field's value; `key:` with nothing after it counts as absent.
fn present<'n>(fields: &Fields<'n>, name: &str) -> Option<&'n Node> {
    fields
        .get(name)
        .filter(|node| !matches!(node.value, Value::Null))
}

fn located<T>(value: T, node: &Node) -> Located<T> {
    Located {
        value,
        position: node.position,
    }
}

fn read_program(node: &Node, reader: &mut Reader<'_>) -> Option<Located<ProgramDoc>> {
    let expected =
        "`cargo_bin: NAME`, `command: [PROGRAM, ARGS…]` or `build: {script: PATH, program: PATH}`";
    let fields = reader.fields(node, expected, ProgramDoc::FIELDS)?;
    let program = match (
        fields.get("cargo_bin"),
        fields.get("command"),
        fields.get("build"),
    ) {
        (Some(bin), None, None) => ProgramDoc::CargoBin(reader.text(bin, "a binary name")?),
        (None, Some(command), None) => ProgramDoc::Command(reader.texts(
            command,
            "a list: the program, then its leading arguments",
            "text (a program or an argument)",
        )?),
        (None, None, Some(build)) => {
            let fields = reader.fields(
                build,
                "a mapping with `script` and `program`",
                BuildDoc::FIELDS,
            )?;
            let script = fields.require("script", reader);
            let program = fields.require("program", reader);
            let script = script.and_then(|node| reader.text(node, "a script's path"));
            let program =
                program.and_then(|node| reader.text(node, "a path in the build's output"));
            ProgramDoc::Build(BuildDoc {
                script: script?,
                program: program?,
            })
        }
        _ => {
            reader.error(
                node.position,
                format!("`program` needs exactly one of {expected}"),
            );
            return None;
        }
    };
    Some(located(program, node))
}

fn read_variant(node: &Node, reader: &mut Reader<'_>) -> Option<Located<VariantDoc>> {
    let doc = match &node.value {
        Value::Map(_) => {
            let fields = reader.fields(
                node,
                "a mapping with `description` (and `env`)",
                VariantEntryDoc::FIELDS,
            )?;
            let description = required_text(
                &fields,
                "description",
                "text (the variant's description)",
                reader,
            );
            let env = present(&fields, "env").and_then(|node| {
                entries(
                    node,
                    reader,
                    "a mapping from environment variable names to values",
                    |node, reader| reader.text(node, "text (the variable's value)"),
                )
            });
            VariantDoc::Entry(VariantEntryDoc {
                description: description?,
                env,
            })
        }
        _ => VariantDoc::Description(
            reader
                .text(
                    node,
                    "text (the variant's description) or a mapping with `description` and `env`",
                )?
                .value,
        ),
    };
    Some(located(doc, node))
}

fn read_runner(node: &Node, reader: &mut Reader<'_>) -> Option<RunnerDoc> {
    let fields = reader.fields(node, "a mapping of runner options", RunnerDoc::FIELDS)?;
    let mut runner = RunnerDoc::default();
    if let Some(value) = fields.get("loose_errors").and_then(|n| reader.boolean(n)) {
        runner.loose_errors = value;
    }
    if let Some(value) = fields
        .get("allow_unimplemented")
        .and_then(|n| reader.boolean(n))
    {
        runner.allow_unimplemented = value;
    }
    if let Some(value) = fields
        .get("include_disabled")
        .and_then(|n| reader.boolean(n))
    {
        runner.include_disabled = value;
    }
    if let Some(value) = fields.get("shim_id").and_then(|n| reader.boolean(n)) {
        runner.shim_id = value;
    }
    if let Some(value) = fields.get("trust_cert").and_then(|n| reader.boolean(n)) {
        runner.trust_cert = value;
    }
    if let Some(node) = fields.get("address") {
        let expected = "`ipv6` or `ipv4`";
        match reader.text(node, expected)?.value.as_str() {
            "ipv6" => runner.address = AddressDoc::Ipv6,
            "ipv4" => runner.address = AddressDoc::Ipv4,
            other => reader.error(
                node.position,
                format!("expected {expected}, found `{other}`"),
            ),
        }
    }
    Some(runner)
}

fn read_variants(fields: &Fields<'_>, reader: &mut Reader<'_>) -> VariantsDoc {
    let node = present(fields, "variants")?;
    reader.texts(node, "a list of variant names", "a variant name")
}

/// A required text field; a missing value (`reason:`) reads as empty, so
/// that the emptiness check names it.
fn required_text(
    fields: &Fields<'_>,
    name: &str,
    expected: &str,
    reader: &mut Reader<'_>,
) -> Option<Located<String>> {
    let node = fields.require(name, reader)?;
    match node.value {
        Value::Null => Some(located(String::new(), node)),
        _ => reader.text(node, expected),
    }
}

/// A glob → reason section (`DisabledTests`, `unimplemented`,
/// `expected_failures`), if present.
fn test_globs(
    fields: &Fields<'_>,
    key: &str,
    reader: &mut Reader<'_>,
) -> Option<Entries<Located<TestGlobDoc>>> {
    present(fields, key).and_then(|node| {
        entries(
            node,
            reader,
            "a mapping from globs to reasons",
            read_test_glob,
        )
    })
}

fn read_test_glob(node: &Node, reader: &mut Reader<'_>) -> Option<Located<TestGlobDoc>> {
    let doc = match &node.value {
        Value::Null => TestGlobDoc::Reason(String::new()),
        Value::Map(_) => TestGlobDoc::Entry(read_test_glob_entry(node, reader)?),
        Value::List(items) => TestGlobDoc::PerVariant(
            items
                .iter()
                .filter_map(|item| read_test_glob_entry(item, reader).map(|e| located(e, item)))
                .collect(),
        ),
        _ => TestGlobDoc::Reason(
            reader
                .text(
                    node,
                    "a reason, a mapping with `reason`, or a list of such mappings",
                )?
                .value,
        ),
    };
    Some(located(doc, node))
}

fn read_test_glob_entry(node: &Node, reader: &mut Reader<'_>) -> Option<TestGlobEntryDoc> {
    let fields = reader.fields(
        node,
        "a mapping with `reason` (and `variants`, `keep_unmatched`)",
        TestGlobEntryDoc::FIELDS,
    )?;
    let reason = required_text(&fields, "reason", "text (why)", reader);
    let variants = read_variants(&fields, reader);
    let keep_unmatched = fields.get("keep_unmatched").map(|node| match node.value {
        Value::Null => Some(located(String::new(), node)),
        _ => reader.text(node, "text (why the glob is kept)"),
    });
    Some(TestGlobEntryDoc {
        reason: reason?,
        variants,
        keep_unmatched: keep_unmatched.flatten(),
    })
}

fn read_errors(node: &Node, reader: &mut Reader<'_>) -> Option<Located<ErrorsDoc>> {
    let expected =
        "a list of the shim's errors, a mapping with `errors`, or a list of such mappings";
    let doc = match &node.value {
        Value::Map(_) => ErrorsDoc::Entry(read_errors_entry(node, reader)?),
        Value::List(items) if items.iter().any(|item| matches!(item.value, Value::Map(_))) => {
            let mut entries = Vec::new();
            for item in items {
                if matches!(item.value, Value::Map(_)) {
                    entries.extend(read_errors_entry(item, reader).map(|e| located(e, item)));
                } else {
                    reader.error(
                        item.position,
                        "expected a mapping with `errors` like the other items of this list",
                    );
                }
            }
            ErrorsDoc::PerVariant(entries)
        }
        Value::List(_) => ErrorsDoc::Errors(reader.texts(node, expected, "text (an error)")?.value),
        _ => {
            reader.error(
                node.position,
                format!("expected {expected}, found {}", node.value.kind()),
            );
            return None;
        }
    };
    Some(located(doc, node))
}

fn read_errors_entry(node: &Node, reader: &mut Reader<'_>) -> Option<ErrorsEntryDoc> {
    let fields = reader.fields(
        node,
        "a mapping with `errors` (and `variants`)",
        ErrorsEntryDoc::FIELDS,
    )?;
    let errors = fields
        .require("errors", reader)
        .and_then(|node| reader.texts(node, "a list of the shim's errors", "text (an error)"));
    let variants = read_variants(&fields, reader);
    Some(ErrorsEntryDoc {
        errors: errors?,
        variants,
    })
}

fn read_test_error(node: &Node, reader: &mut Reader<'_>) -> Option<Located<TestErrorDoc>> {
    let doc = match &node.value {
        Value::Map(_) => TestErrorDoc::Entry(read_test_error_entry(node, reader)?),
        Value::List(items) => TestErrorDoc::PerVariant(
            items
                .iter()
                .filter_map(|item| read_test_error_entry(item, reader).map(|e| located(e, item)))
                .collect(),
        ),
        _ => TestErrorDoc::Error(
            reader
                .text(
                    node,
                    "an error (`\"\"` for any), a mapping with `error`, or a list of such mappings",
                )?
                .value,
        ),
    };
    Some(located(doc, node))
}

fn read_test_error_entry(node: &Node, reader: &mut Reader<'_>) -> Option<TestErrorEntryDoc> {
    let fields = reader.fields(
        node,
        "a mapping with `error` (and `variants`)",
        TestErrorEntryDoc::FIELDS,
    )?;
    let error = fields
        .require("error", reader)
        .and_then(|node| reader.text(node, "an error (`\"\"` for any)"));
    let variants = read_variants(&fields, reader);
    Some(TestErrorEntryDoc {
        error: error?,
        variants,
    })
}
