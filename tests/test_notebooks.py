"""The notebooks: generated from the solutions, run top to bottom, and free of solution code for students."""
import ast
import json
import re
import shutil
import textwrap
import tomllib
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest
from conftest import ASSIGNMENTS, REPO
from jupyter_kernel import KERNEL_NAME, jupyter_environment
from nbclient import NotebookClient
from test_release import hidden_test_names, reference_bodies

from autograder.kit.config import load_points
from autograder.generate.notebook import module_cells, parse_lesson
from autograder.generate.source import SolutionSource
from autograder.submissions.notebook_code import (cell_lines, code_cells, definitions, extract_definitions,
                                                  unfinished)
from autograder.submissions.locate import locate_module, submitted_file

CELL_TIMEOUT = 120
PARALLEL = 2  # notebooks run at once: CI has two cores
BY_FOLDER = {assignment.folder: assignment for assignment in ASSIGNMENTS}
WHICH_AUTOGRADER = "import autograder\nprint(autograder.__file__)"


@pytest.fixture(scope="module", autouse=True)
def jupyter_event_loop():
    """The event loop nbclient's blocking calls run on, made before any test and closed after the last.

    jupyter_core keeps one loop per thread for the life of the process (an epoll and a socket pair): made by the first
    test that runs a notebook, it would count as that test's leak (conftest's no_descriptor_leaks), and which test is
    first depends on the selection.
    """
    from jupyter_core.utils import ensure_event_loop

    loop = ensure_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """Run notebooks in this interpreter (see jupyter_kernel)."""
    environment = jupyter_environment(tmp_path_factory.mktemp("jupyter"))
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        yield KERNEL_NAME


@pytest.fixture(scope="module")
def student_kernelspec(student_machine, tmp_path_factory):
    """A kernelspec for a kernel of the student machine's venv, and the environment that finds it."""
    return student_machine.kernel(tmp_path_factory.mktemp("student-jupyter"))


@pytest.fixture
def student_kernel(student_kernelspec, monkeypatch):
    """Run notebooks in a kernel of the student machine: the wheel, no checkout, no BACKPROP_KIT_ROOT."""
    from student_machine import HIDDEN_VARIABLES

    for name in HIDDEN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in student_kernelspec.items():
        monkeypatch.setenv(name, value)
    return KERNEL_NAME


@pytest.fixture(scope="module")
def executed_solutions(kernel):
    """Every solution notebook, run top to bottom in its folder (two at a time)."""
    def run(assignment):
        path = notebook_path(assignment, "solutions")
        return execute(nbformat.read(path, as_version=4), path.parent, kernel)

    with ThreadPoolExecutor(PARALLEL) as pool:
        return dict(zip(ASSIGNMENTS, pool.map(run, ASSIGNMENTS)))


def notebook_path(assignment, side):
    return REPO / side / assignment.folder / f"{assignment.module}.ipynb"


def execute(notebook, folder, kernel):
    """Run ``notebook`` in ``folder`` (the kernel's working folder), keeping going after errors."""
    NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name=kernel, allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return notebook


def text_of(cell):
    """Everything a code cell printed or returned, as text."""
    parts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif output["output_type"] == "error":
            parts.append(f"{output['ename']}: {output['evalue']}")
        else:
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def nbgrader_cell(notebook, grade_id):
    return next(cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def graded_names(assignment):
    """What the student writes: the owners of the solution regions and the names module-level regions assign."""
    source = SolutionSource.read(REPO / "solutions" / assignment.module_file)
    return {region.owner for region in source.regions if region.owner} | {
        name for region in source.regions if not region.owner for name in region.assigned_names()}


def full_marks_by_file(assignment):
    """``(public, hidden)`` full marks, worked out here: grading.toml's points of the test functions defined in
    the public and in the hidden test files (not the kit's own split or scorer, which the cells use)."""
    points = tomllib.loads((REPO / "solutions" / assignment.folder / "grading.toml").read_text())["points"]

    def defined(paths):
        return {node.name for path in paths for node in ast.parse(path.read_text()).body
                if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}

    public = defined((REPO / "assignments" / assignment.folder).glob("test_*.py"))
    hidden = defined((REPO / "solutions" / assignment.folder).glob("test_hidden_*.py"))
    assert public | hidden == set(points) and not public & hidden, assignment.folder
    return sum(points[name] for name in public), sum(points[name] for name in hidden)


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.folder)
def test_solution_notebook_runs_top_to_bottom_with_full_marks_and_plots(assignment, executed_solutions):
    notebook = executed_solutions[assignment]
    errors = [text_of(cell) for cell in notebook.cells
              if any(output["output_type"] == "error" for output in cell.get("outputs", []))]
    assert errors == []
    assert "All public tests pass" in text_of(nbgrader_cell(notebook, "check"))
    public, hidden = full_marks_by_file(assignment)
    for grade_id, points in [("public_tests", public), ("hidden_tests", hidden)]:
        cell = nbgrader_cell(notebook, grade_id)
        assert [output["output_type"] for output in cell.outputs] == ["stream", "execute_result"], grade_id
        assert float(cell.outputs[-1]["data"]["text/plain"]) == points, text_of(cell)
    images = [output for cell in notebook.cells for output in cell.get("outputs", [])
              if "image/png" in output.get("data", {})]
    assert len(images) >= 2, "each notebook's experiments plot what they find"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.folder)
