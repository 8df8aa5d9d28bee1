"""The path the hotline's jobs had before the layout of issue 23, kept so
that jobs already queued in Redis still run: RQ stores a job's function
as a dotted path and imports it when the job runs, and the release before
queued these as ``utvag.hotline_jobs.<function>``. The functions live in
``utvag.jobs.hotline``; jobs are now queued as ``utvag.jobs.<name>``
(``utvag.jobs.job_path``), which no move changes. Remove this module one
release after the move, once no queue can hold such a job."""

from utvag.jobs.hotline import forget_call, log_switchboard_outcome, store_voice_message

__all__ = ["forget_call", "log_switchboard_outcome", "store_voice_message"]
