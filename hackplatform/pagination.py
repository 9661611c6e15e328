"""The API's pagination (DEFAULT_PAGINATION_CLASS). Its own module: DRF imports it while building its
generic views, so it must not import anything that imports them (drf-spectacular's utilities do)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """DRF's page-number pagination, except that a `page` that is not a whole number from 1 (an empty
    `?page=`, `?page=x`, `?page=0`) is refused with 400 and the reason instead of read as page 1."""

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if raw in self.last_page_strings:
            return raw
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise ValidationError(
                {self.page_query_param: [_("The page must be a whole number from 1.")]}, code="invalid_page"
            )
        return raw
