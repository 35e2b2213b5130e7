"""What a course kit is: its assignments (folder, module, test files) and, per assignment, the points and
thresholds of ``solutions/<folder>/grading.toml``. Read by every side; it runs no student code and holds no
reference values."""
