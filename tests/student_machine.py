"""A student's (or a cluster worker's) machine: the bundle's wheel in a fresh venv, and nothing of the checkout.

Tests that promise something about what users install run here, in subprocesses of that venv, so
that ``python -m pytest`` putting the checkout first on this process's import path cannot help
them: the wheel must hold everything. :meth:`StudentMachine.kernel` makes a Jupyter kernel of the
venv for nbclient (in this process) to run notebooks in.
"""
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# What a student adds to the wheel to run the notebooks; the wheel's extras cluster and grade are what
# a Dask worker machine adds (dask, and bubblewrap where the system has no bwrap).
EXTRAS = ("ipykernel>=6.0",)
KERNEL_NAME = "python3"  # what the generated notebooks' metadata asks for
HIDDEN_VARIABLES = ("PYTHONPATH", "BACKPROP_KIT_ROOT", "VIRTUAL_ENV", "PYTHONHOME")


@dataclass(frozen=True)
class StudentMachine:
    bundle: Path  # a copy of the student bundle (where the student works)
    venv: Path
    environment: dict  # the environment of every command run here

    @classmethod
    def create(cls, bundle, home):
        home = Path(home)
        copy = home / "bundle"
        shutil.copytree(bundle, copy)
        venv = home / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        [wheel] = (copy / "wheels").glob("*.whl")
        result = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", f"{wheel}[cluster,grade]", *EXTRAS],
                                capture_output=True, text=True, cwd=home)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        environment = {key: value for key, value in os.environ.items() if key not in HIDDEN_VARIABLES}
        environment["PATH"] = os.pathsep.join([str(venv / "bin"), environment.get("PATH", "")])
        return cls(copy, venv, environment)

    @property
    def python(self):
        return str(self.venv / "bin" / "python")

    def run(self, *command, cwd=None, timeout=300):
        """Run ``command`` (``"autograder"``, ``"python"`` or a path) in the venv, from ``cwd`` (default: the bundle)."""
        program = command[0] if os.sep in command[0] else str(self.venv / "bin" / command[0])
        return subprocess.run([program, *command[1:]], capture_output=True, text=True, env=self.environment,
                              cwd=cwd or self.bundle, timeout=timeout)

    def kernel(self, folder):
        """Environment variables under which Jupyter (nbclient here) starts kernels in this venv.

        The kernelspec goes into ``folder``; apply the variables (and remove :data:`HIDDEN_VARIABLES`)
        around the notebook run: a kernel inherits its starter's environment.
        """
        spec = Path(folder) / "kernels" / KERNEL_NAME
        spec.mkdir(parents=True, exist_ok=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [self.python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (a student's venv)", "language": "python",
        }))
        return {"JUPYTER_PATH": str(folder), "PATH": self.environment["PATH"], "MPLBACKEND": "Agg"}
