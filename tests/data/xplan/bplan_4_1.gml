<?xml version="1.0" encoding="UTF-8"?>
<!-- Written for the tests: a B-Plan of Usingen in XPlanGML 4.1 (EPSG:31467, Gauß-Krüger zone 3). -->
<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/4/1" xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:xlink="http://www.w3.org/1999/xlink" gml:id="GML_auszug_41">
  <gml:boundedBy><gml:Envelope srsName="EPSG:31467">
    <gml:lowerCorner>3470000 5578000</gml:lowerCorner><gml:upperCorner>3470200 5578150</gml:upperCorner>
  </gml:Envelope></gml:boundedBy>
  <gml:featureMember>
    <xplan:BP_Plan gml:id="GML_41_plan">
      <xplan:name>Am alten Sportplatz</xplan:name>
      <xplan:nummer>41</xplan:nummer>
      <xplan:raeumlicherGeltungsbereich>
        <gml:Polygon srsName="EPSG:31467" gml:id="GML_41_gb"><gml:exterior><gml:LinearRing>
          <gml:posList>3470000 5578000 3470200 5578000 3470200 5578150 3470000 5578150 3470000 5578000</gml:posList>
        </gml:LinearRing></gml:exterior></gml:Polygon>
      </xplan:raeumlicherGeltungsbereich>
      <xplan:gemeinde><xplan:XP_Gemeinde><xplan:ags>06434011</xplan:ags></xplan:XP_Gemeinde></xplan:gemeinde>
      <xplan:planArt>1000</xplan:planArt>
      <xplan:rechtsstand>4000</xplan:rechtsstand>
      <xplan:bereich xlink:href="#GML_41_b"/>
    </xplan:BP_Plan>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_Bereich gml:id="GML_41_b"><xplan:nummer>0</xplan:nummer>
      <xplan:gehoertZuPlan xlink:href="#GML_41_plan"/></xplan:BP_Bereich>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_41_wa">
      <xplan:gehoertZuBP_Bereich xlink:href="#GML_41_b"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position><gml:Polygon srsName="EPSG:31467" gml:id="GML_41_wa_p"><gml:exterior><gml:LinearRing>
        <gml:posList>3470010 5578010 3470190 5578010 3470190 5578140 3470010 5578140 3470010 5578010</gml:posList>
      </gml:LinearRing></gml:exterior></gml:Polygon></xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:besondereArtDerBaulNutzung>1200</xplan:besondereArtDerBaulNutzung>
      <xplan:GRZ>0.35</xplan:GRZ>
    </xplan:BP_BaugebietsTeilFlaeche>
  </gml:featureMember>
</xplan:XPlanAuszug>
