<?xml version="1.0" encoding="UTF-8"?>
<!-- Written for the tests: B-Plan "Feldbergblick" in Usingen (EPSG:25832) with two Bereiche
     (Ursprungsplan and 1. Änderung), a text label (XP_PTO, turned by 30°) and a label that
     shows the Baugebiet's Art der baulichen Nutzung (XP_PPO, art/dientZurDarstellungVon). -->
<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/6/0" xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:xlink="http://www.w3.org/1999/xlink" gml:id="GML_auszug_fb">
  <gml:boundedBy><gml:Envelope srsName="EPSG:25832">
    <gml:lowerCorner>470000 5576000</gml:lowerCorner><gml:upperCorner>470400 5576300</gml:upperCorner>
  </gml:Envelope></gml:boundedBy>
  <gml:featureMember>
    <xplan:BP_Plan gml:id="GML_fb_plan">
      <xplan:name>Feldbergblick</xplan:name>
      <xplan:nummer>71</xplan:nummer>
      <xplan:raeumlicherGeltungsbereich>
        <gml:Polygon srsName="EPSG:25832" gml:id="GML_fb_gb"><gml:exterior><gml:LinearRing>
          <gml:posList>470000 5576000 470400 5576000 470400 5576300 470000 5576300 470000 5576000</gml:posList>
        </gml:LinearRing></gml:exterior></gml:Polygon>
      </xplan:raeumlicherGeltungsbereich>
      <xplan:gemeinde><xplan:XP_Gemeinde><xplan:ags>06434011</xplan:ags>
        <xplan:gemeindeName>Usingen</xplan:gemeindeName></xplan:XP_Gemeinde></xplan:gemeinde>
      <xplan:planArt>1000</xplan:planArt>
      <xplan:rechtsstand>2000</xplan:rechtsstand>
      <xplan:bereich xlink:href="#GML_fb_b0"/>
      <xplan:bereich xlink:href="#GML_fb_b1"/>
    </xplan:BP_Plan>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_Bereich gml:id="GML_fb_b0">
      <xplan:nummer>0</xplan:nummer>
      <xplan:name>Ursprungsplan</xplan:name>
      <xplan:planinhalt xlink:href="#GML_fb_gruen0"/>
      <xplan:gehoertZuPlan xlink:href="#GML_fb_plan"/>
    </xplan:BP_Bereich>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_Bereich gml:id="GML_fb_b1">
      <xplan:nummer>1</xplan:nummer>
      <xplan:gehoertZuPlan xlink:href="#GML_fb_plan"/>
    </xplan:BP_Bereich>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_fb_wa0">
      <xplan:gehoertZuBereich xlink:href="#GML_fb_b0"/>
      <xplan:wirdDargestelltDurch xlink:href="#GML_fb_ppo"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position><gml:Polygon srsName="EPSG:25832" gml:id="GML_fb_wa0_p"><gml:exterior><gml:LinearRing>
        <gml:posList>470010 5576010 470190 5576010 470190 5576140 470010 5576140 470010 5576010</gml:posList>
      </gml:LinearRing></gml:exterior></gml:Polygon></xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:allgArtDerBaulNutzung>1000</xplan:allgArtDerBaulNutzung>
      <xplan:besondereArtDerBaulNutzung>1200</xplan:besondereArtDerBaulNutzung>
      <xplan:bauweise>1000</xplan:bauweise>
      <xplan:GRZ>0.4</xplan:GRZ>
    </xplan:BP_BaugebietsTeilFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_GruenFlaeche gml:id="GML_fb_gruen0">
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position><gml:Polygon srsName="EPSG:25832" gml:id="GML_fb_gruen0_p"><gml:exterior><gml:LinearRing>
        <gml:posList>470010 5576150 470190 5576150 470190 5576290 470010 5576290 470010 5576150</gml:posList>
      </gml:LinearRing></gml:exterior></gml:Polygon></xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:zweckbestimmung><xplan:BP_KomplexeZweckbestGruen><xplan:allgemein>1200</xplan:allgemein>
      </xplan:BP_KomplexeZweckbestGruen></xplan:zweckbestimmung>
    </xplan:BP_GruenFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_fb_mi1">
      <xplan:gehoertZuBereich xlink:href="#GML_fb_b1"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position><gml:Polygon srsName="EPSG:25832" gml:id="GML_fb_mi1_p"><gml:exterior><gml:LinearRing>
        <gml:posList>470210 5576010 470390 5576010 470390 5576140 470210 5576140 470210 5576010</gml:posList>
      </gml:LinearRing></gml:exterior></gml:Polygon></xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:besondereArtDerBaulNutzung>1500</xplan:besondereArtDerBaulNutzung>
    </xplan:BP_BaugebietsTeilFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_GruenFlaeche gml:id="GML_fb_gruen1">
      <xplan:gehoertZuBereich xlink:href="#GML_fb_b1"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position><gml:Polygon srsName="EPSG:25832" gml:id="GML_fb_gruen1_p"><gml:exterior><gml:LinearRing>
        <gml:posList>470210 5576150 470390 5576150 470390 5576290 470210 5576290 470210 5576150</gml:posList>
      </gml:LinearRing></gml:exterior></gml:Polygon></xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
    </xplan:BP_GruenFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:XP_PPO gml:id="GML_fb_ppo">
      <xplan:gehoertZuBereich xlink:href="#GML_fb_b0"/>
      <xplan:art>besondereArtDerBaulNutzung</xplan:art>
      <xplan:dientZurDarstellungVon xlink:href="#GML_fb_wa0"/>
      <xplan:position><gml:Point srsName="EPSG:25832" gml:id="GML_fb_ppo_p"><gml:pos>470100 5576075</gml:pos></gml:Point></xplan:position>
    </xplan:XP_PPO>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:XP_PTO gml:id="GML_fb_pto">
      <xplan:gehoertZuBereich xlink:href="#GML_fb_b0"/>
      <xplan:schriftinhalt>Am Feldbergblick</xplan:schriftinhalt>
      <xplan:position><gml:Point srsName="EPSG:25832" gml:id="GML_fb_pto_p"><gml:pos>470100 5576145</gml:pos></gml:Point></xplan:position>
      <xplan:drehwinkel uom="grad">30</xplan:drehwinkel>
    </xplan:XP_PTO>
  </gml:featureMember>
</xplan:XPlanAuszug>
