"""The admin site's own titles (Django autodiscovers this module)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Safety knowledge competition administration")
admin.site.site_title = _("Safety knowledge competition")
admin.site.index_title = _("Question banks, competitions and participation")
