"""Django settings for the loopback pretix test server: pretix's own, made safe for parallel SQLite writes."""

import os

from pretix.settings import *  # noqa: F403

# Without IMMEDIATE transactions and a busy timeout, parallel writes fail with "database is locked" (500).
DATABASES["default"]["OPTIONS"] = {  # noqa: F405
    **DATABASES["default"].get("OPTIONS", {}),  # noqa: F405
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
# Mails go to files in the data dir instead of SMTP.
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.path.join(DATA_DIR, "mail")  # noqa: F405
