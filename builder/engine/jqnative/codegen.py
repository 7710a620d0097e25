"""The tree → Python source: one statement per step, exceptions for errors and no output.

A node that gives at most one output compiles to straight-line code (``single``); one that may
give several (``.[]``, ``,``) to lazy generators (``gen``), which collectors (``[…]``, ``map``,
``first``) consume.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from builder.engine.jqnative.analysis import (_FILTER_BUILTINS, _TYPE_SELECTORS, _VALUE_BUILTINS, _comma_items,
                                               _is_single, _may_be_empty)
from builder.engine.jqnative.functions import _check_format
from builder.engine.jqnative.regex import _safe_regex
from builder.engine.jqnative.values import Unsupported

_BIN_HELPERS = {"+": "_plus", "-": "_minus", "*": "_times", "/": "_divide", "%": "_modulo",
                "<": "_lt", "<=": "_le", ">": "_gt", ">=": "_ge"}


class _Codegen:
    """Statement-based: ``single(node, inp)`` emits the statements that compute a node and
    returns the name (or literal) that holds its value; errors and no-output are exceptions."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.indent = 1
        self.counter = 0
        self.consts: dict[str, Any] = {}
        self.scope: dict[str, str] = {}  # jq $name → Python local

    def fresh(self, prefix: str = "t") -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.indent + line)

    def const(self, value: Any) -> str:
        if value is None or isinstance(value, (bool, str)):
            return repr(value)
        if isinstance(value, (int, float)):
            return f"({value!r})"  # `(0).__class__`, not `0.__class__`
        name = self.fresh("c")
        self.consts[name] = value
        return name

    def value(self, node: Any, inp: str) -> str:
        """A single-output node's value (raises Empty for no output)."""
        if not _is_single(node):
            return f"_gen_first({self.gen(node, inp)})"
        return self.single(node, inp)

    # single-output nodes ------------------------------------------------------------------
    def single(self, node: Any, inp: str) -> str:
        kind = node[0]
        method = getattr(self, "s_" + kind)
        return method(node, inp)

    def s_id(self, node: Any, inp: str) -> str:
        return inp

    def s_lit(self, node: Any, inp: str) -> str:
        value = node[1]
        if isinstance(value, (dict, list)):
            raise Unsupported("container literal")
        out = self.fresh()  # a name, so `x is None` tests never compare a literal
        self.emit(f"{out} = {self.const(value)}")
        return out

    def s_var(self, node: Any, inp: str) -> str:
        name = self.scope.get(node[1])
        if name is None:
            raise Unsupported(f"${node[1]} is not bound here")
        return name

    def s_field(self, node: Any, inp: str) -> str:
        target = self.value(node[1], inp)
        out = self.fresh()
        key = repr(node[2])
        self.emit(f"{out} = {target}.get({key}) if {target}.__class__ is dict else _index({target}, {key})")
        return out

    def s_index(self, node: Any, inp: str) -> str:
        key = self.value(node[2], inp)  # jq evaluates the key against the same input
        target = self.value(node[1], inp)
        out = self.fresh()
        self.emit(f"{out} = {target}.get({key}) if {target}.__class__ is dict and {key}.__class__ is str "
                  f"else _index({target}, {key})")
        return out

    def s_slice(self, node: Any, inp: str) -> str:
        node = self._keys_first(node, inp, allow_empty=True)
        target, start, end = node[1], node[2], node[3]
        start_value = "None" if start is None else self.value(start, inp)
        end_value = "None" if end is None else self.value(end, inp)
        held = self.value(target, inp)
        out = self.fresh()
        self.emit(f"{out} = _slice({held}, {start_value}, {end_value})")
        return out

    def s_local(self, node: Any, inp: str) -> str:
        return node[1]

    def _keys_first(self, step: Any, inp: str, allow_empty: bool) -> Any:
        """``step`` (an index or a slice) with its computed key or bounds evaluated now, on
        ``inp``: jq computes them (start before end) before the target and against the same
        input (`.[]?[.k]` reads .k of the record, not of each element), and the ``?`` of
        ``.[k]?`` does not cover them. ``allow_empty``: single-output code may raise Empty here;
        a generator's body may not."""
        if step[0] not in ("index", "slice"):
            return step
        keys = list(step[2:])
        for index, key in enumerate(keys):
            if key is None or key[0] in ("lit", "local"):
                continue
            if not _is_single(key) or (_may_be_empty(key) and not allow_empty):
                raise Unsupported("a computed key that may give no output or several")
            held = self.fresh()
            self.emit(f"{held} = {self.single(key, inp)}")
            keys[index] = ("local", held)
        return (step[0], step[1], *keys)

    def s_optstep(self, node: Any, inp: str) -> str:
        step = self._keys_first(node[1], inp, allow_empty=True)
        target = self.value(step[1], inp)  # outside the try: its errors are not silenced
        local_step = (step[0], ("local", target)) + tuple(step[2:])
        return self.s_opt(("opt", local_step), inp)

    def s_opt(self, node: Any, inp: str) -> str:
        out = self.fresh()
        self.emit("try:")
        self.indent += 1
        inner = self.value(node[1], inp)
        self.emit(f"{out} = {inner}")
        self.indent -= 1
        self.emit("except JqError:")
        self.emit("    raise Empty")
        return out

    def s_str(self, node: Any, inp: str) -> str:
        parts = node[1]
        dynamic = [part for part in parts if not isinstance(part, str)]
        if len(dynamic) > 1 and any(_may_be_empty(part) for part in dynamic):
            raise Unsupported("interpolations that may be empty")
        pieces = []
        for part in parts:
            if isinstance(part, str):
                pieces.append(repr(part))
            else:
                pieces.append(f"_interpolate({self.value(part, inp)})")
        out = self.fresh()
        self.emit(f"{out} = " + " + ".join(pieces))
        return out

    def s_neg(self, node: Any, inp: str) -> str:
        inner = self.value(node[1], inp)
        out = self.fresh()
        # jq negates a number keeping its literal (`-.` on 2.0 prints "-2.0"); 0 would become -0.
        self.emit(f"if {inner}.__class__ is not int and {inner}.__class__ is not float: raise JqError")
        self.emit(f"if {inner}: {out} = -{inner}")
        self.emit("else: raise Bail")
        return out

    def s_bin(self, node: Any, inp: str) -> str:
        op, left, right = node[1], node[2], node[3]
        # jq evaluates the right operand first (it matters when one side errors and the other is empty).
        r = self.value(right, inp)
        l_ = self.value(left, inp)
        out = self.fresh()
        if op == "==":
            self.emit(f"{out} = _eq({l_}, {r})")
        elif op == "!=":
            self.emit(f"{out} = not _eq({l_}, {r})")
        elif op == "+":
            self.emit(f"{out} = {l_} + {r} if {l_}.__class__ is str and {r}.__class__ is str else _plus({l_}, {r})")
        else:
            self.emit(f"{out} = {_BIN_HELPERS[op]}({l_}, {r})")
        return out

    def s_and(self, node: Any, inp: str) -> str:
        return self._logic(node, inp, "and")

    def s_or(self, node: Any, inp: str) -> str:
        return self._logic(node, inp, "or")

    def _logic(self, node: Any, inp: str, which: str) -> str:
        left = self.value(node[1], inp)
        out = self.fresh()
        test = f"{left} is not None and {left} is not False"
        self.emit(f"if {test if which == 'and' else 'not (' + test + ')'}:")
        self.indent += 1
        right = self.value(node[2], inp)
        self.emit(f"{out} = {right} is not None and {right} is not False")
        self.indent -= 1
        self.emit("else:")
        self.emit(f"    {out} = {'False' if which == 'and' else 'True'}")
        return out

    def s_alt(self, node: Any, inp: str) -> str:
        out = self.fresh()
        if _may_be_empty(node[1]):
            self.emit("try:")
            self.indent += 1
            left = self.value(node[1], inp)
            self.emit(f"{out} = {left}")
            self.indent -= 1
            self.emit("except Empty:")  # jq (1.7+) lets the left side's errors through
            self.emit(f"    {out} = None")
        else:
            self.emit(f"{out} = {self.value(node[1], inp)}")
        self.emit(f"if {out} is None or {out} is False:")
        self.indent += 1
        right = self.value(node[2], inp)
        self.emit(f"{out} = {right}")
        self.indent -= 1
        return out

    def s_pipe(self, node: Any, inp: str) -> str:
        left = self.value(node[1], inp)
        held = self.fresh()
        self.emit(f"{held} = {left}")
        return self.value(node[2], held)

    def s_if(self, node: Any, inp: str) -> str:
        cond = self.value(node[1], inp)
        out = self.fresh()
        self.emit(f"if {cond} is not None and {cond} is not False:")
        self.indent += 1
        then = self.value(node[2], inp)
        self.emit(f"{out} = {then}")
        self.indent -= 1
        self.emit("else:")
        self.indent += 1
        other = self.value(node[3], inp)
        self.emit(f"{out} = {other}")
        self.indent -= 1
        return out

    def s_bind(self, node: Any, inp: str) -> str:
        source = self.value(node[1], inp)
        return self._bound(node[2], source, lambda: self.value(node[3], inp))

    def _bound(self, name: str, source: str, body: Callable[[], str]) -> str:
        """``source as $name | body``: $name is a Python local while ``body`` compiles."""
        local = self.fresh("v_")
        self.emit(f"{local} = {source}")
        saved = self.scope.get(name)
        self.scope[name] = local
        try:
            return body()
        finally:
            if saved is None:
                self.scope.pop(name, None)
            else:
                self.scope[name] = saved

    def s_array(self, node: Any, inp: str) -> str:
        out = self.fresh()
        if node[1] is None:
            self.emit(f"{out} = []")
            return out
        inner = node[1]
        items = _comma_items(inner)
        if len(items) > 1 and all(_is_single(item) and not _may_be_empty(item) for item in items):
            values = [self.single(item, inp) for item in items]  # `[.a, .b, .c]`: left to right, as jq
            self.emit(f"{out} = [{', '.join(values)}]")
            return out
        if _is_single(inner):
            if _may_be_empty(inner):
                self.emit("try:")
                self.indent += 1
                value = self.single(inner, inp)
                self.emit(f"{out} = [{value}]")
                self.indent -= 1
                self.emit("except Empty:")
                self.emit(f"    {out} = []")
            else:
                value = self.single(inner, inp)
                self.emit(f"{out} = [{value}]")
            return out
        self.emit(f"{out} = list({self.gen(inner, inp)})")
        return out

    def s_object(self, node: Any, inp: str) -> str:
        # jq builds an object one entry at a time: key, value, then the insert that checks the
        # key's type (so `{(5): empty}` gives no output, and `{(5): 1, a: empty}` an error).
        # Straight-line code raising at each step keeps that order.
        pairs = []
        for key, value in node[1]:
            if key[0] == "lit" and not isinstance(key[1], str):
                raise Unsupported("non-string key")
            k = self.value(key, inp)
            v = self.value(value, inp)
            if key[0] != "lit":
                self.emit(f"if {k}.__class__ is not str: raise JqError")
            pairs.append(f"{k}: {v}")
        out = self.fresh()
        self.emit(f"{out} = {{{', '.join(pairs)}}}")
        return out

    def s_call(self, node: Any, inp: str) -> str:
        name, args = node[1], node[2]
        arity = len(args)
        out = self.fresh()
        if (name, arity) in _VALUE_BUILTINS:
            if arity > 1 and any(_may_be_empty(arg) for arg in args):
                raise Unsupported("arguments that may be empty")
            values = [self.value(arg, inp) for arg in args]
            self.emit(f"{out} = {_VALUE_BUILTINS[(name, arity)]}({', '.join([inp] + values)})")
            return out
        if arity == 0 and name in _TYPE_SELECTORS:
            self.emit(f"if not ({_TYPE_SELECTORS[name].format(x=inp)}): raise Empty")
            return inp
        if name == "empty" and arity == 0:
            self.emit("raise Empty")
            return "None"
        if name == "error" and arity in (0, 1):
            if arity:
                self.value(args[0], inp)
            self.emit("raise JqError")
            return "None"
        if name == "select" and arity == 1:
            cond = self.value(args[0], inp)
            self.emit(f"if {cond} is None or {cond} is False: raise Empty")
            return inp
        if name in ("todate", "todateiso8601") and arity == 0:
            self.emit(f"{out} = _strftime({inp}, '%Y-%m-%dT%H:%M:%SZ')")
            return out
        if name == "strftime" and arity == 1:
            fmt = args[0]
            if fmt[0] != "lit" or not isinstance(fmt[1], str):
                raise Unsupported("strftime with a computed format")
            self.emit(f"{out} = _strftime({inp}, {_check_format(fmt[1])!r})")
            return out
        if name in ("floor", "ceil") and arity == 0:
            self.emit(f"{out} = _math({inp}, _{name})")
            return out
        if name in ("ltrim", "rtrim", "trim") and arity == 0:
            how = {"ltrim": "left", "rtrim": "right", "trim": "both"}[name]
            self.emit(f"{out} = _trim({inp}, {how!r})")
            return out
        if name in ("test", "sub", "gsub"):
            return self._regex(name, args, inp, out)
        if (name, arity) in _FILTER_BUILTINS:
            return self._filter(name, args[0], inp, out)
        raise Unsupported(f"{name}/{arity}")

    def _regex(self, name: str, args: list[Any], inp: str, out: str) -> str:
        want = {"test": (1, 2), "sub": (2, 3), "gsub": (2, 3)}[name]
        if len(args) not in want:
            raise Unsupported(f"{name}/{len(args)}")
        pattern = args[0]
        flags_node = args[-1] if len(args) == want[1] else ("lit", None)
        if pattern[0] != "lit" or not isinstance(pattern[1], str) or flags_node[0] != "lit":
            raise Unsupported("regex or flags computed")
        flags = flags_node[1]
        if flags is not None and not isinstance(flags, str):
            raise Unsupported("flags")
        flags = flags or ""
        if set(flags) - set("gi"):
            raise Unsupported(f"regex flags {flags!r}")
        compiled = _safe_regex(pattern[1], re.IGNORECASE if "i" in flags else 0)
        regex = self.const(compiled)
        if name == "test":
            self.emit(f"{out} = _test({inp}, {regex})")
            return out
        replacement = args[1]
        if replacement[0] != "lit" or not isinstance(replacement[1], str):
            raise Unsupported("computed replacement")
        count = 0 if name == "gsub" or "g" in flags else 1
        self.emit(f"{out} = _substitute({inp}, {regex}, {replacement[1]!r}, {count})")
        return out

    def _filter(self, name: str, body: Any, inp: str, out: str) -> str:
        if name == "select":
            raise AssertionError("handled above")
        if name == "first":
            self.emit(f"{out} = _gen_first({self.gen(body, inp)})")
            return out
        if name == "map":
            if _is_single(body) and not _may_be_empty(body):
                self.emit(f"{out} = [{self.single_fn(body)}(x) for x in _values_of({inp})]")
            else:
                self.emit(f"{out} = [y for x in _values_of({inp}) for y in {self.gen_fn(body)}(x)]")
            return out
        if name in ("any", "all"):
            fn = self.gen_fn(body)
            test = f"_truthy(y) for x in _values_of({inp}) for y in {fn}(x)"
            self.emit(f"{out} = {name}({test})")
            return out
        if name == "with_entries":
            fn = self.gen_fn(body)
            self.emit(f"{out} = _from_entries([y for x in _to_entries({inp}) for y in {fn}(x)])")
            return out
        if not _is_single(body):
            raise Unsupported(f"{name} with a generator")
        fn = self.single_fn(body)
        self.emit(f"{out} = _{name}({inp}, {fn})")
        return out

    # functions and generators ---------------------------------------------------------------
    def single_fn(self, node: Any) -> str:
        """A nested function of one input returning the node's value (raising Empty)."""
        return self._nested("f", None, lambda arg: self.single(node, arg))

    def gen_fn(self, node: Any, arg: str | None = None) -> str:
        """A nested function of one input returning an iterable of the node's outputs; ``arg``
        names its parameter (a ("local", arg) node inside refers to it)."""
        return self._nested("g", arg, lambda name: self.gen(node, name))

    def _nested(self, prefix: str, arg: str | None, body: Callable[[str], str]) -> str:
        name = self.fresh(prefix)
        arg = arg or self.fresh("x")
        self.emit(f"def {name}({arg}):")
        self.indent += 1
        value = body(arg)  # emits the body's statements, inside the def
        self.emit(f"return {value}")
        self.indent -= 1
        return name

    def gen(self, node: Any, inp: str) -> str:
        """An expression for an iterable of every output of ``node`` on ``inp`` (lazy where jq is)."""
        kind = node[0]
        if _is_single(node):
            if _may_be_empty(node):
                return f"_single({self.single_fn(node)}, {inp})"
            return f"({self.single(node, inp)},)"
        if kind == "iter":
            if _is_single(node[1]) and not _may_be_empty(node[1]):
                return f"_iterate({self.single(node[1], inp)})"
            return f"(y for x in {self.gen(node[1], inp)} for y in _iterate(x))"
        if kind == "comma":
            left = self.gen_fn(node[1])
            right = self.gen_fn(node[2])
            return f"_then({left}, {right}, {inp})"
        if kind == "pipe":
            left, right = node[1], node[2]
            if _is_single(left) and not _may_be_empty(left):
                held = self.fresh()
                self.emit(f"{held} = {self.single(left, inp)}")
                return self.gen(right, held)
            first_fn = self.gen_fn(left)
            second_fn = self.gen_fn(right)
            return f"(y for x in {first_fn}({inp}) for y in {second_fn}(x))"
        if kind == "field" or kind == "index":
            # `.[]?.x`, `.a[].b`: a path through a generator.
            if kind == "index" and not _is_single(node[2]):
                raise Unsupported("generator key")
            node = self._keys_first(node, inp, allow_empty=False)
            rest: tuple[Any, ...] = ("field", ("id",), node[2]) if kind == "field" else ("index", ("id",), node[2])
            return self.gen(("pipe", node[1], rest), inp)
        if kind == "opt":
            fn = self.gen_fn(node[1])
            return f"_optional({fn}, {inp})"
        if kind == "optstep":
            step = self._keys_first(node[1], inp, allow_empty=False)
            if _is_single(step[1]) and not _may_be_empty(step[1]):
                target = self.fresh()
                self.emit(f"{target} = {self.single(step[1], inp)}")
                return self.gen(("opt", (step[0], ("local", target)) + tuple(step[2:])), inp)
            held = self.fresh("x")
            fn = self.gen_fn(("opt", (step[0], ("local", held)) + tuple(step[2:])), held)
            return f"(y for {held} in {self.gen(step[1], inp)} for y in {fn}({held}))"
        if kind == "alt":
            return f"_alternative({self.gen_fn(node[1])}, {self.gen_fn(node[2])}, {inp})"
        if kind == "bin":
            left, right = self.gen_fn(node[2]), self.gen_fn(node[3])
            # jq's cartesian product: the right operand's outputs outside, the left's inside.
            return f"(_BIN_OPS[{node[1]!r}](a, b) for b in {right}({inp}) for a in {left}({inp}))"
        if kind == "slice":
            if not all(child is None or _is_single(child) for child in node[2:]):
                raise Unsupported("generator slice bounds")
            node = self._keys_first(node, inp, allow_empty=False)
            rest = ("slice", ("id",), node[2], node[3])
            return self.gen(("pipe", node[1], rest), inp)
        if kind == "bind":
            if not _is_single(node[1]) or _may_be_empty(node[1]):
                raise Unsupported("binding a generator")
            return self._bound(node[2], self.single(node[1], inp), lambda: self.gen(node[3], inp))
        raise Unsupported(f"{kind} as a generator")
