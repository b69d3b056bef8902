"""Small XPlanGML 6.0 files for the validation report, written by the tests (EPSG:25832, near Usingen).

Coordinates are given relative to (X0, Y0) in metres; `box(x1, y1, x2, y2)` is a counter-clockwise ring.
"""

from pathlib import Path

X0, Y0 = 470000, 5576000


def box(x1, y1, x2, y2) -> list[tuple[float, float]]:
    """Return the counter-clockwise ring of a rectangle (relative metres)."""
    return [(x1, y1), (x2, y1), (x2, y2), (x1, y2), (x1, y1)]


def polygon(ring, gml_id: str, holes=()) -> str:
    def pos(coords):
        return " ".join(f"{X0 + x} {Y0 + y}" for x, y in coords)

    interiors = "".join(
        f"<gml:interior><gml:LinearRing><gml:posList>{pos(h)}</gml:posList></gml:LinearRing></gml:interior>"
        for h in holes
    )
    return (
        f'<gml:Polygon srsName="EPSG:25832" gml:id="{gml_id}"><gml:exterior><gml:LinearRing>'
        f"<gml:posList>{pos(ring)}</gml:posList></gml:LinearRing></gml:exterior>{interiors}</gml:Polygon>"
    )


def area_member(
    gml_id: str, ring, *, cls="BP_BaugebietsTeilFlaeche", extra="", flaechenschluss=True, bereich="#GML_bereich"
):
    """Return a featureMember with a Flächenschlussobjekt (or not) of class `cls` covering `ring`."""
    link = f'<xplan:gehoertZuBereich xlink:href="{bereich}"/>' if bereich else ""
    return (
        f'<gml:featureMember><xplan:{cls} gml:id="{gml_id}">{link}'
        f"<xplan:rechtscharakter>1000</xplan:rechtscharakter>"
        f"<xplan:position>{polygon(ring, gml_id + '_g')}</xplan:position>"
        f"<xplan:flaechenschluss>{'true' if flaechenschluss else 'false'}</xplan:flaechenschluss>{extra}"
        f"</xplan:{cls}></gml:featureMember>"
    )


def xplan_document(members, *, area=None) -> str:
    """Return an XPlanGML 6.0 BP_Plan "Am Riedborn" (Geltungsbereich `area`, default 200 m x 100 m) with `members`."""
    area = area or box(0, 0, 200, 100)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/6/0" xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:xlink="http://www.w3.org/1999/xlink" gml:id="GML_auszug">
  <gml:boundedBy><gml:Envelope srsName="EPSG:25832">
    <gml:lowerCorner>{X0} {Y0}</gml:lowerCorner><gml:upperCorner>{X0 + 300} {Y0 + 200}</gml:upperCorner>
  </gml:Envelope></gml:boundedBy>
  <gml:featureMember>
    <xplan:BP_Plan gml:id="GML_plan">
      <xplan:name>Am Riedborn</xplan:name>
      <xplan:nummer>7</xplan:nummer>
      <xplan:raeumlicherGeltungsbereich>{polygon(area, "GML_plan_gb")}</xplan:raeumlicherGeltungsbereich>
      <xplan:gemeinde><xplan:XP_Gemeinde><xplan:ags>06434011</xplan:ags>
        <xplan:gemeindeName>Usingen</xplan:gemeindeName></xplan:XP_Gemeinde></xplan:gemeinde>
      <xplan:planArt>1000</xplan:planArt>
      <xplan:rechtsstand>2000</xplan:rechtsstand>
      <xplan:bereich xlink:href="#GML_bereich"/>
    </xplan:BP_Plan>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_Bereich gml:id="GML_bereich"><xplan:nummer>0</xplan:nummer>
      <xplan:gehoertZuPlan xlink:href="#GML_plan"/></xplan:BP_Bereich>
  </gml:featureMember>
  {"".join(members)}
</xplan:XPlanAuszug>
"""


def write_document(directory: Path, members, *, filename="plan.gml", area=None) -> Path:
    """Write `xplan_document(members)` to `directory/filename` and return the path."""
    path = Path(directory) / filename
    path.write_text(xplan_document(members, area=area), encoding="utf-8")
    return path


# A small model table in the shape of the generated XPlanung table (geodata.xplan_model), for 6.0.
OBJECT_ATTRIBUTES = {
    "gehoertZuBereich": {},
    "rechtscharakter": {"min": 1, "values": ["1000", "2000", "3000", "4000", "5000", "9998"]},
    "position": {"min": 1},
    "flaechenschluss": {},
    "ebene": {},
    "refTextInhalt": {},
    "GRZ": {},
    "zweckbestimmung": {"values": ["1000", "1200", "1400", "9999"]},
}
MODEL_60 = {
    "6.0": {
        "BP_Plan": {
            "bases": ["XP_Plan"],
            "attributes": {
                "name": {"min": 1},
                "nummer": {},
                "raeumlicherGeltungsbereich": {"min": 1},
                "gemeinde": {"min": 1},
                "planArt": {"min": 1, "values": ["1000", "10000", "10001", "3000", "4000", "9999"]},
                "rechtsstand": {"values": ["1000", "2000", "3000", "4000", "5000"]},
                "bereich": {},
            },
        },
        "XP_Plan": {"abstract": True},
        "BP_Bereich": {"bases": ["XP_Bereich"], "attributes": {"nummer": {"min": 1}, "gehoertZuPlan": {"min": 1}}},
        "XP_Bereich": {"abstract": True, "attributes": {"planinhalt": {}, "geltungsbereich": {}}},
        "XP_Gemeinde": {"attributes": {"ags": {}, "rs": {}, "gemeindeName": {}}},
        "BP_BaugebietsTeilFlaeche": {
            "bases": ["BP_Flaechenschlussobjekt", "BP_Objekt"],
            "attributes": OBJECT_ATTRIBUTES,
        },
        "BP_GruenFlaeche": {"bases": ["BP_Flaechenschlussobjekt", "BP_Objekt"], "attributes": OBJECT_ATTRIBUTES},
        "BP_UeberbaubareGrundstuecksFlaeche": {"bases": ["BP_Objekt"], "attributes": OBJECT_ATTRIBUTES},
        "BP_TextAbschnitt": {"attributes": {"text": {}, "schluessel": {}}},
    }
}
