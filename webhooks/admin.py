from django.contrib import admin

from .models import Webhook, WebhookDelivery


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    # The secret is not editable and not listed: it signs deliveries and is shown once, at creation.
    list_display = ["url", "event", "is_active", "created_at"]
    list_filter = ["is_active"]
    fields = ["event", "url", "event_types", "is_active", "created_by"]
    readonly_fields = ["event", "created_by"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["delivery_id", "type", "status", "attempts", "response_status", "created_at"]
    list_filter = ["status", "type"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
