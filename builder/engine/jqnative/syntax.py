"""jq text → a tree of tuples, for the subset ``codegen`` compiles (anything else: Unsupported).

The parser follows jq 1.8's grammar (src/parser.y) and precedence (``|`` < ``,`` < ``//`` <
``or`` < ``and`` < comparisons < ``+ -`` < ``* / %`` < unary minus and postfix); ``E as $x | Q``
binds a whole expression, at the level of a query. It only ever sees programs jq has compiled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from builder.engine.jqnative.values import Unsupported


# -- lexer ---------------------------------------------------------------------------------------

_KEYWORDS = {"if", "then", "elif", "else", "end", "as", "and", "or", "reduce", "foreach", "try",
             "catch", "label", "def", "import", "include", "__loc__"}
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<field>\.[A-Za-z_][A-Za-z0-9_]*)
  | (?P<var>\$[A-Za-z_][A-Za-z0-9_]*)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op>\?//|//=|\|=|\+=|-=|\*=|/=|%=|==|!=|<=|>=|//|\.\.|[.\[\](){}|,:;=<>+\-*/%?])
""", re.VERBOSE)


@dataclass
class Token:
    kind: str  # num | field | var | ident | op | str | end
    text: str
    parts: list[Any] | None = None  # for str: literal pieces and parsed interpolations


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def tokens(self, until_paren: bool = False) -> list[Token]:
        out: list[Token] = []
        depth = 0
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == '"':
                out.append(self._string())
                continue
            if ch == "#":
                raise Unsupported("comment")
            if ch == "@":
                raise Unsupported("format")
            found = _TOKEN.match(text, self.pos)
            if not found:
                raise Unsupported(f"character {ch!r}")
            self.pos = found.end()
            kind = found.lastgroup or ""  # every alternative of _TOKEN is a named group
            if kind == "ws":
                continue
            value = found.group(0)
            if until_paren:
                if value == "(":
                    depth += 1
                elif value == ")":
                    if depth == 0:
                        return out
                    depth -= 1
            out.append(Token(kind, value))
        if until_paren:
            raise Unsupported("unterminated interpolation")
        return out

    def _string(self) -> Token:
        text = self.text
        self.pos += 1
        parts: list[Any] = []
        buf: list[str] = []
        while True:
            if self.pos >= len(text):
                raise Unsupported("unterminated string")
            ch = text[self.pos]
            if ch == '"':
                self.pos += 1
                break
            if ch != "\\":
                buf.append(ch)
                self.pos += 1
                continue
            escape = text[self.pos + 1:self.pos + 2]
            self.pos += 2
            if escape == "(":
                if buf:
                    parts.append("".join(buf))
                    buf = []
                inner = self.tokens(until_paren=True)
                parts.append(_Parser(inner).parse_all())
                continue
            simple = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
            if escape in simple:
                buf.append(simple[escape])
            elif escape == "u":
                code = text[self.pos:self.pos + 4]
                if len(code) != 4 or not all(c in "0123456789abcdefABCDEF" for c in code):
                    raise Unsupported("bad \\u escape")
                self.pos += 4
                value = int(code, 16)
                if 0xD800 <= value < 0xE000:
                    raise Unsupported("surrogate escape")
                buf.append(chr(value))
            else:
                raise Unsupported("escape")
        if buf or not parts:
            parts.append("".join(buf))
        return Token("str", "", parts)


# -- parser: tokens → AST (tuples) ------------------------------------------------------------------
#
#   ("id",)  ("field", target, name)  ("index", target, key)  ("iter", target)  ("opt", node)
#   ("lit", value)  ("str", parts)  ("var", name)  ("neg", node)  ("bin", op, left, right)
#   ("and", l, r)  ("or", l, r)  ("alt", l, r)  ("pipe", l, r)  ("comma", l, r)
#   ("if", cond, then, else)  ("array", node|None)  ("object", [(key_node, value_node)])
#   ("bind", source, name, body)  ("call", name, [args])

