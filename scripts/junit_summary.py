#!/usr/bin/env python3
"""scripts/junit_summary.py - count passed, failed and skipped test cases in JUnit XML files

usage: junit_summary.py FILE...
Prints each failed case with its message, then one last line "PASSED FAILED SKIPPED".
A file that is missing or unreadable counts as one failed case (the runner crashed).
"""
import sys
import xml.etree.ElementTree as ET


def summarize(path):
    passed = failed = skipped = 0
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as err:
        print(f"FAILED {path}: no readable results ({err})")
        return 0, 1, 0
    for case in root.iter("testcase"):
        name = f"{case.get('classname', '')}::{case.get('name', '')}"
        bad = case.find("failure")
        if bad is None:
            bad = case.find("error")
        if bad is not None:
            failed += 1
            text = (bad.get("message") or "") + "\n" + (bad.text or "")
            print(f"FAILED {name}\n    " + text.strip().replace("\n", "\n    ")[:4000])
        elif case.find("skipped") is not None:
            skipped += 1
            print(f"SKIPPED {name}: {case.find('skipped').get('message', '')}")
        else:
            passed += 1
    return passed, failed, skipped


def main():
    totals = [0, 0, 0]
    for path in sys.argv[1:]:
        for i, n in enumerate(summarize(path)):
            totals[i] += n
    print(*totals)


if __name__ == "__main__":
    main()
