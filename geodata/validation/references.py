"""Reference checks: every xlink:href within the file points at an object that exists (and fits)."""

from django.utils.translation import gettext as _

from ..importers.gml import GML, local, namespace
from .context import Context
from .report import ERROR

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# property -> what the target's class name must end with
TARGET_CLASSES = {
    "gehoertZuBereich": "_Bereich",
    "bereich": "_Bereich",
    "gehoertZuPlan": "_Plan",
    "refTextInhalt": "TextAbschnitt",
    "texte": "TextAbschnitt",
    "abweichungText": "TextAbschnitt",
}


def check_references(context: Context, root) -> None:
    """Report hrefs to gml:ids missing from the file, and links to an object of the wrong kind."""
    ids = {el.get(f"{{{GML}}}id") for el in root.iter() if el.get(f"{{{GML}}}id")}
    for feature in context.features:
        for el in feature.element.iter():
            href = el.get(XLINK_HREF)
            if href is None or namespace(el.tag) == GML:
                continue
            prop = local(el.tag)
            if not href.startswith("#"):
                if not href.strip():
                    context.problem(
                        ERROR,
                        "empty_reference",
                        _("Der Verweis %(property)s ist leer.") % {"property": prop},
                        gml_id=feature.gml_id,
                        cls=feature.cls,
                    )
                continue  # a reference to another document (URL) is not checked here
            target = href[1:]
            if target not in ids:
                context.problem(
                    ERROR,
                    "missing_reference",
                    _(
                        "Der Verweis %(property)s auf „%(href)s“ führt ins Leere: "
                        "kein Objekt mit dieser gml:id in der Datei."
                    )
                    % {"property": prop, "href": href},
                    gml_id=feature.gml_id,
                    cls=feature.cls,
                )
                continue
            expected = TARGET_CLASSES.get(prop)
            target_class = context.classes.get(target, "")
            if expected and target_class and not target_class.endswith(expected):
                context.problem(
                    ERROR,
                    "wrong_reference_target",
                    _(
                        "Der Verweis %(property)s zeigt auf %(target)s (%(cls)s), "
                        "erwartet wird ein Objekt „…%(expected)s“."
                    )
                    % {"property": prop, "target": target, "cls": target_class, "expected": expected},
                    gml_id=feature.gml_id,
                    cls=feature.cls,
                )
