"""The database task backend, with an enqueue that costs one prepared INSERT.

django-tasks-db enqueues with `DBTaskResult.objects.create()`, which builds and compiles an
INSERT through the ORM for every task. A guest statement enqueues its confirmation mail in the
request (the hot path of the site), so here the row's INSERT is built once per model and database
and only the values are prepared per task — by the fields themselves (`pre_save`,
`get_db_prep_save`), and with the model signals sent as `Model.save_base` sends them, so the row,
its `run_after` default (set by django-tasks-db's pre_save handler) and everything listening are
the same as with the ORM. Select it with `TASKS_BACKEND=operations.task_backend.DatabaseBackend`
(the default).
"""

import functools

from django.apps import apps
from django.db import connections, router, transaction
from django.db.models.signals import post_save, pre_save
from django_tasks.utils import normalize_json
from django_tasks_db.backend import DatabaseBackend as _DatabaseBackend


@functools.cache
def _insert_sql(label: str, using: str) -> tuple[str, tuple]:
    """Return the INSERT of one row of model `label` with a parameter per concrete field, and those fields."""
    meta = apps.get_model(label)._meta
    fields = tuple(f for f in meta.local_concrete_fields if not f.generated)
    quote = connections[using].ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})", fields


def insert_row(instance, *, using: str) -> None:
    """Insert unsaved `instance` (a single-table model whose primary key is set) with one prepared INSERT."""
    model = type(instance)
    connection = connections[using]
    pre_save.send(sender=model, instance=instance, raw=False, using=using, update_fields=None)
    sql, fields = _insert_sql(model._meta.label, using)
    params = [f.get_db_prep_save(f.pre_save(instance, True), connection=connection) for f in fields]
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(sql, params)
    instance._state.db = using
    instance._state.adding = False
    post_save.send(sender=model, instance=instance, created=True, update_fields=None, raw=False, using=using)


class DatabaseBackend(_DatabaseBackend):
    """django-tasks-db's backend; a task row is written with `insert_row` instead of `objects.create()`."""

    def _task_to_db_task(self, task, args, kwargs):
        from django_tasks_db.models import DBTaskResult

        instance = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )
        insert_row(instance, using=router.db_for_write(DBTaskResult))
        return instance
