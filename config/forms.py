"""The site's form renderer: every form and field goes through the same two templates.

`templates/forms/field.html` renders one field group (label, input, help text, errors) with the
ids Django's `BoundField.aria_describedby` points at (`<id>_helptext`, `<id>_error`);
`templates/forms/form.html` renders a whole form (`{{ form }}`) from those groups.
"""

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Find form templates through TEMPLATES (project and app templates, then `django.forms`)."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
