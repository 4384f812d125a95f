from typing import Any

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Analysis and dashboards"

    def ready(self) -> None:
        """Cached analysis results stop being served when the records they count change:
        after the intel app's bulk writes and deletes (``intel.signals.records_changed``) and
        after any ORM save of a record the analysis reads (the Django admin, a service, a
        test's factories). Deletes are left to the services that send the signal: a
        ``post_delete`` receiver would stop Django from deleting these tables in bulk."""
        from django.db import transaction
        from django.db.models.signals import post_save

        from dashboards.analysis.cache import data_changed
        from intel import models as intel_models
        from intel.signals import records_changed

        def changed(sender: Any, **kwargs: Any) -> None:
            data_changed()

        def bulk_changed(sender: Any, **kwargs: Any) -> None:
            # A bulk write (an import...) is worth precomputing the pages for, once it commits.
            from dashboards.tasks import analysis_precompute_queue

            data_changed()
            # robust: the records are committed; a broker hiccup must not fail their writer
            # (the hourly run precomputes anyway).
            transaction.on_commit(analysis_precompute_queue, robust=True)

        records_changed.connect(bulk_changed, weak=False, dispatch_uid="dashboards.records_changed")
        for model in (
            intel_models.Incident,
            intel_models.IncidentOffense,
            intel_models.Arrest,
            intel_models.ArrestCharge,
            intel_models.Shooting,
            intel_models.ShootingVictim,
            intel_models.Zone,
            intel_models.ZoneLayer,
        ):
            uid = f"dashboards.saved.{model._meta.label_lower}"
            post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid)
