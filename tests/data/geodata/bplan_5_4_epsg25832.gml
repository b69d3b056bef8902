<?xml version="1.0" encoding="UTF-8"?>
<!-- Hand-written XPlanGML 5.4 test fixture: B-Plan Nr. 64 "Am Riedborn", Usingen (AGS with leading zero).
     Contains an arc (gml:Arc in a gml:Ring) and a ring that is not closed (Grünfläche). -->
<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/5/4" xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:xlink="http://www.w3.org/1999/xlink" gml:id="GML_auszug_64">
  <gml:boundedBy>
    <gml:Envelope srsName="EPSG:25832">
      <gml:lowerCorner>470000 5576000</gml:lowerCorner>
      <gml:upperCorner>470400 5576300</gml:upperCorner>
    </gml:Envelope>
  </gml:boundedBy>
  <gml:featureMember>
    <xplan:BP_Plan gml:id="GML_plan_64">
      <xplan:name>Wohngebiet Am Riedborn</xplan:name>
      <xplan:nummer>64</xplan:nummer>
      <xplan:beschreibung>Neues Wohngebiet am westlichen Ortsrand</xplan:beschreibung>
      <xplan:raeumlicherGeltungsbereich>
        <gml:MultiSurface srsName="EPSG:25832" gml:id="GML_gb_64">
          <gml:surfaceMember>
            <gml:Polygon gml:id="GML_gb_64_p">
              <gml:exterior><gml:LinearRing>
                <gml:posList>470000 5576000 470400 5576000 470400 5576300 470000 5576300 470000 5576000</gml:posList>
              </gml:LinearRing></gml:exterior>
            </gml:Polygon>
          </gml:surfaceMember>
        </gml:MultiSurface>
      </xplan:raeumlicherGeltungsbereich>
      <xplan:gemeinde>
        <xplan:XP_Gemeinde>
          <xplan:ags>06434011</xplan:ags>
          <xplan:gemeindeName>Usingen</xplan:gemeindeName>
        </xplan:XP_Gemeinde>
      </xplan:gemeinde>
      <xplan:planArt>1000</xplan:planArt>
      <xplan:rechtsstand>2000</xplan:rechtsstand>
      <xplan:bereich xlink:href="#GML_bereich_0"/>
    </xplan:BP_Plan>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_Bereich gml:id="GML_bereich_0">
      <xplan:nummer>0</xplan:nummer>
      <xplan:gehoertZuPlan xlink:href="#GML_plan_64"/>
    </xplan:BP_Bereich>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_wa1">
      <xplan:gehoertZuBereich xlink:href="#GML_bereich_0"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon srsName="EPSG:25832" gml:id="GML_wa1_p">
          <gml:exterior>
            <gml:Ring>
              <gml:curveMember>
                <gml:Curve gml:id="GML_wa1_c">
                  <gml:segments>
                    <gml:LineStringSegment interpolation="linear">
                      <gml:posList>470020 5576020 470180 5576020 470180 5576140</gml:posList>
                    </gml:LineStringSegment>
                    <gml:Arc interpolation="circularArc3Points">
                      <gml:posList>470180 5576140 470100 5576180 470020 5576140</gml:posList>
                    </gml:Arc>
                    <gml:LineStringSegment interpolation="linear">
                      <gml:posList>470020 5576140 470020 5576020</gml:posList>
                    </gml:LineStringSegment>
                  </gml:segments>
                </gml:Curve>
              </gml:curveMember>
            </gml:Ring>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:GRZ>0.4</xplan:GRZ>
      <xplan:Z>2</xplan:Z>
      <xplan:allgArtDerBaulNutzung>1000</xplan:allgArtDerBaulNutzung>
      <xplan:besondereArtDerBaulNutzung>1200</xplan:besondereArtDerBaulNutzung>
    </xplan:BP_BaugebietsTeilFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_wa2">
      <xplan:gehoertZuBereich xlink:href="#GML_bereich_0"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon srsName="EPSG:25832" gml:id="GML_wa2_p">
          <gml:exterior><gml:LinearRing>
            <gml:posList>470220 5576020 470380 5576020 470380 5576140 470220 5576140 470220 5576020</gml:posList>
          </gml:LinearRing></gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:GRZ>0.35</xplan:GRZ>
      <xplan:Z>1</xplan:Z>
      <xplan:allgArtDerBaulNutzung>1000</xplan:allgArtDerBaulNutzung>
      <xplan:besondereArtDerBaulNutzung>1200</xplan:besondereArtDerBaulNutzung>
    </xplan:BP_BaugebietsTeilFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_GruenFlaeche gml:id="GML_gruen1">
      <xplan:gehoertZuBereich xlink:href="#GML_bereich_0"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon srsName="EPSG:25832" gml:id="GML_gruen1_p">
          <gml:exterior><gml:LinearRing>
            <gml:posList>470020 5576200 470380 5576200 470380 5576280 470020 5576280</gml:posList>
          </gml:LinearRing></gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:zweckbestimmung>1000</xplan:zweckbestimmung>
      <xplan:nutzungsform>2000</xplan:nutzungsform>
    </xplan:BP_GruenFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_StrassenVerkehrsFlaeche gml:id="GML_strasse1">
      <xplan:gehoertZuBereich xlink:href="#GML_bereich_0"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon srsName="EPSG:25832" gml:id="GML_strasse1_p">
          <gml:exterior><gml:LinearRing>
            <gml:posList>470000 5576185 470400 5576185 470400 5576195 470000 5576195 470000 5576185</gml:posList>
          </gml:LinearRing></gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
    </xplan:BP_StrassenVerkehrsFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:XP_PPO gml:id="GML_ppo1">
      <xplan:position><gml:Point srsName="EPSG:25832" gml:id="GML_ppo1_p"><gml:pos>470100 5576080</gml:pos></gml:Point></xplan:position>
      <xplan:art>allgArtDerBaulNutzung</xplan:art>
    </xplan:XP_PPO>
  </gml:featureMember>
</xplan:XPlanAuszug>
