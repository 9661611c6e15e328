from django.contrib import admin

from .models import Announcement, Delivery, EmailOptOut, Notification, PhaseReminder


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["title", "event", "audience", "status", "send_at", "sent_at"]
    list_filter = ["status", "audience"]
    search_fields = ["title", "event__name"]
    raw_id_fields = ["event", "author", "challenge"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["announcement", "user", "email", "attempts", "emailed_at"]
    list_filter = ["email"]
    raw_id_fields = ["announcement", "user"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "code", "created_at", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["user", "event", "announcement"]


admin.site.register(EmailOptOut)
admin.site.register(PhaseReminder)
