#!/usr/bin/env python3
"""Checks a Slicer CLI module description against ../shared/SLICER_CLI.md.

  check_cli_xml.py FILE.xml                 check a description file
  check_cli_xml.py --exe PATH/FaceMasking   run `PATH --xml` as Slicer does (5 s): exit 0, stderr
                                            empty, stdout only the XML and the same bytes as the
                                            FaceMasking.xml beside it; then check that text
  check_cli_xml.py --self-test FILE.xml     FILE must pass, and each deliberately broken copy of it
                                            must fail (proves the checker can fail)

Rules are the ones Slicer's ModuleDescriptionParser enforces, what Slicer's GUI can show (a
returned value must be a scalar, string, vector or enumeration: a returned <point> gets a markups
selector that cannot show it), plus FaceMasking's own contract (issues 5 and 10): the parameters it
must declare, with their types, flags, indices, references and file extensions.
Prints one line per violation; exit 0 when there is none.
"""
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

MODULE_ELEMENTS = ["category", "title", "description", "version", "documentation-url", "license",
                   "contributor", "acknowledgements"]
# documentation-url is optional; when present it must be a real address (Slicer links it).
OPTIONAL_ELEMENTS = ["documentation-url"]
SCALARS = ["integer", "float", "double", "boolean", "string"]
VECTORS = [t + "-vector" for t in ["integer", "float", "double", "string"]]
ENUMS = [t + "-enumeration" for t in ["integer", "float", "double", "string"]]
PARAM_TAGS = SCALARS + VECTORS + ENUMS + ["point", "region", "file", "directory", "image",
                                          "transform", "geometry", "table", "measurement",
                                          "pointfile"]
IMAGE_TYPES = ["any", "scalar", "label", "tensor", "diffusion-weighted", "vector", "signal",
               "multichannel", "dynamic-contrast-enhanced"]
TRUE_FALSE = ["true", "false"]
# Allowed attributes per tag (None = any value).
ATTRS = {
    "image": {"type": IMAGE_TYPES, "fileExtensions": None, "hidden": TRUE_FALSE,
              "reference": None, "multiple": TRUE_FALSE},
    "boolean": {"hidden": TRUE_FALSE},
    "point": {"multiple": TRUE_FALSE, "coordinateSystem": ["ijk", "lps", "ras"]},
    "region": {"multiple": TRUE_FALSE, "coordinateSystem": ["ijk", "lps", "ras"]},
    "pointfile": {"multiple": TRUE_FALSE, "coordinateSystem": ["ijk", "lps", "ras"],
                  "fileExtensions": None},
    "file": {"multiple": TRUE_FALSE, "fileExtensions": None},
    "directory": {"multiple": TRUE_FALSE},
    "transform": {"multiple": TRUE_FALSE, "type": ["linear", "nonlinear", "bspline"],
                  "fileExtensions": None, "reference": None},
    "geometry": {"multiple": TRUE_FALSE, "aggregate": TRUE_FALSE, "type": ["fiberbundle", "model"],
                 "fileExtensions": None},
    "table": {"multiple": TRUE_FALSE, "hidden": TRUE_FALSE, "reference": None, "type": ["color"],
              "fileExtensions": None},
    "measurement": {"multiple": TRUE_FALSE, "hidden": TRUE_FALSE, "reference": None, "type": None,
                    "fileExtensions": None},
}
for t in ["integer", "float", "double", "string"]:
    ATTRS[t] = {"multiple": TRUE_FALSE}
for t in ENUMS:
    ATTRS[t] = {"hidden": TRUE_FALSE}
for t in VECTORS:
    ATTRS[t] = {}
PARAM_CHILDREN = ["name", "flag", "longflag", "index", "label", "description", "default",
                  "channel", "constraints", "element"]
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
NEEDS_DEFAULT = SCALARS + ENUMS + VECTORS
NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")