_CMP = {"==", "!=", "<", "<=", ">", ">="}


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self, offset: int = 0) -> Token:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else Token("end", "")

    def take(self) -> Token:
        token = self.peek()
        self.i += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text or token.kind not in ("op", "ident"):
            raise Unsupported(f"expected {text!r}")

    def at(self, text: str) -> bool:
        token = self.peek()
        return token.kind in ("op", "ident") and token.text == text

    def parse_all(self) -> Any:
        node = self.pipe()
        if self.peek().kind != "end":
            raise Unsupported(f"unexpected {self.peek().text!r}")
        return node

    def pipe(self) -> Any:
        if self.at("def"):
            raise Unsupported("def")
        left = self.comma()
        if self.at("|"):
            self.take()
            return ("pipe", left, self.pipe())
        return left

    def comma(self) -> Any:
        left = self.bound()
        while self.at(","):
            self.take()
            left = ("comma", left, self.bound())
        return left

    def bound(self) -> Any:
        """jq 1.8's ``Expr "as" Patterns '|' Query``: the binding takes the whole expression
        before ``as`` (``.a // "x" as $n`` binds ``.a // "x"``; jq 1.7 bound only the last
        term), and its body runs to the end of the enclosing query."""
        node = self.alt()
        if not self.at("as"):
            return node
        self.take()
        var = self.take()
        if var.kind != "var" or var.text == "$__loc__":
            raise Unsupported("destructuring")
        self.expect("|")
        return ("bind", node, var.text[1:], self.pipe())

    def alt(self) -> Any:
        left = self.or_()
        if self.at("//"):
            self.take()
            return ("alt", left, self.alt())
        for bad in ("?//", "=", "|=", "+=", "-=", "*=", "/=", "%=", "//="):
            if self.at(bad):
                raise Unsupported(bad)
        return left

    def or_(self) -> Any:
        left = self.and_()
        while self.at("or"):
            self.take()
            left = ("or", left, self.and_())
        return left

    def and_(self) -> Any:
        left = self.compare()
        while self.at("and"):
            self.take()
            left = ("and", left, self.compare())
        return left

    def compare(self) -> Any:
        left = self.additive()
        token = self.peek()
        if token.kind == "op" and token.text in _CMP:
            self.take()
            right = self.additive()
            if self.peek().kind == "op" and self.peek().text in _CMP:
                raise Unsupported("chained comparison")
            return ("bin", token.text, left, right)
        return left

    def additive(self) -> Any:
        left = self.multiplicative()
        while self.peek().kind == "op" and self.peek().text in ("+", "-"):
            op = self.take().text
            left = ("bin", op, left, self.multiplicative())
        return left

    def multiplicative(self) -> Any:
        left = self.postfix()
        while self.peek().kind == "op" and self.peek().text in ("*", "/", "%"):
            op = self.take().text
            left = ("bin", op, left, self.postfix())
        return left

    def postfix(self) -> Any:
        if self.at("-"):
            # jq 1.8's `'-' Term`: the minus takes one term with all its suffixes (`-.a.b?`).
            self.take()
            return ("neg", self.postfix())
        first = self.peek()
        node = self.primary()
        # `?` after an access step (`.a.b?`, `.x[]?`, `.[0]?`) silences that step only: an error
        # in what it indexes still propagates. After anything else (`(…)?`, `$x?`) it covers it all.
        step = first.kind == "field" or (first.kind == "op" and first.text == "." and node[0] != "id")
        while True:
            token = self.peek()
            if token.kind == "field":
                self.take()
                node, step = ("field", node, token.text[1:]), True
            elif token.kind == "op" and token.text == "." and self.peek(1).kind == "str":
                self.take()
                node, step = ("index", node, self._string_node(self.take())), True
            elif token.kind == "op" and token.text == "." and self.peek(1).text == "[":
                self.take()  # `.a.[0]`: the same as `.a[0]`
            elif token.kind == "op" and token.text == "[":
                node, step = self._bracket(node), True
            elif token.kind == "op" and token.text == "?":
                self.take()
                node = ("optstep", node) if step and node[0] in ("field", "index", "iter", "slice") else ("opt", node)
                step = False
            else:
                break
        return node

    def _bracket(self, target: Any) -> Any:
        self.expect("[")
        if self.at("]"):
            self.take()
            return ("iter", target)
        key = None if self.at(":") else self.pipe()
        if self.at(":"):
            self.take()
            end = None if self.at("]") else self.pipe()
            self.expect("]")
            return ("slice", target, key, end)
        self.expect("]")
        return ("index", target, key)

    def _string_node(self, token: Token) -> Any:
        parts = token.parts or [""]
        if len(parts) == 1 and isinstance(parts[0], str):
            return ("lit", parts[0])
        return ("str", parts)

    def primary(self) -> Any:
        token = self.take()
        kind, text = token.kind, token.text
        if kind == "field":
            return ("field", ("id",), text[1:])
        if kind == "str":
            return self._string_node(token)
        if kind == "num":
            return ("lit", _number_literal(text))
        if kind == "var":
            if text == "$__loc__" or text == "$ENV":
                raise Unsupported(text)
            return ("var", text[1:])
        if kind == "op":
            if text == ".":
                nxt = self.peek()
                if nxt.kind == "str":
                    self.take()
                    return ("index", ("id",), self._string_node(nxt))
                if nxt.kind == "op" and nxt.text == "[":
                    return self._bracket(("id",))
                return ("id",)
            if text == "(":
                node = self.pipe()
                self.expect(")")
                return node
            if text == "[":
                if self.at("]"):
                    self.take()
                    return ("array", None)
                node = self.pipe()
                self.expect("]")
                return ("array", node)
            if text == "{":
                return self._object()
            raise Unsupported(text)
        if kind == "ident":
            if text == "if":
                return self._if()
            if text in ("null", "true", "false"):
                return ("lit", {"null": None, "true": True, "false": False}[text])
            if text in _KEYWORDS or "::" in text:
                raise Unsupported(text)
            args: list[Any] = []
            if self.at("("):
                self.take()
                args.append(self.pipe())
                while self.at(";"):
                    self.take()
                    args.append(self.pipe())
                self.expect(")")
            return ("call", text, args)
        raise Unsupported(f"unexpected {kind}")

    def _if(self) -> Any:
        cond = self.pipe()
        self.expect("then")
        then = self.pipe()
        if self.at("elif"):
            self.take()
            return ("if", cond, then, self._if())
        if self.at("else"):
            self.take()
            other = self.pipe()
            self.expect("end")
            return ("if", cond, then, other)
        self.expect("end")
        return ("if", cond, then, ("id",))

    def _object(self) -> Any:
        entries: list[tuple[Any, Any]] = []
        if self.at("}"):
            self.take()
            return ("object", entries)
        while True:
            token = self.take()
            if token.kind == "ident":  # keywords too: `{if: 1}` is a valid key
                key: Any = ("lit", token.text)
                value = self._object_value() if self.at(":") else ("field", ("id",), token.text)
            elif token.kind == "var":
                if self.at(":"):
                    raise Unsupported("$var: value")
                key, value = ("lit", token.text[1:]), ("var", token.text[1:])
            elif token.kind == "str":
                key = self._string_node(token)
                value = self._object_value() if self.at(":") else ("index", ("id",), key)
            elif token.kind == "num":
                raise Unsupported("numeric key")
            elif token.kind == "op" and token.text == "(":
                key = self.pipe()
                self.expect(")")
                if not self.at(":"):
                    raise Unsupported("(key) without value")
                value = self._object_value()
            else:
                raise Unsupported("object key")
            entries.append((key, value))
            if self.at(","):
                self.take()
                continue
            self.expect("}")
            return ("object", entries)

    def _object_value(self) -> Any:
        self.expect(":")
        # jq 1.8's DictExpr: expressions (no `,`, no `as`) joined by `|`, up to `,` or `}`.
        return self._objval()

    def _objval(self) -> Any:
        node = self.alt()
        if self.at("|"):
            self.take()
            return ("pipe", node, self._objval())
        return node


def _number_literal(text: str) -> Any:
    """A number in the program. jq keeps a literal's text (``1.0 | tostring`` is "1.0"), so
    only literals whose text is what Python would print compile."""
    if re.fullmatch(r"(?:0|[1-9][0-9]{0,14})", text):
        return int(text)
    value = float(text)
    if not value.is_integer() and repr(value) == text and "e" not in text:
        return value
    raise Unsupported(f"number literal {text}")
