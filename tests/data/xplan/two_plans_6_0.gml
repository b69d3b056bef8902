<?xml version="1.0" encoding="UTF-8"?>
<!-- Written for the tests: one file with two plans of Usingen (a B-Plan and an FNP-Änderung),
     each with its Bereich and content. -->
<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/6/0" xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:xlink="http://www.w3.org/1999/xlink" gml:id="GML_auszug_two">
  <gml:boundedBy><gml:Envelope srsName="EPSG:25832">
    <gml:lowerCorner>470000 5576000</gml:lowerCorner><gml:upperCorner>470800 5576300</gml:upperCorner>
  </gml:Envelope></gml:boundedBy>
  <gml:featureMember>
    <xplan:BP_Plan gml:id="GML_two_bp">
      <xplan:name>Hinter der Kirche</xplan:name>
      <xplan:nummer>12</xplan:nummer>
      <xplan:raeumlicherGeltungsbereich>
        <gml:Polygon srsName="EPSG:25832" gml:id="GML_two_bp_gb"><gml:exterior><gml:LinearRing>
          <gml:posList>470000 5576000 470300 5576000 470300 5576300 470000 5576300 470000 5576000</gml:posList>
        </gml:LinearRing></gml:exterior></gml:Polygon>
      </xplan:raeumlicherGeltungsbereich>
      <xplan:gemeinde><xplan:XP_Gemeinde><xplan:ags>06434011</xplan:ags></xplan:XP_Gemeinde></xplan:gemeinde>
      <xplan:planArt>1000</xplan:planArt>
      <xplan:rechtsstand>1000</xplan:rechtsstand>
      <xplan:bereich xlink:href="#GML_two_bp_b"/>
    </xplan:BP_Plan>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:FP_Plan gml:id="GML_two_fp">
      <xplan:name>5. Änderung des Flächennutzungsplans</xplan:name>
      <xplan:nummer>FNP-5</xplan:nummer>
      <xplan:raeumlicherGeltungsbereich>
        <gml:Polygon srsName="EPSG:25832" gml:id="GML_two_fp_gb"><gml:exterior><gml:LinearRing>
          <gml:posList>470500 5576000 470800 5576000 470800 5576300 470500 5576300 470500 5576000</gml:posList>
        </gml:LinearRing></gml:exterior></gml:Polygon>
      </xplan:raeumlicherGeltungsbereich>
      <xplan:gemeinde><xplan:XP_Gemeinde><xplan:ags>06434011</xplan:ags></xplan:XP_Gemeinde></xplan:gemeinde>
      <xplan:planArt>5000</xplan:planArt>
      <xplan:rechtsstand>1000</xplan:rechtsstand>
      <xplan:bereich xlink:href="#GML_two_fp_b"/>
    </xplan:FP_Plan>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_Bereich gml:id="GML_two_bp_b"><xplan:nummer>0</xplan:nummer>
      <xplan:gehoertZuPlan xlink:href="#GML_two_bp"/></xplan:BP_Bereich>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:FP_Bereich gml:id="GML_two_fp_b"><xplan:nummer>0</xplan:nummer>
      <xplan:gehoertZuPlan xlink:href="#GML_two_fp"/></xplan:FP_Bereich>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_two_wa">
      <xplan:gehoertZuBereich xlink:href="#GML_two_bp_b"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position><gml:Polygon srsName="EPSG:25832" gml:id="GML_two_wa_p"><gml:exterior><gml:LinearRing>
        <gml:posList>470010 5576010 470290 5576010 470290 5576290 470010 5576290 470010 5576010</gml:posList>
      </gml:LinearRing></gml:exterior></gml:Polygon></xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:besondereArtDerBaulNutzung>1200</xplan:besondereArtDerBaulNutzung>
    </xplan:BP_BaugebietsTeilFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:FP_BebauungsFlaeche gml:id="GML_two_w">
      <xplan:gehoertZuBereich xlink:href="#GML_two_fp_b"/>
      <xplan:rechtscharakter>3000</xplan:rechtscharakter>
      <xplan:position><gml:Polygon srsName="EPSG:25832" gml:id="GML_two_w_p"><gml:exterior><gml:LinearRing>
        <gml:posList>470510 5576010 470790 5576010 470790 5576290 470510 5576290 470510 5576010</gml:posList>
      </gml:LinearRing></gml:exterior></gml:Polygon></xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:allgArtDerBaulNutzung>1000</xplan:allgArtDerBaulNutzung>
    </xplan:FP_BebauungsFlaeche>
  </gml:featureMember>
</xplan:XPlanAuszug>
