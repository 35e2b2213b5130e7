"""Build the example class: one submission per example of the catalogue (``examples/catalogue.py``).

    python examples/build_examples.py OUT [--kind bug|variant|hostile]... [--safe-without-sandbox]

writes OUT/<student> (a folder, or a .zip) for ``reference`` (the solutions as submitted),
``stubs`` (the untouched student release) and every example: the reference with one bug,
written differently, or with one attack. Grade them with ``autograder grade OUT --out GRADED``
and score the result with ``examples/mutation_score.py``. A change whose original text is no
longer in the reference stops the build: the catalogue must follow the solutions.
"""
import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from catalogue import ATTACKS, BUG, BUGS, EXAMPLES, HOSTILE, KIT, VARIANT, VARIANTS, Context  # noqa: E402

from autograder.kit.assignments import discover_assignments  # noqa: E402

ASSIGNMENTS = discover_assignments(KIT)  # every assignment of the kit, in course order

__all__ = ["ATTACKS", "BUGS", "VARIANTS", "build", "selected"]


def copy_modules(source_root, target):
    for assignment in ASSIGNMENTS:
        (target / assignment.folder).mkdir(parents=True, exist_ok=True)
        shutil.copy2(source_root / assignment.module_file, target / assignment.module_file)


def selected(kinds=None, sandboxed=True):
    """The examples of the given kinds (all by default); without a sandbox, only those safe to run without one."""
    return [example for example in EXAMPLES.values()
            if (kinds is None or example.kind in kinds) and (sandboxed or not example.needs_sandbox)]


def build(out, examples=None, context=Context()):
    """Write ``reference``, ``stubs`` and ``examples`` (default: all of them) into ``out``; return ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    copy_modules(KIT / "solutions", out / "reference")
    copy_modules(KIT / "assignments", out / "stubs")
    for example in EXAMPLES.values() if examples is None else examples:
        copy_modules(KIT / "solutions", out / example.name)
        example.apply(out / example.name, context)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="a folder for the submissions")
    parser.add_argument("--kind", action="append", choices=[BUG, VARIANT, HOSTILE],
                        help="only examples of this kind (repeatable; default: all)")
    parser.add_argument("--safe-without-sandbox", action="store_true",
                        help="leave out the hostile examples that only a sandbox can hold")
    args = parser.parse_args(argv)
    examples = selected(args.kind, sandboxed=not args.safe_without_sandbox)
    out = build(args.out, examples)
    print(f"wrote {len(examples) + 2} example submissions to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
