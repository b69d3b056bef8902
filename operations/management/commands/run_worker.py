"""Run the task worker for the configured backend: the database worker of operations.worker, or an rq worker."""

import logging
import os
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend

from operations.heartbeat import record_heartbeat

logger = logging.getLogger("operations.worker")


class Command(BaseCommand):
    help = "Run background tasks; re-queue tasks of dead workers, record the heartbeat, outlive database outages."

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="default", help="Queues to process, comma-separated; '*' for all.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds to wait when the queue is empty.")
        parser.add_argument("--batch", action="store_true", help="Run the outstanding tasks, then exit.")
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after this many tasks.")
        parser.add_argument("--worker-id", default=None, help="Unique name of this worker (default: random).")
        parser.add_argument(
            "--recover-every", type=float, default=30.0, help="Seconds between heartbeats and recovery runs."
        )
        parser.add_argument(
            "--visibility-timeout",
            type=float,
            default=None,
            help="Seconds after which a RUNNING task without a renewed lease is queued again "
            "(default: TASKS_VISIBILITY_TIMEOUT).",
        )
        parser.add_argument("--reload", action="store_true", help="Restart on code changes (development).")

    def handle(self, *args, **options):
        self._configure_logging(options["verbosity"])
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        timeout = options["visibility_timeout"]
        timeout = settings.TASKS_VISIBILITY_TIMEOUT if timeout is None else timeout
        if type(backend).__module__.startswith("django_tasks_rq"):
            run = self._rq_runner(options)
        elif isinstance(backend, DatabaseBackend):
            from operations.worker import DatabaseWorker

            queues = options["queue_name"].split(",")
            worker = DatabaseWorker(
                queue_names=queues,
                interval=options["interval"],
                batch=options["batch"],
                backend_name=backend.alias,
                startup_delay=False,
                max_tasks=options["max_tasks"],
                excluded_queue_names=[],
                visibility_timeout=timeout,
                recover_every=options["recover_every"],
                **({"worker_id": options["worker_id"]} if options["worker_id"] else {}),
            )
            run = worker.run
            if not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
        else:
            raise CommandError(f"The task backend {type(backend).__name__} needs no worker.")
        if options["reload"] and not options["batch"]:
            run_with_reloader(run)
        else:
            run()

    def _rq_runner(self, options):
        """Return a function running an rq worker with scheduler, plus a thread for heartbeat and recovery."""
        import django_rq
        from django_tasks_rq.backend import Job

        from operations.recovery import recover_abandoned_rq_jobs

        queues = options["queue_name"].split(",")

        def maintain(stop: threading.Event) -> None:
            while True:
                try:
                    record_heartbeat()
                    for name in queues:
                        recover_abandoned_rq_jobs(name)
                except Exception:
                    logger.warning("Heartbeat or recovery failed", exc_info=True)
                if stop.wait(options["recover_every"]):
                    return

        def run() -> None:
            stop = threading.Event()
            thread = threading.Thread(target=maintain, args=(stop,), name="rq-maintenance", daemon=True)
            thread.start()
            try:
                worker = django_rq.get_worker(*queues, job_class=Job, name=options["worker_id"])
                worker.work(burst=options["batch"], with_scheduler=True, max_jobs=options["max_tasks"])
            finally:
                stop.set()

        return run

    def _configure_logging(self, verbosity: int) -> None:
        level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
        for name in ("operations", "django_tasks", "django_tasks_db"):
            log = logging.getLogger(name)
            log.setLevel(level)
            if not log.hasHandlers():
                log.addHandler(logging.StreamHandler(self.stdout))
