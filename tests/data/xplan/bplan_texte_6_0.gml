<?xml version="1.0" encoding="UTF-8"?>
<!-- A small B-Plan (XPlanGML 6.0, EPSG:25832, near Usingen) with three textliche Festsetzungen:
     two plan elements refer to them by refTextInhalt. Written for the tests. -->
<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/6/0" xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:xlink="http://www.w3.org/1999/xlink" gml:id="GML_auszug_texte">
  <gml:boundedBy><gml:Envelope srsName="EPSG:25832">
    <gml:lowerCorner>470000 5576000</gml:lowerCorner><gml:upperCorner>470400 5576300</gml:upperCorner>
  </gml:Envelope></gml:boundedBy>
  <gml:featureMember>
    <xplan:BP_Plan gml:id="GML_plan_texte">
      <xplan:name>Wohnen am Hattsteiner Weg</xplan:name>
      <xplan:nummer>17</xplan:nummer>
      <xplan:raeumlicherGeltungsbereich>
        <gml:Polygon srsName="EPSG:25832" gml:id="GML_plan_texte_gb"><gml:exterior><gml:LinearRing>
          <gml:posList>470000 5576000 470400 5576000 470400 5576300 470000 5576300 470000 5576000</gml:posList>
        </gml:LinearRing></gml:exterior></gml:Polygon>
      </xplan:raeumlicherGeltungsbereich>
      <xplan:texte xlink:href="#GML_text_1_1"/>
      <xplan:texte xlink:href="#GML_text_1_2"/>
      <xplan:texte xlink:href="#GML_text_2_1"/>
      <xplan:gemeinde><xplan:XP_Gemeinde><xplan:ags>06434011</xplan:ags>
        <xplan:gemeindeName>Usingen</xplan:gemeindeName></xplan:XP_Gemeinde></xplan:gemeinde>
      <xplan:planArt>1000</xplan:planArt>
      <xplan:rechtsstand>2000</xplan:rechtsstand>
      <xplan:bereich xlink:href="#GML_bereich_texte"/>
    </xplan:BP_Plan>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_Bereich gml:id="GML_bereich_texte">
      <xplan:nummer>0</xplan:nummer>
      <xplan:planinhalt xlink:href="#GML_wa_nord"/>
      <xplan:planinhalt xlink:href="#GML_wa_sued"/>
      <xplan:planinhalt xlink:href="#GML_gruen_ost"/>
      <xplan:gehoertZuPlan xlink:href="#GML_plan_texte"/>
    </xplan:BP_Bereich>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:XP_TextAbschnitt gml:id="GML_text_1_1">
      <xplan:schluessel>1.1</xplan:schluessel>
      <xplan:gesetzlicheGrundlage><xplan:XP_GesetzlicheGrundlage>
        <xplan:name>BauNVO</xplan:name><xplan:detail>§ 4 Abs. 3</xplan:detail>
      </xplan:XP_GesetzlicheGrundlage></xplan:gesetzlicheGrundlage>
      <xplan:text>Im allgemeinen Wohngebiet sind die Ausnahmen nach § 4 Abs. 3 Nr. 4 und 5 BauNVO (Gartenbaubetriebe, Tankstellen) nicht Bestandteil des Bebauungsplans.

Anlagen für Verwaltungen sind nur ausnahmsweise zulässig.</xplan:text>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
    </xplan:XP_TextAbschnitt>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:XP_TextAbschnitt gml:id="GML_text_1_2">
      <xplan:schluessel>1.2</xplan:schluessel>
      <xplan:gesetzlicheGrundlage><xplan:XP_GesetzlicheGrundlage>
        <xplan:name>BauGB</xplan:name><xplan:detail>§ 9 Abs. 1 Nr. 1</xplan:detail>
      </xplan:XP_GesetzlicheGrundlage></xplan:gesetzlicheGrundlage>
      <xplan:text>Höhe baulicher Anlagen. Die Traufhöhe darf 7,50 m über der Erschließungsstraße nicht überschreiten.</xplan:text>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
    </xplan:XP_TextAbschnitt>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:XP_TextAbschnitt gml:id="GML_text_2_1">
      <xplan:schluessel>2.1</xplan:schluessel>
      <xplan:text>Je angefangene 300 m² Grünfläche ist ein standortgerechter Laubbaum zu pflanzen und dauerhaft zu erhalten.</xplan:text>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
    </xplan:XP_TextAbschnitt>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_wa_nord">
      <xplan:gehoertZuBereich xlink:href="#GML_bereich_texte"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:refTextInhalt xlink:href="#GML_text_1_1"/>
      <xplan:refTextInhalt xlink:href="#GML_text_1_2"/>
      <xplan:position><gml:Polygon srsName="EPSG:25832" gml:id="GML_wa_nord_g"><gml:exterior><gml:LinearRing>
        <gml:posList>470000 5576140 470210 5576140 470210 5576300 470000 5576300 470000 5576140</gml:posList>
      </gml:LinearRing></gml:exterior></gml:Polygon></xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:GRZ>0.4</xplan:GRZ>
      <xplan:allgArtDerBaulNutzung>1000</xplan:allgArtDerBaulNutzung>
      <xplan:besondereArtDerBaulNutzung>1300</xplan:besondereArtDerBaulNutzung>
    </xplan:BP_BaugebietsTeilFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_wa_sued">
      <xplan:gehoertZuBereich xlink:href="#GML_bereich_texte"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:refTextInhalt xlink:href="#GML_text_1_1"/>
      <xplan:position><gml:Polygon srsName="EPSG:25832" gml:id="GML_wa_sued_g"><gml:exterior><gml:LinearRing>
        <gml:posList>470000 5576000 470210 5576000 470210 5576140 470000 5576140 470000 5576000</gml:posList>
      </gml:LinearRing></gml:exterior></gml:Polygon></xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:GRZ>0.3</xplan:GRZ>
      <xplan:allgArtDerBaulNutzung>1000</xplan:allgArtDerBaulNutzung>
    </xplan:BP_BaugebietsTeilFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_GruenFlaeche gml:id="GML_gruen_ost">
      <xplan:gehoertZuBereich xlink:href="#GML_bereich_texte"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:refTextInhalt xlink:href="#GML_text_2_1"/>
      <xplan:position><gml:Polygon srsName="EPSG:25832" gml:id="GML_gruen_ost_g"><gml:exterior><gml:LinearRing>
        <gml:posList>470210 5576000 470400 5576000 470400 5576300 470210 5576300 470210 5576000</gml:posList>
      </gml:LinearRing></gml:exterior></gml:Polygon></xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:nutzungsform>1000</xplan:nutzungsform>
    </xplan:BP_GruenFlaeche>
  </gml:featureMember>
</xplan:XPlanAuszug>
