"""One-change mutants of the reference: the mistakes a student's next bug usually is, built from the reference's AST.

The catalogue's known bugs (:mod:`autograder.runner.known_bugs`) are one-change variants of the
reference, written by hand. A student's next bug is usually one too, only not a catalogued one.
Here the one-change variants of a graded function are made mechanically from its syntax tree,
each with a sentence that says the change in words a student can act on, naming an operand only
by a name the contract gives it (a parameter of the function, an attribute ``self.x``, a function
of the module): + and -, * and /, a minus sign dropped, a term of a sum or a factor of a product
left out (a negated one with its minus kept: ``-log(p)`` for ``-y * log(p)``), an axis 0 and 1 swapped or
dropped, ``keepdims`` dropped, a sum and a mean or a max swapped, a transpose added or dropped, a whole
number one off, a log of another base, a comparison's boundary or direction, one function of the module
called for another, a call's two arguments swapped, a wrapping call left out, one variable written for
another of its kind (an activation for a pre-activation: only variables the contract names), a loop over
``range(n)`` that starts at 1 or stops at ``n - 1`` (one that only counts, ``for _ in range(n)``: one time short). And, asked
only when none of these fits, the mutants that ADD an operation (:func:`_added_changes`): a term doubled or halved, a
value summed, averaged or taken np.abs of, divided or multiplied by a size the function divides by
elsewhere, written in place into a parameter (the caller's array), a factor of a product transposed, a
call's last term moved out of it (a bias added after the activation), a value recomputed after a variable it
reads was updated (an error computed again from the stepped weights), one of the module's functions of one argument
applied to a call's result or to a module function's argument (softmax twice, a ReLU on the scores), a value made
once before a loop made again inside it (a fresh generator, a new permutation, per batch). Then, asked only when
neither group fits, the
mutants that put one thing where a RELATED one belongs (:func:`_related_changes`): two members of a returned tuple
or two of the contract's variables of one kind in each other's place, one key of a dict for another, one count of an
array for another (its columns for its rows), np.max for np.argmax, np.argmin for np.argmax, np.min for np.max,
np.max(z, 0) for np.maximum(z, 0), the square of a mean for the mean of the squares, two entries of one array read
at each other's whole-number index (``-W[1, 0] / W[0, 0]``), ``1 - x`` for a parameter ``x``, a call given the pair
of arguments another call of the function takes (``loss(X_val, y_val)`` for ``loss(X_train, y_train)``: the wrong data
set). A mutant that brings
in a number (a factor 2) names nothing on a call whose own numbers may give it, nor one that leaves out a term on a
call given a 1 or a -1, where a whole number off does the same, nor ``1 - x`` unless the call gave ``x`` a fraction
other than 1/2 (:func:`coincides`).

Nothing here is a graded function's body: the operators are generic, and they read the reference
only at grading, on the trusted side (the student's wheel has no reference to read). A mutant
replaces one function (or one method, in a subclass of its class) of the replayed reference: the
rest of the module is the reference's own.

:class:`MutantMatcher` names a mutant only when a check failed, nothing else named the failure but a
relation (the tests' mistakes and the known bugs speak alone; beside a relation, the mutant says its
cause: :func:`autograder.testing.diagnosis.diagnose` asks it last), everything the student's call gave
that the test can see is that mutant's on the recorded call's inputs (its whole result, and the
attributes it set), the mutant differs from the reference there (an equivalent mutant never speaks),
and no mutant of the same group (one-change, then added, then related) with another sentence fits as well (then
which change it was is unknown: none is named). A rule broken without a wrong value (a dtype, an
input changed in place) is matched the same way on the student's own call
(:class:`~autograder.runner.known_bugs.CallMatcher`), after the known bugs. Only the mutants of the function
the test called are built (as they are replayed, once per process) and replayed, within a CPU budget
(:data:`MUTANT_SECONDS`): a search cut short names nothing, since a mutant it did not reach may fit too (nor is
another call asked then: what it named would be the budget's choice, the load's, not the submission's),
and a call too slow to replay on every mutant (a training loop) is not replayed at all. A value that is
a single label (:func:`~autograder.runner.known_bugs.one_label`) names no mutant, as it names no known bug, nor
does one number where several were expected, but by a mutant that reduces (a sum, a mean) or that returns a member
where another belongs (the rest of its result holds the one expected there):
:func:`~autograder.runner.known_bugs.collapsed`. Nor does a value that differs from the expected one only where it is
empty, zeros, NaN or one number throughout (:func:`~autograder.runner.known_bugs.tells_a_change`): many changes give
that, most of them no mutant, and the one mutant tried that does is no likelier the cause (minibatches that multiply
``start`` by ``batch_size`` yield the first batch right and the others empty, as leaving out the term ``start`` does).
Nothing is recorded, and no mutant built, for an assignment without known bugs: diagnosis by replay is off.
"""
import ast
import copy
import functools
import inspect
import itertools
import re
import time
import types
from dataclasses import dataclass

import numpy as np

from autograder.runner.known_bugs import (GRADED_MARK, KnownBugMatcher, OutOfTime, collapsed, given_numbers, numbers_in,
                                          tells_a_change)

ONE_CHANGE, ADDED, RELATED = GROUPS = (0, 1, 2)  # the groups of mutants, asked in this order
MUTANT_SECONDS = 0.4  # CPU a failed comparison may spend replaying mutants; past it, no mutant is named
FEWEST = 10  # mutants a graded function has at the least, about: a call slower than the budget over this is not tried

NUMPY = {"np", "numpy"}
REDUCTIONS = {"sum": "sums", "mean": "averages", "max": "takes the max"}
SWAPPED_REDUCTIONS = {"sum": ("mean", "max"), "mean": ("sum",), "max": ("sum",)}
# The related mutants' (:func:`_related_changes`): a reduction for its relative (the largest value for its index, the
# min for the max), and the reduction an elementwise function of the same name is taken for (np.max(z, 0) for
# np.maximum(z, 0): the second argument read as an axis)
RELATED_REDUCTIONS = {"max": (("min", "takes the min (np.min)"), ("argmax", "takes the index of the max (np.argmax)")),
                      "argmax": (("max", "takes the max (np.max), the largest value,"),
                                 ("argmin", "takes the index of the min (np.argmin), the smallest value's,")),
                      "argmin": (("argmax", "takes the index of the max (np.argmax), the largest value's,"),)}
