"""Fingerprints of wrong answers: robust to a student's float order, sealed, and free of any answer in the clear."""
import json
import re

import numpy as np
import pytest
from conftest import ASSIGNMENTS, REPO

from autograder.runner import fingerprints
from autograder.runner.fingerprints import _sealed, _unknowns
from autograder.runner.known_bugs import CallMatcher, KnownBug, build_variant
from autograder.sandbox.inside.wire import Handle
from autograder.sandbox.remote import StudentCall
from autograder.testing.fingerprints import (FINGERPRINTS_FILE, FingerprintMatcher, context_of, quantised, seal,
                                             source_call, unseal)

RNG = np.random.default_rng(15)
TERMS = RNG.normal(size=(50, 4, 3))


def test_sums_in_another_order_quantise_alike():
    forward, backward = TERMS.sum(axis=0), TERMS[::-1].sum(axis=0)
    assert not np.array_equal(forward, backward)  # the float orders differ...
    assert quantised(forward) == quantised(backward)  # ...their fingerprints do not


@pytest.mark.parametrize("a, b", [
    (1.0, 0.1 * 3 / 0.3),                      # 1.0 and 0.9999999999999999: rounding carries into the exponent
    ([0.0, 2.0], [1e-17, 2.0]),                # noise around zero is zero
    (np.array([1, 2]), [1.0, 2.0]),            # ints are floats, lists are arrays
    ((np.float64(0.5), [3.0]), [0.5, (3,)]),   # tuples are lists
    (Handle(3, "Model"), object()),            # a worker's object and a trusted one read the same
])
def test_values_a_student_may_give_alike_quantise_alike(a, b):
    assert quantised(a) == quantised(b)


@pytest.mark.parametrize("a, b", [(1.0, 1.00001), ([1.0, 2.0], [2.0, 1.0]), ([1.0], 1.0), (0.0, np.nan)])
def test_other_values_quantise_apart(a, b):
    assert quantised(a) != quantised(b)


def test_a_sealed_sentence_opens_only_under_its_context():
    salt = "00" * 16
    identity, sealed = seal(salt, "the context", "your `f` adds `b` where it should subtract it")
    assert unseal(salt, "the context", sealed) == "your `f` adds `b` where it should subtract it"
    assert unseal(salt, "another context", sealed) != "your `f` adds `b` where it should subtract it"
    assert seal(salt, "another context", "x")[0] != identity and len(bytes.fromhex(sealed)) % 64 == 0
    assert identity not in sealed and identity != seal("11" * 16, "the context", "x")[0]


def test_a_few_wrong_numbers_are_too_few_to_fingerprint():
    reference = (np.arange(6.0), {"W": np.ones((2, 2))})
    assert _unknowns((np.arange(6.0), {"W": np.ones((2, 2)) * 2}), reference) == 4
    assert _unknowns((np.arange(6.0) + [0, 0, 0, 0, 0, 1], {"W": np.ones((2, 2))}), reference) == 1
    assert _unknowns((np.arange(7.0), {"W": np.ones((2, 2))}), reference) == 7  # another shape: every number


def _module(factor):
    import types

    module = types.ModuleType(f"times_{factor}")
    module.f = lambda x: np.asarray(x, dtype=float) * factor
    return module


def test_an_answer_an_earlier_group_gives_is_sealed_with_that_groups_words_alone():
    """Grading asks the mutants that add an operation only when no one-change mutant fits: an answer both give is the
    one-change mutant's, and one only an added mutant gives is that mutant's."""
    x = np.array([1.0, 2.0, 4.0])
    call = StudentCall("f", None, (x,), {}, value=x * 2, after=[x], after_kwargs={})
    comparison = ("test_x.py::test_f", (x * 2, x * 2), 1e-6, 1e-9, [call], {}, {})
    asked = []

    def changes(name, numbers):
        asked.append((name, numbers))
        yield [("one change: times 3", _module(3.0))]
        yield iter([("added: times 3", _module(3.0)), ("added: times 5", _module(5.0))])

    sealed = _sealed(comparison, _module(2.0), changes)
    assert sorted(map(sorted, sealed.values())) == [["added: times 5"], ["one change: times 3"]]
    assert asked == [("f", [])]  # the call's own numbers: none here (an array of three is not a number)


def _matcher(tmp_path, calls, sentence, wrong):
    """A matcher of one test whose book holds ``sentence`` for ``wrong``, the result of the last of ``calls``."""
    salt = "ab" * 16
    identity, sealed = seal(salt, context_of("test_x.py::test_f", calls[-1], [1.0, 2.0, 3.0], wrong), sentence)
    (tmp_path / FINGERPRINTS_FILE).write_text(json.dumps({"salt": salt, "fingerprints": {identity: sealed}}))
    return FingerprintMatcher(tmp_path / FINGERPRINTS_FILE, "test_x.py::test_f", calls)


