"""The validation report of an XPlanGML file: problems (errors and warnings), each with its place."""

from dataclasses import asdict, dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass
class Problem:
    """One finding: severity, code, German message, the feature it concerns and where it is."""

    severity: str  # ERROR or WARNING
    code: str
    message: str
    gml_id: str = ""
    cls: str = ""
    point: tuple[float, float] | None = None  # (lon, lat) in EPSG:4326, inside the problem's geometry
    bbox: tuple[float, float, float, float] | None = None  # (west, south, east, north) in EPSG:4326
    area_m2: float | None = None  # gaps, overlaps, parts outside the Geltungsbereich

    def as_dict(self) -> dict:
        data = asdict(self)
        data["point"] = list(self.point) if self.point else None
        data["bbox"] = list(self.bbox) if self.bbox else None
        return data


@dataclass
class ValidationReport:
    """All problems found in one file; errors block publication, warnings do not."""

    version: str = ""
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. a check that could not run

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def as_dict(self) -> dict:
        """Return the report as JSON data: {"version", "errors": [...], "warnings": [...], "notes"}."""
        return {
            "version": self.version,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
            "notes": list(self.notes),
        }
