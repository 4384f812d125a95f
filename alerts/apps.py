from typing import Any

from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Watch lists and arrest alerts"

    def ready(self) -> None:
        """Match every arrest import against the watch lists once its arrests are resolved to
        people (``intel.signals.arrests_imported``, sent by the import's follow-up for the
        worker, the command and the API alike): intel never imports alerts."""
        from intel.signals import arrests_imported

        def match_arrests(sender: str, actor: Any, arrest_ids: list[int], **kwargs: Any) -> int:
            from alerts.services.alerts import alerts_create_for_arrests

            return len(alerts_create_for_arrests(actor=actor, arrest_ids=arrest_ids))

        arrests_imported.connect(match_arrests, weak=False, dispatch_uid="alerts.match_arrests")
