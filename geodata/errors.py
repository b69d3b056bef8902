"""The geodata app's one exception family: every refusal carries a translated message and a code."""


class GeodataError(Exception):
    """A refused geodata request; `message` is user-facing German text, `code` a stable identifier."""

    default_code = "invalid"

    def __init__(self, message, *, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code or self.default_code

    def __str__(self):
        return str(self.message)


class ImportRejected(GeodataError):
    """Input that cannot be imported (file, CRS, content or target)."""


class ExportError(GeodataError):
    """An export request that cannot be served (unknown format or CRS, nothing to export)."""
