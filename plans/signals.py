"""Domain events of the plans app that higher apps listen to (receivers connected in their AppConfig.ready()).

Sent by `plans.services` inside the transaction that made the change, after the write, so a
receiver's own rows (e.g. announcement drafts) commit or roll back with it; receivers defer
anything external (mail, network) with `transaction.on_commit`.

- `plan_published(sender=Plan, plan=..., by=...)`: the plan became visible to the public.
"""

from django.dispatch import Signal

plan_published = Signal()
