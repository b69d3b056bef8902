"""django-comments-xtd moderation for consultations: period check and pre-/post-moderation."""

from django_comments_xtd.moderation import XtdCommentModerator, moderator


class ConsultationModerator(XtdCommentModerator):
    """Allow statements only while the consultation is open; hold them back under pre-moderation."""

    email_notification = False

    def allow(self, comment, content_object, request):
        return content_object.is_open_at(comment.submit_date)

    def moderate(self, comment, content_object, request):
        return content_object.moderation != content_object.Moderation.POST


def register() -> None:
    from .models import Consultation

    if Consultation not in moderator._registry:
        moderator.register(Consultation, ConsultationModerator)
