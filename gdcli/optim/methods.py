"""THE registry of optimization methods: each method is data for the one code generator.

A method is its hyperparameters (with torch.optim's defaults and their valid ranges), its
per-coordinate state (initialised to 0), and its update written once as lines over the
placeholders below. engine.py expands the lines for every coordinate into the generated
loop; the numpy sweep expands them over arrays of learning rates. Adding a method is one
``register(Method(...))``; the tests iterate the registry.

Placeholders in ``scalar`` (once per step) and ``update`` (once per coordinate) lines:
``{g}`` the gradient component, ``{s}`` the step to compute (x_{k+1} = x_k - s),
``{lr}`` the step's learning rate, ``{t}`` the step number from 1, a state name such as
``{m}``, a hyperparameter such as ``{beta1}``, and a scalar such as ``{bc1}``. Only
arithmetic and ``_sqrt`` appear, so that the same lines run on floats and on numpy arrays.
The order of operations follows torch.optim's single-tensor code, so that trajectories
agree with torch to rounding (tests/test_torch_trajectories.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Hyper:
    """A hyperparameter: its option name (``--beta1``), default and valid range."""

    name: str
    default: float
    low: float  # the range: low <(=) value <(=) high
    high: float
    low_open: bool = False  # True: value > low, else value >= low
    high_open: bool = True  # True: value < high, else value <= high
    help: str = ""

    def check(self, value: float) -> str | None:
        """None if ``value`` is valid, else the range it must be in, in words."""
        import math

        ok = math.isfinite(value) and (value > self.low if self.low_open else value >= self.low)
        ok = ok and (value < self.high if self.high_open else value <= self.high)
        return None if ok else self.range_text()

    def range_text(self) -> str:
        lo = f"{_num(self.low)} {'<' if self.low_open else '≤'} {self.name}"
        if self.high == float("inf"):
            return lo
        return f"{lo} {'<' if self.high_open else '≤'} {_num(self.high)}"


def _num(v: float) -> str:
    r = repr(float(v))
    return r[:-2] if r.endswith(".0") else r


@dataclass(frozen=True)
class Method:
    name: str
    title: str  # as the literature names it
    rule: str  # the update rule in words, for `gdcli methods`
    hypers: tuple[Hyper, ...] = ()
    state: tuple[str, ...] = ()  # per-coordinate state, each starting at 0
    scalar: tuple[str, ...] = ()  # lines once per step, before the coordinates
    update: tuple[str, ...] = ("{s} = {lr} * {g}",)  # lines per coordinate, ending in {s}
    default_lr: float = 0.1
    hessian: bool = False  # the update needs the Hessian (Newton: handled by the engine)
    line_search: bool = False  # --line-search may be used
    # whether shrinking steps mean the iterates approach their limit (--xtol): not for
    # momentum (steps shrink at every turn) nor per-coordinate scaling (steps stay ~lr)
    xtol: bool = False
    adaptive: bool = False  # steps scaled per coordinate by past gradients (~lr long)
    decaying: bool = False  # the step multiplier shrinks by itself (AdaGrad)
    torch: str = ""  # the torch.optim call this matches
    optax: str = ""  # where Optax differs
    extra: dict[str, str] = field(default_factory=dict)

    def defaults(self) -> dict[str, float]:
        return {h.name: h.default for h in self.hypers}


METHODS: dict[str, Method] = {}


def register(method: Method) -> Method:
    METHODS[method.name] = method
    return method


def get(name: str) -> Method:
    """The registered method ``name``; an input error naming the nearest one otherwise."""
    m = METHODS.get(name)
    if m is None:
        import difflib

        from ..errors import InputError

        # (a long value is no typo of a short name: no search through it)
        close = difflib.get_close_matches(name.lower(), list(METHODS), n=1, cutoff=0.5) \
            if len(name) <= 40 else []
        shown = name if len(name) <= 30 else name[:29] + "…"
        hint = f"did you mean '{close[0]}'?" if close else f"one of {', '.join(METHODS)}"
        raise InputError(f"unknown method '{shown}'", hint=hint)
    return m


_MOMENTUM = Hyper("momentum", 0.9, 0.0, 1.0, help="the heavy-ball factor μ")
_BETA1 = Hyper("beta1", 0.9, 0.0, 1.0, help="decay of the gradient's running mean")
_BETA2 = Hyper("beta2", 0.999, 0.0, 1.0, help="decay of the squared gradient's running mean")


def _eps(default: float) -> Hyper:
    return Hyper("eps", default, 0.0, float("inf"), low_open=True, help="added to the denominator")


register(Method(
    "gd", "gradient descent",
    "x ← x − lr·g",
    xtol=True, line_search=True,
    torch="torch.optim.SGD(lr=lr)",
))
register(Method(
    "momentum", "gradient descent with momentum (heavy ball)",
    "b ← μ·b + g;  x ← x − lr·b",
    hypers=(_MOMENTUM,), state=("b",),
    update=("{b} = {b} * {momentum} + {g}", "{s} = {lr} * {b}"),
    torch="torch.optim.SGD(lr=lr, momentum=μ, dampening=0)",
    optax="optax.sgd(lr, momentum=μ) accumulates b ← g + μ·b, the same",
))
register(Method(
    "nesterov", "Nesterov momentum",
    "b ← μ·b + g;  x ← x − lr·(g + μ·b)",
    hypers=(_MOMENTUM,), state=("b",),
    update=("{b} = {b} * {momentum} + {g}", "{s} = {lr} * ({g} + {momentum} * {b})"),
    torch="torch.optim.SGD(lr=lr, momentum=μ, nesterov=True)",
    optax="optax.sgd(lr, momentum=μ, nesterov=True), the same",
))
register(Method(
    "adagrad", "AdaGrad",
    "G ← G + g²;  x ← x − lr·g/(√G + eps)",
    hypers=(_eps(1e-10),), state=("G",),
    update=("{G} = {G} + {g} * {g}", "{s} = {lr} * ({g} / (_sqrt({G}) + {eps}))"),
    adaptive=True, decaying=True,
    torch="torch.optim.Adagrad(lr=lr, lr_decay=0, initial_accumulator_value=0, eps=eps)",
    optax="optax.adagrad starts the accumulator at 0.1 and adds eps=1e-7 inside the root",
))
register(Method(
    "rmsprop", "RMSProp",
    "v ← α·v + (1 − α)·g²;  x ← x − lr·g/(√v + eps)   (α is --decay)",
    hypers=(Hyper("decay", 0.99, 0.0, 1.0, low_open=True, help="the smoothing constant α"),
            _eps(1e-8)),
    state=("v",),
    update=("{v} = {v} * {decay} + (1.0 - {decay}) * {g} * {g}",
            "{s} = {lr} * ({g} / (_sqrt({v}) + {eps}))"),
    adaptive=True,
    torch="torch.optim.RMSprop(lr=lr, alpha=α, eps=eps, centered=False, momentum=0)",
    optax="optax.rmsprop defaults to decay 0.9 and puts eps inside the square root",
))
register(Method(
    "adam", "Adam",
    "m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  "
    "x ← x − lr·m̂/(√v̂ + eps), m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t)",
    hypers=(_BETA1, _BETA2, _eps(1e-8)),
    state=("m", "v"),
    # torch: step_size = lr/bc1; denom = sqrt(v)/sqrt(bc2) + eps; x -= step_size*(m/denom)
    scalar=("{bc1} = 1.0 - {beta1} ** {t}", "{bc2r} = (1.0 - {beta2} ** {t}) ** 0.5",
            "{ss} = {lr} / {bc1}"),
    update=("{m} = {m} + (1.0 - {beta1}) * ({g} - {m})",  # torch's lerp(g, 1 - β1), β1 > 0.5
            "{v} = {v} * {beta2} + (1.0 - {beta2}) * {g} * {g}",
            "{s} = {ss} * ({m} / (_sqrt({v}) / {bc2r} + {eps}))"),
    adaptive=True,
    torch="torch.optim.Adam(lr=lr, betas=(β1, β2), eps=eps, amsgrad=False)",
    optax="optax.adam, the same update (eps outside the root; eps_root=0)",
))
register(Method(
    "newton", "Newton's method",
    "x ← x − lr·H⁻¹g   (H the Hessian; where H is not positive definite: x ← x − lr·g)",
    default_lr=1.0, hessian=True, xtol=True, line_search=True,
    torch="(none: torch.optim has no Newton step; checked against the exact solutions)",
    optax="(none: Optax has no Newton step)",
))
