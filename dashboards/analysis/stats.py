"""The statistical tests of the analysis, as plain functions of numbers (no database).

Multiple testing: every p-value a page shows next to a flag is corrected with Benjamini and
Hochberg's false-discovery-rate procedure across all the tests made together, so at a 5% level
about one flag in twenty may be noise, however many zones and categories were tested.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats


def poisson_upper_p(observed: int, expected: float) -> float:
    """One-sided p-value of seeing ``observed`` or more events when ``expected`` were expected:
    P(X >= observed) for X ~ Poisson(expected). ``expected`` must be positive."""
    if observed <= 0:
        return 1.0
    return float(stats.poisson.sf(observed - 1, expected))


def bh_q_values(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values), in the input order: a test is a
    discovery at FDR level ``alpha`` when its q-value is at most ``alpha``."""
    p = np.asarray(p_values, dtype=np.float64)
    if p.size == 0:
        return p
    return np.asarray(stats.false_discovery_control(np.clip(p, 0.0, 1.0), method="bh"))


def two_sided_normal_p(z: np.ndarray) -> np.ndarray:
    """Two-sided p-values of standard normal scores (hot and cold spots are both findings)."""
    return np.asarray(2.0 * stats.norm.sf(np.abs(z)))