ELEMENTWISE = {"maximum": "max", "minimum": "min"}
REDUCTION_NOUNS = {"sum": "sum", "mean": "mean", "max": "max"}  # those whose argument's power may be taken after them
LOGS = {"log": ("log10", "log2")}
SYMBOLS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
BOUNDARY = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt}  # the same test, the boundary moved
REVERSED = {ast.Lt: ast.GtE, ast.LtE: ast.Gt, ast.Gt: ast.LtE, ast.GtE: ast.Lt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}
# An operator, the one written in its place and the words for that (with what the right operand is called when
# the contract has no name for it), and the words for its right operand left out (named, unnamed).
FLIPPED = {ast.Add: (ast.Sub, "subtracts {} where it should add it: check the sign", "a term"),
           ast.Sub: (ast.Add, "adds {} where it should subtract it: check the sign", "a term"),
           ast.Mult: (ast.Div, "divides by {} where it should multiply by it", "a factor"),
           ast.Div: (ast.Mult, "multiplies by {} where it should divide by it", "a factor")}
LEFT_OUT = {ast.Add: ("leaves out the term {}", "leaves out a term of a sum"),
            ast.Sub: ("leaves out the term {}", "leaves out a term of a difference"),
            ast.Mult: ("leaves out the factor {}", "leaves out a factor of a product"),
            ast.Div: ("does not divide by {}", "leaves out a division")}
AXES = {0: "axis 0 (down the rows)", 1: "axis 1 (along each row)", -1: "the last axis"}
CONVERSIONS = {"asarray", "array", "float", "int", "atleast_2d", "squeeze", "ravel", "copy"}  # calls that keep a value


@dataclass(frozen=True)
class Mutant:
    name: str
    diagnosis: str
    constant: float = None  # the number the change brings in (a factor 2), if any: see :func:`coincides`
    reduces: bool = False   # the change is a reduction (a sum, a mean) or a returned member moved: the kinds one
    #                         number may name (a member where another belongs: its whole result is compared too)
    term_left_out: str = ""  # the parameter the change leaves out as a term of a sum or difference: see coincides
    complement_of: str = ""  # the parameter the change puts 1 - it in place of: see coincides


def coincides(constant, numbers, term_left_out="", given=None, complement_of=""):
    """Whether a change that brings in ``constant`` may be one of the call's own ``numbers`` at work instead: a term
    halved where the student multiplies it by ``1 - beta`` with beta = 0.5 gives the same value, and would be named
    for a change the student did not make. So may a parameter left out as a term (``term_left_out``) where the call
    gave it a 1 or a -1 (``given``: the call's numbers by parameter): ``start + batch_size`` with batch_size = 1 is
    ``start + batch_size - 1``, a whole number off, with the term left out. And so may ``1 - x`` put where a parameter
    ``x`` belongs (``complement_of``) unless the call gave ``x`` a fraction strictly between 0 and 1 other than 1/2: at
    1/2 the two are one number, and for a label or a count ``1 - y`` is what ``y - 1`` or a flipped label gives too
    (unknown ``given``: it may be either). Such a mutant names nothing on that call."""
    if term_left_out and np.isclose(abs((given or {}).get(term_left_out, 0.0)), 1.0):
        return True
    if complement_of:
        value = (given or {}).get(complement_of)
        if value is None or float(value).is_integer() or not 0 < value < 1 or np.isclose(value, 0.5):
            return True
    if constant is None:
        return False
    return any(np.isclose(each, target) for number in numbers for each in (number, 1 - number)
               for target in (constant, 1 / constant))


def _is_np(node, *names):
    return (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in NUMPY
            and (not names or node.attr in names))


def contract_words(source):
    """The names a student sees: every identifier of the reference's text outside its graded bodies (the stub's
    docstrings and signatures), and in the hint each graded body opens with."""
    seen, inside = [], False
    for line in source.splitlines():
        if GRADED_MARK in line:
            inside = True
            seen.append(line)
        elif "### END SOLUTION" in line:
            inside = False
        elif not inside:
            seen.append(line)
    return frozenset(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", "\n".join(seen)))


class _Namer:
    """The words for an operand: a name the contract gives (a parameter, ``self.x``, a variable its docstrings or
    hints name) or a call of a module function by its name; None for what the contract does not name."""

    def __init__(self, function, module_names, contract):
        self.parameters = {arg.arg for arg in function.args.args + function.args.kwonlyargs} - {"self"}
        self.module_names, self.function, self.contract = module_names, function.name, contract
        self.unary = frozenset()  # the module's functions of one argument (Mutants._build sets them)
        self.counting = frozenset()  # the ids of the range(...) calls its loops only count with (set the same way)
        self.breaking = frozenset()  # the ids of the range(...) calls of its loops that may break (set the same way)
        assigned = {node.id for node in ast.walk(function) if isinstance(node, ast.Name)
                    and isinstance(node.ctx, ast.Store)} - self.parameters
        # The variables one may be written for another: a parameter for a parameter, a variable the function
        # computes for another it computes (an activation for a pre-activation), and only names the contract gives.
        self.groups = [sorted(name for name in group if name in contract) for group in (self.parameters, assigned)]
        self.variables = {name for group in self.groups for name in group}

    def swaps(self, name):
        """The variables that may have been written where ``name`` belongs."""
        return [other for group in self.groups if name in group for other in group if other != name]

    def functions_like(self, name):
        """The module's other functions, which a call of ``name`` might have called instead."""
        return sorted(self.module_names - {name, self.function})

    def __call__(self, node):
        if isinstance(node, ast.Name) and (node.id in self.parameters or node.id in self.variables):
            return f"`{node.id}`"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            return f"`self.{node.attr}`"
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            left, right = self(node.left), self(node.right)
            if left and right and "(" not in left + right:
                return f"{left} {'*' if isinstance(node.op, ast.Mult) else '/'} {right}"
        if isinstance(node, ast.Call) and (called := self.called(node.func)) and not called.startswith("."):
            if called.split(".")[-1] not in CONVERSIONS:
                return f"`{called}(...)`"
            if node.args:
                return self(node.args[0])
        return None

    def called(self, func):
        """The name to say for what ``func`` calls: a module function, ``self.method``, ``np.f`` or ``.method``."""
        if isinstance(func, ast.Name) and func.id in self.module_names:
            return func.id
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
            return f"self.{func.attr}"
        if _is_np(func):
            return f"np.{func.attr}"
        if isinstance(func, ast.Attribute):
            return f".{func.attr}"
        return None


def _operator_changes(node, say):
    """``(new node, words)`` for each one-change mutation of ``node`` (a copy is changed, never ``node``)."""
    if isinstance(node, ast.BinOp):
        yield from _binop_changes(node, say)
    elif isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Add, ast.Sub)):
        adds, target = isinstance(node.op, ast.Add), say(node.target) or "a variable"
        yield (ast.AugAssign(node.target, ast.Sub() if adds else ast.Add(), node.value),
               f"subtracts from {target} (-=) where it should add to it (+=): check the sign" if adds
               else f"adds to {target} (+=) where it should subtract from it (-=): check the sign")
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield node.operand, "leaves out a minus sign: check the sign"
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in REVERSED:
        op = type(node.ops[0])
        if op in BOUNDARY:
            yield (ast.Compare(node.left, [BOUNDARY[op]()], node.comparators),
                   f"compares with {SYMBOLS[BOUNDARY[op]]} where {SYMBOLS[op]} belongs: mind the boundary")
        yield (ast.Compare(node.left, [REVERSED[op]()], node.comparators),
               f"compares with {SYMBOLS[REVERSED[op]]} where {SYMBOLS[op]} belongs: the test is the wrong way round")
    elif isinstance(node, ast.Call):
        yield from _call_changes(node, say)
    elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        for other in say.swaps(node.id):
            yield ast.Name(other, ast.Load()), f"uses `{other}` where `{node.id}` belongs"
    elif isinstance(node, ast.Attribute) and node.attr == "T":
        yield node.value, f"leaves out a transpose (.T) of {say(node.value) or 'a matrix'}"
    elif isinstance(node, ast.Constant) and type(node.value) is int and not isinstance(node.value, bool):
        yield ast.Constant(node.value + 1), "has a whole number one too large"
        yield ast.Constant(node.value - 1), "has a whole number one too small"


