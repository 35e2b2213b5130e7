"""Rules broken without a wrong value (an input changed in place, a dtype, a warning) get the known bug that
breaks them the same way on the student's own call, and only when exactly one bug does."""
import textwrap

import numpy as np
import pytest

from autograder.runner.known_bugs import CallMatcher, KnownBug, build_variant
from autograder.sandbox.inside.wire import Handle
from autograder.sandbox.inside.worker import describe
from autograder.sandbox.remote import StudentCall
from autograder.sandbox.session import ForbiddenWarning, StudentCodeFailed

REFERENCE = textwrap.dedent('''
    import numpy as np


    def double(x, times=1):
        x = np.asarray(x, dtype=float)
        return x * 2 * times


    def logistic(x):
        return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))


    class Scaler:
        def __init__(self, size):
            self.k = np.ones(size)

        def apply(self, x):
            return np.asarray(x, dtype=float) * self.k
''')
BUGS = [KnownBug("in_place", "doubles the caller's array in place",
                 (("    x = np.asarray(x, dtype=float)\n    return x * 2 * times", "    x *= 2 * times\n    return x"),)),
        KnownBug("ints", "doubles into ints", (("return x * 2 * times", "return (x * 2 * times).astype(int)"),)),
        KnownBug("naive", "1 / (1 + exp(-x)): an overflow warning",
                 (("return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))",
                   "return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))"),)),
        KnownBug("scaled", "apply scales the caller's array in place",
                 (("return np.asarray(x, dtype=float) * self.k", "x *= self.k\n        return x"),)),
        KnownBug("matrix_product", "multiplies with @ where * belongs", (("return x * 2 * times", "return x @ (2 * times)"),))]


@pytest.fixture
def matcher():
    reference = build_variant(REFERENCE, KnownBug("reference", "", ()), "call_reference")
    return CallMatcher(reference, [(bug, build_variant(REFERENCE, bug, f"call_{bug.name}")) for bug in BUGS], {})


def test_an_input_changed_in_place_as_a_known_bug_does_gets_its_diagnosis(matcher):
    x = np.array([1.0, -2.0, 3.0])
    matcher.observe(StudentCall("double", None, [x], {"times": 3}, 6 * x, [6 * x], {"times": None}))
    assert matcher.diagnoses() == ["doubles the caller's array in place"]
    matcher.observe(StudentCall("double", None, [x], {"times": 3}, 6 * x, [7 * x], {"times": None}))
    assert matcher.diagnoses() == []  # changed, but not as that bug changes it


def test_the_right_value_of_the_wrong_dtype_gets_the_bug_that_gives_it(matcher):
    x = np.array([1.0, 2.0])
    matcher.observe(StudentCall("double", None, [x], {}, np.array([2, 4]), [x], {}))
    assert matcher.diagnoses() == ["doubles into ints"]
    matcher.observe(StudentCall("double", None, [x], {}, np.array([2, 4], dtype=np.int32), [x], {}))
    assert matcher.diagnoses() == []  # no bug gives int32


def test_a_forbidden_warning_gets_the_bug_that_warns_on_the_same_input(matcher):
    huge = np.array([-1000.0, 3.0])
    matcher.observe(StudentCall("logistic", None, [huge], {}, error=ForbiddenWarning("logistic raised a warning")))
    assert matcher.diagnoses() == ["1 / (1 + exp(-x)): an overflow warning"]
    matcher.observe(StudentCall("logistic", None, [np.array([1.0, 3.0])], {}, error=ForbiddenWarning("warned")))
    assert matcher.diagnoses() == []  # no bug warns there: the warning is not theirs
    matcher.observe(StudentCall("logistic", None, [huge], {}, error=StudentCodeFailed("raised ValueError")))
    assert matcher.diagnoses() == []  # an exception is no warning


def raised(what, kind, message):
    """A student's call that raised ``kind(message)``, as the session reports it."""
    error = StudentCodeFailed(f"{what} raised {kind}: {message}")
    error.raised = (kind, message)
    return error


