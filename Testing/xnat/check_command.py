#!/usr/bin/env python3
"""check_command.py - an XNAT Container Service command (schema-version 1.0) checked without XNAT.

  check_command.py COMMAND.json                  validate; prints one line per problem
  check_command.py COMMAND.json --matchers       also evaluate every matcher on sample objects
  check_command.py COMMAND.json --upload WRAPPER OUTPUT_DIR [KEY=VALUE...]
        what the wrapper's output handlers would upload from OUTPUT_DIR (the folder mounted
        at the writable mount): one line per resource, "LABEL<TAB>PARENT<TAB>FILE FILE...",
        files relative to the resource, sorted; a missing output folder makes no resource
  check_command.py COMMAND.json --label          the Dockerfile line: LABEL org.nrg.commands=...
  check_command.py COMMAND.json --dockerfile F   the Dockerfile F carries exactly this command

The rules are the Container Service's own (Command.validate() and its parts in
NrgXnat/container-service, model/command/auto/Command.java: required names, name characters,
known types, unique names, mounts and outputs that exist, derived inputs derived from inputs
declared before them, output handlers whose outputs and parents exist and are not "multiple" or a
property other than uri, every command output handled in every wrapper, select inputs with
select-values holding the default, image with a tag), plus what would only fail at launch or
upload: keys in the command line and in handler labels that no input provides, unknown JSON keys
(a typo is silently ignored by XNAT), required command inputs and read-only mounts that a wrapper
leaves without a value or files, matchers that do not parse as JSONPath filters, handler parents
that cannot hold resources. Upload follows ContainerFinalizeServiceImpl.uploadOutput and
CatalogService.insertResources: the files of OUTPUT/path are listed; a missing path throws before
the resource is created (so none is), an existing empty folder creates an empty resource.
Exit status: 0 when valid (and, with --dockerfile, in sync), 1 otherwise, 2 on usage errors.
"""
import json
import os
import re
import sys

NAME_RE = re.compile(r"^[A-Za-z0-9_-]+$")
TAG_RE = re.compile(r".+:[a-zA-Z0-9_.-]+$")
COMMAND_TYPES = {"docker", "docker-setup", "docker-wrapup"}
INPUT_TYPES = {"string", "boolean", "number", "select-one", "select-many", "file", "File"}
WRAPPER_INPUT_TYPES = {"string", "boolean", "number", "file", "Directory", "File[]", "File",
                       "Project", "ProjectAsset", "Subject", "SubjectAssessor", "Session", "Scan",
                       "Assessor", "Resource", "Config"}
HANDLER_TYPES = {"Resource", "Assessor"}
DELIMITERS = {"quoted-space", "space", "comma", "flag"}
# XNAT objects that can hold resources, and which may be derived from which.
RESOURCE_PARENTS = {"Project", "Subject", "Session", "Scan", "Assessor", "SubjectAssessor"}
DERIVED_FROM = {
    "Subject": {"Project"}, "Session": {"Subject", "Project"}, "SubjectAssessor": {"Subject"},
    "Scan": {"Session"}, "Assessor": {"Session"},
    "Resource": {"Project", "Subject", "Session", "Scan", "Assessor", "SubjectAssessor"},
    "File": {"Resource"}, "File[]": {"Resource"}, "Directory": {"Resource"},
    "ProjectAsset": {"Project"}, "Config": {"Project"},
}
OBJECT_TYPES = set(DERIVED_FROM) | {"Project"}
FILE_PROVIDERS = {"Project", "Subject", "Session", "Scan", "Assessor", "Resource", "Directory",
                  "File", "File[]", "SubjectAssessor", "ProjectAsset", "Config"}
CONTEXT_RE = re.compile(r"^[a-z]+:[A-Za-z]+$")

COMMAND_KEYS = {"name", "label", "description", "version", "schema-version", "info-url", "image",
                "container-name", "type", "index", "hash", "working-directory", "command-line",
                "override-entrypoint", "mounts", "environment-variables", "ports", "inputs",
                "outputs", "xnat", "reserve-memory", "limit-memory", "limit-cpu", "runtime",
                "ipc-mode", "auto-remove", "shm-size", "network", "container-labels", "gpus",
                "generic-resources", "ulimits", "secrets"}
MOUNT_KEYS = {"name", "writable", "path"}
INPUT_KEYS = {"name", "label", "description", "type", "required", "matcher", "default-value",
              "replacement-key", "command-line-flag", "command-line-separator", "true-value",
              "false-value", "sensitive", "select-values", "multiple-delimiter"}
