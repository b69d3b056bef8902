"""Domain events of the plans app that higher apps listen to (receivers connected in their AppConfig.ready()).

Sent by `plans.services` inside the transaction that made the change, after the write, so a
receiver's own rows (e.g. announcement drafts) commit or roll back with it; receivers defer
anything external (mail, network) with `transaction.on_commit`.

- `plan_published(sender=Plan, plan=..., by=...)`: the plan became visible to the public.
- `plan_unpublished(sender=Plan, plan=..., by=...)`: the plan was taken offline.
- `document_online(sender=Document, document=..., by=...)`: a document (or a new version) is online from
  `document.online_since`.
- `document_offline(sender=Document, document=..., by=..., reason=...)`: a document went offline at
  `document.online_until` (withdrawn, or replaced by a new version).
- `stage_recorded(sender=StageChange, change=..., by=...)`: a procedure step was recorded.
"""

from django.dispatch import Signal

plan_published = Signal()
plan_unpublished = Signal()
document_online = Signal()
document_offline = Signal()
stage_recorded = Signal()
