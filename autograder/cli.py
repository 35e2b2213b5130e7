"""The ``autograder`` command."""
import argparse
import sys

from autograder import __version__
from autograder.assignments import find_kit_root


def cmd_generate(args):
    from autograder.generate import stale_files, write_generated_files

    root = find_kit_root(args.root)
    if args.check:
        stale = stale_files(root)
        for path in stale:
            print(f"stale: {path}")
        if stale:
            print("run `autograder generate` and commit the result", file=sys.stderr)
            return 1
        print("generated files are up to date")
        return 0
    written = write_generated_files(root)
    for path in written:
        print(f"wrote {path}")
    print(f"{len(written)} file(s) written, the rest were up to date")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="autograder",
        description="Backprop Kit: generate the student release, check your work, grade a class.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    generate = commands.add_parser(
        "generate",
        help="write the student stubs in assignments/ from the reference solutions",
        description="Write every generated file of the student release (the stubs in "
        "assignments/) from the reference solutions in solutions/. Developers only.",
    )
    generate.add_argument("--root", default=".", help="the kit's repository (default: found from here)")
    generate.add_argument("--check", action="store_true", help="write nothing; exit 1 if a committed file is stale")
    generate.set_defaults(run=cmd_generate)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (FileNotFoundError, ValueError) as error:
        print(f"autograder {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
