"""The demo's candidate scores: the weights in force (version 1, the defaults, made by the
system) and every demo person's score under them, as the nightly run would leave them."""

from __future__ import annotations

from csu.actors import system_actor
from intel.priority.scoring import score_config_current, scores_compute


def seed_scores() -> dict[str, int]:
    config = score_config_current()
    scored = scores_compute(actor=system_actor())
    return {"score version": config.version, "scored people": scored}
