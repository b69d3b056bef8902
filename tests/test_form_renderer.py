"""Every form renders through templates/forms/ (FORM_RENDERER): label, input, help text and errors linked by id."""

from django import forms

from participation.forms import CloseForm


class ExampleForm(forms.Form):
    title = forms.CharField(label="Titel", help_text="Kurz und klar.")
    media = forms.MultipleChoiceField(
        label="Medien", choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
    )
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)


def test_field_group_links_help_and_errors_to_the_input():
    form = ExampleForm(data={})
    assert not form.is_valid()
    html = form["title"].as_field_group()
    assert '<label for="id_title">Titel' in html and 'class="form-field form-field--error"' in html
    assert 'aria-describedby="id_title_helptext id_title_error"' in html and 'aria-invalid="true"' in html
    assert '<div class="form-help" id="id_title_helptext">Kurz und klar.</div>' in html
    assert '<div class="form-error" id="id_title_error">' in html


def test_choice_lists_are_a_fieldset_described_by_their_errors():
    form = ExampleForm(data={"title": "x"})
    form.is_valid()
    html = form["media"].as_field_group()
    assert html.startswith('<fieldset class="form-field form-field--error" aria-describedby="id_media_error">')
    assert "<legend>Medien" in html and 'id="id_media_error"' in html


def test_checkbox_comes_before_its_label_and_the_whole_form_has_one_error_summary():
    html = str(CloseForm())
    assert 'class="form-field form-field--check"' in html
    assert html.index('name="confirm_legal_risk"') < html.index('<label for="id_confirm_legal_risk">')
    form = ExampleForm(data={})
    form.is_valid()
    rendered = str(form)
    assert rendered.count('role="alert"') == 1 and 'id="form-errors"' in rendered
    assert 'type="hidden" name="hidden"' in rendered
