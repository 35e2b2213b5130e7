"""The layout keeps the trust boundary: what runs as the student knows nothing, and nothing imports in circles.

The rules, read from the source with ``ast`` (every import counts, those inside functions too):

- ``autograder/sandbox/inside/`` (the only code that runs as the student) imports the standard library,
  numpy and itself, nothing else: it cannot leak tests, solutions or results it never loaded;
- the rest of ``autograder/sandbox/`` does not import the runner, the tests, the results, the commands,
  the notebook side or the generator;
- ``autograder/submissions/`` parses what students hand in and never runs it: no sandbox, no runner, no
  importlib, runpy or subprocess, no exec, eval or compile;
- no import cycle between modules of ``autograder/``, nor between its sub-packages.

Each rule is also run on a small tree that breaks it, so that the test is seen to fail.
And the wheel built from this tree holds every package of it (a hand-written package list once
dropped ``autograder.testing`` from the student wheel).
"""
import ast
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "autograder"
STDLIB = set(sys.stdlib_module_names)

INSIDE = "autograder.sandbox.inside"
SANDBOX_MUST_NOT_IMPORT = ("autograder.runner", "autograder.testing", "autograder.results", "autograder.commands",
                           "autograder.notebook", "autograder.generate", "autograder.cli")
SUBMISSIONS_MUST_NOT_IMPORT = ("autograder.sandbox", "autograder.runner", "importlib", "runpy", "subprocess",
                               "multiprocessing")
RUNS_CODE = {"exec", "eval", "compile", "__import__"}


def module_name(path, root):
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def read_modules(root):
    """``{module name: (imported module names, names of the functions it calls)}`` for every module of ``root``."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        name = module_name(path, root)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imports, calls = set(), set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imports.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
                # ``from a.b import c`` imports a.b, and a.b.c when c is a module
                imports.add(base)
                imports.update(f"{base}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                calls.add(node.func.id)
        modules[name] = (imports, calls)
    for name, (imports, calls) in modules.items():  # keep only what exists: packages, modules, top-level names
        top = root.name
        modules[name] = ({i for i in imports if not i.startswith(top + ".") and i != top or i in modules}, calls)
    return modules


def within(name, prefix):
    return name == prefix or name.startswith(prefix + ".")


def violations(root):
    """Every broken rule of the layout in the package at ``root``, as sentences (empty: all kept)."""
    top = root.name
    modules = read_modules(root)
    found = []
    for name, (imports, calls) in modules.items():
        if within(name, f"{top}.sandbox.inside"):
            for imported in sorted(imports):
                first = imported.split(".")[0]
                if not (first in STDLIB or first == "numpy" or within(imported, f"{top}.sandbox.inside")):
                    found.append(f"{name} runs as the student but imports {imported}")
        elif within(name, f"{top}.sandbox"):
            for imported in sorted(imports):
                if any(within(imported, forbidden.replace("autograder", top, 1)) for forbidden in SANDBOX_MUST_NOT_IMPORT):
                    found.append(f"{name} (the sandbox layer) imports {imported}")
        if within(name, f"{top}.submissions"):
            for imported in sorted(imports):
                if any(within(imported, forbidden.replace("autograder", top, 1)) for forbidden in SUBMISSIONS_MUST_NOT_IMPORT):
                    found.append(f"{name} (reading submissions) imports {imported}")
            for call in sorted(calls & RUNS_CODE):
                found.append(f"{name} (reading submissions) calls {call}()")
    found += [f"import cycle: {' -> '.join(cycle)}" for cycle in cycles(
        {name: {i for i in imports if i in modules and i != name} for name, (imports, _) in modules.items()})]
    found += [f"import cycle between sub-packages: {' -> '.join(cycle)}" for cycle in cycles(package_graph(modules, top))]
    return found


def package_graph(modules, top):
    """Sub-package (``autograder.sandbox``, ...) -> the sub-packages its modules import; a nested folder counts apart."""
    def unit(name):
        parts = name.split(".")
        if name == f"{top}.sandbox.inside" or name.startswith(f"{top}.sandbox.inside."):
            return f"{top}.sandbox.inside"
        return ".".join(parts[:2])

    graph = {}
    for name, (imports, _) in modules.items():
        graph.setdefault(unit(name), set()).update(
            unit(i) for i in imports if i in modules and unit(i) != unit(name) and i != top)
    return graph


def cycles(graph):
    """One cycle per strongly connected component of more than one node (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component) + [sorted(component)[0]])

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_package_keeps_every_rule():
    assert violations(PACKAGE) == []


def top_level_statements(body):
    """The statements of ``body``, those of a ``try`` among them included (``try: import tomllib`` ...)."""
    for node in body:
        if isinstance(node, ast.Try):
            yield from top_level_statements([*node.body, *(s for handler in node.handlers for s in handler.body),
                                             *node.orelse, *node.finalbody])
        else:
            yield node


