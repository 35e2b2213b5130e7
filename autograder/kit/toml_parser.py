"""The TOML parser: the standard library's ``tomllib`` (Python 3.11+), or, on Python 3.10, which the kit supports
(Ubuntu 22.04's python3: a student's laptop, Gradescope's default image), ``tomli``, the package ``tomllib`` was
made from, with the same API (a dependency on 3.10 only)."""
try:
    import tomllib
except ModuleNotFoundError:
    import tomli as tomllib

__all__ = ["tomllib"]
