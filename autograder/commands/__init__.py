"""The commands, one module each: ``check`` (a student runs the public tests), ``grade`` (an instructor
grades a class, or a term's week of it), ``release`` (the student bundle), ``export`` (the gradebook as
an LMS imports it) and ``gradescope`` (the autograder zip Gradescope runs). They put the other packages
together and hold no grading logic of their own; ``autograder.cli`` parses the command line and calls them."""
