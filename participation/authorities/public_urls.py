"""Routes behind an authority's access link besides the landing page (`authorities:access`, in urls.py).

Included into the "authorities" namespace: `urlpatterns += public_urls.urlpatterns` in urls.py.
"""

from django.urls import path

from . import public_views

urlpatterns = [
    path("behoerden/zugang/<str:token>/eingang/<int:pk>/", public_views.ReceiptView.as_view(), name="receipt"),
    path(
        "behoerden/zugang/<str:token>/eingang/<int:pk>/pdf/", public_views.ReceiptPdfView.as_view(), name="receipt_pdf"
    ),
]
