"""Training that runs inside one student call, checked against the student's own gradient (issue 12).

A test that grades what one call of the student's trained (06's ``train_xor``) sees only that call's outcome: a
function that ignores its own gradient and refits (numpy's least squares is allowed in a graded call), or returns
weights it learned elsewhere, passes it. So, once the graded call has passed, the same function is called again in a
fresh worker (the worker that trained is ended first: nothing it did, kept or started can answer there), twice, with
the test's own arguments and an epoch count ``k`` and ``k + 1`` drawn under the course secret (with a seed, drawn the
same way): the second result must be ONE step of the student's own gradient function (graded by its own tests) from the
first, ``after = before - rate * gradient(before)``, at one rate for every parameter, read off the step (so the check
needs no learning rate and holds whatever default the student's function has). numpy's global random state is seeded
alike before each call, for a function that draws from it instead of its seed's generator.

A result that is not such a step is tamper evidence (``needs review``: what a test grades was not trained by the
student's own gradient) and fails the test. Unless the function is not deterministic: the call with ``k`` made again
gives another network, which says why the two are no step apart (a seed left unused, a generator of the system's
randomness) and fails the test with that, without evidence: nothing of such a function's training can be checked.

Cost: a worker's start (the session's worker for the next test, when the check passes) and three small calls (``k`` is
at most :data:`MOST_EPOCHS`) and one gradient call, only after the graded outcome passed. What a forger must still do
(README's trust section): train honestly at the drawn epoch counts and answer otherwise at the graded one (branching on
the count, or on being called with the defaults); start from a network chosen to be a solution, then take real steps
(the contract fixes the start by its seed only); or have the gradient function itself answer a jump on the training data
(a function of its arguments alone, as 04's ``grad_loss`` of no state: the gradient's own tests check it on other
inputs). A failure states what it established as its diagnosis, so no known bug or mutant is replayed on the calls
(hundreds of mutants of ``train_xor``, each made again at the graded 2,000 epochs, took a grading past its 900 s).
"""
import numpy as np

from autograder.testing.checks import as_array, assert_true

#: The largest epoch count ``k`` a check draws (from 1): a few steps from the start, where every step moves the weights.
MOST_EPOCHS = 20
#: How close ``after`` must be to one step from ``before``: rounding only (float32 arithmetic included).
RTOL, ATOL = 1e-6, 1e-9
NOT_DETERMINISTIC = "the initial weights do not come from np.random.default_rng(seed) alone: draw them from it only"
NOT_ITS_OWN_STEPS = ("the training's own steps: {call} with one epoch more was not one step of its own {gradient} "
                     "from its result with one epoch less")


def assert_trains_by_its_own_gradient(student, function, kwargs, names, gradient, gradient_name):
    """Check, in a fresh worker, that the student's ``function`` trains by steps of its own ``gradient``.

    Parameters
    ----------
    student : autograder.sandbox.remote.RemoteModule
        The student's module (its training worker is ended: call this once the test is done with it).
    function : str
        The module's training function, called as ``function(**kwargs, epochs=k, seed=s)``; it returns the
        parameters named ``names``, in that order.
    kwargs : dict
        The graded call's other arguments (``hidden_size``, say): the network checked is the one graded.
    names : tuple of str
        The parameters' names, as ``gradient`` returns them in its dict.
    gradient : callable
        ``gradient(module, parameters)``: the student's gradient (a dict by ``names``) at ``parameters`` (a list in
        the order of ``names``), asked of ``module``, the fresh worker's.
    gradient_name : str
        Its name, for the messages (``two_layer_gradients``).

    Raises
    ------
    CheckFailed
        When the result with one epoch more is not one step of ``gradient`` from the result with one epoch less
        (told as tamper evidence), or the function is not deterministic.
    """
    draws = student._draws()
    epochs, seed, global_seed = draws.randint(1, MOST_EPOCHS), draws.randrange(2 ** 31), draws.randrange(2 ** 31)
    call = f"{function}({', '.join(f'{key}={value!r}' for key, value in kwargs.items())})"
    with student._in_a_fresh_worker() as fresh:
        def trained(count):
            fresh._seed(global_seed)
            result = getattr(fresh, function)(**kwargs, epochs=count, seed=seed)
            assert_true(isinstance(result, (tuple, list)) and len(result) == len(names),
                        f"{function} should return ({', '.join(names)})")
            return [as_array(value, f"{name} of {function}") for name, value in zip(names, result)]

        before, after = trained(epochs), trained(epochs + 1)
        step = gradient(fresh, before)
        assert_true(isinstance(step, dict) and all(name in step for name in names),
                    f"{gradient_name} should return a dict of {', '.join(names)}")
        step = [as_array(step[name], f'{gradient_name}(...)["{name}"]', value.shape)
                for name, value in zip(names, before)]
        if one_step(before, after, step):
            return
        again = trained(epochs)
        if not all(np.array_equal(first, second, equal_nan=True) for first, second in zip(before, again)):
            assert_true(False, f"{function} gave two different networks for the same arguments, so its training "
                               "cannot be checked", diagnosis=NOT_DETERMINISTIC)
        # Failed inside the block, so that the fresh worker is ended with the check (one that passes stays the
        # session's worker for the next test: RemoteModule._in_a_fresh_worker).
        words = NOT_ITS_OWN_STEPS.format(call=function, gradient=gradient_name)
        student._tampered(words)
        assert_true(False, f"{call} did not train by steps of your {gradient_name}", diagnosis=words)


def one_step(before, after, gradient):
    """Is ``after`` (a list of arrays) ``before - rate * gradient`` for one positive rate, read off the step (least
    squares)? The same network twice is no step, unless the gradient is zero."""
    if any(first.shape != second.shape or first.shape != slope.shape
           for first, second, slope in zip(before, after, gradient)):
        return False
    moved = np.concatenate([np.ravel(second - first) for first, second in zip(before, after)]).astype(np.float64)
    slope = np.concatenate([np.ravel(value) for value in gradient]).astype(np.float64)
    if not (np.all(np.isfinite(moved)) and np.all(np.isfinite(slope))):
        return False
    norm = float(slope @ slope)
    if norm == 0:  # a gradient of zeros: no step moves
        return not np.any(moved)
    rate = -float(moved @ slope) / norm
    if not rate > 0:  # no step at all (the same network, as a stored answer gives), or a step up the loss
        return False
    return all(np.allclose(second, first - rate * value, rtol=RTOL, atol=ATOL)
               for first, second, value in zip(before, after, gradient))
