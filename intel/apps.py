from typing import Any

from django.apps import AppConfig


class IntelConfig(AppConfig):
    name = "intel"
    verbose_name = "Records and intelligence"

    def ready(self) -> None:
        """Candidate scores are recomputed once records written in bulk (an import, a
        rollback, the demo) are committed (``intel.signals.records_changed``); a burst of
        imports queues one run (``intel.priority.tasks.scores_compute_queue``)."""
        from django.db import transaction

        from intel.signals import records_changed

        def queue_scores(sender: Any, **kwargs: Any) -> None:
            from intel.priority.tasks import scores_compute_queue

            # robust: the records are committed; a broker hiccup must not fail their writer
            # (the nightly run scores them anyway).
            transaction.on_commit(scores_compute_queue, robust=True)

        records_changed.connect(queue_scores, weak=False, dispatch_uid="intel.priority.scores")
