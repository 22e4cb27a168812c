#!/usr/bin/env python3
"""test_check_command.py COMMAND.json DOCKERFILE - the XNAT command passes check_command.py, its
matchers pick the right sample objects, the Dockerfile carries it as its label; and each of a set of
broken copies of it is turned down with the expected message (so the checker can fail)."""
import copy
import io
import json
import os
import subprocess
import sys
import tempfile
from contextlib import redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_command  # noqa: E402


def problems_of(cmd):
    problems = check_command.Problems()
    with redirect_stdout(io.StringIO()):
        check_command.check_command(cmd, problems, run_samples=True)
    return problems


def wrapper(cmd, name):
    return next(w for w in cmd["xnat"] if w["name"] == name)


def derived(cmd, wname, name):
    return next(i for i in wrapper(cmd, wname)["derived-inputs"] if i["name"] == name)


def handler(cmd, wname, name):
    return next(h for h in wrapper(cmd, wname)["output-handlers"] if h["name"] == name)


# (what is broken, how, a piece of the message it must give)
BREAKS = [
    ("image without a tag", lambda c: c.update(image="deface-xnat"), "must include a version tag"),
    ("unknown top-level key", lambda c: c.update({"commandline": "x"}), 'unknown key "commandline"'),
    ("schema version", lambda c: c.update({"schema-version": "2.0"}), 'schema-version must be "1.0"'),
    ("two mounts named alike", lambda c: c["mounts"].append(dict(c["mounts"][0])), "is not unique"),
    ("relative mount path", lambda c: c["mounts"][0].update(path="input"), "must be absolute"),
    ("output on an unknown mount", lambda c: c["outputs"][0].update(mount="out"), 'unknown mount "out"'),
    ("output on the read-only mount", lambda c: c["outputs"][0].update(mount="input"), "is not writable"),
    ("output path leaving the mount", lambda c: c["outputs"][1].update(path="../x"), "must be relative"),
    ("select default not a value", lambda c: c["inputs"][3].update({"default-value": "smooth"}), "is not one of"),
    ("select without values", lambda c: c["inputs"][3].pop("select-values"), "needs select-values"),
    ("boolean without values", lambda c: c["inputs"][5].pop("false-value"), "needs true-value and false-value"),
    ("number default", lambda c: c["inputs"][4].update({"default-value": "five"}), "is not a number"),
    ("input name characters", lambda c: c["inputs"][1].update(name="scan id"), "only alphanumeric"),
    ("command-line key of no input", lambda c: c.update({"command-line": c["command-line"] + " #seed#"}),
     "#seed# is no input's replacement key"),
    ("input used nowhere", lambda c: c.update({"command-line": c["command-line"].replace(" #qa#", "")}),
     "#qa# is used nowhere"),
    ("handler of an unknown output",
     lambda c: handler(c, "deface-scan", "report-resource").update({"accepts-command-output": "reports"}),
     'unknown command output "reports"'),
    ("output not handled in one wrapper",
     lambda c: wrapper(c, "deface-session")["output-handlers"].pop(1), 'command output "report" is not handled'),
    ("handler parent unknown",
     lambda c: handler(c, "deface-session", "defaced-resource").update({"as-a-child-of": "scan"}),
     "is no wrapper input"),
    ("handler parent is a property",
     lambda c: handler(c, "deface-scan", "defaced-resource").update({"as-a-child-of": "input-scan-id"}),
     "upload needs a uri"),
    ("resource handler without a label",
     lambda c: handler(c, "deface-scan", "report-resource").pop("label"), "label cannot be blank"),
    ("label key of no wrapper input",
     lambda c: handler(c, "deface-scan", "defaced-resource").update(label="DEFACED_#scan-id#"),
     "label key #scan-id# is no wrapper input"),
    ("derived from a later input",
     lambda c: wrapper(c, "deface-scans-from-session")["derived-inputs"].reverse(), "unknown (or later) input"),
    ("derived from itself",
     lambda c: derived(c, "deface-scan", "input-scan-dicom").update({"derived-from-wrapper-input": "input-scan-dicom"}),
     "is derived from itself"),
    ("scan derived from a string",
     lambda c: derived(c, "deface-scans-from-session", "input-scan").update({"derived-from-wrapper-input": "mode"}),
     "cannot be derived from a string"),
    ("unknown wrapper input type",
     lambda c: derived(c, "deface-scan", "input-scan-dicom").update(type="resource"), 'unknown type "resource"'),
    ("files for an unknown mount",
     lambda c: derived(c, "deface-scan", "input-scan-dicom").update({"provides-files-for-command-mount": "dicom"}),
     'unknown mount "dicom"'),
    ("read-only mount left empty",
     lambda c: derived(c, "deface-scan", "input-scan-dicom").pop("provides-files-for-command-mount"),
     'provides no files for read-only mount "input"'),
    ("required input without a value",
     lambda c: wrapper(c, "deface-session")["external-inputs"].pop(1), 'required command input "mode"'),
    ("value for an unknown input",
     lambda c: derived(c, "deface-scan", "input-scan-id").update({"provides-value-for-command-input": "scanid"}),
     'unknown command input "scanid"'),
    ("matcher that does not parse",
     lambda c: derived(c, "deface-scan", "input-scan-dicom").update(matcher="@.label == 'DICOM"), "does not parse"),
    ("matcher that misses DICOM",
     lambda c: derived(c, "deface-scan", "input-scan-dicom").update(matcher="@.label == 'dicom'"), "misses"),
    ("matcher that takes any scan",
     lambda c: wrapper(c, "deface-scan")["external-inputs"][0].update(matcher="@.id != ''"), "matches"),
    ("no contexts", lambda c: wrapper(c, "deface-scan").update(contexts=[]), "contexts cannot be empty"),
    ("context typo", lambda c: wrapper(c, "deface-scan").update(contexts=["imageScanData"]), "is not an XNAT data type"),
    ("two wrappers named alike", lambda c: wrapper(c, "deface-scan").update(name="deface-session"), "is not unique"),
    ("typo in a handler key",
     lambda c: handler(c, "deface-scan", "defaced-resource").update({"as-a-child": "input-scan"}),
     'unknown key "as-a-child"'),
]


