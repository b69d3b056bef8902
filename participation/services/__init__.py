"""Write operations of the participation core; each action checks the actor's permission itself.

Modules by job: `periods` (consultation_*), `change_rounds` (§ 4a Abs. 3: versions compared, limitation,
mails to earlier submitters), `bekanntmachung`, `statements` (submit, confirm,
flag, paper statements), `places` (where a statement may point), `moderation`, `ratelimit`,
`purge`. The names below are re-exported, so callers write
`from participation import services; services.consultation_close(...)`.
"""

from .bekanntmachung import bekanntmachung_draft, bekanntmachung_record
from .change_rounds import (
    change_mail_opt_out,
    change_mail_recipients,
    change_mails_schedule,
    change_mails_send,
    is_change_round,
    opt_out_url,
    read_opt_out_token,
)
from .moderation import MODERATION_ACTIONS, statement_moderate
from .periods import (
    check_bekanntmachung_before,
    close_needs_confirmation,
    consultation_close,
    consultation_create,
    consultation_extend,
    consultation_open,
    consultation_reopen,
    consultation_schedule,
    consultation_update,
)
from .places import (
    check_reply_parent,
    check_statement_place,
    check_statement_section,
    geometry_in_plan_area,
    parse_location,
)
from .purge import attachment_orphans_purge, personal_data_purge
from .ratelimit import RateLimited
from .statements import (
    SubmitResult,
    confirmation_token,
    confirmation_url,
    paper_statement_create,
    statement_confirm,
    statement_flag,
    statement_submit,
)

__all__ = [
    "attachment_orphans_purge",
    "MODERATION_ACTIONS",
    "RateLimited",
    "SubmitResult",
    "bekanntmachung_draft",
    "bekanntmachung_record",
    "change_mail_opt_out",
    "change_mail_recipients",
    "change_mails_schedule",
    "change_mails_send",
    "check_bekanntmachung_before",
    "is_change_round",
    "opt_out_url",
    "read_opt_out_token",
    "check_reply_parent",
    "check_statement_place",
    "check_statement_section",
    "close_needs_confirmation",
    "confirmation_token",
    "confirmation_url",
    "consultation_close",
    "consultation_create",
    "consultation_extend",
    "consultation_open",
    "consultation_reopen",
    "consultation_schedule",
    "consultation_update",
    "geometry_in_plan_area",
    "paper_statement_create",
    "parse_location",
    "personal_data_purge",
    "statement_confirm",
    "statement_flag",
    "statement_moderate",
    "statement_submit",
]