def test_the_matcher_names_the_value_fingerprinted_and_nothing_else(tmp_path):
    wrong = np.array([1.5, 2.5, 3.5])
    call = StudentCall("f", None, (np.ones(3),), {}, value=(wrong, 7.0))
    matcher = _matcher(tmp_path, [call], "your `f` adds a half", wrong)
    assert source_call([call], wrong)[1] == (0,)
    assert matcher(wrong + 1e-14, [1.0, 2.0, 3.0], 1e-6, 1e-9) == []  # not the value a call gave: no call, no name
    assert matcher(wrong.copy(), [1.0, 2.0, 3.0], 1e-6, 1e-9) == ["your `f` adds a half"]
    assert matcher(wrong.copy(), [1.0, 2.0, 3.5], 1e-6, 1e-9) == []  # another expected value: another context
    other = StudentCall("f", None, (np.ones(3),), {}, value=(wrong, 8.0))  # the rest of the result differs
    assert FingerprintMatcher(matcher.path, matcher.test, [other])(wrong, [1.0, 2.0, 3.0], 1e-6, 1e-9) == []


def test_a_value_of_another_shape_than_a_check_required_is_named_by_its_fingerprint(tmp_path):
    """``as_array``'s required shape is all a check has there: the wrong answer of another shape is fingerprinted
    against it (generation sees the shape as the expected value), and named in `check`; the hint is said otherwise."""
    from autograder.testing.checks import CheckFailed, as_array
    from autograder.testing.diagnosis import Shape, attached, observing

    x = np.array([1.0, 2.0, 4.0])
    call = StudentCall("f", None, (x,), {}, value=x * 2, after=[x], after_kwargs={})
    seen = []
    with observing(lambda *compared: seen.append(compared)):
        as_array(x * 2, "f(x)", (3,))
    assert [type(expected) for _, expected, _, _ in seen] == [Shape]
    wide = StudentCall("f", None, (x,), {}, value=np.arange(4.0), after=[x], after_kwargs={})
    sealed = _sealed(("test_x.py::test_f", (x * 2, seen[0][1]), 0.0, 0.0, [call], {}, {}), _module(2.0),
                     lambda name, numbers: [[("two too many", _module(np.ones((2, 1)))), ("right", _module(3.0))]])
    assert list(sealed.values()) == [{"two too many"}]  # times 3 has the shape required: not a wrong answer here
    matcher = _matcher(tmp_path, [wide], "your `f` makes a column", np.arange(4.0))
    identity, ciphertext = seal("ab" * 16, context_of("test_x.py::test_f", wide, Shape((3,)), np.arange(4.0)),
                                "your `f` makes a column")
    (tmp_path / FINGERPRINTS_FILE).write_text(json.dumps({"salt": "ab" * 16, "fingerprints": {identity: ciphertext}}))
    with attached(matcher), pytest.raises(CheckFailed) as failure:
        as_array(np.arange(4.0), "f(x)", (3,))
    assert str(failure.value).endswith("Diagnosis: your `f` makes a column")
    with attached(matcher), pytest.raises(CheckFailed) as failure:
        as_array(np.arange(5.0), "f(x)", (3,))
    assert "Diagnosis" not in str(failure.value)


@pytest.mark.parametrize("assignment", [a.folder for a in ASSIGNMENTS])
def test_the_committed_fingerprints_hold_hashes_alone(assignment):
    text = (REPO / "assignments" / assignment / FINGERPRINTS_FILE).read_text()
    data = json.loads(text)
    assert set(data) == {"generated", "salt", "fingerprints"} and data["fingerprints"]
    assert all(re.fullmatch(r"[0-9a-f]{32}", key) and re.fullmatch(r"([0-9a-f]{128})+", value)
               for key, value in data["fingerprints"].items())


SLOW_AND_ENDLESS = '''
import time


def waits(seconds):
    time.sleep(seconds)
    return 1.0


def spins():
    while True:
        pass
'''


def test_a_replay_is_cut_by_its_cpu_time_not_by_the_clock(monkeypatch):
    """A replay's limit was wall time: on a loaded machine (load 16) a replay that takes a tenth of a second of CPU
    was cut, so the fingerprints of a busy machine differed from a quiet one's (and the cut could escape as an error
    of `generate`). Waiting costs no CPU; an endless loop still is cut."""
    monkeypatch.setattr(fingerprints, "REPLAY_SECONDS", 1)
    module = build_variant(SLOW_AND_ENDLESS, KnownBug("reference", "", ()), "replayed_slow_and_endless")
    matcher = CallMatcher(module, (), {}, {})
    assert fingerprints._outcome(matcher, module, StudentCall("waits", None, [1.5], {}, 1.0)).value == 1.0
    assert fingerprints._outcome(matcher, module, StudentCall("spins", None, [], {}, 1.0)) is None