def test_a_call_that_raises_gets_the_bug_that_raises_the_same_on_the_same_input(matcher):
    x, times = np.array([1.0, 2.0]), np.array([1.0, 2.0, 3.0])
    with pytest.raises(ValueError) as raising:  # what numpy says of that mistake on this input
        x @ np.float64(2.0)
    message = str(raising.value)
    matcher.observe(StudentCall("double", None, [x], {}, error=raised("double", "ValueError", message)))
    assert matcher.diagnoses() == ["multiplies with @ where * belongs"]
    matcher.observe(StudentCall("double", None, [x], {}, error=raised("double", "ValueError", "another message")))
    assert matcher.diagnoses() == []  # the same type, another message: not that bug's raise
    matcher.observe(StudentCall("double", None, [x], {}, error=raised("double", "TypeError", message)))
    assert matcher.diagnoses() == []  # the same message, another type
    matcher.observe(StudentCall("double", None, [x], {"times": times}, error=raised(
        "double", "ValueError", "operands could not be broadcast together with shapes (2,) (3,) ")))
    assert matcher.diagnoses() == []  # the reference raises that too: the inputs, not a mistake
    matcher.observe(StudentCall("double", None, [x], {}, error=StudentCodeFailed("double timed out")))
    assert matcher.diagnoses() == []  # no raise to compare: a hang, a crash


def test_a_long_message_is_cut_alike_in_the_worker_and_in_a_replay(matcher):
    """One cut for both: the worker's account of the student's raise and the replay's are compared whole."""
    long_message = "the shapes do not agree " * 100  # longer than any cut
    loud = KnownBug("loud", "raises a long message", (("return x * 2 * times", f"raise ValueError({long_message!r})"),))
    matcher.variants.append((loud, build_variant(REFERENCE, loud, "call_loud")))
    told = describe(ValueError(long_message))["message"]
    matcher.observe(StudentCall("double", None, [np.array([1.0])], {}, error=raised("double", "ValueError", told)))
    assert matcher.diagnoses() == ["raises a long message"]


def test_what_the_reference_does_too_or_two_bugs_do_alike_gets_no_diagnosis(matcher):
    x = np.array([1.0, 2.0])
    matcher.observe(StudentCall("double", None, [x], {}, 2 * x, [x], {}))
    assert matcher.diagnoses() == []  # the reference's own behaviour: the failure is elsewhere
    twin = KnownBug("twin", "another bug that doubles in place", BUGS[0].replacements)
    matcher.variants.append((twin, build_variant(REFERENCE, twin, "call_twin")))
    matcher.observe(StudentCall("double", None, [x], {}, 2 * x, [2 * x], {}))
    assert matcher.diagnoses() == []  # two diagnoses fit: neither is named


def test_the_students_object_is_rebuilt_from_the_call_that_made_it_and_the_attributes_the_grader_set(matcher):
    handle = Handle(7, "Scaler")
    matcher.observe(StudentCall("Scaler", None, [2], {}, handle, [None], {}))
    matcher.attributes = {7: {"k": np.array([3.0, -1.0])}}
    x = np.array([1.0, 2.0])
    matcher.observe(StudentCall("Scaler.apply", None, [handle, x], {}, np.array([3.0, -2.0]),
                                [handle, np.array([3.0, -2.0])], {}))
    assert matcher.diagnoses() == ["apply scales the caller's array in place"]
    matcher.observe(StudentCall("apply", handle, [x], {}, np.array([3.0, -2.0]), [np.array([3.0, -2.0])], {}))
    assert matcher.diagnoses() == ["apply scales the caller's array in place"]
    matcher.observe(StudentCall("apply", Handle(8, "Scaler"), [x], {}, x, [x * 3], {}))
    assert matcher.diagnoses() == []  # an object of unknown making is not replayed


GRADED = textwrap.dedent('''
    import numpy as np


    def _halve(x):
        return x / 2


    def inner(x):
        ### BEGIN SOLUTION
        return np.asarray(x, dtype=float) + 1
        ### END SOLUTION


    def outer(x):
        ### BEGIN SOLUTION
        return _halve(inner(x)).astype(np.float32)
        ### END SOLUTION
''')