# FaceMasking's contract (issue 5): name -> (tag, attributes, children that must match).
FACEMASKING = {
    # .nrrd only: the loadable library reads and writes NRRD, which is what Slicer passes.
    "inputVolume": ("image", {"type": "scalar", "fileExtensions": ".nrrd"},
                    {"index": "0", "channel": "input"}),
    "outputVolume": ("image", {"reference": "inputVolume", "fileExtensions": ".nrrd"},
                     {"index": "1", "channel": "output"}),
    "outputLabel": ("image", {"type": "label", "reference": "inputVolume",
                              "fileExtensions": ".nrrd"},
                    {"longflag": "outputLabel", "channel": "output"}),
    "fill": ("string-enumeration", {}, {"longflag": "fill", "default": "zero"}),
    "sigma": ("double", {}, {"longflag": "sigma", "default": "5"}),
    "ears": ("boolean", {}, {"longflag": "ears", "default": "false"}),
    "AllowInMemoryTransfer": ("boolean", {"hidden": "true"}, {"default": "false"}),
    "status": ("string", {}, {"channel": "output"}),
    "reason": ("string", {}, {"channel": "output"}),
    "rightEye": ("double-vector", {}, {"channel": "output", "default": "0,0,0"}),
    "leftEye": ("double-vector", {}, {"channel": "output", "default": "0,0,0"}),
}


def text(el, tag):
    child = el.find(tag)
    return None if child is None else (child.text or "").strip()


def check_parameter(p, where, errors, names, indices):
    tag = p.tag
    for k, v in p.attrib.items():
        allowed = ATTRS.get(tag, {})
        if k not in allowed:
            errors.append(f"{where}: attribute {k!r} is not allowed on <{tag}>")
        elif allowed[k] is not None and v not in allowed[k]:
            errors.append(f"{where}: {k}={v!r} is not one of {allowed[k]}")
    for c in p:
        if c.tag not in PARAM_CHILDREN:
            errors.append(f"{where}: <{c.tag}> is not a parameter element")
    for once in ["name", "flag", "longflag", "index", "label", "description", "default", "channel"]:
        if len(p.findall(once)) > 1:
            errors.append(f"{where}: more than one <{once}>")
    name = text(p, "name")
    if not name or not IDENT.match(name):
        errors.append(f"{where}: name {name!r} is not a C identifier")
    elif name in names:
        errors.append(f"{where}: name {name!r} used twice")
    names.add(name)
    where = f"{where} ({name})"
    for req in ["label", "description"]:
        if not text(p, req):
            errors.append(f"{where}: no <{req}>")
    flag, longflag, index = text(p, "flag"), text(p, "longflag"), text(p, "index")
    if flag is not None and not re.match(r"^-?[A-Za-z]$", flag):
        errors.append(f"{where}: flag {flag!r} is not one character")
    if longflag is not None and not IDENT.match(longflag.lstrip("-")):
        errors.append(f"{where}: longflag {longflag!r} is not an identifier")
    if index is not None:
        if not re.match(r"^\d+$", index):
            errors.append(f"{where}: index {index!r} is not a non-negative integer")
        else:
            if int(index) in indices:
                errors.append(f"{where}: index {index} used twice")
            indices.add(int(index))
        if flag is not None or longflag is not None:
            errors.append(f"{where}: index together with a flag or longflag")
    channel = text(p, "channel")
    if channel is not None and channel not in ["input", "output"]:
        errors.append(f"{where}: channel {channel!r} is not input or output")
    if tag in ["image", "file", "directory", "transform", "geometry", "table", "pointfile"] and \
            channel is None:
        errors.append(f"{where}: <{tag}> needs a <channel>")
    returned = channel == "output" and flag is None and longflag is None and index is None
    if returned and tag not in SCALARS + VECTORS + ENUMS:
        errors.append(f"{where}: a return parameter (no flag, no index) cannot be <{tag}>: Slicer "
                      "shows returned scalars, strings, vectors and enumerations only")
    if not returned and flag is None and longflag is None and index is None:
        errors.append(f"{where}: an input parameter needs a flag, a longflag or an index")
    if tag in NEEDS_DEFAULT and p.find("default") is None:
        errors.append(f"{where}: <{tag}> has no <default> (Slicer passes every scalar)")
    default = text(p, "default")
    if tag == "boolean" and default is not None and default not in TRUE_FALSE:
        errors.append(f"{where}: boolean default {default!r} is not true or false")
    if tag in ["integer", "float", "double"] and default and not NUMBER.match(default):
        errors.append(f"{where}: default {default!r} is not a number")
    elements = [(e.text or "").strip() for e in p.findall("element")]
    if tag in ENUMS:
        if not elements:
            errors.append(f"{where}: enumeration without <element>s")
        elif default not in elements:
            errors.append(f"{where}: default {default!r} is not one of the elements {elements}")
    elif elements:
        errors.append(f"{where}: <element> outside an enumeration")
    cons = p.find("constraints")
    if cons is not None:
        if tag not in ["integer", "float", "double"] + VECTORS:
            errors.append(f"{where}: <constraints> on <{tag}>")
        for c in cons:
            if c.tag not in ["minimum", "maximum", "step"]:
                errors.append(f"{where}: <{c.tag}> inside <constraints>")
            elif not NUMBER.match((c.text or "").strip()):
                errors.append(f"{where}: constraint {c.tag} {c.text!r} is not a number")
    if tag == "image":
        exts = [e.strip() for e in p.get("fileExtensions", "").split(",") if e.strip()]
        if not exts or exts[0] != ".nrrd":
            errors.append(f"{where}: fileExtensions must list .nrrd first, not {exts}")
    return name