OUTPUT_KEYS = {"name", "description", "required", "mount", "path", "glob"}
WRAPPER_KEYS = {"name", "label", "description", "contexts", "external-inputs", "derived-inputs",
                "output-handlers"}
EXTERNAL_KEYS = {"name", "label", "description", "type", "matcher", "default-value", "required",
                 "replacement-key", "sensitive", "provides-value-for-command-input",
                 "provides-files-for-command-mount", "via-setup-command", "user-settable",
                 "load-children"}
DERIVED_KEYS = EXTERNAL_KEYS | {"derived-from-wrapper-input", "derived-from-xnat-object-property",
                                "multiple", "parser"}
HANDLER_KEYS = {"name", "accepts-command-output", "via-wrapup-command", "as-a-child-of", "type",
                "label", "format", "description", "content", "tags"}


class Problems(list):
    def add(self, where, what):
        self.append(f"{where}: {what}")


def check_keys(obj, allowed, where, problems):
    if not isinstance(obj, dict):
        problems.add(where, "must be a JSON object")
        return False
    for key in sorted(set(obj) - allowed):
        problems.add(where, f'unknown key "{key}" (the Container Service ignores it)')
    return True


def check_types(obj, spec, where, problems):
    """spec: key -> type or tuple of types; None values are allowed (JSON null)."""
    for key, kind in spec.items():
        if key in obj and obj[key] is not None and not isinstance(obj[key], kind):
            problems.add(where, f'"{key}" must be {getattr(kind, "__name__", kind)}')


def blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def replacement_key(inp):
    return inp.get("replacement-key") or f"#{inp.get('name', '')}#"


# ---------------------------------------------------------------------------------------------
# Matchers: the JSONPath filter expressions the Container Service puts inside $[?( ... )]
# (Jayway JsonPath). A small recursive-descent parser and evaluator of the subset commands use:
# @-paths (.name, ['name'], [*], [n]), string/number/boolean/null literals, lists, /regex/,
# == != < <= > >= =~ in nin contains subsetof anyof noneof size empty, ! && || and parentheses.
# ---------------------------------------------------------------------------------------------
TOKEN_RE = re.compile(r"""
    \s*(?:
      (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<num>-?\d+(?:\.\d+)?)
    | (?P<regex>/(?:[^/\\]|\\.)*/[a-z]*)
    | (?P<op>==|!=|<=|>=|=~|&&|\|\||[<>!()\[\],])
    | (?P<at>@)
    | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
    | (?P<path>\.\.?|\*)
    )""", re.X)
WORD_OPS = {"in", "nin", "contains", "subsetof", "anyof", "noneof", "size", "empty"}
MISSING = object()


def tokenize(text):
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = TOKEN_RE.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot read from position {pos}: {text[pos:pos + 12]!r}")
        kind = m.lastgroup
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    return tokens


