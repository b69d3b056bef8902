"""Write services of the geodata app, one module per job; the public names are re-exported here.

- `layers`: preview and import one layer of a GIS file
- `xplan`: import an XPlanGML plan (plan upsert and one layer per content class)
- `staging`: staged uploads and background import runs
- `publishing`: served files of a layer version (GeoJSON or vector tiles)
- `downloads`: public layer and plan downloads, built by tasks and kept in storage
- `plan_area`: a plan's Geltungsbereich from a GIS or XPlanGML file
- `addresses`: the local gazetteer (address search) from an address file
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
)
from .xplan import xplan_import, xplan_read, xplan_read_all

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
    "xplan_import",
    "xplan_read",
    "xplan_read_all",
]
