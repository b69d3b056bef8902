"""Background tasks of the geodata app (django_tasks)."""

from django_tasks import task


@task()
def run_import(run_id: int) -> str:
    """Run the recorded import `run_id` and return its final status."""
    from .models import ImportRun
    from .services import import_run_execute

    run = ImportRun.objects.select_related("plan", "municipality", "created_by").get(pk=run_id)
    import_run_execute(run=run)
    return run.status