def _binop_changes(node, say):
    left, right, op = say(node.left), say(node.right), type(node.op)
    if op in FLIPPED:
        other, words, noun = FLIPPED[op]
        named, unnamed = LEFT_OUT[op]
        yield ast.BinOp(node.left, other(), node.right), words.format(right or noun)
        yield node.left, named.format(right) if right else unnamed
        if op in (ast.Add, ast.Mult):  # either operand may be the one left out
            yield node.right, named.format(left) if left else unnamed
        elif op is ast.Sub and isinstance(node.left, ast.Constant) and node.left.value == 1:
            yield node.right, (f"uses {right} where 1 - {right} belongs" if right
                               else "uses a value where one minus it belongs: the `1 -` is missing")
        if op is ast.Mult:  # a negated factor left out, its minus kept: -log(p) for -y * log(p)
            for factor, rest in ((node.left, node.right), (node.right, node.left)):
                if isinstance(factor, ast.UnaryOp) and isinstance(factor.op, ast.USub):
                    kept = say(factor.operand)
                    yield ast.UnaryOp(ast.USub(), rest), named.format(kept) if kept else unnamed
    elif op is ast.MatMult:
        yield (ast.BinOp(node.left, node.op, ast.Attribute(node.right, "T", ast.Load())),
               f"multiplies by {right or 'a matrix'} where its transpose (.T) belongs")
        yield (ast.BinOp(ast.Attribute(node.left, "T", ast.Load()), node.op, node.right),
               f"multiplies {left or 'a matrix'} where its transpose (.T) belongs")


SHAPE_WORDS = {"len", "shape", "size", "np"}  # what a divisor may say besides the contract's names


def _spoken(node, say):
    """The words for ``node``: the contract's (:class:`_Namer`), else its text when every name in it is the contract's
    (``len(X)``, ``X.shape[0]``); None otherwise."""
    if (named := say(node)) is not None:
        return named
    names = {each.id for each in ast.walk(node) if isinstance(each, ast.Name)}
    names |= {each.attr for each in ast.walk(node) if isinstance(each, ast.Attribute)}
    return f"`{ast.unparse(node)}`" if names <= say.contract | SHAPE_WORDS else None


def _np_call(name, node, **keywords):
    return ast.Call(ast.Attribute(ast.Name("np", ast.Load()), name, ast.Load()), [node],
                    [ast.keyword(key, ast.Constant(value)) for key, value in keywords.items()])


def _added_changes(function, say):
    """``node -> [(new node, words)]``: the mutants of ``function`` that ADD an operation where the others change one.

    A term of a sum or difference times 2 or halved; a value the function assigns or returns (or an entry of the
    dict or tuple it returns) reduced by np.sum (whole, or over axis 0) or np.mean over axis 0, taken np.abs of,
    divided or multiplied by a size the function divides by elsewhere (``len(X)``, ``n_records``), or written in
    place into a parameter it reads (``A *= mask`` for ``A * mask``: the caller's array changed, the value the same,
    which only a rule that checks the caller's arrays after the call tells); an argument of np.dot, np.matmul or
    np.outer transposed; the last term of a call's one argument moved out of the call (``sigmoid(z) + bias`` for
    ``sigmoid(z + bias)``: a bias added after the activation); a later use of a variable replaced by the value it was
    assigned, recomputed after a statement rebound something that value reads (:func:`_recomputed`), or made again
    inside a loop where the one made before it belongs (:func:`_made_again`); one of the module's functions of one
    argument applied to a call's result or argument (:func:`_applied_again`). (Not ``1 - x`` for
    a variable ``x``: for labels, ``1 - y`` picks the same one-hot column as ``y - 1`` with two classes, and would name
    a change the student did not make.)
    """
    results, terms, factors = _results(function), set(), set()
    for node in ast.walk(function):
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            terms.update(id(side) for side in (node.left, node.right) if not isinstance(side, ast.Constant))
        elif isinstance(node, ast.Call) and _is_np(node.func, "dot", "matmul", "outer") and len(node.args) == 2:
            factors.update(id(arg) for arg in node.args)
    stale, again = _recomputed(function), _made_again(function)
    divisors, sizes = {}, _size_names(function)
    for node in ast.walk(function):
        if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and _is_size(node.right, sizes)
                and (words := _spoken(node.right, say))):
            divisors.setdefault(ast.dump(node.right), (node.right, words))

    def changes(node):
        named = say(node)
        if id(node) in terms:
            term = named or "a term of a sum"
            yield ast.BinOp(ast.Constant(2), ast.Mult(), node), f"multiplies the term {term} by 2 where it belongs once", 2
            yield ast.BinOp(node, ast.Div(), ast.Constant(2)), f"halves the term {term} where it belongs whole", 0.5
        if id(node) in results:
            value = named or "a value"
            yield _np_call("sum", node), f"takes np.sum of {value} (one number) where no sum belongs"
            yield _np_call("sum", node, axis=0), f"sums {value} over axis 0 (down the rows) where no sum belongs"
            yield _np_call("mean", node, axis=0), f"averages {value} over axis 0 (down the rows) where no mean belongs"
            yield _np_call("abs", node), f"takes np.abs of {value} where no absolute value belongs"
            for divisor, words in divisors.values():
                if ast.dump(divisor) not in ast.dump(node):
                    yield ast.BinOp(node, ast.Div(), divisor), f"divides {value} by {words} where no division belongs"
                    yield ast.BinOp(node, ast.Mult(), divisor), f"multiplies {value} by {words} where it should not"
            for name in sorted({each.id for each in ast.walk(node) if isinstance(each, ast.Name)
                                and isinstance(each.ctx, ast.Load) and each.id in say.parameters} - {node_name(node)}):
                yield (_written_into(name, node),
                       f"writes its result into `{name}` in place, changing the caller's array: compute a new array")
        if id(node) in factors:
            yield ast.Attribute(node, "T", ast.Load()), f"transposes {named or 'a factor'} (.T) where it belongs as it is"
        if id(node) in stale:
            value, changed = stale[id(node)]
            yield (copy.deepcopy(value), f"recomputes {named or 'a value'} after updating "
                                         f"{say(changed) or 'a variable it reads'}, with the updated value: compute it "
                                         f"once, before the update")
        yield from _applied_again(node, say)
        if id(node) in again:
            yield (copy.deepcopy(again[id(node)]), f"makes `{node.id}` again inside the loop where the one made once, "
                                                   f"before the loop, belongs")
        if (isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords
                and (called := say.called(node.func)) and called.split(".")[-1] not in CONVERSIONS
                and isinstance(inside := node.args[0], ast.BinOp) and isinstance(inside.op, (ast.Add, ast.Sub))):
            term = _spoken(inside.right, say) or "its last term"
            yield (ast.BinOp(ast.Call(node.func, [inside.left], []), inside.op, inside.right),
                   f"{'adds' if isinstance(inside.op, ast.Add) else 'subtracts'} {term} after `{called}(...)` where "
                   f"it belongs inside it")
    return changes