def check_text(data):
    errors = []
    if not data.startswith(b"<?xml "):
        errors.append("the text does not start with exactly '<?xml ' (BOM or leading blank?)")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        return errors + [f"not well-formed XML: {e}"]
    if root.tag != "executable":
        return errors + [f"root element is <{root.tag}>, not <executable>"]
    if root.attrib:
        errors.append(f"<executable> has attributes {sorted(root.attrib)}")
    for el in MODULE_ELEMENTS:
        if not text(root, el) and not (el in OPTIONAL_ELEMENTS and root.find(el) is None):
            errors.append(f"module element <{el}> missing or empty")
        if len(root.findall(el)) > 1:
            errors.append(f"module element <{el}> given twice")
    url = text(root, "documentation-url")
    if url is not None and not re.match(r"^https?://[^\s/]+\.[^\s]+$", url):
        errors.append(f"documentation-url {url!r} is not an http(s) address")
    category = text(root, "category") or ""
    if any(not part.strip() for part in category.split(".")):
        errors.append(f"category {category!r} is not a dot-separated path")
    names, indices, params = set(), set(), {}
    for g, group in enumerate(x for x in root if x.tag == "parameters"):
        where = f"<parameters> #{g + 1}"
        for k, v in group.attrib.items():
            if k != "advanced" or v not in TRUE_FALSE:
                errors.append(f"{where}: attribute {k}={v!r} (only advanced=true|false)")
        for req in ["label", "description"]:
            if not text(group, req):
                errors.append(f"{where}: no <{req}>")
        for p in group:
            if p.tag in ["label", "description"]:
                continue
            if p.tag not in PARAM_TAGS:
                errors.append(f"{where}: <{p.tag}> is not a parameter tag")
                continue
            name = check_parameter(p, f"{where} <{p.tag}>", errors, names, indices)
            params[name] = p
    for el in root:
        if el.tag not in MODULE_ELEMENTS + ["parameters"]:
            errors.append(f"<{el.tag}> is not allowed in <executable>"
                          + (" (parameters live only inside <parameters>)"
                             if el.tag in PARAM_TAGS else ""))
    for el in root.iter():
        if el.tag in PARAM_TAGS and el not in [p for g in root.findall("parameters") for p in g]:
            if el.tag not in MODULE_ELEMENTS:
                errors.append(f"<{el.tag}> outside a <parameters> group")
    for name, p in params.items():
        ref = p.get("reference")
        if ref is not None and (ref not in params or params[ref].tag != p.tag
                                or text(params[ref], "channel") != "input"):
            errors.append(f"{name}: reference={ref!r} does not name an input <{p.tag}>")
    if indices and sorted(indices) != list(range(len(indices))):
        errors.append(f"indices {sorted(indices)} do not run 0, 1, ... without gaps")
    for name, (tag, attrs, children) in FACEMASKING.items():
        p = params.get(name)
        if p is None:
            errors.append(f"FaceMasking: parameter {name} missing")
            continue
        if p.tag != tag:
            errors.append(f"FaceMasking: {name} is <{p.tag}>, expected <{tag}>")
        for k, v in attrs.items():
            if p.get(k) != v:
                errors.append(f"FaceMasking: {name} {k}={p.get(k)!r}, expected {v!r}")
        for k, v in children.items():
            if text(p, k) != v:
                errors.append(f"FaceMasking: {name} <{k}> is {text(p, k)!r}, expected {v!r}")
    for name in ["status", "reason", "rightEye", "leftEye"]:
        p = params.get(name)
        if p is not None and any(p.find(k) is not None for k in ["flag", "longflag", "index"]):
            errors.append(f"FaceMasking: return parameter {name} has a flag or an index")
    sigma = params.get("sigma")
    if sigma is not None and sigma.find("constraints") is None:
        errors.append("FaceMasking: sigma has no <constraints>")
    fill = params.get("fill")
    if fill is not None and [(e.text or "").strip() for e in fill.findall("element")] != \
            ["zero", "blur", "noise"]:
        errors.append("FaceMasking: fill elements are not zero, blur, noise")
    return errors


