"""Domain events of the participation core that its nested apps (announcements, workbench) listen to.

Sent inside the transaction of the action, after the write, so receivers' rows commit or roll
back with it; receivers defer anything external with `transaction.on_commit`. The core never
imports its nested apps: they connect receivers in their AppConfig.ready().

- `period_changed(sender=Consultation, consultation=..., action=ConsultationAction)`: scheduled,
  opened, extended, closed or reopened.
- `result_published(sender=Consultation, consultation=..., by=...)`: the Abwägung result went public.
- `bekanntmachung_recorded(sender=Consultation, consultation=..., action=ConsultationAction)`: date, media
  and text of the ortsübliche Bekanntmachung were recorded.
"""

from django.dispatch import Signal

period_changed = Signal()
result_published = Signal()
bekanntmachung_recorded = Signal()
