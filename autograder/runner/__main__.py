"""``python -m autograder.runner SUBMISSION RESULTS_JSON TEST_FILE...``: see :mod:`autograder.runner.run`."""
import sys

from autograder.runner.run import main

sys.exit(main())