def _made_again(function):
    """``{id(use): call}``: each use, inside a loop, of a variable the function's body assigns once, before the loop,
    from a call (a generator made from a seed, a permutation of the rows). Put the call there and the
    value is made again at every pass: a fresh generator per batch (the same draws each time), a new permutation per
    batch (rows repeated, others never seen). For a call that always gives the same value the mutant is equivalent,
    and an equivalent mutant never speaks."""
    assigned = [node for node in ast.walk(function) if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign))]
    counts = {}
    for node in assigned:
        for target in getattr(node, "targets", [getattr(node, "target", None)]):
            for name in ast.walk(target) if target is not None else ():
                if isinstance(name, ast.Name):
                    counts[name.id] = counts.get(name.id, 0) + 1
    found = {}
    for index, statement in enumerate(function.body):
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(target := statement.targets[0], ast.Name) and counts.get(target.id) == 1
                and isinstance(statement.value, ast.Call)):
            continue
        for later in function.body[index + 1:]:
            for loop in ast.walk(later):
                if isinstance(loop, (ast.For, ast.While)):
                    found.update((id(use), statement.value) for each in loop.body for use in ast.walk(each)
                                 if isinstance(use, ast.Name) and use.id == target.id and isinstance(use.ctx, ast.Load))
    return found


def _applied_again(node, say):
    """The call ``node`` of a module function or a method (``self.forward(X)``, ``softmax(z)``) with one of the
    module's functions of one argument (``say.unary``) applied to its result, or, for a module function's call, to its
    argument: ``softmax(self.forward(X))`` where forward already gives probabilities, ``softmax(relu(z))``. A student
    applies an activation a second time, or where none belongs."""
    called = say.called(node.func) if isinstance(node, ast.Call) else None
    if not called or called.startswith((".", "np.")) or called in CONVERSIONS:
        return
    value = _spoken(node, say) or f"`{called}(...)`"
    for other in sorted(say.unary - {say.function}):
        yield (ast.Call(ast.Name(other, ast.Load()), [node], []),
               f"applies `{other}` to {value} where it belongs as it is"
               + (": the same function twice" if other == called else ""))
    if called in say.module_names and len(node.args) == 1 and not node.keywords:
        for other in sorted(say.unary - {say.function, called}):
            yield (ast.Call(node.func, [ast.Call(ast.Name(other, ast.Load()), [node.args[0]], [])], []),
                   f"applies `{other}` to the argument of `{called}(...)` where it belongs as it is")


class _Renamed(ast.NodeTransformer):
    """Renames the variables read in a tree by ``mapping`` (old name -> new name)."""

    def __init__(self, mapping):
        self.mapping = mapping

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in self.mapping:
            return ast.copy_location(ast.Name(self.mapping[node.id], ast.Load()), node)
        return node


def _names_exchanged(node, say):
    """``node`` with two of the contract's variables of one kind in each other's place, both at once: ``Y_pred *
    log(Y_true)`` for ``Y_true * log(Y_pred)`` (a one-change mutant writes one for the other)."""
    present = sorted({each.id for each in ast.walk(node) if isinstance(each, ast.Name) and isinstance(each.ctx, ast.Load)})
    for first, second in itertools.combinations(present, 2):
        if second in say.swaps(first):
            yield _Renamed({first: second, second: first}).visit(copy.deepcopy(node)), \
                f"uses `{first}` and `{second}` in each other's place"


ORDINALS = ("first", "second", "third", "fourth", "fifth")


def _returned_exchanged(node, say):
    """The returned tuple ``node`` with two of its members in each other's place (``return b, a`` for ``return a,
    b``), named by the contract's names when it gives both, else by their places."""
    for first, second in itertools.combinations(range(min(len(node.elts), len(ORDINALS))), 2):
        members = list(node.elts)
        members[first], members[second] = members[second], members[first]
        named = [say(node.elts[first]), say(node.elts[second])]
        which = (f"{named[0]} and {named[1]}" if all(named)
                 else f"its {ORDINALS[first]} and {ORDINALS[second]} values")
        yield ast.Tuple(members, ast.Load()), \
            f"returns {which} in each other's place: check the order of the values it returns"


def _keys_used(function):
    """``{text of a value: the constant strings it is indexed by}`` in ``function`` (``grads["W"]``, ``grads["b"]``)."""
    keys = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            keys.setdefault(ast.unparse(node.value), set()).add(node.slice.value)
    return keys


def _key_exchanged(node, keys, say):
    """The subscript ``node`` (``grads["W"]``) read at another key the function indexes the same value by
    (``grads["b"]``): one entry of a dict where another belongs."""
    if not (isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str) and isinstance(node.ctx, ast.Load)):
        return
    base, key = ast.unparse(node.value), node.slice.value

    def entry(name):
        return f'`{base}["{name}"]`' if _spoken(node.value, say) else f'the entry "{name}"'
    for other in sorted(keys.get(base, ()) - {key}):
        yield ast.Subscript(node.value, ast.Constant(other), ast.Load()), f"uses {entry(other)} where {entry(key)} belongs"