@pytest.mark.parametrize("bug, named", [
    # inner's bug shows in outer's output only when inner is not answered with the reference's values; the
    # tests always answer it so (one bug costs points once): naming it on outer's call would blame a look-alike
    (KnownBug("inner_plus_two", "inner adds 2", (("+ 1", "+ 2"),)), False),
    (KnownBug("outer_float64", "outer returns float64", ((".astype(np.float32)", ""),)), True),
    # a helper that is not graded is the student's to write inside outer: its bug can explain outer's value
    (KnownBug("halve_by_three", "_halve divides by 3", (("x / 2", "x / 3"),)), True),
], ids=["another graded function's bug", "the called function's bug", "an ungraded helper's bug"])
def test_a_bug_is_named_only_on_calls_it_could_have_made_wrong(bug, named):
    reference = build_variant(GRADED, KnownBug("reference", "", ()), "graded_reference")
    variant = build_variant(GRADED, bug, f"graded_{bug.name}")
    matcher = CallMatcher(reference, [(bug, variant)], {})
    x = np.array([1.0, 3.0])
    matcher.observe(StudentCall("outer", None, [x], {}, variant.outer(x), [x], {}))
    assert matcher.diagnoses() == ([bug.diagnosis] if named else [])


STEPPED = textwrap.dedent('''
    import numpy as np


    def step(x):
        """1.0 where x is positive, else 0.0."""
        ### BEGIN SOLUTION
        return (np.asarray(x, dtype=float) > 0).astype(float)
        ### END SOLUTION
''')


def test_a_rule_broken_as_one_mutant_of_the_reference_breaks_it_gets_that_mutants_words():
    """No known bug gives booleans: the one-change mutant that leaves out `.astype(...)` does, on the same call."""
    from functools import partial

    from autograder.runner.mutants import Mutants, mutant_groups

    reference = build_variant(STEPPED, KnownBug("reference", "", ()), "stepped_reference")
    matcher = CallMatcher(reference, [], {}, mutants=partial(mutant_groups, Mutants(STEPPED, reference)))
    x = np.array([1.5, -2.0, 0.0])
    matcher.observe(StudentCall("step", None, [x], {}, x > 0, [x], {}))
    assert matcher.diagnoses() == ["your `step` leaves out `.astype(...)`"]
    matcher.observe(StudentCall("step", None, [x], {}, (x > 0).astype(int), [x], {}))
    assert matcher.diagnoses() == []  # ints: no one change of the reference gives them


SCALED = textwrap.dedent('''
    import numpy as np


    def scale(A, factor, rng):
        """A times factor, halved, with one draw of rng for a mask."""
        ### BEGIN SOLUTION
        A = np.asarray(A, dtype=float)
        keep = rng.random(A.shape) >= 0.0
        return A * keep * factor / 2.0, keep
        ### END SOLUTION
''')


@pytest.fixture
def scaled():
    from functools import partial

    from autograder.runner.mutants import Mutants, mutant_groups

    reference = build_variant(SCALED, KnownBug("reference", "", ()), "scaled_reference")
    matcher = CallMatcher(reference, [], {}, generator_seeds={-1: 5},
                          mutants=partial(mutant_groups, Mutants(SCALED, reference)))
    return matcher


def test_an_input_changed_in_place_gets_the_mutant_that_writes_the_result_into_it(scaled):
    """No known bug changes A: the mutant that writes the result into the parameter does, on the same call (its
    Generator rebuilt from the seed the test made it with)."""
    A, rng = np.array([1.0, -2.0, 4.0]), Handle(-1, "Generator")
    result = A * 3.0 / 2.0
    scaled.observe(StudentCall("scale", None, [A.copy(), 3.0, rng], {}, (result, np.ones(3, bool)), [result, None, None],
                               {}))
    assert scaled.diagnoses() == ["your `scale` writes its result into `A` in place, changing the caller's array: "
                                  "compute a new array"]
    scaled.observe(StudentCall("scale", None, [A.copy(), 3.0, rng], {}, (result, np.ones(3, bool)), [A * 2, None, None],
                               {}))
    assert scaled.diagnoses() == []  # A changed, but not into the result: no one change does that


def test_a_generator_an_earlier_call_was_given_is_not_rebuilt(scaled):
    """An earlier call may have drawn from the Generator: a fresh one would draw other numbers, so nothing is named."""
    A, rng = np.array([1.0, -2.0, 4.0]), Handle(-1, "Generator")
    result = A * 3.0 / 2.0
    scaled.observe(StudentCall("scale", None, [A.copy(), 1.0, rng], {}, (A / 2.0, np.ones(3, bool)), [A, None, None],
                               {}))
    scaled.observe(StudentCall("scale", None, [A.copy(), 3.0, rng], {}, (result, np.ones(3, bool)), [result, None, None],
                               {}))
    assert scaled.diagnoses() == []


