from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("Platform", {"fields": ("country", "timezone")}))
    list_display = ("username", "email", "country", "is_staff", "date_joined")
    list_filter = (*BaseUserAdmin.list_filter, "country")
