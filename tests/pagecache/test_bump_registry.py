"""Every write that bypasses model signals must say whether the plan page shows what it changes.

Model signals (portal.page_invalidation) keep the cached plan page current for every save and delete
through the ORM. `QuerySet.update()` sends no signal: this test finds each such call in the apps'
code, and each must either bump the page in the same function or be listed below with the reason
why the public plan page does not show what it changes. A new update() path fails here until
someone decides.
"""

import ast
from pathlib import Path

from django.db.models.signals import post_delete, post_save

from portal.page_invalidation import PAGE_MODELS

ROOT = Path(__file__).resolve().parents[2]
APPS = ("plans", "accounts", "operations", "geodata", "participation", "portal")
BUMPS = {"bump_plan_page", "bump_plan_pages"}

# function (module:qualname) -> why the plan page does not show the updated rows
NOT_ON_PLAN_PAGE = {
    "participation/authorities/services.py:invitation_reminders_send": "invitations (§ 4) are staff-only",
    "participation/authorities/submissions.py:invitation_open": "invitations (§ 4) are staff-only",
    "participation/authorities/submissions.py:authority_statement_submit": "authorities' statements are never public",
    "participation/authorities/tasks.py:send_invitation_mail": "invitations (§ 4) are staff-only",
    "participation/services/statements.py:statement_flag": "flag_count is for moderators only",
    "participation/workbench/services.py:weighings_bulk_update": "decisions show on the result page, not here",
    "participation/workbench/services.py:group_answer": "decisions show on the result page, not here",
    "participation/workbench/services.py:statements_group": "groups are internal to the Abwägung",
    "participation/workbench/services.py:statements_ungroup": "groups are internal to the Abwägung",
    "participation/workbench/services.py:statements_group_similar": "groups are internal to the Abwägung",
    "participation/workbench/demo.py:load_demo": "demo decisions show on the result page, not here",
    "participation/workbench/tasks.py:send_result_notifications": "delivery state of result notices",
    "participation/announcements/accounts.py:channel_account_test": "channel accounts are staff-only",
    "participation/announcements/demo.py:load_demo": "announcements are not on the plan page",
    "participation/announcements/outbox.py:*": "delivery outbox is not on the plan page",
    "geodata/services/staging.py:import_run_execute": "import runs are staff-only",
    "geodata/services/staging.py:import_run_confirm": "import runs are staff-only",
    "participation/workbench/tasks.py:_record": "delivery state of result notices",
    "participation/workbench/inspection.py:group_inspection_notice_withdraw": "shown on the result page",
    "participation/workbench/letters.py:letters_mark_printed": "delivery state of postal result letters",
    "participation/workbench/reminders.py:assignment_reminders_send": "assignments are internal to the Abwägung",
    "participation/workbench/segments.py:_renumber": "segments are internal to the Abwägung (result page only)",
    "operations/recovery.py:renew_lease": "task bookkeeping",
    "participation/workbench/export_jobs.py:export_job_run": "export jobs are staff-only",
    "participation/workbench/services.py:_write_clusters": "groups are internal to the Abwägung",
    "portal/api.py:cluster_feature": "dict.update() of a GeoJSON feature, not a QuerySet",
}


DICT_NAMES = {
    "attrs",
    "initial",
    "context",
    "kwargs",
    "errors",
    "data",
    "entry",
    "result",
    "values",
    "params",
    "_fonts",
}


def _is_queryset_update(node) -> bool:
    """Return whether `node` looks like `QuerySet.update(field=...)`: keyword arguments only, not on a known dict."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update"):
        return False
    if node.args or not node.keywords:
        return False
    receiver = node.func.value
    name = receiver.id if isinstance(receiver, ast.Name) else getattr(receiver, "attr", None)
    return name not in DICT_NAMES


def _update_calls(path: Path):
    """Yield (qualname, function node) of functions calling `<expression>.update(...)` (not `name.update`)."""
    tree = ast.parse(path.read_text())

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                calls = [n for n in ast.walk(child) if _is_queryset_update(n)]
                if calls:
                    yield name, child
                else:
                    yield from visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                yield from visit(child, f"{prefix}{child.name}.")

    yield from visit(tree, "")


def _bumps(function) -> bool:
    return any(
        isinstance(n, ast.Call) and getattr(n.func, "id", getattr(n.func, "attr", None)) in BUMPS
        for n in ast.walk(function)
    )


def test_every_queryset_update_bumps_the_plan_page_or_says_why_not():
    undecided = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative:
                continue
            for name, function in _update_calls(path):
                key = f"{relative}:{name}"
                wildcard = f"{relative}:*"
                if not _bumps(function) and key not in NOT_ON_PLAN_PAGE and wildcard not in NOT_ON_PLAN_PAGE:
                    undecided.append(key)
    assert not undecided, f"QuerySet.update() without bump_plan_page(): {undecided}"


def test_the_known_update_paths_bump():
    """The update() paths that change what the page shows call bump_plan_page (found by the scan above)."""
    found = {}
    for relative in (
        "geodata/services/publishing.py",
        "participation/services/purge.py",
        "participation/workbench/services.py",
    ):
        for name, function in _update_calls(ROOT / relative):
            found[f"{relative}:{name}"] = _bumps(function)
    assert found["geodata/services/publishing.py:after_import"]
    assert found["participation/services/purge.py:personal_data_purge"]
    assert found["participation/workbench/services.py:result_unpublish"]


def test_every_page_model_has_its_receivers_connected():
    for model in PAGE_MODELS:
        assert post_save.has_listeners(model) and post_delete.has_listeners(model), model