def run_exe(exe):
    r = subprocess.run([exe, "--xml"], capture_output=True, timeout=5)
    errors = []
    if r.returncode != 0:
        errors.append(f"{exe} --xml exited {r.returncode}")
    if r.stderr:
        errors.append(f"{exe} --xml wrote to stderr: {r.stderr[:200]!r}")
    beside = os.path.join(os.path.dirname(os.path.abspath(exe)), "FaceMasking.xml")
    if not os.path.exists(beside):
        errors.append(f"no FaceMasking.xml beside {exe}")
    elif open(beside, "rb").read() != r.stdout:
        errors.append(f"{exe} --xml differs from {beside}")
    return errors + check_text(r.stdout)


# Deliberately broken copies for --self-test: (what, old, new); each must be caught. Tags are
# renamed in both their opening and closing form (every occurrence of old ending in '>').
RENAME_ALL = ["root renamed", "unknown parameter tag", "module element missing",
              "eye returned as a point"]
MUTATIONS = [
    ("leading blank", "<?xml ", " <?xml "),
    ("root renamed", "executable>", "module>"),
    ("index with a longflag", "<index>0</index>", "<index>0</index><longflag>in</longflag>"),
    ("two-character flag", "<longflag>fill</longflag>", "<flag>fi</flag>"),
    ("name not an identifier", "<name>sigma</name>", "<name>sigma-mm</name>"),
    ("bad image attribute", 'type="label"', 'type="label" colour="red"'),
    ("bad image type", 'type="label"', 'type="labelmap"'),
    ("NIfTI first", 'fileExtensions=".nrrd"', 'fileExtensions=".nii,.nrrd"'),
    ("an extension the library cannot read", 'fileExtensions=".nrrd" reference',
     'fileExtensions=".nrrd,.nii.gz" reference'),
    ("reference to nothing", 'reference="inputVolume"', 'reference="inputVolumes"'),
    ("no reference", ' reference="inputVolume"', ''),
    ("eye returned as a point", "double-vector>", "point>"),
    ("documentation-url not an address", "<license>",
     "<documentation-url>Module/README.md</documentation-url><license>"),
    ("double without default", "<default>5</default>", ""),
    ("channel inout", "<channel>input</channel>", "<channel>inout</channel>"),
    ("AllowInMemoryTransfer true", "<longflag>AllowInMemoryTransfer</longflag>\n"
     "      <label>Allow in-memory transfer</label>", None),
    ("AllowInMemoryTransfer not hidden", '<boolean hidden="true">', "<boolean>"),
    ("return parameter with a flag", "<name>status</name>",
     "<name>status</name><longflag>status</longflag>"),
    ("group without label", "<label>Fill</label>", ""),
    ("parameter outside a group", "</executable>",
     "<integer><name>x</name><longflag>x</longflag><label>x</label>"
     "<description>x</description><default>1</default></integer></executable>"),
    ("unknown parameter tag", "double>", "real>"),
    ("module element missing", "license>", "licence>"),
]


def self_test(path):
    good = open(path, "rb").read().decode("utf-8")
    errors = check_text(good.encode())
    if errors:
        return [f"the good description fails: {e}" for e in errors]
    problems = []
    for what, old, new in MUTATIONS:
        if old not in good:
            problems.append(f"mutation {what!r}: {old!r} not found in {path}")
            continue
        if new is None:  # AllowInMemoryTransfer default false -> true
            i = good.index(old)
            j = good.index("<default>false</default>", i)
            bad = good[:j] + "<default>true</default>" + good[j + len("<default>false</default>"):]
        else:
            bad = good.replace(old, new, -1 if what in RENAME_ALL else 1)
        found = check_text(bad.encode())
        print(f"broken copy ({what}): {'caught: ' + found[0] if found else 'NOT CAUGHT'}")
        if not found:
            problems.append(f"the checker accepts a broken copy: {what}")
    return problems


def main(argv):
    if len(argv) == 3 and argv[1] == "--exe":
        errors = run_exe(argv[2])
    elif len(argv) == 3 and argv[1] == "--self-test":
        errors = self_test(argv[2])
    elif len(argv) == 2:
        errors = check_text(open(argv[1], "rb").read())
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for e in errors:
        print("FAIL:", e)
    if not errors:
        print("OK: every broken copy fails" if argv[1] == "--self-test" else
              "OK: the description obeys SLICER_CLI.md and FaceMasking's contract")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
