import os

from django.core.wsgi import get_wsgi_application

# As in redress.cli: every file and folder this process makes is the owner's alone (0600, 0700),
# including the files SQLite and the mail backend create themselves.
os.umask(0o077)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redress.settings")
application = get_wsgi_application()
