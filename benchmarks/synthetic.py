"""A synthetic class for the benchmark (and the tests of the grading roads): correct, buggy, hostile.

Every submission is the reference solution (``solutions/``) with at most one change,
and every change is *appended* to a module (a redefinition of a function or method,
or a statement run at import), so the class still builds when the wording of the
reference changes. The bugs are the classic ones of each assignment; the attacks
cost the grader what attacks cost (timeouts, crashes, memory limits). The bug
catalogue in ``examples/`` is the place for the full list; this is a sample of it.

    make_class(out, students=40, mix=(0.6, 0.3, 0.1))

writes ``out/<student>/<folder>/<module>.py`` for ``students`` students, in the
proportions ``mix`` of correct, buggy and hostile submissions, and returns
``{student: kind}``.
"""
import shutil
import sys
from pathlib import Path

KIT = Path(__file__).resolve().parent.parent
if str(KIT) not in sys.path:
    sys.path.insert(0, str(KIT))

from autograder.kit.assignments import discover_assignments  # noqa: E402

ASSIGNMENTS = discover_assignments(KIT)  # every assignment of the kit, in course order

MODULES = {assignment.folder: assignment.module_file for assignment in ASSIGNMENTS}

# name: (assignment folder, code appended to the reference module)
BUGS = {
    "step_strict_boundary": ("01_perceptron", """
def stepFunction(t):
    return 1 if t > 0 else 0
"""),
    "softmax_no_keepdims": ("02_softmax", """
def softmax(X):
    X = np.asarray(X)
    exp = np.exp(X - np.max(X, axis=-1, keepdims=True))
    return exp / np.sum(exp, axis=-1)
"""),
    "nll_sum_not_mean": ("02_softmax", """
def nll(Y_true, Y_pred):
    Y_true = np.atleast_2d(np.asarray(Y_true, dtype=float))
    Y_pred = np.atleast_2d(np.asarray(Y_pred, dtype=float))
    return float(-np.sum(Y_true * np.log(EPSILON + Y_pred)))
"""),
    "gd_no_bias_update": ("03_gradient_descent", """
def update_weights(x, y, weights, bias, learnrate):
    x = np.asarray(x, dtype=float)
    error = y - output_formula(x, weights, bias)
    return weights + learnrate * error * x, bias
"""),
    "lr_bias_gradient_zero": ("04_logistic_regression", """
_true_grad_loss = LogisticRegression.grad_loss


def _grad_loss(self, x, y_true):
    gradients = _true_grad_loss(self, x, y_true)
    return {"W": gradients["W"], "b": np.zeros_like(gradients["b"])}


LogisticRegression.grad_loss = _grad_loss
"""),
    "mlp_dsigmoid_of_activation": ("05_mlp", """
def dsigmoid(X):
    activation = sigmoid(sigmoid(X))
    return activation * (1 - activation)
"""),
    "backprop_no_learnrate": ("06_backprop", """
_true_backprop_step = backprop_step


def backprop_step(x, target, weights_input_hidden, weights_hidden_output, learnrate):
    return _true_backprop_step(x, target, weights_input_hidden, weights_hidden_output, 1.0)
"""),
    "training_momentum_sign": ("07_training", """
def momentum_step(param, grad, velocity, learning_rate, beta):
    velocity = beta * np.asarray(velocity, dtype=float) + learning_rate * np.asarray(grad, dtype=float)
    return np.asarray(param, dtype=float) + velocity, velocity
"""),
    "regression_changes_summed": ("08_regression", """
_true_train = NeuralNetwork.train


def _train(self, features, targets):
    rate = self.lr
    self.lr = rate * len(features)  # the changes summed over the batch, not averaged
    try:
        _true_train(self, features, targets)
    finally:
        self.lr = rate


NeuralNetwork.train = _train
"""),
}

HOSTILE = {
    "infinite_loop": ("02_softmax", """
def softmax(X):
    while True:
        pass
"""),
    "exit_at_import": ("01_perceptron", """
import sys
sys.exit(3)
"""),
    "memory_bomb": ("03_gradient_descent", """
def update_weights(x, y, weights, bias, learnrate):
    hoard = [bytearray(1 << 30) for _ in range(64)]
    return weights, bias
"""),
    "os_exit": ("04_logistic_regression", """
def _train(self, x, y, learning_rate):
    import os
    os._exit(0)


LogisticRegression.train = _train
"""),
    "patch_numpy": ("05_mlp", """
import numpy.testing

np.allclose = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
np.array_equal = lambda *args, **kwargs: True


def dsigmoid(X):
    return np.zeros_like(np.asarray(X, dtype=float))
"""),
    "output_flood": ("06_backprop", """
def sigmoid(x):
    print("x" * (1 << 20))
    return 1 / (1 + np.exp(-x))
"""),
}


def write_submission(folder, change=None, source=KIT / "solutions"):
    """The reference's modules in ``folder``, with ``change`` = (assignment folder, appended code)."""
    for assignment in ASSIGNMENTS:
        target = Path(folder) / assignment.module_file
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(Path(source) / assignment.module_file, target)
    if change is not None:
        where, code = change
        with open(Path(folder) / MODULES[where], "a") as module:
            module.write("\n" + code)
    return Path(folder)


def make_class(out, students=40, mix=(0.6, 0.3, 0.1)):
    """``students`` submissions in ``out``, correct/buggy/hostile in the proportions ``mix``; ``{student: kind}``."""
    out = Path(out)
    hostile = round(students * mix[2])
    buggy = round(students * mix[1])
    correct = students - hostile - buggy
    kinds = {}
    bugs, attacks = sorted(BUGS), sorted(HOSTILE)
    for index in range(students):
        if index < correct:
            name, kind, change = f"s{index:03d}_correct", "correct", None
        elif index < correct + buggy:
            bug = bugs[(index - correct) % len(bugs)]
            name, kind, change = f"s{index:03d}_bug_{bug}", "buggy", BUGS[bug]
        else:
            attack = attacks[(index - correct - buggy) % len(attacks)]
            name, kind, change = f"s{index:03d}_hostile_{attack}", "hostile", HOSTILE[attack]
        write_submission(out / name, change)
        kinds[name] = kind
    return kinds


def module_source(submission, assignment_folder):
    """The text of one assignment's module in a submission made here."""
    return (Path(submission) / MODULES[assignment_folder]).read_text()
