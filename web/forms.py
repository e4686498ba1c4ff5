"""Forms of the citizen site. Rules live in accounts.services; these only collect and show input."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Industry, Organization, Region, User, validate_mainland_mobile
from accounts.selectors import username_taken
from accounts.validators import validate_display_name, validate_username


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].label = _("Password")
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class RegisterForm(forms.Form):
    """Who the participant is: name, county, unit of that county, industry, and a password.

    The unit list depends on the county: the page fetches it from /api/v1/organizations/?region=ID
    when the county changes; on a re-rendered form it is filled server-side for the chosen county.
    """

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=50,
        help_text=_("Shown on leaderboards and your certificate."),
        validators=[validate_display_name],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and @/./+/-/_ only; you log in with it."),
        validators=[validate_username],
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    phone = forms.CharField(
        label=_("Mobile phone (optional)"),
        max_length=11,
        required=False,
        validators=[validate_mainland_mobile],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "numeric"}),
    )
    region = forms.ModelChoiceField(
        label=_("County"),
        queryset=Region.objects.none(),
        empty_label=_("Choose your county"),
    )
    organization = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("Choose your unit (optional)"),
    )
    industry = forms.ChoiceField(label=_("Industry"), required=False)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 8 characters, not only digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(level=Region.Level.COUNTY).order_by(
            "sort_order", "code"
        )
        self.fields["region"].label_from_instance = lambda region: region.name
        self.fields["industry"].choices = [("", _("Choose your industry (optional)"))] + [
            (industry.code, industry.name) for industry in Industry.objects.all()
        ]
        # Server-side unit choices for the chosen county (the page's script replaces them live).
        region_id = self.data.get("region") if self.is_bound else self.initial.get("region")
        units = Organization.objects.none()
        if region_id and str(region_id).isdigit():
            county = Region.objects.filter(pk=int(region_id)).first()
            if county is not None:
                units = Organization.objects.filter(is_active=True, region__path__startswith=county.path)
        self.fields["organization"].queryset = units.order_by("name")
        if not region_id:
            self.fields["organization"].empty_label = _("Choose your county first")

    # The checks below are the registration service's own validators, run here too so that one submit
    # shows every field's error (a missing county used to hide a taken username and a weak password
    # until the next submit). The service still checks everything before it writes.

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if username_taken(username=username):
            raise ValidationError(_("A user with that username already exists."), code="unique")
        return username

    def clean(self) -> dict:
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(
                username=cleaned.get("username") or "", display_name=cleaned.get("display_name") or ""
            )
            try:
                validate_password(password, user=candidate)
            except ValidationError as exc:
                self.add_error("password", exc)
        if password and cleaned.get("password_confirm") and (password != cleaned["password_confirm"]):
            self.add_error("password_confirm", _("The two passwords differ."))
        return cleaned

    def add_service_errors(self, errors: list[dict]) -> None:
        """Attach the registration service's field errors to the matching fields."""
        for error in errors:
            field = error.get("field")
            self.add_error(field if field in self.fields else None, error.get("message"))
