"""A new top-level statement in one INSERT on PostgreSQL (comment intake: the hot path of the site).

A Statement is stored in three tables (django_comments → xtdcomment → statement). The ORM writes
them with three INSERTs, each built through a Query and its compiler; here the three become one
statement with data-modifying CTEs, the values prepared by the fields exactly as the compiler
does (`pre_save`, `get_db_prep_save`, `get_placeholder`), so new model fields are included
without changes here. Signals are sent as `Model.save_base` sends them. Anything this does not
cover (another database, a value that is an expression, a field with a database default or
returning, a saved or replying statement) returns False and the caller saves the normal way.
"""

import functools

from django.db import connections, transaction
from django.db.models import NOT_PROVIDED
from django.db.models.signals import post_save, pre_save


@functools.cache
def _plan(model) -> tuple | None:
    """Return [(model, parent link or None, fields)] from the root of `model`'s chain, or None if unsupported."""
    meta = model._meta
    chain = [*reversed(meta.get_parent_list()), model]
    steps = []
    for index, cls in enumerate(chain):
        cls_meta = cls._meta
        if len(cls_meta.parents) > (0 if index == 0 else 1) or cls_meta.order_with_respect_to:
            return None
        link = cls_meta.parents[chain[index - 1]] if index else None
        fields = [f for f in cls_meta.local_concrete_fields if not f.generated and f is not link]
        if index == 0:
            if cls_meta.auto_field is None:
                return None
            fields.remove(cls_meta.auto_field)
        if any(f.db_default is not NOT_PROVIDED or (f.db_returning and not f.primary_key) for f in fields):
            return None
        steps.append((cls, link, fields))
    return tuple(steps)


def insert_new_thread(instance, *, using: str, id_fields: tuple[str, ...] = ()) -> bool:
    """Insert unsaved `instance` (all tables of its model chain) in one statement; False if not possible.

    `id_fields`: attribute names that get the new id as well (xtd's thread_id and parent_id of a new thread).
    """
    connection = connections[using]
    model = type(instance)
    steps = _plan(model._meta.concrete_model)
    # A single-table model gains nothing: the ORM's one INSERT is as good.
    if connection.vendor != "postgresql" or steps is None or len(steps) < 2 or instance.pk is not None:
        return False
    root_pk = steps[0][0]._meta.pk
    if getattr(instance, root_pk.attname) is not None:  # an id chosen by the caller: the ORM inserts it as given
        return False
    instance._prepare_related_fields_for_save(operation_name="save")
    values = []
    for _cls, _link, fields in steps:
        row: list[tuple] = []  # (field, placeholder or None for the new id, prepared value)
        for field in fields:
            if field.attname in id_fields:
                row.append((field, None, None))
                continue
            value = field.pre_save(instance, True)
            if hasattr(value, "resolve_expression"):
                return False
            value = field.get_db_prep_save(value, connection=connection)
            placeholder = field.get_placeholder(value, None, connection) if hasattr(field, "get_placeholder") else "%s"
            row.append((field, placeholder, value))
        values.append(row)

    quote = connection.ops.quote_name
    new_id = f'"new".{quote(root_pk.column)}'
    params: list = []
    statements = []
    for (cls, link, _fields), row in zip(steps, values, strict=True):
        columns = ([link.column] if link else []) + [field.column for field, _p, _v in row]
        selected = ([new_id] if link else []) + [new_id if p is None else p for _f, p, _v in row]
        params.extend(v for _f, p, v in row if p is not None)
        statements.append(
            f"INSERT INTO {quote(cls._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
            + (f'SELECT {", ".join(selected)} FROM "new"' if link else f"VALUES ({', '.join(selected)})")
        )
    *first, last = statements
    ctes = [f'"new" AS ({first[0]} RETURNING {quote(root_pk.column)})']
    ctes += [f'"t{index}" AS ({middle})' for index, middle in enumerate(first[1:], 1)]
    last_link = steps[-1][1]
    sql = f"WITH {', '.join(ctes)} {last} RETURNING {quote(last_link.column)}"

    pre_save.send(sender=model, instance=instance, raw=False, using=using, update_fields=None)
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(sql, params)
        pk = cursor.fetchone()[0]
    setattr(instance, root_pk.attname, pk)
    for _cls, link, _fields in steps[1:]:
        setattr(instance, link.attname, pk)
    for name in id_fields:
        setattr(instance, name, pk)
    instance._state.db = using
    instance._state.adding = False
    post_save.send(sender=model, instance=instance, created=True, update_fields=None, raw=False, using=using)
    return True