def test_experiments_print_numbers_as_numbers(assignment, executed_solutions):
    """numpy 2 shows a scalar in a container as ``np.float64(14.71)``: not what a student should read."""
    printed = [text_of(cell) for cell in executed_solutions[assignment].cells if cell.cell_type == "code"]
    assert not [text for text in printed if re.search(r"\bnp\.\w+\(", text)]


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.folder)
def test_student_notebook_check_cell_says_what_is_not_done(assignment, student_machine, student_kernel, tmp_path):
    """A student opens the notebook and runs it down to the check cell, stubs untouched, on their machine; then the
    public tests' cell, which fails with its message alone: the kit's frames under it tell a student nothing."""
    folder = tmp_path / assignment.folder  # a copy of the student's bundle, away from the kit
    shutil.copytree(student_machine.bundle / assignment.folder, folder)
    notebook = nbformat.read(folder / f"{assignment.module}.ipynb", as_version=4)
    nbformat.validate(notebook)
    check = notebook.cells.index(nbgrader_cell(notebook, "check"))
    notebook.cells = notebook.cells[:check + 1] + [nbgrader_cell(notebook, "public_tests"),
                                                   nbformat.v4.new_code_cell(WHICH_AUTOGRADER)]
    executed = execute(notebook, folder, student_kernel)
    assert text_of(executed.cells[-1]).startswith(str(student_machine.venv)), "the kernel imports the wheel"
    [error] = [output for output in executed.cells[-2].outputs if output["output_type"] == "error"]
    assert error["traceback"] == ["AssertionError: some public tests fail: see the report above"], error["traceback"]
    output = text_of(executed.cells[-3])
    not_done = re.search(r"Not done yet: (.*) \(still the stub", output)
    assert not_done, output
    assert set(not_done[1].split(", ")) == graded_names(assignment)
    assert re.search(rf"{assignment.folder}: 0 of \d+ public tests pass", output), output
    assert "is not written yet" in output