def main():
    path, dockerfile = sys.argv[1], sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    checker = [sys.executable, os.path.join(here, "check_command.py"), path]
    for extra in (["--matchers"], ["--dockerfile", dockerfile]):
        run = subprocess.run(checker + extra, capture_output=True, text=True)
        sys.stdout.write(run.stdout)
        if run.returncode != 0:
            print(f"FAIL: check_command.py {' '.join(extra)} exited {run.returncode}")
            return 1
    with open(path, encoding="utf-8") as f:
        good = json.load(f)
    failed = 0
    for what, breaker, want in BREAKS:
        cmd = copy.deepcopy(good)
        breaker(cmd)
        got = problems_of(cmd)
        if not any(want in p for p in got):
            print(f"FAIL: {what}: no problem containing {want!r}; got {list(got)}")
            failed += 1
        else:
            print(f"broken ({what}): {next(p for p in got if want in p)}")
    # A Dockerfile whose label is out of date is caught.
    with tempfile.NamedTemporaryFile("w", suffix="Dockerfile", delete=False) as f:
        stale = copy.deepcopy(good)
        stale["version"] = "0.0.1"
        f.write("FROM debian:12\n" + check_command.dockerfile_label(stale) + "\n")
    run = subprocess.run(checker + ["--dockerfile", f.name], capture_output=True, text=True)
    os.unlink(f.name)
    if run.returncode == 0:
        print("FAIL: a Dockerfile with a stale label passed")
        failed += 1
    print(f"{len(BREAKS) + 1 - failed} of {len(BREAKS) + 1} broken copies turned down")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
