"""The counts an import reports to the user and the command line."""

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _


@dataclass
class ImportReport:
    """found / created / repaired / rejected, plus what was detected."""

    found: int = 0
    created: int = 0
    updated: int = 0  # re-import: elements whose key came back with another geometry or attributes
    deleted: int = 0  # re-import: elements whose key is no longer in the file (kept in the earlier version)
    repaired: int = 0
    rejected: int = 0
    empty: int = 0
    source_crs: str = ""
    layer_name: str = ""
    layer_id: int | None = None
    layers: list[dict] = field(default_factory=list)  # XPlanGML: one entry per created layer
    plan_id: int | None = None
    plan_title: str = ""  # XPlanGML: the created or updated plan
    plan_created: bool | None = None
    plan_action: str = ""  # XPlanGML: "neu angelegt" or "aktualisiert: <plan>"
    version_id: int | None = None  # the plan version (Fassung) the import created
    version_number: int | None = None
    changes: list[dict] = field(default_factory=list)  # per class/layer: new, removed, changed, unchanged
    plans: list[dict] = field(default_factory=list)  # XPlanGML: each plan of the file (id, title, action, ...)
    notes: list[str] = field(default_factory=list)
    transformation: str = ""  # the coordinate operation used, as a sentence for the user (empty: none needed)
    validation: dict = field(default_factory=dict)  # XPlanGML: the Prüfbericht (geodata.validation), as data

    def add(self, other: "ImportReport") -> None:
        for name in ("found", "created", "updated", "deleted", "repaired", "rejected", "empty"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.notes.extend(other.notes)
        self.transformation = self.transformation or other.transformation

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        return _("%(found)d gefunden, %(created)d angelegt, %(repaired)d repariert, %(rejected)d abgelehnt") % {
            "found": self.found,
            "created": self.created,
            "repaired": self.repaired,
            "rejected": self.rejected,
        }