TRAINED = textwrap.dedent('''
    import numpy as np


    class Model:
        def __init__(self, size):
            self.w = np.zeros(size)
            self.b = np.zeros(size)

        def grad(self, x):
            """The gradients, {"w": ..., "b": ...}."""
            ### BEGIN SOLUTION
            x = np.asarray(x, dtype=float)
            return {"w": x * 2.0, "b": x + 1.0}
            ### END SOLUTION

        def train(self, x, learning_rate):
            """One step against grad(x)."""
            ### BEGIN SOLUTION
            grads = self.grad(x)
            self.w = self.w - learning_rate * grads["w"]
            self.b = self.b - learning_rate * grads["b"]
            ### END SOLUTION


    def fit(model, x, epochs):
        """train(x, 0.1) epochs times; the number of steps taken."""
        ### BEGIN SOLUTION
        for _ in range(epochs):
            model.train(x, 0.1)
        return epochs
        ### END SOLUTION
''')


def trained_matcher(students_attributes, subject=None):
    """A CallMatcher on TRAINED's mutants that reads a student's object's attributes from ``students_attributes``."""
    from functools import partial

    from autograder.runner.mutants import Mutants, mutant_groups

    reference = build_variant(TRAINED, KnownBug("reference", "", ()), "trained_reference")
    return CallMatcher(reference, [], {}, mutants=partial(mutant_groups, Mutants(TRAINED, reference)),
                       read_attributes=lambda handle, names: {name: students_attributes[handle.id][name] for name in names},
                       subject=subject)


def test_a_method_that_only_sets_attributes_is_judged_by_the_attributes_it_set():
    """train returns None, as the reference's does: what it did is in the attributes it set, read from the student's
    object, and the one mutant that sets the same ones is named (W stepped by b's gradient here)."""
    x, model = np.array([1.0, -2.0]), Handle(7, "Model")
    wrong = {7: {"w": -0.1 * (x + 1.0), "b": -0.1 * (x + 1.0)}}
    for attributes, said in [(wrong, ['your `train` uses the entry "b" where the entry "w" belongs']),
                             ({7: {"w": -0.1 * 2 * x, "b": -0.1 * (x + 1.0)}}, [])]:  # right: nothing to name
        matcher = trained_matcher(attributes)
        matcher.observe(StudentCall("Model", None, [2], {}, model, [None], {}))
        matcher.observe(StudentCall("train", model, [x, 0.1], {}, None, [x, None], {}))
        assert matcher.diagnoses() == said
    matcher = trained_matcher(wrong)
    matcher.read_attributes = None  # without the student's attributes: the value (None) is the reference's
    matcher.observe(StudentCall("Model", None, [2], {}, model, [None], {}))
    matcher.observe(StudentCall("train", model, [x, 0.1], {}, None, [x, None], {}))
    assert matcher.diagnoses() == []


def test_the_call_a_test_is_named_for_is_made_again_when_its_last_call_was_right():
    """A fit test ends with calls of its own (the replay's), which the reference does alike: the student's fit, the
    call the test is named for, is made again instead, its model's attributes compared too."""
    x, model, other = np.array([1.0, -2.0]), Handle(7, "Model"), Handle(8, "Model")
    stepped = {7: {"w": -0.3 * 2 * x, "b": -0.3 * (x + 1.0)}}
    for subject, attributes, said in [("fit_follows_the_contract", stepped, ["your `fit` uses `x` where `epochs` belongs"]),
                                      (None, stepped, []),  # no subject: the last call alone, which was right
                                      ("fit_follows_the_contract", {7: {"w": -0.2 * 2 * x, "b": -0.2 * (x + 1.0)}}, [])]:
        matcher = trained_matcher({**attributes, 8: {"w": np.zeros(2), "b": np.zeros(2)}}, subject)
        matcher.observe(StudentCall("Model", None, [2], {}, model, [None], {}))
        matcher.observe(StudentCall("fit", None, [model, x, 3], {}, x, [None, x, None], {}))  # returns x, not 3
        matcher.observe(StudentCall("Model", None, [2], {}, other, [None], {}))
        matcher.observe(StudentCall("grad", other, [x], {}, {"w": x * 2.0, "b": x + 1.0}, [x], {}))
        assert matcher.diagnoses() == said