@pytest.mark.slow
def test_a_student_fills_the_stubs_and_the_check_cell_says_when_done(student_machine, student_kernel, tmp_path):
    """Cell by cell, as in Jupyter: edits count once their cell runs again, saved or not; on the student's machine."""
    softmax = BY_FOLDER["02_softmax"]
    folder = tmp_path / softmax.folder
    shutil.copytree(student_machine.bundle / softmax.folder, folder)
    notebook = nbformat.read(folder / "softmax.ipynb", as_version=4)
    reference = nbformat.read(notebook_path(softmax, "solutions"), as_version=4)
    check = notebook.cells.index(nbgrader_cell(notebook, "check"))
    stubs = [index for index, cell in enumerate(notebook.cells) if cell.metadata.get("nbgrader", {}).get("solution")]
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name=student_kernel, allow_errors=True,
                            resources={"metadata": {"path": str(folder)}})
    reports = []
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells[:check + 1]):
            client.execute_cell(cell, index)
        for done in (stubs[:2], stubs[2:]):
            for index in done:
                notebook.cells[index].source = reference.cells[index].source  # the student's edit
                client.execute_cell(notebook.cells[index], index)
            reports.append(text_of(client.execute_cell(notebook.cells[check], check)))
    assert "Not done yet: nll, cross_entropy (still the stub" in reports[0]
    assert "Not done yet" not in reports[1] and "All public tests pass" in reports[1]


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.folder)
def test_student_notebook_holds_no_solution_code(assignment):
    text = notebook_path(assignment, "assignments").read_text()
    cells = ["".join(cell["source"]) for cell in json.loads(text)["cells"] if cell["cell_type"] == "code"]
    flat = " ".join(" ".join(cells).split())
    for label, body in reference_bodies():
        assert body not in flat, f"the reference body of {label} is in the student notebook"
    for name in set(hidden_test_names()):
        assert name not in text
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS"):
        assert marker not in text
    assert set(unfinished(definitions(cells))) == graded_names(assignment)


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.folder)
def test_nbgrader_metadata_and_points_follow_the_kit(assignment):
    notebook = json.loads(notebook_path(assignment, "solutions").read_text())
    metadata = [cell["metadata"]["nbgrader"] for cell in notebook["cells"] if "nbgrader" in cell["metadata"]]
    assert len({cell["grade_id"] for cell in metadata}) == len(metadata), "grade ids are unique"
    graded = [cell for cell in metadata if cell["grade"]]
    assert [cell["grade_id"] for cell in graded] == ["public_tests", "hidden_tests"]
    assert all(cell["locked"] and not cell["solution"] for cell in graded)
    assert sum(cell["points"] for cell in graded) == sum(load_points(REPO / "solutions", assignment).values())
    solutions = [cell["grade_id"] for cell in metadata if cell["solution"]]
    cells = module_cells((REPO / "solutions" / assignment.module_file).read_text())
    assert solutions == [cell.names[0] for cell in cells if cell.is_graded]
    hidden = "".join(nbgrader_cell(nbformat.from_dict(notebook), "hidden_tests")["source"])
    assert "### BEGIN HIDDEN TESTS" in hidden and "### END HIDDEN TESTS" in hidden


def test_the_notebook_module_is_the_solution_module():
    """The definitions of a solution notebook are the solution module's, minus its docstring."""
    for assignment in ASSIGNMENTS:
        module = (REPO / "solutions" / assignment.module_file).read_text()
        extracted = extract_definitions(notebook_path(assignment, "solutions"))
        assert " ".join(extracted.split()) == " ".join(definitions([module]).split())


def test_lesson_format():
    lesson = textwrap.dedent("""\
        # Title
        Some $x$.
        <!-- code: imports -->
        ## Part
        text
        ```python
        print(1)
        ```
        ```text
        # not a heading
        ```
        <!-- check -->
        """)
    assert parse_lesson(lesson) == [
        ("markdown", "# Title\nSome $x$.\n"), ("code", "imports"), ("markdown", "## Part\ntext\n"),
        ("python", "print(1)\n"), ("markdown", "```text\n# not a heading\n```\n"), ("check", "")]
    with pytest.raises(ValueError, match="nbgrader's markers"):
        parse_lesson("Never write ### BEGIN SOLUTION in a lesson\n")


def test_module_cells_keep_comments_and_markers_with_their_definition():
    cells = module_cells(textwrap.dedent('''\
        """Doc."""
        import numpy as np

        # the gates
        ### BEGIN SOLUTION: pick
        A = 1
        B = 2
        ### END SOLUTION


        @staticmethod
        def f():
            return A
        '''))
    assert [cell.names for cell in cells] == [("imports",), ("A", "B"), ("f",)]
    assert cells[1].text.startswith("# the gates\n### BEGIN SOLUTION") and cells[1].text.endswith("### END SOLUTION\n")
    assert cells[1].student_text("m.py") == "# the gates\n# YOUR CODE HERE: pick\nA = None\nB = None\n"
    assert cells[2].text.startswith("@staticmethod")


def test_notebook_definitions_keep_what_grading_needs():
    source = definitions([
        "import numpy as np\nimport matplotlib.pyplot as plt\nX = np.ones(3)\nLIMIT = 3\n",
        "%matplotlib inline\ndef f(x):\n    return np.tanh(x) * LIMIT\nplt.plot(f(X))\n",
        "%%timeit\ndef g():\n    pass\n",
        "def broken(:\n",
        "@np.vectorize\ndef h(x):\n    return x\nLIMIT = 4\n",
    ])
    assert "matplotlib" not in source and "def g" not in source and "X =" not in source
    assert "try:\n    import numpy as np\nexcept ImportError:" in source
    assert source.index("LIMIT = 4") < source.index("def f") and "LIMIT = 3" not in source
    namespace = {}
    exec(source, namespace)
    assert namespace["f"](0.0) == 0.0 and namespace["LIMIT"] == 4 and namespace["h"]([1, 2]).tolist() == [1, 2]


