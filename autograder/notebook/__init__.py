"""What runs inside a student's or nbgrader's Jupyter kernel: the check cell (``check_notebook``) and
nbgrader's autograded cells, which test the code the kernel has run with the kit's own runner in a
separate process."""