@pytest.mark.parametrize("cut_after", [None, 3])
def test_a_search_the_budget_cut_short_names_nothing_not_what_another_call_names(cut_after):
    """The last call (grad) is what no mutant gives; its search, run to the end, finds nothing, and the subject (fit)
    is made again and named. Cut short by the budget (after 3 mutants: under load, or in a cold process), which change
    the last call was is unknown: on main the subject was named then all the same, so that the budget, not the
    submission, chose between two diagnoses. Now a search cut short names nothing."""
    import itertools
    from functools import partial

    from autograder.runner.known_bugs import OutOfTime
    from autograder.runner.mutants import Mutants, mutant_groups

    x, model, other = np.array([1.0, -2.0]), Handle(7, "Model"), Handle(8, "Model")
    matcher = trained_matcher({7: {"w": -0.3 * 2 * x, "b": -0.3 * (x + 1.0)}, 8: {"w": np.zeros(2), "b": np.zeros(2)}},
                              "fit_follows_the_contract")
    searched = partial(mutant_groups, Mutants(TRAINED, matcher.reference))

    def cut(group):
        yield from itertools.islice(group, cut_after)
        raise OutOfTime

    def budgeted(called, *args, **kwargs):
        groups = searched(called, *args, **kwargs)
        return groups if cut_after is None or called != "Model.grad" else [cut(group) for group in groups]

    matcher.mutants = budgeted
    matcher.observe(StudentCall("Model", None, [2], {}, model, [None], {}))
    matcher.observe(StudentCall("fit", None, [model, x, 3], {}, x, [None, x, None], {}))
    matcher.observe(StudentCall("Model", None, [2], {}, other, [None], {}))
    matcher.observe(StudentCall("grad", other, [x], {}, {"w": x * 2.5, "b": x + 1.0}, [x], {}))
    assert matcher.diagnoses() == ([] if cut_after else ["your `fit` uses `x` where `epochs` belongs"])


BATCHED = textwrap.dedent('''
    import numpy as np


    def batches(X, size, rng):
        """The rows of X in batches of size, in the order of one rng.permutation: X[order[start:start + size]]."""
        ### BEGIN SOLUTION
        order = rng.permutation(len(X))
        for start in range(0, len(X), size):
            yield X[order[start:start + size]]
        ### END SOLUTION
''')


@pytest.mark.parametrize("ended", [True, False])
def test_a_generator_is_judged_by_what_it_yielded(ended):
    """batches returns a generator: the items the test read from the student's are compared with the replay's, as far
    as the test iterated it (the range started at 1: two batches, each one row on). Where the batches differ only in
    being empty (the slice's start left out, or multiplied by the size: every batch after the first), many changes
    give the very batches, most of them no mutant: none is named."""
    from functools import partial

    from autograder.runner.mutants import Mutants, mutant_groups

    reference = build_variant(BATCHED, KnownBug("reference", "", ()), "batched_reference")
    X, rng, made = np.arange(10.0).reshape(5, 2), Handle(-1, "Generator"), Handle(9, "generator")
    order = np.random.default_rng(5).permutation(5)
    for items, said in [([X[order[1:3]], X[order[3:5]]], ["your `batches` has a whole number one too large"]),
                        ([X[order[:2]], X[order[2:2]], X[order[4:2]]], []),  # the later batches empty: as many do
                        ([X[order[:2]], X[order[2:4]], X[order[4:]]], []),  # the right batches: nothing to name
                        ([X[order[:2]], X[order[2:4]] + 1, X[order[4:]]], [])]:  # wrong, but as no one change is
        matcher = CallMatcher(reference, [], {}, generator_seeds={-1: 5}, subject="batches_follow_one_permutation",
                              mutants=partial(mutant_groups, Mutants(BATCHED, reference)))
        matcher.observe(StudentCall("batches", None, [X, 2, rng], {}, made, [X, None, None], {}))
        for item in items:
            matcher.observe_item(made, item, False)
        if ended:
            matcher.observe_item(made, None, True)
        matcher.observe(StudentCall("random", rng, [], {}, 0.5, [], {}))  # the test's last call: not the subject
        assert matcher.diagnoses() == said


