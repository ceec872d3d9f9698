#!/usr/bin/python3
"""Counts test cases in JUnit logs (meson's testlog.junit.xml, GoogleTest's --gtest_output=xml):
one <testcase> per GoogleTest case, summed over every log given.

    count_tests.py LOG.xml [LOG.xml ...] [--check NAME=STATUS ...]

A test executable that failed without a failing case in the log (a crash, a timeout) counts as
one failed case, so a crash can never read as a pass; a log that is missing counts as one failed
case too. Each --check adds one case (a script's exit status: 0 passed, else failed), e.g. the
format check. Prints the two closing lines and exits 1 when anything failed.
"""
import os
import sys
import xml.etree.ElementTree as ElementTree


def count_log(path: str) -> tuple[int, int]:
    if not os.path.exists(path):
        print(f"count_tests: {path} is missing (its suite did not run)", file=sys.stderr)
        return 0, 1
    root = ElementTree.parse(path).getroot()
    passed = failed = 0
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    for suite in suites:
        cases = list(suite.iter("testcase"))
        suite_failed = 0
        for case in cases:
            if case.find("failure") is not None or case.find("error") is not None:
                suite_failed += 1
            elif case.find("skipped") is None and case.get("result", "completed") != "skipped":
                passed += 1
        # meson marks a failed executable on the suite; count it if no case explains it
        if suite_failed == 0 and (int(suite.get("failures", 0)) > 0 or int(suite.get("errors", 0)) > 0):
            suite_failed = 1
        failed += suite_failed
    return passed, failed


def main(args: list[str]) -> int:
    passed = failed = 0
    index = 0
    while index < len(args):
        if args[index] == "--check":
            name, _, status = args[index + 1].partition("=")
            if status == "0":
                passed += 1
            else:
                failed += 1
                print(f"count_tests: check {name} failed", file=sys.stderr)
            index += 2
            continue
        log_passed, log_failed = count_log(args[index])
        passed += log_passed
        failed += log_failed
        index += 1
    total = passed + failed
    percent = 100 if total == 0 else (100 * passed) // total
    print(f"{percent}% tests passed, {failed} tests failed out of {total}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and total > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
