"""Running the tests of one submission, in this process (``check``) or as a child of ``grade``.

``python -m autograder.runner SUBMISSION RESULTS_JSON [--solutions DIR] [--sandbox KIND] TEST_FILE...``
writes the list of test records to RESULTS_JSON; ``grade`` starts one such
process per submission, so a submission can never disturb another one's run.
"""
import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

from autograder.testing.plugin import GradingPlugin

PYTEST_ARGS = ["-p", "no:cacheprovider", "--assert=plain", "-o", "addopts=", "-c", os.devnull,
               "-p", "no:terminal", "-W", "ignore"]


def run_tests(submission_root, test_files, sandbox, solutions_root=None):
    """Run ``test_files`` against the submission; return the :class:`TestRecord` list."""
    with tempfile.TemporaryDirectory(prefix="autograder-") as scratch:
        plugin = GradingPlugin(submission_root, sandbox, scratch, solutions_root)
        rootdir = os.path.commonpath([str(Path(path).resolve().parent) for path in test_files])
        pytest.main([*PYTEST_ARGS, "--rootdir", rootdir, *map(str, test_files)], plugins=[plugin])
    return plugin.records


def main(argv=None):
    from autograder.sandbox import make_sandbox

    parser = argparse.ArgumentParser(prog="python -m autograder.runner")
    parser.add_argument("submission")
    parser.add_argument("results")
    parser.add_argument("tests", nargs="+")
    parser.add_argument("--solutions")
    parser.add_argument("--sandbox", default="auto")
    args = parser.parse_args(argv)
    records = run_tests(args.submission, args.tests, make_sandbox(args.sandbox), args.solutions)
    Path(args.results).write_text(json.dumps([record.to_dict() for record in records]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
