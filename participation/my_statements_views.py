"""The citizen's "Meine Stellungnahmen" page: every statement submitted with the current BundID identity."""

from django.http import Http404
from django.shortcuts import render
from django.views import View

from accounts.bundid import bundid_enabled, citizen_identity

from .my_statement import my_statement_path
from .private_links import mark_private
from .selectors import statements_of_identity


class MyStatementsView(View):
    """List the statements of the BundID identity in this session, each linked to its private page."""

    def get(self, request):
        if not bundid_enabled():
            raise Http404
        identity = citizen_identity(request)
        statements = list(statements_of_identity(identity.subject)) if identity else []
        response = render(
            request,
            "participation/my_statements.html",
            {
                "identity": identity,
                "statements": [{"statement": s, "url": my_statement_path(s)} for s in statements],
            },
        )
        return mark_private(response)
