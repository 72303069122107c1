"""Iteration: the problem (f, its gradient and Hessian compiled), the generated loop and
its stopping rules, and what the analysis says about a run. Yields records; never prints."""
