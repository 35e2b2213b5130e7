"""``pytest`` in a copy of the student release: the public tests, with the fixtures ``autograder check`` gives them.

``autograder release`` writes a ``conftest.py`` at the top of the bundle (:data:`RELEASE_CONFTEST`)
that calls :func:`register`. ``pytest 02_softmax`` (or ``pytest``, every assignment) there then runs
the public tests on the student's module, or notebook by the rule of
:func:`~autograder.submissions.locate.submitted_file`, in a child process, as ``autograder check``
does: the same :class:`~autograder.runner.plugin.GradingPlugin`, the same messages, in pytest's own
report. Nothing here is used at grading; the grader's runner never reads the bundle's conftest.
"""
import shutil
import tempfile
from pathlib import Path

from autograder.kit.assignments import discover_assignments
from autograder.runner.plugin import GradingPlugin
from autograder.sandbox import zygote
from autograder.sandbox.process import ChildProcess

PLUGIN_NAME = "backprop-kit-public-tests"
RELEASE_CONFTEST = '''"""Lets `pytest` run the public tests here as `autograder check` does (written by `autograder release`)."""
from pathlib import Path


def pytest_configure(config):
    from autograder.runner.standalone import register

    register(config, Path(__file__).resolve().parent)
'''


def register(config, release_root):
    """Give the pytest session ``config`` the grading fixtures for the student's work at ``release_root``."""
    if config.pluginmanager.has_plugin(PLUGIN_NAME):
        return
    scratch = tempfile.mkdtemp(prefix="autograder-pytest-")
    sandbox = ChildProcess()
    folders = [assignment.folder for assignment in discover_assignments(release_root)]
    workers = zygote.wrap(sandbox, Path(release_root), scratch, folders)
    if workers is not sandbox:
        workers.prestart()

    def cleanup():
        if workers is not sandbox:
            workers.close()
        shutil.rmtree(scratch, ignore_errors=True)

    config.add_cleanup(cleanup)
    config.pluginmanager.register(GradingPlugin(Path(release_root), workers, scratch), PLUGIN_NAME)
