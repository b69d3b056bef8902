"""factory_boy factories for the domain models."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.files.base import ContentFile
from django.utils import timezone

from participation.models import Consultation
from plans.models import Document, Membership, Municipality, Plan


def square(lon, lat, size=0.01):
    """Return a MultiPolygon square of `size` degrees with its lower-left corner at (lon, lat)."""
    return MultiPolygon(Polygon.from_bbox((lon, lat, lon + size, lat + size)), srid=4326)


def minimal_pdf(text="Test") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n" + text.encode()
    )


def parseable_pdf(pages: int = 1) -> bytes:
    """Return a small PDF that pypdf reads (statement attachments are parsed; `minimal_pdf` is not)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("secret-pass")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    name = factory.Sequence(lambda n: f"Gemeinde {n}")
    slug = factory.Sequence(lambda n: f"gemeinde-{n}")
    ags = factory.Sequence(lambda n: f"07{n % 1_000_000:06d}")  # always 8 digits, even past 100 instances
    # Side by side along 50° N, wrapping after 40 towns: a long test run must not leave the range of longitudes.
    boundary = factory.Sequence(lambda n: square(8.0 + (n % 40) * 0.2, 50.0 + (n // 40 % 20) * 0.2, 0.15))
    crs_epsg = 25832


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory, is_staff=True)
    municipality = factory.SubFactory(MunicipalityFactory)
    role = Membership.Role.PLANNER


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    municipality = factory.SubFactory(MunicipalityFactory)
    kind = Plan.Kind.BPLAN
    number = factory.Sequence(lambda n: f"Nr. {n}")
    title = factory.Sequence(lambda n: f"Baugebiet {n}")
    slug = factory.Sequence(lambda n: f"baugebiet-{n}")
    summary = "Ein neues Wohngebiet."
    stage = Plan.Stage.PUBLICATION
    status = Plan.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))

    @factory.lazy_attribute
    def area(self):
        lon, lat = self.municipality.boundary.extent[:2] if self.municipality.boundary else (8.0, 50.0)
        return square(lon + 0.02, lat + 0.02, 0.01)


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    plan = factory.SubFactory(PlanFactory)
    title = "Begründung"
    kind = Document.Kind.JUSTIFICATION
    file = factory.LazyFunction(lambda: ContentFile(minimal_pdf(), name="begruendung.pdf"))


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    plan = factory.SubFactory(PlanFactory)
    kind = Consultation.Kind.PUBLICATION
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=5))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    bekanntmachung_date = factory.LazyAttribute(lambda o: min(o.start_date - dt.timedelta(7), timezone.localdate()))


# --- announcements (participation.announcements) ---
from participation.announcements.models import Announcement, ChannelAccount, Event, Subscription  # noqa: E402


class AnnouncementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Announcement

    plan = factory.SubFactory(PlanFactory)
    municipality = factory.SelfAttribute("plan.municipality")
    event = Event.PLAN_PUBLISHED
    title = factory.LazyAttribute(lambda o: f"Plan veröffentlicht: {o.plan}")
    body = factory.Sequence(lambda n: f"Neu online: Bebauungsplan {n}. Alle Unterlagen auf der Plan-Seite.")
    link = factory.LazyAttribute(
        lambda o: f"https://beteiligung.example/{o.plan.municipality.slug}/plaene/{o.plan.slug}/"
    )


class ChannelAccountFactory(factory.django.DjangoModelFactory):
    """A channel account; pass `credentials={...}` to store (encrypted) secrets."""

    class Meta:
        model = ChannelAccount

    municipality = factory.SubFactory(MunicipalityFactory)
    kind = "mastodon"
    credentials = factory.LazyAttribute(
        lambda o: {
            "x": {"consumer_key": "ck", "consumer_secret": "cs", "access_token": "at", "access_token_secret": "ats"},
            "mastodon": {"access_token": "masto-token"},
            "bluesky": {"app_password": "app-pass"},
        }[o.kind]
    )
    api_base_url = factory.LazyAttribute(
        lambda o: {"x": "", "mastodon": "https://social.example", "bluesky": "https://pds.example"}[o.kind]
    )
    handle = factory.LazyAttribute(
        lambda o: {"x": "stadt_test", "mastodon": "stadt", "bluesky": "stadt.bsky.social"}[o.kind]
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        credentials = kwargs.pop("credentials", None)
        obj = model_class(*args, **kwargs)
        if credentials:
            obj.set_secrets(credentials)
        obj.save()
        return obj


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    email = factory.Sequence(lambda n: f"buerger{n}@example.org")
    municipality = factory.SubFactory(MunicipalityFactory)
    confirmed_at = factory.LazyFunction(timezone.now)


def _consultation_content_type():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Consultation)


def _site_id():
    from django.conf import settings

    return settings.SITE_ID


class StatementFactory(factory.django.DjangoModelFactory):
    """A confirmed online statement on an open consultation, with a point inside the plan area."""

    class Meta:
        model = "participation.Statement"

    consultation = factory.SubFactory(ConsultationFactory)
    content_type = factory.LazyFunction(_consultation_content_type)
    object_pk = factory.LazyAttribute(lambda o: str(o.consultation.pk))
    site_id = factory.LazyFunction(_site_id)
    user_name = factory.Sequence(lambda n: f"Erika Muster{n}")
    user_email = factory.Sequence(lambda n: f"buerger{n}@example.org")
    comment = factory.Sequence(lambda n: f"Meine Stellungnahme Nr. {n} zum Entwurf.")
    topic = "traffic"
    submit_date = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyAttribute(lambda o: o.submit_date)
    privacy_consent = True
    public_opt_in = True
    is_public = True
    location = factory.LazyAttribute(lambda o: o.consultation.plan.area.point_on_surface)


class ConsultationActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "participation.ConsultationAction"

    consultation = factory.SubFactory(ConsultationFactory)
    kind = "open"
    reason = "Bekanntmachung im Amtsblatt erfolgt."


# --- geodata (layers and features) -------------------------------------------------------------
from geodata.models import Feature, Layer  # noqa: E402


class LayerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Layer

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"Ebene {n}")
    kind = Layer.Kind.BUILDING_AREAS


class FeatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feature

    layer = factory.SubFactory(LayerFactory)
    geometry = factory.Sequence(lambda n: square(8.0 + (n % 50) * 0.001, 50.0 + (n // 50) * 0.001, 0.0005)[0])
    properties = factory.Sequence(lambda n: {"name": f"Baufeld {n}", "grz": 0.4, "geschosse": 2})
    source_id = factory.Sequence(lambda n: f"F{n}")


def building_features(layer, count: int, seed: int = 7, origin=(8.52, 50.32), size_deg=0.02):
    """Bulk-create `count` small building-like polygons (6 vertices) for `layer`; return them unsaved-fast."""
    import numpy as np
    import shapely
    from django.contrib.gis.geos import GEOSGeometry

    rng = np.random.default_rng(seed)
    cx = origin[0] + rng.uniform(0, size_deg, count)
    cy = origin[1] + rng.uniform(0, size_deg * 0.65, count)
    w = rng.uniform(0.00012, 0.0003, count)
    h = rng.uniform(0.00008, 0.0002, count)
    shape = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.1], [0.2, 0.1], [0.2, 0.5], [-0.5, 0.5], [-0.5, -0.5]])
    coords = shape[None] * np.stack([w, h], 1)[:, None] + np.stack([cx, cy], 1)[:, None]
    wkbs = shapely.to_wkb(shapely.polygons(coords))
    uses = ["Wohnen", "Gewerbe", "Garage"]
    features = [
        Feature(
            layer=layer,
            geometry=GEOSGeometry(memoryview(wkb), srid=4326),
            properties={"nr": i, "nutzung": uses[i % 3]},
            source_id=f"B{i}",
        )
        for i, wkb in enumerate(wkbs)
    ]
    Feature.objects.bulk_create(features, batch_size=2000)
    return features


def plan_version(
    plan, number: int, features: list[tuple], *, layer_name="Baugebiete", xplan_class="BP_BaugebietsTeilFlaeche"
):
    """Create version `number` of `plan` with one layer of `features` ((key, polygon, properties), ...).

    Earlier layers of the plan stop being current, as an import of a new version does (geodata.PlanVersion).
    """
    from geodata.models import PlanVersion

    plan.layers.filter(current=True).update(current=False)
    layer = Layer.objects.create(
        plan=plan, name=layer_name, xplan_class=xplan_class, kind=Layer.Kind.BUILDING_AREAS, feature_count=len(features)
    )
    Feature.objects.bulk_create(
        Feature(layer=layer, source_id=key, geometry=geometry, properties=properties)
        for key, geometry, properties in features
    )
    version = PlanVersion.objects.create(plan=plan, number=number, source_name=f"plan_v{number}.gml")
    version.layers.add(layer)
    return version


def changed_plan_elements(plan):
    """Return the elements of two versions of `plan` ((key, polygon, properties), ...) and a point in each.

    A is kept, B grown with a new GRZ, C removed, D added; `parts` names a point inside each
    element (4326): "A" lies in no change, "D" in the added element.
    """
    from django.contrib.gis.geos import Point

    lon, lat = plan.area.extent[:2]
    box = lambda x, y, w, h: Polygon.from_bbox((lon + x, lat + y, lon + x + w, lat + y + h))  # noqa: E731
    a, b, c, d = (
        box(0.001, 0.001, 0.002, 0.002),
        box(0.004, 0.001, 0.002, 0.002),
        box(0.001, 0.005, 0.002, 0.002),
        box(0.006, 0.006, 0.002, 0.002),
    )
    b2 = box(0.004, 0.001, 0.003, 0.002)
    first = [
        ("A", a, {"name": "WA 1", "grz": 0.4}),
        ("B", b, {"name": "WA 2", "grz": 0.4}),
        ("C", c, {"name": "MI 1", "grz": 0.6}),
    ]
    second = [
        ("A", a, {"name": "WA 1", "grz": 0.4}),
        ("B", b2, {"name": "WA 2", "grz": 0.5}),
        ("D", d, {"name": "WA 3", "grz": 0.3}),
    ]
    parts = {
        key: Point(*geometry.centroid.coords, srid=4326) for key, geometry in (("A", a), ("B", b2), ("C", c), ("D", d))
    }
    return first, second, parts


def changed_plan(plan):
    """Give `plan` two versions (changed_plan_elements): return (v1, v2, parts)."""
    first, second, parts = changed_plan_elements(plan)
    return plan_version(plan, 1, first), plan_version(plan, 2, second), parts