def _count_of(node):
    """``(array, what it counts)`` for a count of an array's rows (``len(X)``, ``X.shape[0]``), columns
    (``X.shape[1]``) or entries (``X.size``); None for anything else."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len" and len(node.args) == 1:
        return node.args[0], "rows"
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape" \
            and isinstance(node.slice, ast.Constant) and node.slice.value in (0, 1):
        return node.value.value, ("rows", "columns")[node.slice.value]
    if isinstance(node, ast.Attribute) and node.attr == "size":
        return node.value, "entries"
    return None


def _size_exchanged(node, say):
    """A count of an array's rows, columns or entries (:func:`_count_of`) where another of its counts belongs
    (``X.shape[1]`` for ``len(X)``: the features counted for the records)."""
    if (counted := _count_of(node)) is None:
        return
    array, kind = counted
    counts = {"rows": ast.Call(ast.Name("len", ast.Load()), [array], []),
              "columns": ast.Subscript(ast.Attribute(array, "shape", ast.Load()), ast.Constant(1), ast.Load()),
              "entries": ast.Attribute(array, "size", ast.Load())}
    for other, count in counts.items():
        if other != kind:
            used, meant = _spoken(count, say), _spoken(node, say)
            yield count, (f"uses {used} (the {other}) where {meant} (the {kind}) belongs: the wrong count" if used and meant
                          else f"counts the {other} of an array where its {kind} belong: the wrong count")


def _results(function):
    """The ids of the values ``function`` assigns or returns, and of the entries of the dicts and tuples it does."""
    results = set()
    for node in ast.walk(function):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.Return)) and node.value is not None:
            parts = [node.value, *(node.value.values if isinstance(node.value, ast.Dict) else ()),
                     *(node.value.elts if isinstance(node.value, ast.Tuple) else ())]
            results.update(id(part) for part in parts if not isinstance(part, (ast.Dict, ast.Tuple, ast.Constant)))
    return results


def _related_changes(function, say):
    """``node -> [(new node, words)]``: the mutants of ``function`` that put one thing where a related one belongs,
    asked only when neither the one-change mutants nor the added ones fit.

    Two members of a returned tuple in each other's place (:func:`_returned_exchanged`); two of the contract's
    variables of one kind exchanged in a value it assigns or returns (:func:`_names_exchanged`); one key of a dict for
    another the function reads (:func:`_key_exchanged`); one count of an array for another (:func:`_size_exchanged`);
    a reduction for its relative (np.max for np.argmax, np.argmin for np.argmax, np.min for np.max), the reduction for
    the elementwise function of its name (np.max(z, 0) for np.maximum(z, 0)); a power taken after a reduction where the
    reduction of the powers belongs (the square of a mean for the mean of the squares); two entries of one array an
    operation reads at whole-number indices in each other's place (:func:`_indices_exchanged`); and ``1 - x`` where a
    parameter ``x`` belongs (a momentum keeping ``1 - beta`` of its velocity), named only where the call gave ``x`` a
    fraction other than 1/2 (:func:`coincides`); and a call given another call's pair of arguments, the wrong data set
    (:func:`_arguments_of_another_call`).
    """
    results, keys, pairs = _results(function), _keys_used(function), _argument_pairs(function, say)
    returned = {id(node.value) for node in ast.walk(function) if isinstance(node, ast.Return)
                and isinstance(node.value, ast.Tuple) and len(node.value.elts) >= 2}

    def changes(node):
        if id(node) in returned:
            yield from _returned_exchanged(node, say)
        if id(node) in results and not isinstance(node, ast.Name):
            yield from _names_exchanged(node, say)
        if isinstance(node, ast.Subscript):
            yield from _key_exchanged(node, keys, say)
        yield from _size_exchanged(node, say)
        if isinstance(node, ast.Call):
            yield from _reduction_related(node)
            yield from _arguments_of_another_call(node, pairs)
        if isinstance(node, ast.BinOp):
            yield from _indices_exchanged(node, say)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in say.parameters:
            yield (ast.BinOp(ast.Constant(1), ast.Sub(), ast.Name(node.id, ast.Load())),
                   f"uses 1 - `{node.id}` where `{node.id}` belongs", None, node.id)
    return changes


def _leading_pair(node):
    """The names of a call's first two positional arguments when both are bare names, else None."""
    if isinstance(node, ast.Call) and len(node.args) >= 2 and all(isinstance(arg, ast.Name) for arg in node.args[:2]):
        return node.args[0].id, node.args[1].id
    return None


def _argument_pairs(function, say):
    """The pairs of the contract's variables that calls in ``function`` take as their first two arguments (``X_train,
    y_train``; ``X_val, y_val``; ``X_batch, y_batch``): data that goes together."""
    return {pair for node in ast.walk(function) if (pair := _leading_pair(node)) is not None
            and pair[0] != pair[1] and all(name in say.variables for name in pair)}


def _arguments_of_another_call(node, pairs):
    """The call ``node`` given, as its first two arguments, the pair another call of the function takes (``loss(X_val,
    y_val)`` for ``loss(X_train, y_train)``: the wrong data set, both of its arrays at once; one of them alone is a
    one-change mutant)."""
    if (own := _leading_pair(node)) not in pairs:
        return
    for other in sorted(pairs):
        if other[0] != own[0] and other[1] != own[1] and other != own[::-1]:
            yield (ast.Call(node.func, [ast.Name(other[0], ast.Load()), ast.Name(other[1], ast.Load()), *node.args[2:]],
                            node.keywords),
                   f"passes `{other[0]}` and `{other[1]}` where `{own[0]}` and `{own[1]}` belong: the wrong data")


def _entry(node):
    """``(the subscript, the text of its array, the text of its index)`` of ``node`` when it reads an array at
    whole-number indices (``W[1, 0]``, ``X[:, 0]``, a minus sign kept outside), or None."""
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    if not isinstance(node, ast.Subscript):
        return None
    parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    if not parts or not all(isinstance(part, ast.Slice) and part.lower is part.upper is part.step is None
                            or isinstance(part, ast.Constant) and type(part.value) is int for part in parts):
        return None
    array = ast.unparse(node.value)
    return node, array, ast.unparse(node)[len(array) + 1:-1]


class _IndexSwapped(ast.NodeTransformer):
    """Reads the array ``array`` at one of two indices (``{text: slice node}``) at the other."""

    def __init__(self, array, slices):
        self.array, self.slices = array, slices

    def visit_Subscript(self, node):
        entry = _entry(node)
        if entry is not None and entry[1] == self.array and entry[2] in self.slices:
            other, = (text for text in self.slices if text != entry[2])
            return ast.copy_location(ast.Subscript(node.value, copy.deepcopy(self.slices[other]), node.ctx), node)
        return self.generic_visit(node)


