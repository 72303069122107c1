"""Options -> Settings for a run, validated: the method, its hyperparameters, the schedule,
the line search and the tolerances. Shared by minimize, compare and sweep, so every
command checks the same things in the same words."""

from __future__ import annotations

import math
from collections.abc import Mapping

from ..errors import InputError
from .methods import METHODS, get
from .records import Settings

#: --schedule choices and the options each one uses.
SCHEDULES: dict[str, tuple[str, ...]] = {
    "constant": (),
    "step": ("gamma", "step_size"),
    "exp": ("gamma",),
    "cosine": ("lr_min",),
    "inverse": ("gamma",),
}
#: Defaults of --gamma by schedule (SPEC §5); step's step size is max-iter/10.
GAMMA = {"step": 0.1, "exp": 0.99, "inverse": 0.01}


def _fmt(v: float) -> str:
    r = repr(float(v))
    return r[:-2] if r.endswith(".0") else r


def build_settings(
    method: str = "gd",
    lr: float | None = None,
    hypers: Mapping[str, float] | None = None,
    *,
    tol: float = 1e-8,
    xtol: float = 1e-10,
    max_iter: int = 10_000,
    schedule: str = "constant",
    gamma: float | None = None,
    step_size: int | None = None,
    lr_min: float | None = None,
    line_search: bool = False,
    where: str = "",
) -> Settings:
    """The Settings of one run; InputError (exit 2) for anything out of range. ``hypers``
    holds only what the user gave; ``where`` prefixes messages (compare: "adam: ")."""
    m = get(method)
    lr = m.default_lr if lr is None else lr
    if not (math.isfinite(lr) and lr > 0):
        raise InputError(f"{where}--lr must be a positive finite number, got {_fmt(lr)}")
    for name, value in (("--tol", tol), ("--xtol", xtol)):
        if not (math.isfinite(value) and value >= 0):
            raise InputError(f"{where}{name} must be a finite number ≥ 0, got {_fmt(value)}")
    if max_iter < 1:
        raise InputError(f"{where}--max-iter must be at least 1, got {max_iter}")
    values = m.defaults()
    known = {h.name: h for h in m.hypers}
    for name, value in (hypers or {}).items():
        h = known.get(name)
        if h is None:
            valid = ", ".join(f"--{k}" for k in known) or "none"
            raise InputError(f"{where}--{name} is not a hyperparameter of {m.name} "
                             f"(its hyperparameters: {valid})")
        bad = h.check(value)
        if bad is not None:
            raise InputError(f"{where}--{name} must satisfy {bad}, got {_fmt(value)}")
        values[name] = float(value)
    if line_search and not m.line_search:
        able = ", ".join(k for k, v in METHODS.items() if v.line_search)
        raise InputError(f"{where}--line-search goes with {able}, not {m.name}")
    if schedule not in SCHEDULES:
        raise InputError(f"{where}unknown schedule '{schedule[:30]}'",
                         hint=f"one of {', '.join(SCHEDULES)}")
    used = SCHEDULES[schedule]
    for name, value in (("gamma", gamma), ("step_size", step_size), ("lr_min", lr_min)):
        if value is not None and name not in used:
            flag = "--" + name.replace("_", "-")
            owners = [k for k, v in SCHEDULES.items() if name in v]
            raise InputError(f"{where}{flag} goes with --schedule {' or '.join(owners)}"
                             + (f", not {schedule}" if schedule != "constant" else ""))
    if schedule in GAMMA:
        gamma = GAMMA[schedule] if gamma is None else gamma
        if not (math.isfinite(gamma) and gamma > 0):
            raise InputError(f"{where}--gamma must be > 0, got {_fmt(gamma)}")
    if schedule == "step":
        step_size = max(1, max_iter // 10) if step_size is None else step_size
        if step_size < 1:
            raise InputError(f"{where}--step-size must be at least 1, got {step_size}")
    lr_min = 0.0 if lr_min is None else lr_min
    if not (math.isfinite(lr_min) and 0 <= lr_min <= lr):
        raise InputError(f"{where}--lr-min must be between 0 and --lr, got {_fmt(lr_min)}")
    return Settings(
        lr=float(lr), max_iter=max_iter, gtol=float(tol), xtol=float(xtol), method=m.name,
        hypers=tuple(values.items()), schedule=schedule, gamma=gamma, step_size=step_size,
        lr_min=float(lr_min), line_search=line_search,
    )


def lr_at(st: Settings, k: int) -> float:
    """The learning rate of step k under the schedule (as the generated loop computes it)."""
    if st.schedule == "step":
        return st.lr * (st.gamma or 0.0) ** (k // (st.step_size or 1))
    if st.schedule == "exp":
        return st.lr * (st.gamma or 0.0) ** k
    if st.schedule == "cosine":
        return st.lr_min + (st.lr - st.lr_min) * (1.0 + math.cos(math.pi * k / st.max_iter)) / 2.0
    if st.schedule == "inverse":
        return st.lr / (1.0 + (st.gamma or 0.0) * k)
    return st.lr
