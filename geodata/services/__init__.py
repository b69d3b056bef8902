"""Write services of the geodata app, one module per job; the public names are re-exported here.

- `layers`: preview and import one layer of a GIS file
- `xplan`: import an XPlanGML plan (plan upsert and one layer per content class)
- `staging`: staged uploads and background import runs
- `versions`: plan versions (Fassungen), the current layers, what an import would change
- `publishing`: served files of a layer version (GeoJSON or vector tiles)
- `downloads`: public layer and plan downloads, built by tasks and kept in storage
- `plan_area`: a plan's Geltungsbereich from a GIS or XPlanGML file
- `addresses`: the local gazetteer (address search) from an address file
- `xplan_preview`: what an XPlanGML import would do, with its Prüfbericht, before anything is written
- `validation`: the Prüfbericht of a plan version, its override and the publication guard
"""

from .addresses import AddressImportReport, address_import
from .layers import Preview, import_preview, layer_create, layer_import, style_for_kind, write_features
from .plan_area import AreaCandidate, plan_area_from_file, plan_area_preview, plan_area_read
from .publishing import (
    layer_after_import,
    layer_publish,
    layer_tiles_build,
    layer_tiles_ready,
    layer_uses_tiles,
    public_layer_cache_key,
)
from .staging import (
    discard_staged,
    import_preview_execute,
    import_preview_start,
    import_run_confirm,
    import_run_execute,
    import_run_start,
    progress_key,
    purge_stale_uploads,
    stage_upload,
    staged_copy,
    staged_exists,
    staging_storage,
    upload_copy,
    xplan_preview_start,
)
from .validation import (
    plan_version_validation_override,
    validation_for_run,
    validation_for_version,
    validation_publication_guard,
)
from .versions import layer_remove, plan_current_version, plan_version_create, plan_versions
from .xplan import xplan_import, xplan_read, xplan_read_all
from .xplan_preview import xplan_preview

__all__ = [
    "AddressImportReport",
    "address_import",
    "AreaCandidate",
    "Preview",
    "discard_staged",
    "import_preview",
    "import_preview_execute",
    "import_preview_start",
    "import_run_confirm",
    "import_run_execute",
    "import_run_start",
    "layer_after_import",
    "layer_create",
    "layer_import",
    "layer_publish",
    "layer_tiles_build",
    "layer_tiles_ready",
    "layer_uses_tiles",
    "plan_area_from_file",
    "plan_area_preview",
    "plan_area_read",
    "progress_key",
    "public_layer_cache_key",
    "purge_stale_uploads",
    "stage_upload",
    "staged_copy",
    "staged_exists",
    "staging_storage",
    "upload_copy",
    "style_for_kind",
    "write_features",
    "plan_version_validation_override",
    "validation_for_run",
    "validation_for_version",
    "validation_publication_guard",
    "layer_remove",
    "plan_current_version",
    "plan_version_create",
    "plan_versions",
    "xplan_import",
    "xplan_preview",
    "xplan_preview_start",
    "xplan_read",
    "xplan_read_all",
]