WINDOW = textwrap.dedent('''
    import numpy as np


    def window(x, offset, size):
        """The size entries of x from offset on: x[offset:offset + size]."""
        ### BEGIN SOLUTION
        x = np.asarray(x, dtype=float)
        return x[offset:offset + size]
        ### END SOLUTION
''')


def test_a_term_left_out_is_not_named_on_a_call_given_a_one():
    """With an offset of one, x[offset:size] (the term offset left out) is x[offset:offset + size - 1] (a whole number
    off, which no mutant makes): the term left out is not named there; with an offset of two, it is."""
    from functools import partial

    from autograder.runner.mutants import Mutants, mutant_groups

    reference = build_variant(WINDOW, KnownBug("reference", "", ()), "window_reference")
    x = np.arange(1.0, 11.0)
    for offset, said in [(1, []), (2, ["your `window` leaves out the term `offset`"])]:
        matcher = CallMatcher(reference, [], {}, mutants=partial(mutant_groups, Mutants(WINDOW, reference)))
        matcher.observe(StudentCall("window", None, [x, offset, 5], {}, x[offset:5], [x, None, None], {}))
        assert matcher.diagnoses() == said


@pytest.mark.parametrize("students, expected, tells", [
    ([np.ones((2, 2)), np.zeros((0, 2))], [np.ones((2, 2)), np.full((2, 2), 3.0)], False),  # a later batch empty
    (np.zeros(3), np.arange(3.0), False),                  # zeros: what many changes give
    (np.full(3, np.nan), np.arange(3.0), False),           # NaN
    (np.full(3, 2.0), np.arange(3.0), False),              # one number throughout
    (np.array([0.0, 2.0, 5.0]), np.arange(3.0), True),     # numbers of their own
    (np.arange(3), np.arange(3.0), True),                  # the same values (another dtype): for the rules to tell
    ([np.ones(2)], [np.ones(2), np.ones(2)], True),        # a batch fewer: its structure differs
    ((np.zeros(2), None, {7: {"w": np.array([1.0, -2.0])}}), (np.zeros(2), [np.ones(2)], {7: {"w": np.zeros(2)}}),
     True),                                                # what a call set on its object differs (None: not sent)
])
def test_a_mutant_is_named_only_where_the_values_tell_a_change(students, expected, tells):
    from autograder.runner.known_bugs import tells_a_change

    assert tells_a_change(students, expected) is tells


class _RaisingStr(Exception):
    def __str__(self):
        raise RuntimeError("no text")


class _SlyText(str):
    def __getitem__(self, index):
        return object()


class _SlyStr(Exception):
    def __str__(self):
        return _SlyText("looks like text")


class _NamedBadly(type):
    @property
    def __name__(cls):
        raise RuntimeError("no name")


class _BadlyNamed(Exception, metaclass=_NamedBadly):
    pass


class _RaisingRepr:
    def __repr__(self):
        raise RuntimeError("no repr")


class _RaisingErrno(OSError):
    @property
    def errno(self):
        raise RuntimeError("no errno")


@pytest.mark.parametrize("error, name", [(_RaisingStr(), "_RaisingStr"), (_SlyStr(), "_SlyStr"),
                                         (_BadlyNamed("a message"), "_BadlyNamed"),
                                         (SystemExit(_RaisingRepr()), "SystemExit"), (_RaisingErrno(2, "x"), "_RaisingErrno")],
                         ids=["str-raises", "str-subclass", "metaclass-name", "exit-code-repr", "errno-property"])
def test_an_exception_that_cannot_be_shown_is_described_as_such_never_raising(error, name):
    """A graded call raising an exception whose __str__ raised ended the worker ("exited with status 1 (sys.exit or
    os._exit in the student's code?)", its traceback the grader's): describe ran the student's code and let it raise."""
    try:
        raise error
    except BaseException as raised:  # noqa: BLE001 - as the worker catches it
        told = describe(raised)
    assert told["type"] == name and all(type(told[key]) is str for key in ("type", "message", "traceback"))
    assert "RuntimeError" not in told["traceback"] and "object at 0x" not in told["message"]
