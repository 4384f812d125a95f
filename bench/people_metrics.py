"""Scoring against the truth of the labelled generator (``bench/people_generator.py``):
pairwise precision and recall of a clustering (``labelled_pairs``) or of a set of links
(``link_metrics``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PairCounts:
    """Pairs of records put together: by the method, by the truth, and by both."""

    correct: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.actual if self.actual else 1.0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def labelled_pairs(predicted: Sequence[Hashable | None], truth: Sequence[Hashable]) -> PairCounts:
    """Pairwise precision and recall of a clustering: ``predicted[i]`` is record i's cluster
    (None: a record left on its own), ``truth[i]`` its true person. Counted from cluster sizes,
    not by listing pairs."""
    if len(predicted) != len(truth):
        raise ValueError("predicted and truth must label the same records")
    both = Counter((p, t) for p, t in zip(predicted, truth, strict=True) if p is not None)
    clusters = Counter(p for p in predicted if p is not None)
    return PairCounts(
        correct=sum(_pairs(n) for n in both.values()),
        predicted=sum(_pairs(n) for n in clusters.values()),
        actual=sum(_pairs(n) for n in Counter(truth).values()),
    )


def link_metrics(
    predicted: Mapping[int, Hashable | None], truth: Mapping[int, Hashable | None]
) -> PairCounts:
    """Precision and recall of links from new records to existing people: ``predicted[i]`` is
    the existing person record i was linked to (None: not linked), ``truth[i]`` the existing
    person it really is (None: someone not yet known)."""
    correct = sum(1 for i, p in predicted.items() if p is not None and truth.get(i) == p)
    return PairCounts(
        correct=correct,
        predicted=sum(1 for p in predicted.values() if p is not None),
        actual=sum(1 for t in truth.values() if t is not None),
    )
