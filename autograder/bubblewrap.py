"""Placeholder until the bubblewrap sandbox lands."""


def bubblewrap_available():
    return False
