from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Industry, Organization, Region, User


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name_zh", "name_en"]
    ordering = ["path"]


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "sort_order"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "industry", "headcount_target", "contact_name", "is_active"]
    list_filter = ["industry", "region", "is_active"]
    search_fields = ["name", "contact_name"]
    list_select_related = ["region", "industry"]


class MaskedPhoneUserChangeForm(UserChangeForm):
    """An administrator sees a member's phone masked, as everybody but its owner does; typing a new
    number replaces it, leaving the masked one keeps it."""

    class Meta(UserChangeForm.Meta):
        model = User

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "phone" in self.fields and self.instance.phone:
            self.initial["phone"] = self.instance.masked_phone
            self.fields["phone"].help_text = _("Shown masked. Type a new number to replace it.")

    def clean_phone(self) -> str | None:
        value = self.cleaned_data.get("phone")
        if self.instance.phone and value == self.instance.masked_phone:
            return self.instance.phone
        return value or None


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = MaskedPhoneUserChangeForm
    list_display = ["username", "display_name", "role", "region", "organization", "scope_region", "is_active"]
    list_filter = ["role", "is_staff", "is_active", "region"]
    search_fields = ["username", "display_name", "phone"]
    list_select_related = ["region", "organization", "scope_region"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            _("Competition profile"),
            {
                "fields": (
                    "display_name",
                    "phone",
                    "region",
                    "organization",
                    "industry",
                    "role",
                    "scope_region",
                )
            },
        ),
    )