@pytest.mark.parametrize("cells", [
    [code_cells(notebook_path(assignment, side)) for assignment in ASSIGNMENTS for side in ("solutions", "assignments")],
    [["import numpy as np\n", "%matplotlib inline\n@np.vectorize\n\n@staticmethod\ndef f(x):\n    %time y = 1\n"
      "    return np.tanh(x)\n", "!ls\nLIMIT = 3\nX = 1\nclass C:\n    pass\n",
      "def g(x):\n    return x\n", "def g(x):\n    return 2 * x\n"]],
], ids=["the kit's notebooks", "magics, decorators, a name defined again"])
def test_each_line_of_a_notebooks_definitions_knows_its_cell(cells):
    """What a traceback through the scratch module of a notebook's definitions is told by instead."""
    for sources in cells:
        module_lines = definitions(sources).split("\n")
        origins = cell_lines(sources)
        assert origins, "the definitions' lines have cells"
        for line, (cell, number, name) in origins.items():
            assert module_lines[line - 1] == sources[cell].splitlines()[number - 1]
            assert re.search(rf"\b{name}\b", sources[cell])


def test_a_notebooks_definitions_are_parsed_once_by_its_text(tmp_path, monkeypatch):
    """grade reads each notebook's definitions three times (progress, absent definitions, similarity): the cells are
    parsed the first time only, and a notebook whose text changed (another student's, an edit) is read afresh."""
    from autograder.submissions import notebook_code

    parsed = []
    monkeypatch.setattr(notebook_code.syntax, "parse", lambda text, parse=notebook_code.syntax.parse: (
        parsed.append(text), parse(text))[1])
    notebook = tmp_path / "softmax.ipynb"
    cells = [{"cell_type": "code", "source": "import numpy as np\n"}, {"cell_type": "code", "source": "def f(x):\n    return x\n"}]
    notebook.write_text(json.dumps({"cells": cells}))
    first = extract_definitions(notebook)
    assert extract_definitions(notebook) == first and "def f(x)" in first and len(parsed) == 2
    cells[1]["source"] = "def f(x):\n    return 2 * x\n"
    notebook.write_text(json.dumps({"cells": cells}))
    assert "return 2 * x" in extract_definitions(notebook) and len(parsed) == 4


def test_module_or_notebook_which_one_counts(tmp_path):
    """The module, unless it is still the released stub and the notebook holds the work."""
    softmax = BY_FOLDER["02_softmax"]
    release = tmp_path / "alice"
    shutil.copytree(REPO / "assignments" / softmax.folder, release / softmax.folder)
    assert submitted_file(release, softmax).name == "softmax.ipynb"
    (release / softmax.module_file).write_text((REPO / "solutions" / softmax.module_file).read_text())
    assert submitted_file(release, softmax).name == "softmax.py"
    (release / softmax.module_file).unlink()
    assert submitted_file(release, softmax).name == "softmax.ipynb"


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_the_released_stub_is_the_stub_whatever_its_line_endings(tmp_path, ending):
    """Read as every trusted-side reader reads a module (syntax.read_source, which keeps a lone \\r as Python does),
    the stub saved with Windows' or old Mac's line endings is still the stub: the notebook holds the work."""
    softmax = BY_FOLDER["02_softmax"]
    release = tmp_path / "alice"
    shutil.copytree(REPO / "assignments" / softmax.folder, release / softmax.folder)
    module = release / softmax.module_file
    module.write_bytes(module.read_bytes().replace(b"\n", ending.encode()))
    assert submitted_file(release, softmax).name == "softmax.ipynb"
    module.write_bytes(module.read_bytes() + b"# mine" + ending.encode())
    assert submitted_file(release, softmax).name == "softmax.py"


def test_nbgrader_submission_folders_are_found_by_notebook_name(tmp_path):
    softmax = BY_FOLDER["02_softmax"]
    week = tmp_path / "bob" / "week2"
    week.mkdir(parents=True)
    shutil.copy(notebook_path(softmax, "solutions"), week / "softmax.ipynb")
    (week / "timestamp.txt").write_text("2026-11-23 10:00:00")
    module, problem = locate_module(tmp_path / "bob", softmax, tmp_path / "scratch")
    assert problem == "" and "def softmax" in module.read_text()
    assert locate_module(tmp_path / "bob", BY_FOLDER["05_mlp"], tmp_path / "scratch")[0] is None