class Matcher:
    def __init__(self, text):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.tree = self.parse_or()
        if self.i != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.i][1]!r}")

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if tok[0] is None or (value is not None and tok[1] != value):
            raise ValueError(f"expected {value or 'more'}, found {tok[1]!r}")
        self.i += 1
        return tok

    def parse_or(self):
        node = self.parse_and()
        while self.peek()[1] == "||":
            self.take()
            node = ("or", node, self.parse_and())
        return node

    def parse_and(self):
        node = self.parse_not()
        while self.peek()[1] == "&&":
            self.take()
            node = ("and", node, self.parse_not())
        return node

    def parse_not(self):
        if self.peek()[1] == "!":
            self.take()
            return ("not", self.parse_not())
        if self.peek()[1] == "(":
            self.take()
            node = self.parse_or()
            self.take(")")
            return node
        left = self.parse_operand()
        kind, value = self.peek()
        if value in ("==", "!=", "<", "<=", ">", ">=", "=~") or (kind == "word" and value in WORD_OPS):
            self.take()
            return ("cmp", value, left, self.parse_operand())
        if left[0] != "path":
            raise ValueError("a literal alone is not a condition")
        return ("exists", left)

    def parse_operand(self):
        kind, value = self.peek()
        if kind == "at":
            self.take()
            steps = []
            while True:
                k, v = self.peek()
                if v == ".":
                    self.take()
                    k2, v2 = self.take()
                    if k2 not in ("word",) and v2 != "*":
                        raise ValueError(f"a name must follow '.', not {v2!r}")
                    steps.append(v2)
                elif v == "[":
                    self.take()
                    k2, v2 = self.take()
                    if k2 == "str":
                        steps.append(json.loads('"' + v2[1:-1].replace('"', '\\"') + '"'))
                    elif v2 == "*" or k2 == "num":
                        steps.append(v2 if v2 == "*" else int(v2))
                    else:
                        raise ValueError(f"bad index {v2!r}")
                    self.take("]")
                else:
                    break
            return ("path", steps)
        if kind == "str":
            self.take()
            return ("lit", json.loads('"' + value[1:-1].replace('"', '\\"').replace("\\'", "'") + '"'))
        if kind == "num":
            self.take()
            return ("lit", float(value) if "." in value else int(value))
        if kind == "regex":
            self.take()
            body, flags = value[1:value.rindex("/")], value[value.rindex("/") + 1:]
            return ("regex", re.compile(body, re.I if "i" in flags else 0))
        if kind == "word" and value in ("true", "false", "null"):
            self.take()
            return ("lit", {"true": True, "false": False, "null": None}[value])
        if value == "[":
            self.take()
            items = []
            while self.peek()[1] != "]":
                items.append(self.parse_operand()[1])
                if self.peek()[1] == ",":
                    self.take()
            self.take("]")
            return ("lit", items)
        raise ValueError(f"expected a value, found {value!r}")

    # Evaluation on one object, as Jayway does for @ = the object.
    def matches(self, obj):
        return bool(self.eval(self.tree, obj))

    def value(self, operand, obj):
        if operand[0] != "path":
            return operand[1]
        current, multi = [obj], False
        for step in operand[1]:
            nxt = []
            for item in current:
                if step == "*":
                    multi = True
                    if isinstance(item, list):
                        nxt.extend(item)
                    elif isinstance(item, dict):
                        nxt.extend(item.values())
                elif isinstance(step, int):
                    if isinstance(item, list) and -len(item) <= step < len(item):
                        nxt.append(item[step])
                elif isinstance(item, dict) and step in item:
                    nxt.append(item[step])
                elif isinstance(item, list):  # a name applied to a list maps over it
                    multi = True
                    nxt.extend(x[step] for x in item if isinstance(x, dict) and step in x)
            current = nxt
        if multi:
            return current
        return current[0] if current else MISSING

    def eval(self, node, obj):
        op = node[0]
        if op == "or":
            return self.eval(node[1], obj) or self.eval(node[2], obj)
        if op == "and":
            return self.eval(node[1], obj) and self.eval(node[2], obj)
        if op == "not":
            return not self.eval(node[1], obj)
        if op == "exists":
            return self.value(node[1], obj) is not MISSING
        _, cmp, left, right = node
        a = self.value(left, obj)
        if cmp == "=~":
            return isinstance(a, str) and right[0] == "regex" and right[1].fullmatch(a) is not None
        b = self.value(right, obj)
        if a is MISSING or b is MISSING:
            return False
        try:
            return {
                "==": lambda: a == b, "!=": lambda: a != b, "<": lambda: a < b,
                "<=": lambda: a <= b, ">": lambda: a > b, ">=": lambda: a >= b,
                "in": lambda: isinstance(b, list) and a in b,
                "nin": lambda: isinstance(b, list) and a not in b,
                "contains": lambda: (b in a) if isinstance(a, (list, str)) else False,
                "subsetof": lambda: isinstance(a, list) and isinstance(b, list) and all(x in b for x in a),
                "anyof": lambda: isinstance(a, list) and isinstance(b, list) and any(x in b for x in a),
                "noneof": lambda: isinstance(a, list) and isinstance(b, list) and not any(x in b for x in a),
                "size": lambda: hasattr(a, "__len__") and len(a) == b,
                "empty": lambda: hasattr(a, "__len__") and (len(a) == 0) == bool(b),
            }[cmp]()
        except TypeError:
            return False


