"""Make sample_configs/breast_cancer.csv from the copy of the Breast Cancer Wisconsin
(Diagnostic) data set that scikit-learn ships (sklearn/datasets/data/breast_cancer.csv).

scikit-learn is NOT a dependency of gdcli: run this in a throwaway environment, e.g.

    python -m venv /tmp/skenv && /tmp/skenv/bin/pip install scikit-learn
    /tmp/skenv/bin/python sample_configs/make_breast_cancer.py            # writes the file
    /tmp/skenv/bin/python sample_configs/make_breast_cancer.py --check    # + separability

The cells are copied as text from scikit-learn's file (no float round trip), so the output
is byte-identical for any scikit-learn release that ships the same data. The target is
recoded: scikit-learn's class 0 (malignant) becomes malignant = 1, class 1 (benign) 0.

--check fits an (almost) unregularized logistic regression on the standardized features and
solves the linear-programming feasibility problem "is there a plane with every row strictly
on its class's side?": the subset is not linearly separable, so the bce loss has a finite
minimum (accuracy below 1).
"""

from __future__ import annotations

import csv
import io
import sys
from importlib import resources
from pathlib import Path

#: scikit-learn's column (its feature_names order) -> our column name.
COLUMNS = {0: "mean_radius", 1: "mean_texture", 4: "mean_smoothness"}
TARGET = "malignant"
OUT = Path(__file__).with_name("breast_cancer.csv")


def rows() -> list[list[str]]:
    text = resources.files("sklearn.datasets.data").joinpath("breast_cancer.csv").read_text()
    reader = csv.reader(io.StringIO(text))
    n_rows, n_features, *_classes = next(reader)  # "569,30,malignant,benign"
    out = []
    for record in reader:
        cls = record[int(n_features)]
        assert cls in ("0", "1"), cls
        out.append([record[j] for j in COLUMNS] + ["1" if cls == "0" else "0"])
    assert len(out) == int(n_rows), (len(out), n_rows)
    return out


def write() -> list[list[str]]:
    data = rows()
    with OUT.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([*COLUMNS.values(), TARGET])
        w.writerows(data)
    ones = sum(r[-1] == "1" for r in data)
    print(f"wrote {OUT}: {len(data)} rows, {len(COLUMNS)} features, "
          f"{ones} malignant (1), {len(data) - ones} benign (0)")
    return data


def check(data: list[list[str]]) -> None:
    import numpy as np
    import sklearn
    from scipy.optimize import linprog
    from sklearn.linear_model import LogisticRegression

    X = np.array([[float(c) for c in r[:-1]] for r in data])
    y = np.array([float(r[-1]) for r in data])
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    model = LogisticRegression(C=1e10, max_iter=100_000).fit(Z, y)
    s = 2 * y - 1  # a separating plane would give s_i (w.z_i + b) >= 1 for every row
    A = -(s[:, None] * np.hstack([Z, np.ones((len(y), 1))]))
    lp = linprog(np.zeros(Z.shape[1] + 1), A_ub=A, b_ub=-np.ones(len(y)),
                 bounds=[(None, None)] * (Z.shape[1] + 1))
    print(f"scikit-learn {sklearn.__version__}: logistic regression (C=1e10) training "
          f"accuracy {model.score(Z, y):.4f}; strictly separable: "
          f"{'yes' if lp.status == 0 else 'no (LP infeasible)'}")


if __name__ == "__main__":
    written = write()
    if "--check" in sys.argv[1:]:
        check(written)