def test_a_raise_is_fingerprinted_alike_whatever_address_its_message_holds():
    """A message that holds an object's repr holds its address, another at every run: 07's fingerprints of raises
    were not the same bytes from one `autograder generate` to the next, nor the student's process's."""
    from autograder.testing.fingerprints import raise_context

    call = StudentCall("f", None, (np.ones(3),), {})
    first = raise_context("test_x.py::test_f", call, ("TypeError", "bad operand <object at 0x7f3a2c1b9e50>"))
    again = raise_context("test_x.py::test_f", call, ("TypeError", "bad operand <object at 0x7f00deadbeef>"))
    assert first == again
    assert first != raise_context("test_x.py::test_f", call, ("ValueError", "bad operand <object at 0x7f3a2c1b9e50>"))
    assert first != raise_context("test_x.py::test_f", call, ("TypeError", "bad operands <object at 0x7f3a2c1b9e50>"))


RAISES = '''
import numpy as np


def f(x):
    return np.asarray(x, dtype=float) * 2.0
'''


def test_a_change_that_raises_on_a_public_call_is_named_when_the_students_call_raises_so(tmp_path):
    """`check` has no reference to replay a student's raise on: `autograder generate` seals the raise of each change
    on each public call the reference returned from, and `check` opens it with the student's own raise alone."""
    from autograder.runner.fingerprints import _raises_sealed
    from autograder.sandbox.session import StudentCodeFailed

    reference = build_variant(RAISES, KnownBug("reference", "", ()), "replayed_raises")
    shaped = build_variant(RAISES, KnownBug("shaped", "", (("* 2.0", "@ np.ones((2, 2))"),)), "replayed_shaped")
    doubled = build_variant(RAISES, KnownBug("doubled", "", (("* 2.0", "* 4.0"),)), "replayed_doubled")
    x = np.array([1.0, 2.0, 4.0])
    call = StudentCall("f", None, [x], {}, value=x * 2, after=[x], after_kwargs={})
    sealed = _raises_sealed("test_x.py::test_f", [call], {}, {}, reference,
                            lambda name, numbers: [[("your `f` multiplies by a matrix", shaped), ("times 4", doubled)]])
    assert list(sealed.values()) == [{"your `f` multiplies by a matrix"}]  # times 4 returns: no raise to seal
    salt = "ab" * 16
    (tmp_path / FINGERPRINTS_FILE).write_text(json.dumps({"salt": salt, "fingerprints": dict(
        seal(salt, context, sentences.pop()) for context, sentences in sealed.items())}))
    (raised,) = [outcome.raised for outcome in [CallMatcher(reference, (), {}).outcome(shaped, call, may_raise=True)]]
    students = StudentCall("f", None, [x], {}, error=StudentCodeFailed(f"f(x) raised {raised[0]}: {raised[1]}"))
    students.error.raised = raised
    matcher = FingerprintMatcher(tmp_path / FINGERPRINTS_FILE, "test_x.py::test_f", [students])
    assert matcher.raised(students.error) == ["your `f` multiplies by a matrix"]
    other = StudentCall("f", None, [x], {}, error=StudentCodeFailed("f(x) raised ValueError: another message"))
    other.error.raised = ("ValueError", "another message")
    assert FingerprintMatcher(matcher.path, matcher.test, [other]).raised(other.error) == []


RENDER = '''
import sys
from pathlib import Path
from autograder.kit.assignments import discover_assignments
from autograder.runner.fingerprints import render_assignment_fingerprints
from autograder.sandbox.process import ChildProcess
root = Path(sys.argv[1])
(assignment,) = [a for a in discover_assignments(root) if a.folder == sys.argv[2]]
sys.stdout.write(render_assignment_fingerprints(root, assignment, ChildProcess()))
'''


@pytest.mark.slow
def test_generating_twice_gives_the_same_bytes():
    """07's fingerprints, made in two processes (objects at other addresses), are the same bytes: a raise whose message
    held an address (``<... object at 0x7f...>``) was sealed with it, so each `autograder generate` wrote another
    file and `generate --check` failed at random. 07: the assignment whose calls raise most, with objects."""
    import subprocess
    import sys

    made = [subprocess.run(["nice", sys.executable, "-c", RENDER, str(REPO), "07_training"], capture_output=True,
                           check=True, timeout=900).stdout for _ in range(2)]
    assert made[0] == made[1] and b'"fingerprints"' in made[0]
