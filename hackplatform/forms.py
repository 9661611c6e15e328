"""Form helpers every app's forms share."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator


class ModelBoundsMixin:
    """A ModelForm whose number inputs carry the model's bounds: `min`/`max` from the model field's
    MinValueValidator/MaxValueValidator (e.g. a team of at least 1) on the widget, so the browser refuses a
    value out of range, and on the form field, so the server refuses it with the field's own message."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = self._meta.model
        for name, field in self.fields.items():
            if not isinstance(field, (forms.IntegerField, forms.FloatField, forms.DecimalField)):
                continue
            try:
                validators = model._meta.get_field(name).validators
            except Exception:  # a form-only field (e.g. grace minutes): it declares its own bounds
                continue
            lows = [v.limit_value for v in validators if isinstance(v, MinValueValidator)]
            highs = [v.limit_value for v in validators if isinstance(v, MaxValueValidator)]
            if lows:
                low = max(lows)
                if field.min_value is None or low > field.min_value:
                    field.min_value = low
                    field.validators.append(MinValueValidator(low))
                field.widget.attrs["min"] = field.min_value
            if highs:
                high = min(highs)
                if field.max_value is None or high < field.max_value:
                    field.max_value = high
                    field.validators.append(MaxValueValidator(high))
                field.widget.attrs["max"] = field.max_value
