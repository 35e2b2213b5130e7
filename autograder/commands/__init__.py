"""The commands, one module each: ``check`` (a student runs the public tests), ``grade`` (an instructor
grades a class) and ``release`` (the student bundle). They put the other packages together and hold no
grading logic of their own; ``autograder.cli`` parses the command line and calls them."""
