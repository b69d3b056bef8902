<?xml version="1.0" encoding="UTF-8"?>
<!-- Hand-written XPlanGML 6.0 test fixture: vorhabenbezogener B-Plan in Dresden (EPSG:25833),
     Satzungsbeschluss; MultiSurface content, urn-style srsName, 3D coordinates (srsDimension="3"). -->
<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/6/0" xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:xlink="http://www.w3.org/1999/xlink" gml:id="GML_auszug_vep">
  <gml:boundedBy>
    <gml:Envelope srsName="urn:ogc:def:crs:EPSG::25833">
      <gml:lowerCorner>411600 5656100</gml:lowerCorner>
      <gml:upperCorner>411800 5656250</gml:upperCorner>
    </gml:Envelope>
  </gml:boundedBy>
  <gml:featureMember>
    <xplan:BP_Plan gml:id="GML_plan_vep">
      <xplan:name>Vorhaben Elbwiesen-Terrassen</xplan:name>
      <xplan:nummer>VEP 12</xplan:nummer>
      <xplan:raeumlicherGeltungsbereich>
        <gml:Polygon srsName="urn:ogc:def:crs:EPSG::25833" gml:id="GML_gb_vep">
          <gml:exterior><gml:LinearRing>
            <gml:posList>411600 5656100 411800 5656100 411800 5656250 411600 5656250 411600 5656100</gml:posList>
          </gml:LinearRing></gml:exterior>
        </gml:Polygon>
      </xplan:raeumlicherGeltungsbereich>
      <xplan:gemeinde>
        <xplan:XP_Gemeinde>
          <xplan:ags>14612000</xplan:ags>
          <xplan:gemeindeName>Dresden</xplan:gemeindeName>
        </xplan:XP_Gemeinde>
      </xplan:gemeinde>
      <xplan:planArt>3000</xplan:planArt>
      <xplan:rechtsstand>3000</xplan:rechtsstand>
    </xplan:BP_Plan>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_mu1">
      <xplan:position>
        <gml:MultiSurface srsName="urn:ogc:def:crs:EPSG::25833" srsDimension="3" gml:id="GML_mu1_ms">
          <gml:surfaceMember>
            <gml:Polygon gml:id="GML_mu1_p1">
              <gml:exterior><gml:LinearRing>
                <gml:posList srsDimension="3">411610 5656110 110 411690 5656110 110 411690 5656180 112 411610 5656180 112 411610 5656110 110</gml:posList>
              </gml:LinearRing></gml:exterior>
            </gml:Polygon>
          </gml:surfaceMember>
          <gml:surfaceMember>
            <gml:Polygon gml:id="GML_mu1_p2">
              <gml:exterior><gml:LinearRing>
                <gml:posList srsDimension="3">411710 5656110 110 411790 5656110 110 411790 5656180 112 411710 5656180 112 411710 5656110 110</gml:posList>
              </gml:LinearRing></gml:exterior>
            </gml:Polygon>
          </gml:surfaceMember>
        </gml:MultiSurface>
      </xplan:position>
      <xplan:allgArtDerBaulNutzung>2000</xplan:allgArtDerBaulNutzung>
      <xplan:besondereArtDerBaulNutzung>1450</xplan:besondereArtDerBaulNutzung>
      <xplan:GRZ>0.6</xplan:GRZ>
    </xplan:BP_BaugebietsTeilFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_GruenFlaeche gml:id="GML_gruen_vep">
      <xplan:position>
        <gml:Polygon srsName="urn:ogc:def:crs:EPSG::25833" gml:id="GML_gruen_vep_p">
          <gml:exterior><gml:LinearRing>
            <gml:posList>411600 5656200 411800 5656200 411800 5656250 411600 5656250 411600 5656200</gml:posList>
          </gml:LinearRing></gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:zweckbestimmung>
        <xplan:BP_KomplexeZweckbestGruen>
          <xplan:allgemein>1000</xplan:allgemein>
        </xplan:BP_KomplexeZweckbestGruen>
      </xplan:zweckbestimmung>
    </xplan:BP_GruenFlaeche>
  </gml:featureMember>
</xplan:XPlanAuszug>
