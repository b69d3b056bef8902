"""Background work: sync the municipalities' council systems."""

import logging

from django_tasks import task

from operations.retry import TransientError, retry_transient

logger = logging.getLogger(__name__)


@task()
@retry_transient
def sync_oparl_source(source_id: int) -> dict | None:
    """Sync one OParl source (the installation acts); retry with backoff while the server is unavailable."""
    from plans.rules import SYSTEM

    from .models import OParlSource
    from .oparl import OParlError
    from .sync import oparl_sync

    source = OParlSource.objects.select_related("municipality").filter(pk=source_id).first()
    if source is None:
        return None
    try:
        return oparl_sync(source=source, by=SYSTEM)
    except OParlError as error:
        if error.code == "unavailable":
            raise TransientError(str(error)) from error
        raise
