"""The one exception every importer raises for input it refuses."""


class ImportRejected(Exception):
    """Input that cannot be imported; `message` is a translated, user-facing explanation."""

    def __init__(self, message, *, code: str = "invalid"):
        super().__init__(str(message))
        self.message = message
        self.code = code

    def __str__(self):
        return str(self.message)
