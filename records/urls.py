from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("verwaltung/plaene/<int:pk>/nachweis/", views.EvidenceView.as_view(), name="evidence"),
    path("verwaltung/plaene/<int:pk>/nachweis.pdf", views.EvidencePdfView.as_view(), name="evidence_pdf"),
    path("verwaltung/plaene/<int:pk>/nachweis.json", views.EvidenceJsonView.as_view(), name="evidence_json"),
]
