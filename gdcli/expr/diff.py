"""The structural rules of differentiation, each written once: constant, variable, sum,
constant multiple, product, quotient, power, exponential (a**u), general power (u**v),
log base, and the chain rule that multiplies a registry row's outer derivative by u'.

Rules work on the surface tree, so ``a/b`` is differentiated (and shown, with
``--steps``) by the quotient rule, and results are built canonical by the operators
of :mod:`gdcli.expr.nodes`.
"""

from __future__ import annotations

from ..errors import InputError
from . import functions as fn
from .nodes import (
    MINUS_ONE,
    ONE,
    ZERO,
    Add,
    Call,
    Div,
    E,
    Mul,
    Neg,
    Node,
    Num,
    Pow,
    Var,
    size,
)
from .printer import to_str
from .simplify import add, call, mul, pow_, simplify

#: Highest --order accepted.
MAX_ORDER = 30
#: A derivative bigger than this many nodes is not differentiated again (expression swell).
MAX_NODES = 20_000
#: A derivative bigger than this many nodes (about a megabyte of text) is not printed:
#: 100 nested calls around a sum of 800 variables would print 600 kB per partial.
MAX_PRINTED_NODES = 200_000
#: All the derivatives printed for one expression (its gradient, its Hessian) have at
#: most this many nodes in all (about five megabytes of text): see Budget.
MAX_ANSWER_NODES = 1_000_000


class Budget:
    """What one answer may print: ``spend(d)`` for each derivative before printing it.

    Each partial derivative may be modest and their number large: 100 nested log bases
    around a sum of 830 variables have 830 partials of 1.2 MB each, a gigabyte in all,
    computed in a tenth of a second (the partials share their subtrees) but not printed
    in any reasonable time."""

    def __init__(self, limit: int = MAX_ANSWER_NODES) -> None:
        self.limit = limit
        self.spent = 0

    def spend(self, d: Node) -> None:
        self.spent += size(d)
        if self.spent > self.limit:
            raise InputError(
                f"the derivatives have more than {self.limit:,} terms and factors in all: "
                "too large to print (ask for fewer with --wrt)"
            )
#: Sums and products with this many terms or factors keep them by variable (``_terms``).
_LONG = 16
#: Products of more distinct factors than this use (Πf)' = Πf·Σ f'/f, which stays linear.
_WIDE_PRODUCT = 12


class Step:
    """One rule application, as ``--steps`` prints it."""

    __slots__ = ("rule", "expr", "result", "depth", "detail")

    def __init__(self, rule: str, expr: str, result: str = "", depth: int = 0) -> None:
        self.rule, self.expr, self.result, self.depth = rule, expr, result, depth
        self.detail: dict[str, str] = {}

    def as_dict(self) -> dict[str, object]:
        return {"rule": self.rule, "expr": self.expr, "result": self.result, "depth": self.depth,
                **self.detail}


def derivative(node: Node, var: str, order: int = 1, steps: list[Step] | None = None) -> Node:
    """The ``order``-th derivative of ``node`` with respect to ``var``, simplified."""
    if not 1 <= order <= MAX_ORDER:
        raise InputError(f"--order must be between 1 and {MAX_ORDER}, got {order}")
    cur = node
    for k in range(order):
        if k and size(cur) > MAX_NODES:
            raise InputError(
                f"derivative of order {k} already has {size(cur)} terms and factors; "
                f"order {order} would be too large to print (try a lower --order)"
            )
        cur = _Differ(var, steps).d(cur)
    if size(cur) > MAX_PRINTED_NODES:
        raise InputError(
            f"the derivative has {size(cur)} terms and factors, more than "
            f"{MAX_PRINTED_NODES:,}: too large to print"
        )
    return cur


def _shown(n: Node) -> str:
    # d/dx (x + 1), not d/dx x + 1
    s = to_str(n)
    return f"({s})" if type(n) in (Add, Neg) or (type(n) is Mul and s.startswith("-")) else s


