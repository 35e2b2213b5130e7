"""What a course kit is: its assignments, discovered from ``solutions/*/grading.toml`` (folder, module,
title, order, test files), per assignment the points, thresholds and manual rubric items of its
``grading.toml``, and the course that uses them (``course.toml``: due times and the late policy;
``extensions.csv``; the roster). Every file is checked as it is read, and a bad one is a one-line
:class:`~autograder.kit.errors.KitError`. Read by every side; it runs no student code and holds no
reference values."""