def _indices_exchanged(node, say):
    """The operation ``node`` (``-W[0, 0] / W[1, 0]``) with the two entries of one array it reads at whole-number
    indices in each other's place (``-W[1, 0] / W[0, 0]``): an index written for another, which a one-off index (a
    whole number one too large) does not give when both entries are read."""
    left, right = _entry(node.left), _entry(node.right)
    if left is None or right is None or left[1] != right[1] or left[2] == right[2]:
        return
    named = _spoken(left[0].value, say)
    which = (f"`{named.strip('`')}[{left[2]}]` and `{named.strip('`')}[{right[2]}]`" if named
             else "two entries of an array")
    yield (_IndexSwapped(left[1], {left[2]: left[0].slice, right[2]: right[0].slice}).visit(copy.deepcopy(node)),
           f"reads {which} in each other's place: check the indices")


def _reduction_related(node):
    """The call ``node`` with a reduction for its relative (:data:`RELATED_REDUCTIONS`, :data:`ELEMENTWISE`), or a power
    of its argument taken after the reduction (``np.mean(d) ** 2`` for ``np.mean(d ** 2)``)."""
    func = node.func
    for other, words in RELATED_REDUCTIONS.get(func.attr, ()) if _is_np(func) else ():
        yield (ast.Call(ast.Attribute(func.value, other, ast.Load()), node.args, node.keywords),
               f"{words} where it should use np.{func.attr}")
    if _is_np(func, *ELEMENTWISE) and len(node.args) == 2 and isinstance(bound := node.args[1], ast.Constant) \
            and isinstance(bound.value, (int, float)) and float(bound.value).is_integer():
        reduction = ELEMENTWISE[func.attr]
        yield (ast.Call(ast.Attribute(func.value, reduction, ast.Load()), [node.args[0], ast.Constant(int(bound.value))],
                        []),
               f"takes np.{reduction}, a reduction over an axis (its second argument), where the elementwise "
               f"np.{func.attr} belongs")
    if _is_np(func, *REDUCTION_NOUNS) and node.args and isinstance(power := node.args[0], ast.BinOp) \
            and isinstance(power.op, ast.Pow):
        noun = REDUCTION_NOUNS[func.attr]
        words = (f"squares the {noun} where the {noun} of the squares belongs: square each value first"
                 if isinstance(power.right, ast.Constant) and power.right.value == 2 else
                 f"raises the {noun} to a power where the {noun} of the powers belongs: raise each value first")
        yield ast.BinOp(ast.Call(func, [power.left, *node.args[1:]], node.keywords), ast.Pow(), power.right), words


def _target(node):
    """The text of what an assignment's target ``node`` rebinds: a name, or an attribute of ``self``; None else."""
    if isinstance(node, ast.Name) or (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                                      and node.value.id == "self"):
        return ast.unparse(node)
    return None


def _recomputed(function):
    """``{id(use): (value, changed)}``: each later use of a variable that ``function``'s body assigns ``value``,
    after a statement that rebinds ``changed``, a variable ``value`` reads (an error computed from the weights, used
    after the weights' step). Put ``value`` there and the variable is computed again from the updated one: the stale
    mistake's other face, an error recomputed after the update where the one from before it belongs."""
    found, body = {}, function.body
    for index, statement in enumerate(body):
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(name := statement.targets[0], ast.Name)):
            continue
        reads = {ast.unparse(node) for node in ast.walk(statement.value) if _target(node)
                 and isinstance(getattr(node, "ctx", None), ast.Load)}
        if any(isinstance(node, ast.Call) and _target(node.func) and "." in ast.unparse(node.func)
               for node in ast.walk(statement.value)):  # self.method(...) reads every attribute of self
            reads |= {target for later in body[index + 1:] for each in getattr(later, "targets", ())
                      if (target := _target(each)) and target.startswith("self.")}
        for later_index, later in enumerate(body[index + 1:], index + 1):
            targets = [_target(each) for each in getattr(later, "targets", ())]
            if name.id in targets:
                break  # the variable itself is assigned again: its later uses are the new value's
            changed = next((each for each in later.targets if _target(each) in reads), None) \
                if isinstance(later, ast.Assign) else None
            if changed is not None:
                for after in body[later_index + 1:]:
                    found.update((id(node), (statement.value, changed)) for node in ast.walk(after)
                                 if isinstance(node, ast.Name) and node.id == name.id
                                 and isinstance(node.ctx, ast.Load))
                break
    return found


SIZES = {"len", "shape", "size"}  # what makes a divisor a size: ``len(X)``, ``X.shape[0]``, ``pred.size``


def _size_names(function):
    """The local names ``function`` assigns a size to (``count = len(rows)``)."""
    return {target.id for node in ast.walk(function) if isinstance(node, ast.Assign) and _is_size(node.value, ())
            for target in node.targets if isinstance(target, ast.Name)}


def _is_size(node, sizes):
    """Whether ``node`` is a size: a call of ``len``, a ``.shape`` or ``.size``, or a name given one (``sizes``).

    Only a size is divided by again in the added mutants (a mean taken twice). A divisor that is a rate of the
    call (``1 - p_drop``) is a number the test chose: at p_drop = 0.5 it is a factor 2, what a size used for
    another (the classes for the rows) or a square's derivative gives as well, and would name a change the student
    did not make."""
    if isinstance(node, ast.Name):
        return node.id in sizes
    return any((isinstance(each, ast.Call) and isinstance(each.func, ast.Name) and each.func.id == "len")
               or (isinstance(each, ast.Attribute) and each.attr in SIZES - {"len"}) for each in ast.walk(node))


def node_name(node):
    """The name ``node`` is, if it is a bare name (None otherwise)."""
    return node.id if isinstance(node, ast.Name) else None


def _written_into(name, node):
    """``(name.__setitem__(Ellipsis, node), name)[1]``: ``node``'s value written into the array ``name`` in place
    (``name[...] = node``), then ``name``: what ``name *= factor`` does where ``name * factor`` belongs."""
    stored = ast.Call(ast.Attribute(ast.Name(name, ast.Load()), "__setitem__", ast.Load()),
                      [ast.Constant(Ellipsis), node], [])
    return ast.Subscript(ast.Tuple([stored, ast.Name(name, ast.Load())], ast.Load()), ast.Constant(1), ast.Load())


def _keyword(node, name):
    return next((keyword for keyword in node.keywords if keyword.arg == name), None)


def _with_keywords(node, keywords):
    return ast.Call(node.func, node.args, keywords)


