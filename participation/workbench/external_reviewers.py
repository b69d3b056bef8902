"""External reviewers (planning consultants): the municipality's address book and their scoped accounts.

A reviewer's account has no Membership: it opens nothing but "Meine Aufgaben" and the items assigned to it
(see `access`). It is invited with a set-password link (Django's password reset token); deactivating it
ends the login and every open assignment's access at once.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from plans import rules

from .assignment_mail import enqueue_reviewer_invitation
from .models import ExternalReviewer


@transaction.atomic
def external_reviewer_create(*, municipality, email: str, name: str, organisation: str = "", by) -> ExternalReviewer:
    """Create a reviewer's account (no role anywhere) and send the invitation to set a password."""
    rules.require(by, "manage", municipality)
    email, name, organisation = email.strip().lower(), " ".join(name.split()), organisation.strip()
    errors = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ValidationError(_("Bitte geben Sie eine gültige E-Mail-Adresse an."), code="invalid_email")
    else:
        User = get_user_model()
        if User.objects.filter(email__iexact=email).exists() or User.objects.filter(username__iexact=email).exists():
            errors["email"] = ValidationError(
                _("Für diese E-Mail-Adresse gibt es bereits ein Konto."), code="email_taken"
            )
    if not name:
        errors["name"] = ValidationError(_("Bitte geben Sie den Namen an."), code="name_missing")
    if errors:
        raise ValidationError(errors)
    first, _sep, last = name.rpartition(" ")
    user = get_user_model().objects.create_user(
        username=email, email=email, first_name=first or last, last_name=last if first else ""
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    reviewer = ExternalReviewer.objects.create(municipality=municipality, user=user, organisation=organisation)
    enqueue_reviewer_invitation(reviewer)
    return reviewer


@transaction.atomic
def external_reviewer_deactivate(*, reviewer: ExternalReviewer, by) -> ExternalReviewer:
    """Deactivate a reviewer: no more login, no access to assigned items (the assignments stay for the record)."""
    rules.require(by, "manage", reviewer.municipality)
    reviewer = ExternalReviewer.objects.select_for_update(of=("self",)).select_related("user").get(pk=reviewer.pk)
    if not reviewer.active:
        raise ValidationError(_("Diese Person ist bereits deaktiviert."), code="already_inactive")
    reviewer.active = False
    reviewer.save(update_fields=["active"])
    reviewer.user.is_active = False
    reviewer.user.save(update_fields=["is_active"])
    return reviewer


@transaction.atomic
def external_reviewer_invite_again(*, reviewer: ExternalReviewer, by) -> ExternalReviewer:
    """Send an active reviewer a new set-password link (the first expired, or they forgot their password)."""
    rules.require(by, "manage", reviewer.municipality)
    if not reviewer.active:
        raise ValidationError(_("Diese Person ist deaktiviert."), code="inactive")
    enqueue_reviewer_invitation(reviewer, again=True)
    return reviewer


def reviewers_of(municipality):
    """Return the municipality's external reviewers, active first, by name."""
    return (
        ExternalReviewer.objects.filter(municipality=municipality)
        .select_related("user")
        .order_by("-active", "user__last_name", "user__first_name", "id")
    )
