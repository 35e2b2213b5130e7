"""A Jupyter kernel for the notebook tests: this interpreter, found under the name notebooks ask for.

A fresh machine may have no kernelspec at all, or one that points at another
Python; :func:`jupyter_environment` writes a ``python3`` kernelspec for
``sys.executable`` into a folder of its own and returns the environment that
makes Jupyter (nbclient in this process, nbgrader in a child) use it.
"""
import json
import os
import sys
from pathlib import Path

from conftest import REPO

KERNEL_NAME = "python3"  # what the generated notebooks' metadata asks for


def jupyter_environment(folder):
    """Environment variables under which notebooks run in this interpreter, with the kit at ``REPO``.

    ``PATH`` gains this interpreter's ``bin`` folder: nbgrader runs ``alembic`` from there.
    """
    spec = Path(folder) / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (Backprop Kit tests)",
        "language": "python",
    }))
    return {
        "JUPYTER_PATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("JUPYTER_PATH")])),
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "BACKPROP_KIT_ROOT": str(REPO),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }
