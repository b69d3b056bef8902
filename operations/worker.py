"""The task worker: django_tasks_db's loop plus recovery, heartbeat, leases and surviving a lost database.

`DatabaseWorker` claims and runs tasks like `manage.py db_worker` (same table, same claim), and in addition
- re-queues tasks of dead workers every `recover_every` seconds (operations.recovery),
- records the worker heartbeat that the health check reads (operations.heartbeat),
- renews the lease of the running task from a side thread, so a long import is not taken for abandoned,
- survives a dropped database connection: the error is logged, connections are closed, it waits
  (exponential backoff up to a minute) and continues.
"""

import logging
import threading
import time
from contextlib import contextmanager

from django.db import InterfaceError, OperationalError, connection, connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from .heartbeat import record_heartbeat
from .recovery import recover_stale_tasks, renew_lease

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
MAX_OUTAGE_WAIT_S = 60.0


def _drop_broken_connection() -> None:
    """Close the connection if it failed or expired (as Django does between requests); the next query reconnects."""
    if not connection.in_atomic_block:  # never inside a transaction (the tests run the worker in one)
        connection.close_if_unusable_or_obsolete()


class DatabaseWorker(Worker):
    """A django_tasks_db worker that recovers abandoned tasks, beats, renews leases and outlives database outages."""

    def __init__(self, *, visibility_timeout: float, recover_every: float, **kwargs) -> None:
        kwargs.setdefault("worker_id", get_random_string(32))
        super().__init__(**kwargs)
        self.visibility_timeout = visibility_timeout
        self.recover_every = recover_every
        self._next_maintenance = 0.0
        self.outages = 0

    def run(self) -> None:
        """Claim and run tasks until stopped (or, with `batch`, until the queue is empty)."""
        logger.info("Starting worker %s (queues %s)", self.worker_id, ",".join(self.queue_names))
        failures = 0
        while self.running:
            try:
                self._maintain()
                task_result = self._claim()
                if task_result is not None:
                    with self._lease(task_result):
                        self.run_task(task_result)
                failures = 0
            except DATABASE_ERRORS as error:
                failures += 1
                self.outages += 1
                wait = min(self.interval * 2**failures, MAX_OUTAGE_WAIT_S)
                logger.warning("Database unavailable (%s); closing connections, retrying in %.1f s", error, wait)
                connections.close_all()
                time.sleep(wait)
                continue
            if self.batch and task_result is None:
                logger.info("No more tasks for worker %s; exiting.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            if self.running and task_result is None:
                time.sleep(self.interval)

    def _maintain(self) -> None:
        """Record the heartbeat and recover abandoned tasks, at most every `recover_every` seconds."""
        now = time.monotonic()
        if now < self._next_maintenance:
            return
        _drop_broken_connection()
        record_heartbeat(self.worker_id)
        recovered = recover_stale_tasks(timeout=self.visibility_timeout)
        if recovered:
            logger.warning("Queued %d abandoned task(s) again", recovered)
        self._next_maintenance = now + self.recover_every

    def _claim(self) -> DBTaskResult | None:
        """Lock and claim the next ready task of our queues, or return None."""
        _drop_broken_connection()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
                return task_result
        except OperationalError as error:
            if is_locked_database_exception(error):  # SQLite busy: try again next round
                return None
            raise

    @contextmanager
    def _lease(self, task_result: DBTaskResult):
        """Renew the task's lease and the heartbeat every third of the visibility timeout while it runs."""
        stop = threading.Event()
        every = max(self.visibility_timeout / 3, 1.0)

        def renew() -> None:
            try:
                while not stop.wait(every):
                    try:
                        renew_lease(task_result.pk)
                        record_heartbeat(self.worker_id)
                    except Exception:  # an outage: the main loop deals with it; the lease may lapse
                        logger.warning("Could not renew the lease of task %s", task_result.pk, exc_info=True)
            finally:
                connection.close()  # this thread's own connection

        thread = threading.Thread(target=renew, name=f"lease-{task_result.pk}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