def _link(n: Node) -> tuple[Node, Node] | None:
    """(P, base) with dN/dv = P*d(base)/dv for every variable v, or None.

    A node with one child that holds variables (f(u), c*u, u**n, a**u, log(c, u), -u, u/c)
    is a link of a chain: its local factor dN/du does not depend on v. P multiplies the
    local factors down to the first node that is not a link (the base), once, and is kept
    on the node (``_link``), so the chain rule through 100 nested calls costs one product
    per level, not one per level per partial derivative. Computed lazily, never for
    ``--steps`` (which names every level's rule)."""
    got = n._link
    if got is not None:
        return got or None
    child = _only_varying_child(n)
    if child is None:
        n._link = ()
        return None
    local = _Local(child).d(n)
    inner = _link(child)
    out = (local, child) if inner is None else (mul(local, inner[0]), inner[1])
    n._link = out
    return out


def _only_varying_child(n: Node) -> Node | None:
    if type(n) is Var or not n.free:
        return None
    found = None
    for a in n.args:
        if a.free:
            if found is not None:
                return None
            found = a
    return found


class _Differ:
    def __init__(self, var: str, steps: list[Step] | None) -> None:
        self.var = var
        self.steps = steps
        self.depth = 0
        self.memo: dict[Node, Node] = {}

    def _dep(self, n: Node) -> bool:
        """Whether ``n`` depends on what is differentiated."""
        return self.var in n.free

    # --- bookkeeping for --steps ---
    def d(self, n: Node) -> Node:
        if not self._dep(n):
            return self._record("constant rule", n, ZERO)
        if self.steps is None:
            got = self.memo.get(n)
            if got is None:
                link = _link(n)
                if link is None:
                    got = self._rule(n, None)
                else:
                    got = mul(link[0], self.d(link[1]))
                self.memo[n] = got
            return got
        step = Step("", _shown(n), depth=self.depth)
        self.steps.append(step)
        self.depth += 1
        try:
            out = self._rule(n, step)
        finally:
            self.depth -= 1
        step.result = to_str(out)
        return out

    def _record(self, rule: str, n: Node, out: Node) -> Node:
        if self.steps is not None:
            self.steps.append(Step(rule, _shown(n), to_str(out), self.depth))
        return out

    @staticmethod
    def _name(step: Step | None, rule: str, **detail: Node | str) -> None:
        if step is not None:
            step.rule = rule
            step.detail = {k: v if isinstance(v, str) else to_str(v) for k, v in detail.items()}

    # --- the rules ---
    def _rule(self, n: Node, step: Step | None) -> Node:
        t = type(n)
        if t is Var:
            self._name(step, "variable rule")
            return ONE
        if t is Add:
            self._name(step, "sum rule")
            if step is None:
                # constant terms add nothing: skipping them keeps a partial derivative of a
                # sum of n variables O(1) terms of work, not O(n) (n partials: O(n**2))
                return add(*map(self.d, self._terms_with(n)))
            return add(*(self.d(a) for a in n.args))
        if t is Neg:
            self._name(step, "constant multiple rule", c="-1")
            return -self.d(n.args[0])
        if t is Mul:
            return self._product(n, step)
        if t is Div:
            return self._quotient(n, step)
        if t is Pow:
            return self._power(n, step)
        if t is Call:
            return self._call(n, step)
        raise TypeError(t)  # pragma: no cover - constants were handled in d()

    def _terms_with(self, n: Node) -> tuple[Node, ...]:
        """The terms of a sum (factors of a product) that hold the variable; a long one
        keeps them by variable, for all partial derivatives."""
        if len(n.args) < _LONG:
            return tuple(a for a in n.args if self._dep(a))
        index = n._terms
        if index is None:
            lists: dict[str, list[Node]] = {}
            for a in n.args:
                for v in a.free:
                    lists.setdefault(v, []).append(a)
            index = n._terms = {v: tuple(ts) for v, ts in lists.items()}
        return index.get(self.var, ())

    def _product(self, n: Node, step: Step | None) -> Node:
        factors = list(self._terms_with(n))
        if len(factors) < len(n.args):
            f = simplify(factors[0])
            if len(factors) == 1 and len(n.args) >= _LONG and type(f) in (Var, Call, Pow, Add):
                # the product of the other factors is the whole divided by this one: the
                # whole is built once for all partial derivatives, and dividing it costs
                # about one factor, not one per factor (x0*x1*…*x1599: linear, not
                # quadratic)
                c = mul(simplify(n), pow_(f, MINUS_ONE))
            else:
                consts = [a for a in n.args if not self._dep(a)]
                c = simplify(Mul(tuple(consts))) if len(consts) > 1 else simplify(consts[0])
            self._name(step, "constant multiple rule", c=c)
            return c * self.d(factors[0] if len(factors) == 1 else Mul(tuple(factors)))
        return self._product_rule(factors, step)

    def _product_rule(self, factors: list[Node], step: Step | None = None) -> Node:
        canon = [simplify(f) for f in factors]
        distinct = set(canon)
        if len(distinct) < len(canon):
            # equal factors first become powers (x*x*…*x = x**2000): linear, not quadratic
            collected = mul(*canon)
            self._name(step, "collect equal factors", collected=collected)
            return self.d(collected)
        if len(distinct) > _WIDE_PRODUCT:
            # linear in the number of factors instead of quadratic
            self._name(step, "product rule", form="(f1*…*fn)' = f1*…*fn*(f1'/f1 + … + fn'/fn)")
            return mul(*canon) * add(*(self.d(f) / c for f, c in zip(factors, canon, strict=True)))
        if len(factors) == 1:
            return self.d(factors[0])
        self._name(step, "product rule", form="(u*v)' = u'*v + u*v'")
        terms = []
        for i, f in enumerate(factors):
            df = self.d(f)
            terms.append(mul(df, *canon[:i], *canon[i + 1 :]))
        return add(*terms)

    def _quotient(self, n: Node, step: Step | None) -> Node:
        a, b = n.args
        u, v = simplify(a), simplify(b)
        if not self._dep(b):
            self._name(step, "constant multiple rule", c=1 / v)
            return self.d(a) / v
        if not self._dep(a):
            self._name(step, "reciprocal rule", form="(c/v)' = -c*v'/v**2")
            # one product: -u alone would multiply out a long sum u term by term
            return mul(MINUS_ONE, u, self.d(b), pow_(v, Num(-2)))
        self._name(step, "quotient rule", form="(u/v)' = (u'*v - u*v')/v**2", u=u, v=v)
        du, dv = self.d(a), self.d(b)
        return (du * v - u * dv) / v**2

    def _power(self, n: Node, step: Step | None) -> Node:
        b, e = n.args
        base_varies, exp_varies = self._dep(b), self._dep(e)
        u, v = simplify(b), simplify(e)
        if not exp_varies:
            if type(b) is Var:
                self._name(step, "power rule", form="(x**n)' = n*x**(n - 1)", n=v)
                return v * u ** (v - 1)
            self._name(step, "power rule with chain rule", form="(u**n)' = n*u**(n - 1)*u'",
                       u=u, n=v)
            du = self.d(b)
            self._annotate(step, du=du)
            return v * u ** (v - 1) * du
        if u == ZERO:
            self._name(step, "constant rule", form="0**u = 0 wherever it is defined")
            return ZERO
        if not base_varies:
            dv = self.d(e)
            if u == E:
                self._name(step, "exponential rule", form="(e**u)' = e**u*u'", u=v, du=dv)
                return pow_(u, v) * dv
            self._name(step, "exponential rule", form="(a**u)' = a**u*log(a)*u'", a=u, u=v,
                       du=dv)
            return pow_(u, v) * call("log", u) * dv
        self._name(step, "general power rule", form="(u**v)' = u**v*(v'*log(u) + v*u'/u)",
                   u=u, v=v)
        du, dv = self.d(b), self.d(e)
        return pow_(u, v) * (dv * call("log", u) + v * du / u)

    def _call(self, n: Node, step: Step | None) -> Node:
        name = n.name
        if name == "log" and len(n.args) == 2:
            return self._log_base(n, step)
        row = fn.FUNCTIONS[name]
        args = n.args
        canon = [simplify(a) for a in args]
        if any(self._dep(a) for a in args[1:]):
            return self._several(n, row, canon, step)
        arg, rest = args[0], canon[1:]
        u = canon[0]
        outer = row.d(u, *rest)
        shown = f"{name}'(x{''.join(', ' + to_str(r) for r in rest)})"
        if type(arg) is Var:
            self._name(step, f"{name} rule", form=f"{shown} = {to_str(row.d(Var('x'), *rest))}")
            return outer
        shown = shown.replace("(x", "(u", 1)
        self._name(step, "chain rule", form=f"{shown} = {to_str(row.d(Var('u'), *rest))}", u=u)
        du = self.d(arg)
        self._annotate(step, du=du)
        return outer * du

    def _several(self, n: Node, row: fn.Fn, canon: list[Node], step: Step | None) -> Node:
        """f(u1, u2, …)' = f_1*u1' + f_2*u2' + …, the partials from the registry row:
        ``d`` for the first argument, ``d_rest`` for the others."""
        rest = row.d_rest(*canon) if row.d_rest is not None else ()
        partials = (row.d(*canon), *rest)
        if len(partials) < len(canon):  # pragma: no cover - every such row has d_rest
            raise InputError(f"{n.name} cannot be differentiated with respect to its "
                             f"argument {len(partials) + 1}")
        k = len(canon)
        names = ", ".join(f"u{i}" for i in range(1, k + 1))
        form = f"{n.name}({names})' = " + " + ".join(f"f_{i}*u{i}'" for i in range(1, k + 1))
        self._name(step, "multivariable chain rule", form=form,
                   **{f"u{i}": c for i, c in enumerate(canon, 1)},
                   **{f"f_{i}": p for i, p in enumerate(partials, 1)})
        terms = []
        for i, (a, p) in enumerate(zip(n.args, partials, strict=False), 1):
            if self._dep(a):
                da = self.d(a)
                self._annotate(step, **{f"u{i}'": da})
                terms.append(p * da)
        return add(*terms)

    def _log_base(self, n: Node, step: Step | None) -> Node:
        a, b = n.args
        u, base = simplify(a), simplify(b)
        if self._dep(b):
            # a base that varies: change of base, log(u, b) = log(u)/log(b), then quotient rule
            self._name(step, "change of base", form="log(u, b) = log(u)/log(b)")
            return self.d(Div(Call("log", (a,)), Call("log", (b,))))
        self._name(step, "log-base rule", form="log(u, b)' = u'/(u*log(b))", u=u, b=base)
        du = self.d(a)
        return du / (u * call("log", base))

    @staticmethod
    def _annotate(step: Step | None, **more: Node) -> None:
        if step is not None:
            step.detail.update({k: to_str(v) for k, v in more.items()})



class _Local(_Differ):
    """dN/du for a link N whose one varying child is u: u is the variable here."""

    def __init__(self, child: Node) -> None:
        super().__init__("", None)
        self.child = child

    def _dep(self, n: Node) -> bool:
        return bool(n.free)  # only the child holds variables

    def _terms_with(self, n: Node) -> tuple[Node, ...]:
        return tuple(a for a in n.args if a.free)

    def d(self, n: Node) -> Node:
        if n is self.child:
            return ONE
        if not n.free:
            return ZERO
        got = self.memo.get(n)
        if got is None:
            got = self.memo[n] = self._rule(n, None)
        return got
