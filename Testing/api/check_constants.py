#!/usr/bin/env python3
"""check_constants.py - one sigma range, one default, one list of fills.

deface.h names them (DEFACE_SIGMA_MIN_MM, _MAX_MM, _DEFAULT_MM; the fills by
deface_fill_name); the command takes them from there; the Slicer module's XML
(Module/FaceMasking.xml, which Slicer reads as is) must say the same:
its sigma <default>, <minimum> and <maximum>, and its fill elements.

  check_constants.py deface.h FaceMasking.xml status.c

Exit 0 when they agree, 1 (with what differs) when not.
"""
import re
import sys
import xml.etree.ElementTree as ET


def main():
    header, xml_path, status_c = sys.argv[1:4]
    text = open(header).read()
    const = {}
    for name in ("MIN", "MAX", "DEFAULT"):
        m = re.search(r"#define DEFACE_SIGMA_%s_MM\s+([0-9.]+)" % name, text)
        if not m:
            print("check_constants: %s has no DEFACE_SIGMA_%s_MM" % (header, name))
            return 1
        const[name] = float(m.group(1))
    fills = re.findall(r'case DEFACE_FILL_[A-Z]+:\s*return "([a-z]+)";', open(status_c).read())
    root = ET.parse(xml_path).getroot()
    problems = []
    sigma = [d for d in root.iter("double") if d.findtext("name") == "sigma"]
    if len(sigma) != 1:
        problems.append("the XML has %d sigma parameters, expected 1" % len(sigma))
    else:
        s = sigma[0]
        xml_values = {"DEFAULT": s.findtext("default"), "MIN": s.findtext("constraints/minimum"),
                      "MAX": s.findtext("constraints/maximum")}
        for k, v in xml_values.items():
            if v is None or float(v) != const[k]:
                problems.append("sigma %s: XML %s, deface.h %g" % (k.lower(), v, const[k]))
    fill = [e for e in root.iter("string-enumeration") if e.findtext("name") == "fill"]
    elements = [x.text for x in fill[0].findall("element")] if fill else []
    if sorted(elements) != sorted(fills) or not fills:
        problems.append("fill elements: XML %s, the core %s" % (elements, fills))
    if fill and fill[0].findtext("default") != "zero":
        problems.append("fill default: XML %s, the core zero" % fill[0].findtext("default"))
    for p in problems:
        print("check_constants: %s" % p)
    if not problems:
        print("check_constants: sigma %g to %g mm, default %g; fills %s: deface.h and %s agree"
              % (const["MIN"], const["MAX"], const["DEFAULT"], ", ".join(fills), xml_path))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
