"""Rendering a :class:`SolutionSource` as the student's stub module."""
from autograder.generate.source import SolutionRegion

DEFAULT_HINT = "write this part"


def render_region_stub(region):
    """The stub text that replaces one solution region.

    In a function, the body raises ``NotImplementedError`` with the pointer. At
    module level, raising would break the import, so each name the reference
    assigns is set to ``None`` instead.
    """
    hint = region.hint or DEFAULT_HINT
    comment = f"{region.indent}# YOUR CODE HERE: {hint}\n"
    if not region.owner:
        return comment + "".join(f"{region.indent}{name} = None\n" for name in region.assigned_names())
    message = f"{region.owner}: {hint}"
    return comment + f"{region.indent}raise NotImplementedError({message!r})\n"


def render_stub_module(source):
    """The student's module: the reference with every solution region replaced by its stub."""
    return "".join(
        render_region_stub(part) if isinstance(part, SolutionRegion) else part for part in source.parts
    )
