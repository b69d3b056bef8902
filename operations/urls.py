from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("verwaltung/betrieb/aufgaben/", views.FailedTaskListView.as_view(), name="failed_tasks"),
    path(
        "verwaltung/betrieb/aufgaben/<str:task_id>/erneut-versuchen/",
        views.FailedTaskActionView.as_view(action="retry"),
        name="failed_task_retry",
    ),
    path(
        "verwaltung/betrieb/aufgaben/<str:task_id>/verwerfen/",
        views.FailedTaskActionView.as_view(action="discard"),
        name="failed_task_discard",
    ),
]
