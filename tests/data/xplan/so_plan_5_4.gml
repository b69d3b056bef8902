<?xml version="1.0" encoding="UTF-8"?>
<!-- Written for the tests: a sonstiges Planwerk (SO_Plan, XPlanGML 5.4) of Usingen: the
     Denkmalbereich Altstadt as a nachrichtliche Übernahme. -->
<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/5/4" xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:xlink="http://www.w3.org/1999/xlink" gml:id="GML_auszug_so">
  <gml:boundedBy><gml:Envelope srsName="EPSG:25832">
    <gml:lowerCorner>470000 5576000</gml:lowerCorner><gml:upperCorner>470200 5576200</gml:upperCorner>
  </gml:Envelope></gml:boundedBy>
  <gml:featureMember>
    <xplan:SO_Plan gml:id="GML_so_plan">
      <xplan:name>Denkmalbereich Altstadt</xplan:name>
      <xplan:nummer>D-1</xplan:nummer>
      <xplan:raeumlicherGeltungsbereich>
        <gml:Polygon srsName="EPSG:25832" gml:id="GML_so_gb"><gml:exterior><gml:LinearRing>
          <gml:posList>470000 5576000 470200 5576000 470200 5576200 470000 5576200 470000 5576000</gml:posList>
        </gml:LinearRing></gml:exterior></gml:Polygon>
      </xplan:raeumlicherGeltungsbereich>
      <xplan:gemeinde><xplan:XP_Gemeinde><xplan:ags>06434011</xplan:ags></xplan:XP_Gemeinde></xplan:gemeinde>
      <xplan:bereich xlink:href="#GML_so_b"/>
    </xplan:SO_Plan>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:SO_Bereich gml:id="GML_so_b"><xplan:nummer>0</xplan:nummer>
      <xplan:gehoertZuPlan xlink:href="#GML_so_plan"/></xplan:SO_Bereich>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:SO_Denkmalschutzrecht gml:id="GML_so_dm">
      <xplan:gehoertZuBereich xlink:href="#GML_so_b"/>
      <xplan:rechtscharakter>2000</xplan:rechtscharakter>
      <xplan:position><gml:Polygon srsName="EPSG:25832" gml:id="GML_so_dm_p"><gml:exterior><gml:LinearRing>
        <gml:posList>470020 5576020 470180 5576020 470180 5576180 470020 5576180 470020 5576020</gml:posList>
      </gml:LinearRing></gml:exterior></gml:Polygon></xplan:position>
      <xplan:flaechenschluss>false</xplan:flaechenschluss>
      <xplan:artDerFestlegung>1100</xplan:artDerFestlegung>
    </xplan:SO_Denkmalschutzrecht>
  </gml:featureMember>
</xplan:XPlanAuszug>
