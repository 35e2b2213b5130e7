"""Build a folder of example submissions, one sub-folder per "student".

    python examples/build_examples.py OUT

writes OUT/<student>/ for: ``reference`` (the solutions as submitted), ``stubs``
(the untouched student release), each one-bug submission of ``BUGS`` and each
hostile submission of ``HOSTILE``. Each example is the reference with exactly
one change, so it shows what one bug or one attack costs, and nothing else.
A change whose original text is no longer in the reference stops the build: the
catalogue must follow the solutions.
"""
import shutil
import sys
from pathlib import Path

KIT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(KIT))

from autograder.assignments import ASSIGNMENTS  # noqa: E402

# name: (assignment folder, text in the reference, replacement)
BUGS = {
    "bug_step_strict_boundary": ("01_perceptron", "return 1 if t >= 0 else 0", "return 1 if t > 0 else 0"),
    "bug_softmax_no_keepdims": (
        "02_softmax",
        "return exp / np.sum(exp, axis=-1, keepdims=True)",
        "return exp / np.sum(exp, axis=-1)",
    ),
    "bug_nll_sum_not_mean": ("02_softmax", "return float(-np.mean(log_likelihoods))",
                             "return float(-np.sum(log_likelihoods))"),
    "bug_gd_no_bias_update": ("03_gradient_descent", "bias = bias + learnrate * error", "bias = bias"),
    "bug_lr_bias_gradient_zero": ("04_logistic_regression", 'return {"W": np.outer(x, grad_z), "b": grad_z}',
                                  'return {"W": np.outer(x, grad_z), "b": np.zeros_like(grad_z)}'),
    "bug_mlp_dsigmoid_of_activation": ("05_mlp", "grad_z_h = grad_h * dsigmoid(z_h)",
                                       "grad_z_h = grad_h * dsigmoid(h)"),
    "bug_backprop_no_learnrate": ("06_backprop", "delta_w_h_o = learnrate * output_error_term * hidden_output",
                                  "delta_w_h_o = output_error_term * hidden_output"),
}

# name: (assignment folder, text in the reference, replacement)
HOSTILE = {
    "hostile_exit_at_import": ("01_perceptron", "import numpy as np\n", "import sys\nsys.exit(3)\nimport numpy as np\n"),
    "hostile_infinite_loop": ("02_softmax", "    X = np.asarray(X)\n    exp", "    while True:\n        pass\n    exp"),
    "hostile_memory_bomb": ("03_gradient_descent", "    x = np.asarray(x, dtype=float)\n    error",
                            "    hoard = [bytearray(1 << 30) for _ in range(64)]\n    error"),
    "hostile_os_exit": ("04_logistic_regression", "        grads = self.grad_loss(x, y)\n",
                        "        import os\n        os._exit(0)\n"),
    # Wrong derivative, and numpy patched so that every comparison would pass, if comparisons ran here.
    "hostile_patch_numpy": (
        "05_mlp",
        "    activation = sigmoid(X)\n    return activation * (1 - activation)\n",
        "    import numpy.testing\n"
        "    np.allclose = lambda *args, **kwargs: True\n"
        "    np.testing.assert_allclose = lambda *args, **kwargs: None\n"
        "    np.array_equal = lambda *args, **kwargs: True\n"
        "    return np.zeros_like(np.asarray(X, dtype=float))\n",
    ),
    "hostile_read_solutions": (
        "06_backprop",
        "import numpy as np\n",
        "import numpy as np\nimport os\n"
        "STOLEN = []\n"
        # Where a checkout of the kit would be; walking all of / can outlast the import timeout.
        "for root in ('/work', '/root', '/home', '/srv', '/opt', '/tmp'):\n"
        "    for top, folders, files in os.walk(root):\n"
        "        if 'solutions' in top and 'backprop.py' in files:\n"
        "            STOLEN.append(open(os.path.join(top, 'backprop.py')).read())\n"
        "        folders[:] = [f for f in folders if f not in ('.venv', 'site-packages', '.git')]\n"
        "if not STOLEN:\n"
        "    raise ImportError('found no solutions to steal')\n",
    ),
}


def copy_modules(source_root, target):
    for assignment in ASSIGNMENTS:
        (target / assignment.folder).mkdir(parents=True, exist_ok=True)
        shutil.copy2(source_root / assignment.module_file, target / assignment.module_file)


def build(out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    copy_modules(KIT / "solutions", out / "reference")
    copy_modules(KIT / "assignments", out / "stubs")
    modules = {assignment.folder: assignment.module_file for assignment in ASSIGNMENTS}
    for name, (folder, original, replacement) in {**BUGS, **HOSTILE}.items():
        copy_modules(KIT / "solutions", out / name)
        path = out / name / modules[folder]
        text = path.read_text()
        if text.count(original) != 1:
            raise SystemExit(f"{name}: the text to change occurs {text.count(original)} times in {modules[folder]}")
        path.write_text(text.replace(original, replacement))
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print(f"wrote {len(BUGS) + len(HOSTILE) + 2} example submissions to {build(sys.argv[1])}")
