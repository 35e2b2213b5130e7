"""The indefinite article before a name the student is told: "an int", "a float", "an ndarray", "an MLP object".

Names told are types, classes and dtypes, not English words: their article follows how they are said, which their
first letters tell well enough ("uint8" is said "you-int" but "unsigned" "un-", "ndarray" "en-dee-array", "MLP"
letter by letter).
"""
VOWEL_SOUNDING_LETTERS = "AEFHILMNORSX"  # said "ef", "aitch", "el", "em"... in an acronym
# No builtin is looked up here (the worker words a value it cannot send with it, after the student's code has run).


def with_article(name):
    """``name`` after "a" or "an" ("an int", "a uint8", "an unsigned int", "an ndarray", "an SGD"; "a" before "")."""
    lower = name.lower()
    if name[:2].isupper() and name[:2].isalpha():
        said_with_a_vowel = name[:1] in VOWEL_SOUNDING_LETTERS
    else:
        said_with_a_vowel = lower.startswith(("a", "e", "i", "o", "nd", "un")) and not lower.startswith("uni")
    return f"{'an' if said_with_a_vowel else 'a'} {name}"
