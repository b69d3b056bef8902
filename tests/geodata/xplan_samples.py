"""Small XPlanGML 6.0 documents written by the tests themselves (plans near Usingen, EPSG:25832)."""

from pathlib import Path

X0, Y0 = 470000, 5576000


def _square(x, y, size, srs="EPSG:25832", gml_id="p"):
    ring = f"{x} {y} {x + size} {y} {x + size} {y + size} {x} {y + size} {x} {y}"
    return (
        f'<gml:Polygon srsName="{srs}" gml:id="{gml_id}"><gml:exterior><gml:LinearRing>'
        f"<gml:posList>{ring}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>"
    )


def xplan_text(
    *,
    plan_class="BP_Plan",
    name="Am Riedborn",
    number="1",
    ags="06434011",
    plan_art="1000",
    rechtsstand="2000",
    dates=None,
    features=None,
    plan_id="GML_plan",
):
    """Return an XPlanGML 6.0 document with one plan and `features`.

    `dates`: {"inkrafttretensDatum": "2002-02-01", "auslegungsStartDatum": ["2001-01-01", ...]}.
    `features`: [(gml_id, class, (x offset, y offset, size in m), {attribute: value})]; default two
    Baugebiete and a Grünfläche (or FP classes for an FP_Plan).
    """
    prefix = plan_class[:2]
    if features is None:
        features = (
            [
                ("GML_wa1", "BP_BaugebietsTeilFlaeche", (20, 20, 100), {"GRZ": "0.4"}),
                ("GML_wa2", "BP_BaugebietsTeilFlaeche", (150, 20, 100), {"GRZ": "0.3"}),
                ("GML_gruen", "BP_GruenFlaeche", (20, 150, 100), {}),
            ]
            if prefix == "BP"
            else [("GML_fb1", "FP_BebauungsFlaeche", (20, 20, 200), {})]
        )
    date_xml = ""
    for attribute, values in (dates or {}).items():
        for value in [values] if isinstance(values, str) else values:
            date_xml += f"<xplan:{attribute}>{value}</xplan:{attribute}>"
    members = []
    for gml_id, cls, (dx, dy, size), attributes in features:
        props = "".join(f"<xplan:{k}>{v}</xplan:{k}>" for k, v in attributes.items())
        members.append(
            f'<gml:featureMember><xplan:{cls} gml:id="{gml_id}">'
            f'<xplan:gehoertZuBereich xlink:href="#GML_bereich"/><xplan:rechtscharakter>1000</xplan:rechtscharakter>'
            f"<xplan:position>{_square(X0 + dx, Y0 + dy, size, gml_id=gml_id + '_g')}</xplan:position>"
            f"<xplan:flaechenschluss>true</xplan:flaechenschluss>{props}</xplan:{cls}></gml:featureMember>"
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/6/0" xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:xlink="http://www.w3.org/1999/xlink" gml:id="GML_auszug">
  <gml:boundedBy><gml:Envelope srsName="EPSG:25832">
    <gml:lowerCorner>{X0} {Y0}</gml:lowerCorner><gml:upperCorner>{X0 + 400} {Y0 + 300}</gml:upperCorner>
  </gml:Envelope></gml:boundedBy>
  <gml:featureMember>
    <xplan:{plan_class} gml:id="{plan_id}">
      <xplan:name>{name}</xplan:name>
      <xplan:nummer>{number}</xplan:nummer>
      <xplan:raeumlicherGeltungsbereich>{_square(X0, Y0, 300, gml_id=plan_id + "_gb")}
      </xplan:raeumlicherGeltungsbereich>
      <xplan:gemeinde><xplan:XP_Gemeinde><xplan:ags>{ags}</xplan:ags>
        <xplan:gemeindeName>Usingen</xplan:gemeindeName></xplan:XP_Gemeinde></xplan:gemeinde>
      <xplan:planArt>{plan_art}</xplan:planArt>
      <xplan:rechtsstand>{rechtsstand}</xplan:rechtsstand>
      {date_xml}
      <xplan:bereich xlink:href="#GML_bereich"/>
    </xplan:{plan_class}>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:{prefix}_Bereich gml:id="GML_bereich"><xplan:nummer>0</xplan:nummer>
      <xplan:gehoertZuPlan xlink:href="#{plan_id}"/></xplan:{prefix}_Bereich>
  </gml:featureMember>
  {"".join(members)}
</xplan:XPlanAuszug>
"""


def write_xplan(directory: Path, filename="plan.gml", **kwargs) -> Path:
    """Write `xplan_text(**kwargs)` to `directory/filename` and return the path."""
    path = Path(directory) / filename
    path.write_text(xplan_text(**kwargs), encoding="utf-8")
    return path