# Objects as the Container Service serialises them for matchers (the fields matchers use here).
SAMPLES = {
    "Scan": [
        ({"id": "1", "xsiType": "xnat:mrScanData", "scan-type": "T1",
          "resources": [{"label": "DICOM", "format": "DICOM"}, {"label": "SNAPSHOTS"}]}, True),
        ({"id": "2", "xsiType": "xnat:mrScanData", "scan-type": "T1",
          "resources": [{"label": "NIFTI"}, {"label": "DEFACED_2"}]}, False),
        ({"id": "3", "xsiType": "xnat:mrScanData", "resources": []}, False),
    ],
    "Resource": [
        ({"label": "DICOM", "format": "DICOM"}, True),
        ({"label": "DICOM_ORIG"}, False),
        ({"label": "SNAPSHOTS"}, False),
    ],
}


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------
def check_command(cmd, problems, run_samples=False):
    if not check_keys(cmd, COMMAND_KEYS, "command", problems):
        return
    check_types(cmd, {k: str for k in ("name", "label", "description", "version", "schema-version",
                                       "image", "type", "command-line", "info-url")}, "command", problems)
    check_types(cmd, {"override-entrypoint": bool, "mounts": list, "inputs": list, "outputs": list,
                      "xnat": list, "environment-variables": dict, "ports": dict}, "command", problems)
    name = cmd.get("name")
    if blank(name):
        problems.add("command", "name cannot be blank")
    where = f'command "{name}"'
    if cmd.get("schema-version") != "1.0":
        problems.add(where, 'schema-version must be "1.0"')
    if blank(cmd.get("image")):
        problems.add(where, "image name cannot be blank")
    elif not TAG_RE.match(cmd["image"]):
        problems.add(where, "image name must include a version tag, e.g. image_name:tag")
    if cmd.get("type", "docker") not in COMMAND_TYPES:
        problems.add(where, f'unknown type "{cmd.get("type")}"')
    if blank(cmd.get("command-line")):
        problems.add(where, "command-line cannot be blank")
    for key, value in (cmd.get("ulimits") or {}).items():
        if not isinstance(value, str) or not value or len(value.split(":")) > 2:
            problems.add(where, f'ulimit "{key}": "limit" or "soft:hard" expected')

    mounts = {}
    for i, m in enumerate(cmd.get("mounts") or []):
        w = f"{where} mount {i}"
        if not check_keys(m, MOUNT_KEYS, w, problems):
            continue
        check_types(m, {"name": str, "path": str, "writable": bool}, w, problems)
        if blank(m.get("name")):
            problems.add(w, "name cannot be blank")
        if blank(m.get("path")):
            problems.add(w, "path cannot be blank")
        elif not m["path"].startswith("/"):
            problems.add(w, f'path "{m["path"]}" must be absolute in the container')
        if m.get("name") in mounts:
            problems.add(where, f'mount name "{m.get("name")}" is not unique')
        mounts[m.get("name")] = m

    inputs = {}
    for i, inp in enumerate(cmd.get("inputs") or []):
        w = f'{where} input "{inp.get("name", i)}"'
        if not check_keys(inp, INPUT_KEYS, w, problems):
            continue
        check_types(inp, {"name": str, "type": str, "required": bool, "default-value": str,
                          "command-line-flag": str, "true-value": str, "false-value": str,
                          "select-values": list, "replacement-key": str}, w, problems)
        n = inp.get("name") or ""
        if blank(n):
            problems.add(w, "name cannot be blank")
        elif not NAME_RE.match(n):
            problems.add(w, "name should contain only alphanumeric, _ and - characters")
        if n in inputs:
            problems.add(where, f'input name "{n}" is not unique')
        inputs[n] = inp
        kind = inp.get("type", "string")
        if kind not in INPUT_TYPES:
            problems.add(w, f'unknown type "{kind}"')
        values = inp.get("select-values") or []
        if kind in ("select-one", "select-many") and not values:
            problems.add(w, f'type "{kind}" needs select-values')
        if kind not in ("select-one", "select-many") and values:
            problems.add(w, "has select-values but is not a select type")
        default = inp.get("default-value")
        if default is not None and values and kind == "select-one" and default not in values:
            problems.add(w, f'default "{default}" is not one of {values}')
        if inp.get("multiple-delimiter") not in (None,) and inp["multiple-delimiter"] not in DELIMITERS:
            problems.add(w, f'multiple-delimiter must be one of {sorted(DELIMITERS)}')
        if kind == "boolean":
            if default is not None and default not in ("true", "false"):
                problems.add(w, 'a boolean default must be "true" or "false"')
            if "true-value" not in inp or "false-value" not in inp:
                problems.add(w, "a boolean needs true-value and false-value (else XNAT passes the words true/false)")
        if kind == "number" and default is not None:
            try:
                float(default)
            except ValueError:
                problems.add(w, f'default "{default}" is not a number')

    # The command line takes its values by replacement key.
    line = cmd.get("command-line") or ""
    keys_by_input = {replacement_key(inp): n for n, inp in inputs.items()}
    for key in re.findall(r"#[^#\s]+#", line):
        if key not in keys_by_input:
            problems.add(where, f"command-line key {key} is no input's replacement key")
    for key, n in keys_by_input.items():
        if key not in line and not any(key in v for v in (cmd.get("environment-variables") or {}).values()):
            problems.add(f'{where} input "{n}"', f"its key {key} is used nowhere (command-line, environment)")

    outputs = {}
    for i, out in enumerate(cmd.get("outputs") or []):
        w = f'{where} output "{out.get("name", i)}"'
        if not check_keys(out, OUTPUT_KEYS, w, problems):
            continue
        check_types(out, {"name": str, "mount": str, "path": str, "required": bool}, w, problems)
        n = out.get("name") or ""
        if blank(n):
            problems.add(w, "name cannot be blank")
        elif not NAME_RE.match(n):
            problems.add(w, "name should contain only alphanumeric, _ and - characters")
        if n in outputs:
            problems.add(where, f'output name "{n}" is not unique')
        outputs[n] = out
        if blank(out.get("mount")):
            problems.add(w, "mount cannot be blank")
        elif out["mount"] not in mounts:
            problems.add(w, f'references unknown mount "{out["mount"]}"; known: {sorted(mounts)}')
        elif not mounts[out["mount"]].get("writable"):
            problems.add(w, f'mount "{out["mount"]}" is not writable')
        path = out.get("path") or ""
        if path.startswith("/") or ".." in path.split("/"):
            problems.add(w, f'path "{path}" must be relative inside its mount')

    wrapper_names = set()
    for wi, wr in enumerate(cmd.get("xnat") or []):
        wname = wr.get("name", wi) if isinstance(wr, dict) else wi
        w = f'{where} wrapper "{wname}"'
        if not check_keys(wr, WRAPPER_KEYS, w, problems):
            continue
        check_types(wr, {"name": str, "contexts": list, "external-inputs": list,
                         "derived-inputs": list, "output-handlers": list}, w, problems)
        if blank(wr.get("name")):
            problems.add(w, "name cannot be blank")
        if wname in wrapper_names:
            problems.add(where, f'wrapper name "{wname}" is not unique')
        wrapper_names.add(wname)
        contexts = wr.get("contexts") or []
        if not contexts:
            problems.add(w, "contexts cannot be empty (XNAT would offer it nowhere)")
        for c in contexts:
            if not isinstance(c, str) or not CONTEXT_RE.match(c):
                problems.add(w, f'context "{c}" is not an XNAT data type such as xnat:imageSessionData')

        winputs = {}  # name -> (input, derived?)
        provided_values, provided_mounts = set(), set()

        def common(inp, w2, derived):
            check_types(inp, {"name": str, "type": str, "matcher": str, "default-value": str,
                              "required": bool, "user-settable": bool, "load-children": bool,
                              "multiple": bool, "provides-value-for-command-input": str,
                              "provides-files-for-command-mount": str}, w2, problems)
            n = inp.get("name") or ""
            if blank(n):
                problems.add(w2, "name cannot be blank")
            elif not NAME_RE.match(n):
                problems.add(w2, "name should contain only alphanumeric, _ and - characters")
            kind = inp.get("type", "string" if derived else "string")
            if kind not in WRAPPER_INPUT_TYPES:
                problems.add(w2, f'unknown type "{kind}"; known: {sorted(WRAPPER_INPUT_TYPES)}')
            if inp.get("via-setup-command") and not inp.get("provides-files-for-command-mount"):
                problems.add(w2, "via-setup-command needs provides-files-for-command-mount")
            target = inp.get("provides-value-for-command-input")
            if target:
                if target not in inputs:
                    problems.add(w2, f'provides a value for unknown command input "{target}"')
                elif inputs[target].get("type") in ("select-one", "select-many"):
                    problems.add(w2, f'provides values for select input "{target}" (XNAT forbids it)')
                provided_values.add(target)
            mount = inp.get("provides-files-for-command-mount")
            if mount:
                if mount not in mounts:
                    problems.add(w2, f'provides files for unknown mount "{mount}"')
                elif kind not in FILE_PROVIDERS:
                    problems.add(w2, f'a {kind} has no files to mount')
                provided_mounts.add(mount)
            if inp.get("matcher"):
                try:
                    matcher = Matcher(inp["matcher"])
                except ValueError as e:
                    problems.add(w2, f'matcher "{inp["matcher"]}" does not parse: {e}')
                else:
                    if run_samples and kind in SAMPLES:
                        for obj, want in SAMPLES[kind]:
                            got = matcher.matches(obj)
                            print(f'{wname}: {inp.get("name")}: matcher "{inp["matcher"]}" on '
                                  f'{json.dumps(obj, sort_keys=True)}: {"match" if got else "no match"}')
                            if got != want:
                                problems.add(w2, f'matcher "{inp["matcher"]}" {"matches" if got else "misses"} '
                                             f'{json.dumps(obj, sort_keys=True)}')
            if n in winputs:
                problems.add(w, f'input name "{n}" is not unique')
            winputs[n] = (inp, derived)

        for inp in wr.get("external-inputs") or []:
            w2 = f'{w} external input "{inp.get("name")}"'
            if check_keys(inp, EXTERNAL_KEYS, w2, problems):
                common(inp, w2, False)
        multiple = set()
        for inp in wr.get("derived-inputs") or []:
            w2 = f'{w} derived input "{inp.get("name")}"'
            if not check_keys(inp, DERIVED_KEYS, w2, problems):
                continue
            parent = inp.get("derived-from-wrapper-input")
            n = inp.get("name")
            if blank(parent):
                problems.add(w2, '"derived-from-wrapper-input" cannot be blank')
            elif parent == n:
                problems.add(w2, "is derived from itself")
            elif parent not in winputs:
                problems.add(w2, f'is derived from an unknown (or later) input "{parent}"; known: {sorted(winputs)}')
            else:
                kind = inp.get("type", "string")
                ptype = winputs[parent][0].get("type", "string")
                prop = inp.get("derived-from-xnat-object-property")
                if prop:
                    if ptype not in OBJECT_TYPES:
                        problems.add(w2, f'takes property "{prop}" of a {ptype}, which is no XNAT object')
                elif kind in DERIVED_FROM and ptype not in DERIVED_FROM[kind]:
                    problems.add(w2, f"a {kind} cannot be derived from a {ptype}")
                elif kind not in DERIVED_FROM:
                    problems.add(w2, f'a {kind} needs "derived-from-xnat-object-property"')
            if inp.get("multiple"):
                multiple.add(n)
                if inp.get("provides-files-for-command-mount"):
                    problems.add(w2, 'a "multiple" input cannot provide files for a mount')
                if not inp.get("provides-value-for-command-input"):
                    problems.add(w2, 'a "multiple" input must provide values for a command input')
            common(inp, w2, True)

        for n, inp in inputs.items():
            if inp.get("required") and inp.get("default-value") is None and n not in provided_values:
                problems.add(w, f'leaves required command input "{n}" without a value')
        for mname, m in mounts.items():
            if not m.get("writable") and mname not in provided_mounts:
                problems.add(w, f'provides no files for read-only mount "{mname}"')

        handled, handler_names = set(), {}
        for hi, h in enumerate(wr.get("output-handlers") or []):
            w2 = f'{w} output handler "{h.get("name", hi)}"'
            if not check_keys(h, HANDLER_KEYS, w2, problems):
                continue
            check_types(h, {"name": str, "accepts-command-output": str, "as-a-child-of": str,
                            "type": str, "label": str}, w2, problems)
            hname = h.get("name") or ""
            if blank(hname):
                problems.add(w2, "name cannot be blank")
            elif not NAME_RE.match(hname):
                problems.add(w2, "name should contain only alphanumeric, _ and - characters")
            out = h.get("accepts-command-output")
            if blank(out):
                problems.add(w2, '"accepts-command-output" cannot be blank')
            elif out not in outputs:
                problems.add(w2, f'refers to unknown command output "{out}"; known: {sorted(outputs)}')
            else:
                handled.add(out)
            target = h.get("as-a-child-of")
            if blank(target):
                problems.add(w2, '"as-a-child-of" cannot be blank')
            elif target in winputs:
                tinp, derived = winputs[target]
                if target in multiple:
                    problems.add(w2, f'parent "{target}" allows multiple values')
                prop = tinp.get("derived-from-xnat-object-property")
                if derived and prop and prop != "uri":
                    problems.add(w2, f'parent "{target}" is its property "{prop}"; upload needs a uri')
                if tinp.get("type") not in RESOURCE_PARENTS:
                    problems.add(w2, f'parent "{target}" is a {tinp.get("type")}, which holds no resources')
            elif target not in handler_names:
                problems.add(w2, f'"as-a-child-of": "{target}" is no wrapper input or earlier handler')
            kind = h.get("type", "Resource")
            if kind not in HANDLER_TYPES:
                problems.add(w2, f'unknown type "{kind}"')
            if kind == "Resource" and blank(h.get("label")):
                problems.add(w2, "when type = Resource, label cannot be blank")
            for key in re.findall(r"#[^#\s]+#", h.get("label") or ""):
                if key not in {replacement_key(i) for i, _ in winputs.values()}:
                    problems.add(w2, f"label key {key} is no wrapper input's replacement key")
            if hname in handler_names:
                problems.add(w, f'output handler name "{hname}" is not unique')
            handler_names[hname] = h
        for out in sorted(set(outputs) - handled):
            problems.add(w, f'command output "{out}" is not handled by any output handler')


