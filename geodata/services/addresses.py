"""The local gazetteer: replace a municipality's addresses from a file (CSV or GIS)."""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from django.contrib.gis.geos import Point
from django.db import transaction

from plans import rules
from plans.models import Municipality

from ..address_search import forget_streets
from ..address_text import normalise, number_key, number_sort, search_text, street_text
from ..importers.addresses import read_addresses, skipped_text
from ..models import Address, AddressStreet

BATCH_SIZE = 5000


@dataclass
class AddressImportReport:
    """How many addresses were read, imported and skipped (by reason), and the file's CRS."""

    read: int = 0
    imported: int = 0
    replaced: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    crs: str = ""

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def skipped_summary(self) -> str:
        return skipped_text(Counter(self.skipped))


def address_import(
    *, municipality: Municipality, path: Path, by, srid: int | None = None, original_name: str = ""
) -> AddressImportReport:
    """Replace `municipality`'s addresses with those of the file at `path`; all or nothing.

    The file is read and checked completely before anything is written (geodata.importers.addresses);
    then the old addresses are deleted and the new ones written in one transaction, in batches.
    """
    rules.require(by, "manage", municipality)
    boundary = shapely.from_wkb(bytes(municipality.boundary.wkb)) if municipality.boundary else None
    result = read_addresses(Path(path), srid=srid, boundary=boundary, original_name=original_name)
    report = AddressImportReport(read=result.read, skipped=dict(result.skipped), crs=result.crs)
    with transaction.atomic():
        report.replaced, _deleted = Address.objects.filter(municipality=municipality).delete()
        AddressStreet.objects.filter(municipality=municipality).delete()
        streets: dict[str, AddressStreet] = {}
        for start in range(0, len(result.rows), BATCH_SIZE):
            batch = [_address(municipality, row) for row in result.rows[start : start + BATCH_SIZE]]
            Address.objects.bulk_create(batch)
            report.imported += len(batch)
            for address in batch:
                text = street_text(street_key=address.street_key, postcode=address.postcode, place=address.place)
                streets.setdefault(
                    text,
                    AddressStreet(
                        municipality=municipality,
                        street_key=address.street_key,
                        postcode=address.postcode,
                        search_text=text,
                    ),
                )
        AddressStreet.objects.bulk_create(streets.values(), batch_size=BATCH_SIZE)
    forget_streets()
    return report


def _address(municipality: Municipality, row: dict) -> Address:
    return Address(
        municipality=municipality,
        street=row["street"][:200],
        housenumber=row["housenumber"][:20],
        postcode=row["postcode"][:10],
        place=row["place"][:200],
        point=Point(row["lon"], row["lat"], srid=4326),
        search_text=search_text(
            street=row["street"], housenumber=row["housenumber"], postcode=row["postcode"], place=row["place"]
        )[:500],
        street_key=normalise(row["street"])[:200],
        number_key=number_key(row["housenumber"])[:20],
        number_sort=number_sort(row["housenumber"]),
    )
