//! Text formats other programs hand crosscheck: App Identity suites, TAP
//! streams, the BoGo runner's JSON configs and test lists.

use std::io;

use app_identity::{EvaluateOptions, Suite};
use crosscheck::bogo::TestList;
use crosscheck::bogo::import::{ImportOptions, UpstreamList, import};
use crosscheck_codegen::SpecFamily;
use crosscheck_codegen::app_identity::AppIdentity;

use crate::seeds::{Seed, files_in};
use crate::{Input, Target, project_root};

pub const SUITE_JSON: Target = Target {
    name: "suite_json",
    reads: "an App Identity suite (JSON) as verifiers read it, and every proof in it verified",
    run: |_, data| suite_json(data),
    seeds: suite_seeds,
    canary: false,
};

pub const TAP: Target = Target {
    name: "tap",
    reads: "a TAP 14 stream, as read from the reference tools",
    run: |_, data| Input::from_ok(crosscheck_tap::parse(&String::from_utf8_lossy(data)).is_ok()),
    seeds: || {
        Ok(TAP_SEEDS
            .iter()
            .enumerate()
            .map(|(index, text)| Seed::new(&format!("{index}.tap"), text.as_bytes().to_vec()))
            .collect())
    },
    canary: false,
};

pub const BOGO_CONFIG: Target = Target {
    name: "bogo_config",
    reads: "a BoGo runner config.json, as `crosscheck bogo import` reads it",
    run: |_, data| bogo_config(data),
    seeds: || {
        let mut seeds = files_in(
            &project_root().join("tests/fixtures/bogo_import"),
            &[".json"],
        )?;
        seeds.extend(files_in(
            &project_root().join("specs/shims/upstream"),
            &[".json", ".json.in"],
        )?);
        Ok(seeds)
    },
    canary: false,
};

pub const BOGO_TEST_LIST: Target = Target {
    name: "bogo_test_list",
    reads: "a BoGo test list (the runner's -list-tests output)",
    run: |_, data| {
        let list = TestList::parse("fuzz", &String::from_utf8_lossy(data));
        Input::from_ok(!list.names.is_empty())
    },
    seeds: || files_in(&project_root().join("specs/bogo/upstream-tests"), &[".txt"]),
    canary: false,
};

fn suite_json(data: &[u8]) -> Input {
    let Ok(text) = std::str::from_utf8(data) else {
        return Input::Rejected;
    };
    let Ok(suite) = Suite::from_json(text) else {
        return Input::Rejected;
    };
    let written = match suite.to_json_pretty() {
        Ok(written) => written,
        Err(error) => panic!("a suite that was read cannot be written: {error}"),
    };
    match Suite::from_json(&written) {
        Ok(again) => assert_eq!(again, suite, "a suite changed when written and read"),
        Err(error) => panic!("a suite written from one read cannot be read: {error}"),
    }
    let _ = app_identity::evaluate(&[suite], &EvaluateOptions::default());
    Input::Accepted
}

/// Suites crosscheck's generator makes from the project's App Identity
/// cases, one per case file.
fn suite_seeds() -> io::Result<Vec<Seed>> {
    let directory = project_root().join("specs/app_identity");
    let plan = AppIdentity::plan(&directory, &project_root())
        .map_err(|problems| io::Error::other(problems.to_string()))?;
    let info = app_identity::GeneratorInfo::new("crosscheck-fuzz", "0");
    plan.modules
        .iter()
        .map(|module| {
            let cases: Vec<_> = module
                .cases
                .iter()
                .map(|case| case.record.spec.clone())
                .collect();
            let suite = app_identity::generate_suite(&info, &cases).map_err(io::Error::other)?;
            let json = suite.to_json_pretty().map_err(io::Error::other)?;
            Ok(Seed::new(
                &format!("{}.json", module.name),
                json.into_bytes(),
            ))
        })
        .collect()
}

fn bogo_config(data: &[u8]) -> Input {
    let list = UpstreamList {
        id: "b28d2e8".into(),
        names: vec!["Basic-Client-Sync".into(), "Basic-Server-Sync".into()],
    };
    let options = ImportOptions {
        name: "fuzzed",
        source_path: "fuzzed.json",
        source_name: "fuzzed.json",
        list: &list,
        extra_tests: &["KeyUpdate-ToServer"],
    };
    Input::from_ok(import(data, &options).is_ok())
}

const TAP_SEEDS: &[&str] = &[
    "TAP version 14\n1..4\nok 1 - first\nnot ok 2 - second # TODO later\n  ---\n  message: \"boom\"\n  severity: fail\n  ...\nok 3 # SKIP no network\nok 4 - escaped \\# hash\n",
    "TAP version 14\n# Subtest: rust -> ts\n    1..2\n    ok 1 - App V1, Proof V1\n    not ok 2 - App V2, Proof V3\n      ---\n      expected: pass\n      got: |\n        two\n        lines\n      ...\nnot ok 1 - rust -> ts\n1..1\n",
    "TAP version 13\npragma +strict\n1..0 # skipped: nothing to do\n",
    "ok\nok\nnot ok\n1..3\n",
    "TAP version 14\n1..3\nok 1\nBail out! the database is down\n",
];