def upload(cmd, wrapper_name, output_dir, values):
    """What the wrapper's handlers upload from output_dir (the writable mount)."""
    wrappers = {w["name"]: w for w in cmd["xnat"]}
    if wrapper_name not in wrappers:
        sys.exit(f"check_command: no wrapper {wrapper_name!r}; known: {sorted(wrappers)}")
    wrapper = wrappers[wrapper_name]
    outputs = {o["name"]: o for o in cmd["outputs"]}
    mounts = {m["name"]: m for m in cmd["mounts"]}
    failed = False
    for h in wrapper["output-handlers"]:
        out = outputs[h["accepts-command-output"]]
        if not mounts[out["mount"]].get("writable"):
            sys.exit(f"check_command: output {out['name']} is on a read-only mount")
        path = os.path.join(output_dir, out.get("path") or "")
        label = re.sub(r"#[^#\s]+#", lambda m: values.get(m.group(0)[1:-1], m.group(0)), h["label"])
        if not os.path.exists(path):
            # getFilesAsXnatResourceInfoMap throws before createAndInsertResourceCatalog.
            print(f"{label}\t{h['as-a-child-of']}\t(no resource: {out.get('path')} missing)")
            failed |= bool(out.get("required"))
            continue
        files = []
        for root, _, names in os.walk(path):
            files += [os.path.relpath(os.path.join(root, n), path) for n in names]
        print(f"{label}\t{h['as-a-child-of']}\t{' '.join(sorted(files))}")
    if failed:
        print("status: Failed (Upload): a required output is missing")
    return 1 if failed else 0