def _range_changes(node, say):
    """``range(n)`` (or ``range(start, n)``) with its loop one short at either end: ``range(1, n)`` where it starts at
    0 (the first index skipped: a loop over the layers that never reaches layer 0 going backwards, one epoch fewer) and
    ``range(n - 1)`` (the last index skipped); a loop whose variable nothing reads (``for _ in range(epochs)``) only one
    time short, which both are there (:func:`_counting_ranges`). Not started at 1 in a loop that may ``break``
    (:func:`_breaking_ranges`): stopped before its end, it runs the same steps numbered one higher, what a variable one
    off (``best_epoch = epoch + 1``) gives, and skipping index 0 is then no likelier the cause. A start written as a whole number is one off by the constants' own
    change already."""
    if node.keywords or not 1 <= len(node.args) <= 2:
        return
    stop = node.args[-1]
    end = _spoken(stop, say)
    end = end.strip("`") if end else "n"  # said inside one code span: `range(1, len(weights))`
    shorter = ast.Call(node.func, [*node.args[:-1], ast.BinOp(stop, ast.Sub(), ast.Constant(1))], [])
    if id(node) in say.counting:  # for _ in range(n): where the loop starts, nothing reads; only how many times
        yield shorter, f"runs its loop `{end} - 1` times where `{end}` belongs: one time short"
        return
    if len(node.args) == 1 and id(node) not in say.breaking:
        yield (ast.Call(node.func, [ast.Constant(1), stop], []),
               f"loops over `range(1, {end})` where `range({end})` belongs: index 0 is skipped")
    yield shorter, f"loops to `{end} - 1` where the loop runs to `{end}`: one short, its last index is skipped"


def _counting_ranges(function):
    """The ids of the ``range(...)`` calls that ``function``'s ``for`` loops only count with: their loop variable is
    never read (``for _ in range(epochs)``)."""
    read = {node.id for node in ast.walk(function) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    return {id(loop.iter) for loop in ast.walk(function) if isinstance(loop, ast.For) and isinstance(loop.target, ast.Name)
            and loop.target.id not in read and isinstance(loop.iter, ast.Call)}


def _breaking_ranges(function):
    """The ids of the ``range(...)`` calls of ``function``'s ``for`` loops whose body may ``break``."""
    return {id(loop.iter) for loop in ast.walk(function) if isinstance(loop, ast.For) and isinstance(loop.iter, ast.Call)
            and any(isinstance(node, ast.Break) for each in loop.body for node in ast.walk(each))}


def _call_changes(node, say):
    func, called = node.func, say.called(node.func)
    if isinstance(func, ast.Name) and func.id == "range":
        yield from _range_changes(node, say)
    if _is_np(func, *REDUCTIONS):
        for other in SWAPPED_REDUCTIONS[func.attr]:
            yield (ast.Call(ast.Attribute(func.value, other, ast.Load()), node.args, node.keywords),
                   f"{REDUCTIONS[other]} (np.{other}) where it should use np.{func.attr}")
    if _is_np(func, *LOGS):
        for other in LOGS[func.attr]:
            yield (ast.Call(ast.Attribute(func.value, other, ast.Load()), node.args, node.keywords),
                   f"takes np.{other} where the natural log (np.log) belongs")
    if called and len(node.args) == 2:
        yield ast.Call(func, node.args[::-1], node.keywords), f"passes `{called}` its two arguments in the wrong order"
    axis = _keyword(node, "axis")
    if axis is not None and isinstance(axis.value, (ast.Constant, ast.UnaryOp)):
        try:
            value = ast.literal_eval(axis.value)
        except ValueError:
            value = None
        where = called or "a reduction"
        rest = [keyword for keyword in node.keywords if keyword is not axis]
        for other in (0, 1) if value in AXES else ():
            if other != value and not (value == -1 and other == 1):
                yield (_with_keywords(node, [*rest, ast.keyword("axis", ast.Constant(other))]),
                       f"takes {where} over {AXES[other]} where it belongs over {AXES[value]}")
        if value in AXES:
            yield _with_keywords(node, rest), f"takes {where} over the whole array where it belongs over {AXES[value]}"
    keepdims = _keyword(node, "keepdims")
    if keepdims is not None:
        yield (_with_keywords(node, [keyword for keyword in node.keywords if keyword is not keepdims]),
               f"takes {called or 'a reduction'} without keepdims=True: the reduced axis is lost and broadcasts wrongly")
    if isinstance(func, ast.Name) and called and len(node.args) == 1:
        for other in say.functions_like(func.id):
            yield (ast.Call(ast.Name(other, ast.Load()), node.args, node.keywords),
                   f"calls `{other}` where `{func.id}` belongs")
    if called and called.startswith(".") and called[1:] not in CONVERSIONS:  # x.method(...) left out: x
        yield func.value, f"leaves out `{called}(...)`"
    elif called and len(node.args) == 1 and not node.keywords and called.split(".")[-1] not in CONVERSIONS:
        yield node.args[0], f"leaves out `{called}`: uses its argument where `{called}(...)` of it belongs"


def _slots(function):
    """``{id(node): (parent, field, index or None)}``: where each node of ``function`` sits in its parent."""
    slots = {}
    for parent in ast.walk(function):
        for field_name, value in ast.iter_fields(parent):
            if isinstance(value, ast.AST):
                slots[id(value)] = (parent, field_name, None)
            elif isinstance(value, list):
                slots.update((id(item), (parent, field_name, index)) for index, item in enumerate(value)
                             if isinstance(item, ast.AST))
    return slots


def _put(slot, node):
    parent, field_name, index = slot
    if index is None:
        setattr(parent, field_name, node)
    else:
        getattr(parent, field_name)[index] = node


def _graded_functions(source):
    """``{qualified name: (FunctionDef, owner class name or "")}`` of the module's graded functions and methods."""
    lines, found = source.splitlines(), {}
    for node in ast.parse(source).body:
        members = [("", node)] if isinstance(node, ast.FunctionDef) else []
        if isinstance(node, ast.ClassDef):
            members = [(node.name, item) for item in node.body if isinstance(item, ast.FunctionDef)]
        for owner, function in members:
            if any(GRADED_MARK in line for line in lines[function.lineno - 1:function.end_lineno]):
                found[f"{owner}.{function.name}" if owner else function.name] = (function, owner)
    return found


def _takes_one(function):
    """Whether ``function`` takes exactly one argument (an activation: ``softmax``, ``relu``)."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    return len(parameters) == 1 and next(iter(parameters)).kind in (inspect.Parameter.POSITIONAL_ONLY,
                                                                    inspect.Parameter.POSITIONAL_OR_KEYWORD)


class Mutants:
    """The one-change mutants of a reference module, built per graded function as they are asked for.

    ``reference`` is the replayed reference module (built from ``source``); each mutant is a module
    whose namespace is the reference's but for the one function (or, for a method, its class
    replaced by a subclass with the one method) compiled from the changed tree. A function's
    mutants are built one at a time while they are replayed, and kept: a search cut short
    (:class:`MutantMatcher`) goes on where it stopped at the next failure.
    """

    def __init__(self, source, reference):
        self.source, self.reference = source, reference
        self.functions = self.contract = None
        self.built, self.pending = {}, {}

    def __call__(self, qualified_name, group=ONE_CHANGE):
        """The ``(Mutant, module)`` pairs of the graded function ``qualified_name`` (none for any other name) in
        ``group``: its one-change mutants, those that add an operation (:data:`ADDED`: :func:`_added_changes`) or
        those that put one thing where a related one belongs (:data:`RELATED`: :func:`_related_changes`)."""
        if self.functions is None:
            self.functions, self.contract = _graded_functions(self.source), contract_words(self.source)
        key = (qualified_name, group)
        built = self.built.setdefault(key, [])
        if key not in self.pending:
            found = self.functions.get(qualified_name)
            self.pending[key] = self._build(qualified_name, *found, group) if found else iter(())
        yield from list(built)
        for mutant in self.pending[key]:
            built.append(mutant)
            yield mutant

    def _build(self, qualified_name, function, owner, group=ONE_CHANGE):
        module_functions = {name for name, value in vars(self.reference).items()
                            if isinstance(value, types.FunctionType) and not name.startswith("_")}
        say = _Namer(function, module_functions, self.contract)
        say.unary = {name for name in module_functions if _takes_one(getattr(self.reference, name))}
        function = copy.deepcopy(function)  # each change is made in this copy, compiled, then undone
        function.decorator_list = []
        say.counting, say.breaking = _counting_ranges(function), _breaking_ranges(function)
        slots, label = _slots(function), f"`{function.name}`"
        keyword_values = {id(keyword.value) for keyword in ast.walk(function) if isinstance(keyword, ast.keyword)}
        changes = (functools.partial(_operator_changes, say=say) if group == ONE_CHANGE
                   else _added_changes(function, say) if group == ADDED else _related_changes(function, say))
        for index, node in enumerate(list(ast.walk(function))):
            if node is function or isinstance(node, (ast.arguments, ast.arg)) or id(node) in keyword_values:
                continue  # a keyword's value (an axis) is changed by its call's operators, in their words
            for number, (new, words, *extra) in enumerate(changes(node)):
                constant, complement_of = (extra + [None, ""])[:2]
                if not hasattr(new, "lineno"):
                    ast.fix_missing_locations(ast.copy_location(new, node))
                _put(slots[id(node)], new)
                try:
                    module = self._module(function, owner)
                finally:
                    _put(slots[id(node)], node)
                if module is not None:
                    # a reduction, or a returned member put in another's place, may explain one number where several
                    # belong (collapsed): the latter's whole result, compared too, holds the rest where it went
                    reduces = ((isinstance(new, ast.Call) and _is_np(new.func, *REDUCTIONS))
                               or (isinstance(new, ast.Tuple) and isinstance(node, ast.Tuple)))
                    left_out = (node.right if new is node.left else node.left) if isinstance(node, ast.BinOp) \
                        and isinstance(node.op, (ast.Add, ast.Sub)) and (new is node.left or new is node.right) else None
                    term_left_out = left_out.id if isinstance(left_out, ast.Name) else ""
                    yield Mutant(f"{qualified_name}:{'+~'[:group]}{index}:{number}", f"your {label} {words}",
                                 constant, reduces=reduces, term_left_out=term_left_out,
                                 complement_of=complement_of or ""), module

    def _module(self, function, owner):
        """The reference with ``function`` (a changed copy of one of its functions or methods) in its place."""
        namespace = {}
        try:
            code = compile(ast.Module([function], []), f"<mutant of {function.name}>", "exec")
            exec(code, vars(self.reference), namespace)  # noqa: S102 - the reference's own code, changed
        except Exception:  # noqa: BLE001 - a change that does not compile is no mutant
            return None
        module = types.ModuleType(self.reference.__name__)
        vars(module).update(vars(self.reference))
        if owner:
            base = getattr(self.reference, owner)
            setattr(module, owner, type(owner, (base,), {function.name: namespace[function.name]}))
        else:
            setattr(module, function.name, namespace[function.name])
        return module


class MutantMatcher(KnownBugMatcher):
    """Names the one mutant of the called function whose output is the student's (see the module's docstring).

    Asked last (``last_resort``): only when the tests' mistakes, the known bugs and the relations named nothing.
    ``cut_short`` tells whether a search of this matcher ran out of its budget: then no other matcher may name the
    failure's cause either (the runner asks none: :mod:`autograder.runner.plugin`), since what it would name depends
    on the budget, not on the submission alone.
    """

    last_resort = True

    def __init__(self, recorder, mutants, student_calls=list, read_attributes=None, refuted=None):
        super().__init__(recorder, (), student_calls, read_attributes, refuted)
        self.mutants = mutants  # a Mutants (or None: no mutant is named)
        self.reductions_only = False  # the value compared is one number where several belong: see collapsed
        self.cut_short = False

    def __call__(self, got, expected, rtol, atol):
        if not tells_a_change(got, expected):
            return []  # empty, zeros, NaN, one number throughout: what many changes give, most of them no mutant
        self.reductions_only = collapsed(got, expected)
        try:
            return super().__call__(got, expected, rtol, atol)
        except OutOfTime:
            self.cut_short = True
            return []  # a mutant not replayed may fit as well: which change it was is unknown

    def candidates(self, call):
        """The called function's mutants, in groups (:func:`mutant_groups`)."""
        return [] if self.mutants is None else mutant_groups(
            self.mutants, call.qualified_name, call.seconds, numbers_in(call.args, call.kwargs, call.state),
            self.reductions_only, given=given_numbers(self.mutants.reference, call.qualified_name, call.args,
                                                      call.kwargs))


