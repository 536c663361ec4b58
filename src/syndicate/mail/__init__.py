"""`syndicate send`: statements by e-mail to press lists, each recipient in their language.

lists      ``lists/<name>.csv`` -> recipients (validated by ``check``)
settings   the ``[mail]`` table of ``syndicate.toml`` and the credentials from the environment
compose    one statement, language and recipient -> an RFC 5322 message (bytes, no I/O)
journal    who got which version: SQLite in the project's private ``.syndicate-state/``
transport  SMTP connections, rate limit, retries, DKIM
send       the orchestration: plan, send, dry run, preview, status
"""
