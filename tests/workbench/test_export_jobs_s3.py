"""Export jobs against a real S3 API (moto in server mode): written, downloaded and purged through the storage API."""

import io

import boto3
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from moto.server import ThreadedMotoServer

from participation.workbench.models import ExportJob

BUCKET = "planbeteiligung-exports-test"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", region_name="eu-central-1"
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    yield endpoint, client
    server.stop()


@pytest.fixture
def s3_storage(settings, s3_endpoint):
    endpoint, client = s3_endpoint
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "eu-central-1",
                "default_acl": "private",
                "querystring_auth": True,
            },
        },
    }
    return client


def _keys(client):
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_export_job_lives_in_the_object_store(
    client, world, immediate_tasks, django_capture_on_commit_callbacks, s3_storage
):
    consultation = world["consultation"]
    client.force_login(world["users"]["planner"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("workbench:export", args=[consultation.pk, "csv"]), {"filters": ""})
    job = ExportJob.objects.get()
    assert (job.status, job.rows) == ("succeeded", 8)
    assert _keys(s3_storage) == [f"exports/{job.pk}/{job.file_name}"]
    response = client.get(reverse("workbench:export_download", args=[consultation.pk, job.pk]))
    content = b"".join(response.streaming_content)
    assert len(content.decode("utf-8-sig").strip().split("\r\n")) == 9 and len(content) == job.size
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())
    call_command("purge_expired_exports", stdout=io.StringIO())
    assert _keys(s3_storage) == [] and not ExportJob.objects.exists()
