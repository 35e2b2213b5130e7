"""Backprop Kit's autograder: generates the student release and grades submissions."""
__version__ = "0.1.0"
