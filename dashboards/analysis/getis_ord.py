"""Getis-Ord Gi* on H3 cells with PySAL, as a function of cells and counts (no database).

Neighbours are H3 adjacency (the six cells of ``h3.grid_disk(cell, 1)`` that are in the study
area); Gi* includes the cell itself (binary weights, self-weight 1). The z-scores are esda's
analytical ones (``permutations=0``): deterministic, so the same request always draws the same
map, and fast enough for a whole city. p-values are two-sided (a cold spot is a finding too),
then corrected across every cell with Benjamini-Hochberg.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import h3
import numpy as np

from dashboards.analysis.stats import bh_q_values, two_sided_normal_p

HOT, COLD, NOT_SIGNIFICANT = "hot", "cold", "not significant"


@dataclass(frozen=True)
class GiStar:
    """Gi* results in the order of ``cells``."""

    cells: list[str]
    counts: np.ndarray
    z: np.ndarray
    p_values: np.ndarray
    q_values: np.ndarray

    def classes(self, *, confidence: float) -> list[str]:
        """``hot`` / ``cold`` where the FDR-adjusted q-value is at most ``1 - confidence``."""
        alpha = 1.0 - confidence
        return [
            (HOT if z > 0 else COLD) if q <= alpha and z != 0 else NOT_SIGNIFICANT
            for z, q in zip(self.z, self.q_values, strict=True)
        ]


def study_area(occupied: Iterable[str]) -> list[str]:
    """The occupied cells and every cell touching one, sorted: the empty cells around and
    between the records are part of the null distribution, or every occupied cell looks hot."""
    area: set[str] = set()
    for cell in occupied:
        area.update(h3.grid_disk(cell, 1))
    return sorted(area)


def gi_star(cells: Sequence[str], counts: Sequence[int] | np.ndarray) -> GiStar:
    """Gi* z-scores, two-sided p-values and BH q-values of ``counts`` on ``cells``.

    Fewer than three cells, or counts that are all equal, carry no pattern to test: every
    cell then gets z = 0 and p = q = 1 (esda would divide by a zero variance)."""
    from esda.getisord import G_Local
    from libpysal.weights import W

    y = np.asarray(counts, dtype=np.float64)
    n = len(cells)
    if n < 3 or np.all(y == y[0]):
        ones = np.ones(n)
        return GiStar(list(cells), y, np.zeros(n), ones, ones.copy())
    inside = set(cells)
    neighbours = {
        cell: [other for other in h3.grid_disk(cell, 1) if other != cell and other in inside]
        for cell in cells
    }
    weights = W(neighbours, id_order=list(cells), silence_warnings=True)
    with warnings.catch_warnings():
        # Separate clusters of records make separate components (and a lone cell an island):
        # expected on a city map, and each cell still gets its own Gi* value.
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        result = G_Local(y, weights, transform="B", star=True, permutations=0)
    z = np.nan_to_num(np.asarray(result.Zs, dtype=np.float64), nan=0.0)
    p = two_sided_normal_p(z)
    return GiStar(list(cells), y, z, p, bh_q_values(p))
