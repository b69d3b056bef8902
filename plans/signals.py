"""Signals other apps listen to (connected in their AppConfig.ready()).

`plan_published` is sent by `plans.services` after the transaction that made a plan public
commits (not guessed from pre/post_save), with `plan` and `by`.
"""

from django.dispatch import Signal

plan_published = Signal()
