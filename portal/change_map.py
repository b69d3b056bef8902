"""The change map of a round after changes (§ 4a Abs. 3 BauGB) on the composed plan page."""

from typing import Any

from geodata.changes.selectors import (
    KIND_STYLES,
    change_geojson,
    change_rows,
    comparison_changes,
    legend,
    version_layers,
)


def plan_page_changes(consultation) -> dict[str, Any] | None:
    """Return the change layer, legend, swipe layers and list of `consultation`'s comparison, None without one."""
    if consultation is None or consultation.comparison_id is None or not consultation.is_public:
        return None
    comparison = consultation.comparison
    changes = comparison_changes(comparison)
    before, after = version_layers(comparison.old_version), version_layers(comparison.new_version)
    return {
        "comparison": comparison,
        "limited": consultation.limited_to_changes,
        "rows": change_rows(changes),
        "legend": legend(),
        "can_swipe": bool(before or after),
        "config": {
            "changes": change_geojson(changes),
            "styles": {str(kind): style for kind, style in KIND_STYLES.items()},
            "before": before,
            "after": after,
        },
    }
