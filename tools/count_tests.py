#!/usr/bin/python3
"""Counts test cases in meson's JUnit log (one <testcase> per GoogleTest case).

A test executable that failed without a failing case in the log (a crash, a timeout) counts as
one failed case, so a crash can never read as a pass.
"""
import sys
import xml.etree.ElementTree as ElementTree


def main(path: str) -> int:
    root = ElementTree.parse(path).getroot()
    passed = failed = 0
    for suite in root.iter("testsuite"):
        cases = list(suite.iter("testcase"))
        suite_failed = 0
        for case in cases:
            if case.find("failure") is not None or case.find("error") is not None:
                suite_failed += 1
            elif case.find("skipped") is None:
                passed += 1
        # meson marks a failed executable on the suite; count it if no case explains it
        if suite_failed == 0 and (int(suite.get("failures", 0)) > 0 or int(suite.get("errors", 0)) > 0):
            suite_failed = 1
        failed += suite_failed
    total = passed + failed
    percent = 100 if total == 0 else (100 * passed) // total
    print(f"{percent}% tests passed, {failed} tests failed out of {total}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and total > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