def dockerfile_label(cmd):
    text = json.dumps([cmd], separators=(",", ":"), ensure_ascii=True)
    return 'LABEL org.nrg.commands="' + text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        try:
            cmd = json.load(f)
        except json.JSONDecodeError as e:
            print(f"{argv[1]}: not JSON: {e}")
            return 1
    rest = argv[2:]
    if rest[:1] == ["--label"]:
        print(dockerfile_label(cmd))
        return 0
    problems = Problems()
    check_command(cmd, problems, run_samples=rest[:1] == ["--matchers"])
    for p in problems:
        print(p)
    if problems:
        print(f"{argv[1]}: {len(problems)} problem(s)")
        return 1
    if rest[:1] == ["--upload"]:
        if len(rest) < 3:
            print(__doc__, file=sys.stderr)
            return 2
        values = dict(kv.split("=", 1) for kv in rest[3:])
        return upload(cmd, rest[1], rest[2], values)
    if rest[:1] == ["--dockerfile"]:
        with open(rest[1], encoding="utf-8") as f:
            lines = [l.rstrip("\n") for l in f if l.startswith("LABEL org.nrg.commands=")]
        if lines != [dockerfile_label(cmd)]:
            print(f"{rest[1]}: its LABEL org.nrg.commands is not {argv[1]}: run "
                  f"Testing/xnat/check_command.py {argv[1]} --label and paste the line")
            return 1
        print(f"{rest[1]}: LABEL org.nrg.commands matches {argv[1]}")
        return 0
    print(f"{argv[1]}: valid: {len(cmd.get('xnat', []))} wrappers, {len(cmd.get('inputs', []))} inputs, "
          f"{len(cmd.get('outputs', []))} outputs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
