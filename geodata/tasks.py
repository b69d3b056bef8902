"""Background tasks of the geodata app (django_tasks); services are imported inside the task (no cycle)."""

from django_tasks import task

from operations.retry import retry_transient

from .models import ImportRun


@task()
@retry_transient
def run_import(run_id: int) -> str:
    """Run the recorded import `run_id` and return its final status."""
    # Services import this module at their top; importing them here, when the task runs, keeps it one-way.
    from .services import import_run_execute

    run = ImportRun.objects.select_related("plan__municipality", "municipality", "created_by").get(pk=run_id)
    import_run_execute(run=run)
    return run.status


@task()
@retry_transient
def build_layer_tiles(layer_id: int, version: int) -> str:
    """Build the PMTiles archive of a layer version after its import has committed."""
    from .services import layer_tiles_build

    result = layer_tiles_build(layer_id=layer_id, version=version)
    return "skipped" if result is None else "built"


@task()
@retry_transient
def preview_import(run_id: int) -> str:
    """Read what the staged upload of run `run_id` holds (count, CRS, fields, extent) for its preview."""
    from .services import import_preview_execute

    run = ImportRun.objects.select_related("plan__municipality", "municipality", "created_by").get(pk=run_id)
    import_preview_execute(run=run)
    return run.status


@task()
@retry_transient
def build_layer_download(layer_id: int, version: int, fmt: str, epsg: int) -> str:
    """Build a layer version's public download as `fmt` in EPSG:`epsg`; skip a stale version or an existing file."""
    from .services.downloads import layer_download_build

    return layer_download_build(layer_id=layer_id, version=version, fmt=fmt, epsg=epsg) or "skipped"


@task()
@retry_transient
def build_plan_download(plan_id: int, epsg: int) -> str:
    """Build the GeoPackage of a plan's current layers in EPSG:`epsg` and delete its outdated ones."""
    from .services.downloads import plan_download_build

    return plan_download_build(plan_id=plan_id, epsg=epsg) or "skipped"


@task()
@retry_transient
def build_xplan_download(plan_id: int) -> str:
    """Build the XPlanGML file of a plan's current XPlan layers and text sections; skip one that exists."""
    from .services.xplan_download import xplan_download_build

    return xplan_download_build(plan_id=plan_id) or "skipped"
