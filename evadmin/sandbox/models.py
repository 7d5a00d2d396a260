"""The sandbox's data: OAuth clients and tokens, and the fake API's resources.

Everything lives in the "sandbox" database (see router.py). Resource primary keys are the API ids
themselves (prefix + ULID), so ordering by pk is ordering by creation time. Text fields store ""
for what the API shows as null (Django's convention); the serializers turn "" back into null.
"""

from django.db import models

ID_LENGTH = 30


class OAuthClient(models.Model):
    client_id = models.CharField(max_length=100, primary_key=True)
    client_secret = models.CharField(max_length=200)
    scopes = models.TextField(help_text="Space-separated scopes the client may be granted.")
    # Overrides the sandbox-wide rolling-hour limit for this client when set.
    rate_limit_per_hour = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def scope_set(self) -> set[str]:
        return set(self.scopes.split())


class AccessToken(models.Model):
    token = models.CharField(max_length=100, primary_key=True)
    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE, related_name="tokens")
    scopes = models.TextField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def scope_set(self) -> set[str]:
        return set(self.scopes.split())


class SeedRun(models.Model):
    """What the data was seeded with, so /_sandbox/reset {"data": true} can seed it again."""

    users = models.PositiveIntegerField()
    seed = models.IntegerField()
    # False: users and devices only, no month of sessions, logs and tickets (`seedsandbox --without-history`).
    history = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)


class Supplier(models.Model):
    id = models.CharField(max_length=ID_LENGTH, primary_key=True)
    name = models.CharField(max_length=200)
    icon = models.URLField(blank=True, default="")
    highlighted = models.BooleanField(default=False)
    country_code = models.CharField(max_length=2)

    class Meta:
        ordering = ["id"]


class Tariff(models.Model):
    id = models.CharField(max_length=ID_LENGTH, primary_key=True)
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="tariffs")
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3)
    highlighted = models.BooleanField(default=False)
    timezone_name = models.CharField(max_length=64)
    price_chart_url = models.URLField(blank=True, default="")
    gsp_group = models.CharField(max_length=4, blank=True, default="")
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    # Smallest currency unit (pence, cents) per kWh.
    current_price = models.IntegerField(null=True, blank=True)
    country_code = models.CharField(max_length=2)

    class Meta:
        ordering = ["id"]


class EvseSite(models.Model):
    id = models.CharField(max_length=ID_LENGTH, primary_key=True)
    name = models.CharField(max_length=200)
    cpms_connection = models.CharField(max_length=20, blank=True, default="")
    cpms_connection_display_name = models.CharField(max_length=100, blank=True, default="")
    country_code = models.CharField(max_length=2)

    class Meta:
        ordering = ["id"]


class User(models.Model):
    id = models.CharField(max_length=ID_LENGTH, primary_key=True)
    email = models.CharField(max_length=254)
    # The email filter is a case-insensitive exact match: compare on a lower-cased copy.
    email_lower = models.CharField(max_length=254, db_index=True)
    full_name = models.CharField(max_length=200, blank=True, default="")
    joined_at = models.DateTimeField()
    terms_consent_datetime = models.DateTimeField(null=True, blank=True)
    address_1 = models.CharField(max_length=255, blank=True, default="")
    address_2 = models.CharField(max_length=255, blank=True, default="")
    city = models.CharField(max_length=255, blank=True, default="")
    state = models.CharField(max_length=255, blank=True, default="")
    postal_code = models.CharField(max_length=32, blank=True, default="")
    country_code = models.CharField(max_length=2, blank=True, default="")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    tariff = models.ForeignKey(Tariff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    evse_site = models.ForeignKey(EvseSite, on_delete=models.SET_NULL, null=True, blank=True, related_name="users")
    carbon_intensity = models.IntegerField(null=True, blank=True)
    site_connected = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def save(self, *args, **kwargs):
        self.email_lower = (self.email or "").lower()
        super().save(*args, **kwargs)


class Vehicle(models.Model):
    id = models.CharField(max_length=ID_LENGTH, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="vehicles")
    trim_id = models.CharField(max_length=ID_LENGTH)
    integrated = models.CharField(max_length=20, default="ACTIVE")
    battery_size_watt_hours = models.PositiveIntegerField()
    effective_battery_size_watt_hours = models.PositiveIntegerField()
    maximum_charge_limit_percentage = models.PositiveSmallIntegerField(default=100)
    description = models.CharField(max_length=200)
    disabled = models.BooleanField(default=False)
    smart_charging_enabled = models.BooleanField(default=True)
    vehicle_class = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        ordering = ["id"]


class Evse(models.Model):
    id = models.CharField(max_length=ID_LENGTH, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="evses")
    evse_site = models.ForeignKey(EvseSite, on_delete=models.SET_NULL, null=True, blank=True, related_name="evses")
    model_id = models.CharField(max_length=ID_LENGTH)
    cpid = models.CharField(max_length=64, db_index=True)
    lock_mode = models.CharField(max_length=10, blank=True, default="")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    lifecycle_state = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        ordering = ["id"]


class Record(models.Model):
    """One resource of a declared collection (resources.py), stored in the spec's shape.

    `data` holds the schema's own fields as served, minus `id`, `url` and related resources; the
    columns hold what lists filter and page on. Ids are prefix + ULID of `at`, so id order is
    time order, and logs (which the spec keys by timestamp) get an id to page by too.
    """

    id = models.CharField(max_length=ID_LENGTH, primary_key=True)
    kind = models.CharField(max_length=40)
    user_id = models.CharField(max_length=ID_LENGTH, blank=True, default="")  # the driver it belongs to
    parent_id = models.CharField(max_length=ID_LENGTH, blank=True, default="")  # charger, vehicle, session...
    at = models.DateTimeField()  # start, sampled_at or logged_at
    ends_at = models.DateTimeField(null=True, blank=True)  # a session's end; null while it runs
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["kind", "parent_id", "at"], name="record_kind_parent_at"),
            models.Index(fields=["kind", "user_id", "at"], name="record_kind_user_at"),
        ]