def top_level_names(path):
    """The names a module binds at its top level (definitions, assignments, imports)."""
    names = set()
    for node in top_level_statements(ast.parse(path.read_text()).body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for target in targets for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def source_of(module):
    """The file of ``autograder.x.y``: its module, or its package's ``__init__.py`` (None: no such module)."""
    base = PACKAGE.parent.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


@pytest.mark.parametrize("folder", ["autograder", "tests", "examples", "benchmarks", "solutions", "assignments"])
def test_every_import_of_the_package_names_something_that_exists(folder):
    """After a move, a stale import inside a function fails only when that function runs (a warm fork
    server once fell back to cold runners in silence): every ``autograder`` import, lazy ones included,
    must name a module, or a name that module defines."""
    stale = []
    for path in sorted((REPO / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                stale += [f"{path.name}: import {alias.name}" for alias in node.names
                          if alias.name.split(".")[0] == "autograder" and source_of(alias.name) is None]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "autograder" and not node.level:
                source = source_of(node.module)
                if source is None:
                    stale.append(f"{path.name}: from {node.module}")
                    continue
                stale += [f"{path.name}: from {node.module} import {alias.name}" for alias in node.names
                          if alias.name not in top_level_names(source) and source_of(f"{node.module}.{alias.name}") is None]
    assert stale == []


def code_words(path):
    """The names and strings of a module's code, docstrings left out."""
    tree = ast.parse(path.read_text())
    for node in list(ast.walk(tree)):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and ast.get_docstring(node):
            node.body = node.body[1:]
    words = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            words.append(node.id)
        elif isinstance(node, ast.Attribute):
            words.append(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            words.append(node.value)
    return words


def test_nothing_inside_the_sandbox_knows_tests_solutions_or_results():
    inside = sorted((PACKAGE / "sandbox" / "inside").rglob("*.py"))
    assert {path.name for path in inside} >= {"worker.py", "wire.py", "zygote.py"}
    for path in inside:
        for word in code_words(path):
            for secret in ("solutions", "test_hidden", "grading.toml", "reference", "results.json", "gradebook"):
                assert secret not in word, f"{path.name}, which runs as the student, uses {word!r}"


def write_tree(tmp_path, files):
    root = tmp_path / "autograder"
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for folder in [root, *[p for p in root.rglob("*") if p.is_dir()]]:
        (folder / "__init__.py").touch()
    return root


GOOD = {"sandbox/inside/worker.py": "import os\nimport numpy\nfrom autograder.sandbox.inside import wire\n",
        "sandbox/inside/wire.py": "import json\n",
        "sandbox/session.py": "from autograder.sandbox.inside import wire\n",
        "runner/plugin.py": "from autograder.sandbox import session\n",
        "submissions/locate.py": "import ast\n"}


@pytest.mark.parametrize("bad, expected", [
    ({"sandbox/inside/worker.py": "def f():\n    from autograder.runner import plugin\n"},
     "autograder.sandbox.inside.worker runs as the student but imports autograder.runner"),
    ({"sandbox/inside/worker.py": "import sklearn\n"}, "runs as the student but imports sklearn"),
    ({"sandbox/session.py": "from autograder.runner.plugin import x\n"}, "(the sandbox layer) imports autograder.runner"),
    ({"submissions/locate.py": "import importlib\n"}, "(reading submissions) imports importlib"),
    ({"submissions/locate.py": "exec(open('x').read())\n"}, "(reading submissions) calls exec()"),
    ({"runner/a.py": "from autograder.runner import b\n", "runner/b.py": "from autograder.runner import a\n"},
     "import cycle: autograder.runner.a -> autograder.runner.b"),
    ({"results/a.py": "from autograder.kit import k\n", "kit/k.py": "def f():\n    import autograder.results.a\n"},
     "import cycle between sub-packages: autograder.kit -> autograder.results"),
])
def test_a_deliberately_bad_import_is_caught(tmp_path, bad, expected):
    assert violations(write_tree(tmp_path / "good", GOOD)) == []
    found = violations(write_tree(tmp_path / "bad", {**GOOD, **bad}))
    assert any(expected in sentence for sentence in found), found


def test_the_wheel_holds_every_package_of_the_tree(tmp_path):
    """The wheel ``autograder release`` ships (built from a clean copy, as the bundle's is)."""
    from autograder.commands.release import build_wheel

    build_wheel(REPO, tmp_path)
    [wheel] = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = [path.relative_to(REPO).as_posix() for path in sorted(PACKAGE.rglob("*.py"))]
    assert sources and [source for source in sources if source not in names] == []
    datasets = [f"backprop_datasets/{path.name}" for path in sorted((REPO / "datasets").iterdir())
                if path.suffix in (".py", ".csv")]
    assert [name for name in datasets if name not in names] == []


# Standard-library modules Python 3.11 added, and what stands for each on 3.10 (pyproject's requires-python).
NEWER_THAN_THE_OLDEST_PYTHON = {"tomllib": "autograder.kit.toml_parser"}


def test_a_module_newer_than_the_oldest_python_supported_is_imported_through_its_stand_in():
    """On Python 3.10 (Ubuntu 22.04's: a student's laptop, Gradescope's image) ``import tomllib`` failed, and
    ``autograder check`` ended in ModuleNotFoundError before it said anything."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.10"
    assert "tomli>=1.1; python_version < '3.11'" in project["dependencies"]
    for name, (imports, _) in read_modules(PACKAGE).items():
        for module, stand_in in NEWER_THAN_THE_OLDEST_PYTHON.items():
            assert module not in imports or name == stand_in, f"{name} imports {module}: use {stand_in}"