def mutant_groups(mutants, qualified_name, seconds, numbers=(), reductions_only=False, budget=MUTANT_SECONDS,
                  given=None):
    """The one-change mutants of ``qualified_name``, then those that add an operation (asked only when no one-change
    mutant fits: the smaller change is the likelier), then those that put one thing where a related one belongs
    (asked only when neither fits), given while one CPU budget lasts (then :class:`OutOfTime`).

    None for a call that took ``seconds`` too many to be replayed on every mutant (a training loop); none of those
    whose number the call's own ``numbers`` may give (:func:`coincides`); with ``reductions_only``, only those whose
    change is a reduction (:func:`~autograder.runner.known_bugs.collapsed`). ``budget``: the CPU seconds they may take.
    ``given``: the numbers the call was given, by parameter (those a parameter left out as a term may coincide with).
    """
    if seconds * FEWEST > budget:
        return []
    deadline = time.process_time() + budget
    return [_within(mutants(qualified_name, group), deadline, numbers, reductions_only, given) for group in GROUPS]


def _within(mutants, deadline, numbers, reductions_only, given=None):
    for mutant, module in mutants:
        if time.process_time() > deadline:
            raise OutOfTime
        if not coincides(mutant.constant, numbers, mutant.term_left_out, given, mutant.complement_of) \
                and (mutant.reduces or not reductions_only):
            yield mutant, module

